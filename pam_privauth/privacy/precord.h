/* precord.h - helpers shared by the privacy records (consent, grace,
 * backup, remind): their sub-directories, names and text output.
 * Internal to privacy/ and its tests.
 */
#ifndef PVA_PRECORD_H
#define PVA_PRECORD_H

#include <stddef.h>
#include <time.h>

#include "core/rc.h"
#include "store/state.h"
#include "store/store.h"

#define PVA_PRIV_LOCK_MS 5000   /* wait for the user's state lock */

/* state_dir/<sub>, made on first use (root, 0700). */
enum pva_rc pva_priv_subdir(const struct pva_store *st, const char *sub) PVA_WUR;

/* Non-zero for a PAM service name as state.c stores it:
 * 1..63 bytes of [A-Za-z0-9._-]. */
int pva_priv_service_ok(const char *s, size_t len);

/* Non-zero for a time the stores accept (0..PVA_STORE_TIME_MAX). */
int pva_priv_time_ok(time_t t);

/* Next space-separated token of s[*pos..len): 0, or -1 past the end. */
int pva_priv_tok(const char *s, size_t len, size_t *pos, const char **tok,
		 size_t *toklen);

/* A record body: "v=1\n", then only "<key>=VALUE\n" lines, each handed to
 * entry(VALUE, its length, ud).  PVA_ERR_CORRUPT for any other line or when
 * entry() fails. */
enum pva_rc pva_priv_parse(const char *body, size_t len, const char *key,
			   enum pva_rc (*entry)(const char *val, size_t len, void *ud),
			   void *ud) PVA_WUR;

/* "<service> <token> <time>", the entry shape of consent and grace:
 * the middle token in tok and toklen (the caller checks it), the time in
 * when.
 * PVA_ERR_CORRUPT for any other shape. */
enum pva_rc pva_priv_entry(const char *s, size_t len, char service[PVA_SERVICE_MAX],
			   const char **tok, size_t *toklen, time_t *when) PVA_WUR;

/* Wipe and free a body returned by pva_store_read (NULL is fine). */
void pva_priv_free_body(char *body, size_t len);

#endif
