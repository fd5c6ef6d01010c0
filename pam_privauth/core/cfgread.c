/* cfgread.c - typed, range-checked libconfig access with file:line errors. */
#include "core/cfgread.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

unsigned pva_cfg_line(const config_setting_t *s)
{
	return s ? config_setting_source_line(s) : 0;
}

enum pva_rc pva_cfg_fail(struct pva_cfgread *rd, const config_setting_t *s,
			 const char *key, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (rd->failed)
		return PVA_ERR_CONFIG;
	rd->failed = 1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rd->err && rd->errlen)
		snprintf(rd->err, rd->errlen, "%s:%u: %s: %s", rd->file,
			 pva_cfg_line(s), key ? key : "(top)", what);
	return PVA_ERR_CONFIG;
}

enum pva_rc pva_cfg_known_keys(struct pva_cfgread *rd, const config_setting_t *grp,
			       const char *const *allowed)
{
	int i, n;

	if (grp == NULL)
		return PVA_OK;
	n = config_setting_length(grp);
	for (i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(grp, (unsigned)i);
		const char *name = config_setting_name(m);
		const char *const *a;

		for (a = allowed; *a; a++)
			if (name && strcmp(*a, name) == 0)
				break;
		if (*a == NULL)
			return pva_cfg_fail(rd, m, name ? name : "?", "unknown key");
	}
	return PVA_OK;
}

static const config_setting_t *member(const config_setting_t *grp, const char *key)
{
	return grp ? config_setting_get_member(grp, key) : NULL;
}

enum pva_rc pva_cfg_uint(struct pva_cfgread *rd, const config_setting_t *grp,
			 const char *key, unsigned min, unsigned max, unsigned *out)
{
	const config_setting_t *s = member(grp, key);
	long long v;

	if (s == NULL)
		return PVA_OK;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return pva_cfg_fail(rd, s, key, "expected an integer");
	v = config_setting_get_int64(s);
	if (v < (long long)min || v > (long long)max)
		return pva_cfg_fail(rd, s, key, "%lld is out of range %u..%u",
				    v, min, max);
	*out = (unsigned)v;
	return PVA_OK;
}

enum pva_rc pva_cfg_bool(struct pva_cfgread *rd, const config_setting_t *grp,
			 const char *key, int *out)
{
	const config_setting_t *s = member(grp, key);

	if (s == NULL)
		return PVA_OK;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return pva_cfg_fail(rd, s, key, "expected true or false");
	*out = config_setting_get_bool(s);
	return PVA_OK;
}

static int clean_text(const char *v, int multiline)
{
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (multiline && (c == '\n' || c == '\t'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

enum pva_rc pva_cfg_string(struct pva_cfgread *rd, const config_setting_t *grp,
			   const char *key, int multiline, char *out, size_t outlen)
{
	const config_setting_t *s = member(grp, key);
	const char *v;
	size_t n;

	if (s == NULL)
		return PVA_OK;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return pva_cfg_fail(rd, s, key, "expected a string");
	v = config_setting_get_string(s);
	n = strlen(v);
	if (n == 0)
		return pva_cfg_fail(rd, s, key, "must not be empty");
	if (n >= outlen)
		return pva_cfg_fail(rd, s, key, "longer than %zu bytes", outlen - 1);
	if (!clean_text(v, multiline))
		return pva_cfg_fail(rd, s, key, "contains control characters");
	memcpy(out, v, n + 1);
	return PVA_OK;
}

enum pva_rc pva_cfg_enum(struct pva_cfgread *rd, const config_setting_t *grp,
			 const char *key, const char *const *names, int *out)
{
	const config_setting_t *s = member(grp, key);
	const char *v;
	char list[160] = "";
	int i;

	if (s == NULL)
		return PVA_OK;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return pva_cfg_fail(rd, s, key, "expected a string");
	v = config_setting_get_string(s);
	for (i = 0; names[i]; i++) {
		if (strcmp(names[i], v) == 0) {
			*out = i;
			return PVA_OK;
		}
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
			 i ? ", " : "", names[i]);
	}
	return pva_cfg_fail(rd, s, key, "\"%.40s\" is not one of %s", v, list);
}

enum pva_rc pva_cfg_strlist(struct pva_cfgread *rd, const config_setting_t *grp,
			    const char *key, size_t maxn,
			    const config_setting_t **list)
{
	const config_setting_t *s = member(grp, key);
	int i, n;

	*list = NULL;
	if (s == NULL)
		return PVA_OK;
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return pva_cfg_fail(rd, s, key, "expected a list of strings like [\"a\", \"b\"]");
	n = config_setting_length(s);
	if ((size_t)n > maxn)
		return pva_cfg_fail(rd, s, key, "at most %zu entries allowed", maxn);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    config_setting_get_string(e)[0] == '\0')
			return pva_cfg_fail(rd, e, key, "entry %d is not a non-empty string", i + 1);
	}
	*list = s;
	return PVA_OK;
}
