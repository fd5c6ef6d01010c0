/* cfgread.h - typed, range-checked reading of libconfig settings.
 *
 * Every error is recorded once, as "FILE:LINE: KEY: what is wrong", in
 * the caller's buffer; the first error wins.  Absent optional keys leave
 * the output untouched, so callers pre-fill defaults.
 */
#ifndef PVA_CFGREAD_H
#define PVA_CFGREAD_H

#include <stddef.h>

#include <libconfig.h>

#include "core/rc.h"

struct pva_secrets;

struct pva_cfgread {
	const char *file;   /* shown in messages */
	char *err;          /* first error, NUL-terminated */
	size_t errlen;
	int failed;
	/* credentials from `secrets_file` for providers' create(); may be NULL */
	const struct pva_secrets *secrets;
};

/* Record an error about setting s (its line) and key; returns PVA_ERR_CONFIG. */
enum pva_rc pva_cfg_fail(struct pva_cfgread *rd, const config_setting_t *s,
			 const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Every member of group grp must be named in allowed (NULL-terminated). */
enum pva_rc pva_cfg_known_keys(struct pva_cfgread *rd, const config_setting_t *grp,
			       const char *const *allowed) PVA_WUR;

/* Integer key in [min, max]. */
enum pva_rc pva_cfg_uint(struct pva_cfgread *rd, const config_setting_t *grp,
			 const char *key, unsigned min, unsigned max,
			 unsigned *out) PVA_WUR;

/* Boolean key. */
enum pva_rc pva_cfg_bool(struct pva_cfgread *rd, const config_setting_t *grp,
			 const char *key, int *out) PVA_WUR;

/* String key of 1..outlen-1 bytes with no control characters (newline and
 * tab allowed when multiline is set), copied into out. */
enum pva_rc pva_cfg_string(struct pva_cfgread *rd, const config_setting_t *grp,
			   const char *key, int multiline, char *out,
			   size_t outlen) PVA_WUR;

/* String key that must be one of names[] (NULL-terminated); *out = index. */
enum pva_rc pva_cfg_enum(struct pva_cfgread *rd, const config_setting_t *grp,
			 const char *key, const char *const *names,
			 int *out) PVA_WUR;

/* Array or list of 0..maxn strings: *list is the setting (NULL if absent),
 * every element is checked to be a non-empty string. */
enum pva_rc pva_cfg_strlist(struct pva_cfgread *rd, const config_setting_t *grp,
			    const char *key, size_t maxn,
			    const config_setting_t **list) PVA_WUR;

/* Source line of s, 0 when unknown. */
unsigned pva_cfg_line(const config_setting_t *s);

#endif
