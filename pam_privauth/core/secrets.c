/* secrets.c - provider credentials from a root-only file. */
#include "core/secrets.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>
#include <sodium.h>

#include "core/secfile.h"

#define SECRETS_MAX_BYTES (64 * 1024)
#define SECRETS_MAX_ENTRIES 128

struct entry {
	char *provider;  /* sodium_malloc'd, like the value */
	char *key;
	char *value;     /* SECRET */
};

struct pva_secrets {
	struct entry e[SECRETS_MAX_ENTRIES];
	size_t n;
};

static char *sdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = sodium_malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

static enum pva_rc add(struct pva_secrets *s, const char *prov, const char *key,
		       const char *val)
{
	struct entry *e;

	if (s->n >= SECRETS_MAX_ENTRIES)
		return PVA_ERR_LIMIT;
	e = &s->e[s->n];
	e->provider = sdup(prov);
	e->key = sdup(key);
	e->value = sdup(val);
	s->n++;
	return e->provider && e->key && e->value ? PVA_OK : PVA_ERR_NOMEM;
}

/* Every member must be a group of non-empty strings. */
static enum pva_rc walk(struct pva_secrets *s, config_t *c, const char *path,
			char *err, size_t errlen)
{
	const config_setting_t *root = config_root_setting(c);
	int i, j, n = config_setting_length(root);

	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(root, (unsigned)i);
		const char *prov = config_setting_name(g);
		if (!config_setting_is_group(g)) {
			snprintf(err, errlen, "%s:%u: %s: expected a group { key = \"value\"; }",
				 path, config_setting_source_line(g), prov);
			return PVA_ERR_CONFIG;
		}
		for (j = 0; j < config_setting_length(g); j++) {
			const config_setting_t *m = config_setting_get_elem(g, (unsigned)j);
			const char *v = config_setting_get_string(m);
			enum pva_rc rc;
			if (v == NULL || v[0] == '\0') {
				snprintf(err, errlen, "%s:%u: %s.%s: expected a non-empty string",
					 path, config_setting_source_line(m), prov,
					 config_setting_name(m));
				return PVA_ERR_CONFIG;
			}
			rc = add(s, prov, config_setting_name(m), v);
			/* libconfig frees its copy without wiping it: wipe it here */
			sodium_memzero((char *)(uintptr_t)v, strlen(v));
			if (rc != PVA_OK) {
				snprintf(err, errlen, "%s: too many entries or out of memory", path);
				return rc;
			}
		}
	}
	return PVA_OK;
}

enum pva_rc pva_secrets_load(const char *path, struct pva_secrets **out,
			     char *err, size_t errlen)
{
	struct pva_secrets *s = NULL;
	char *text = NULL;
	size_t len = 0;
	config_t c;
	enum pva_rc rc;

	*out = NULL;
	if (sodium_init() < 0) /* sodium_malloc aborts the process without it */
		return PVA_ERR_IO;
	rc = pva_secfile_read(path, PVA_SECFILE_PRIVATE, SECRETS_MAX_BYTES, &text, &len);
	if (rc != PVA_OK) {
		snprintf(err, errlen, "%s: %s%s", path, pva_rc_str(rc), rc == PVA_ERR_PERM ?
			 " (must be a regular file owned by root, mode 0600)" : "");
		return rc;
	}
	config_init(&c);
	if (strlen(text) != len || !config_read_string(&c, text)) {
		snprintf(err, errlen, "%s:%d: syntax: %s", path, config_error_line(&c),
			 config_error_text(&c) ? config_error_text(&c) : "NUL byte");
		rc = PVA_ERR_CONFIG;
		goto out;
	}
	s = sodium_malloc(sizeof(*s));
	if (s == NULL) {
		rc = PVA_ERR_NOMEM;
		goto out;
	}
	memset(s, 0, sizeof(*s));
	rc = walk(s, &c, path, err, errlen);
out:
	config_destroy(&c);
	sodium_memzero(text, len);
	free(text);
	if (rc != PVA_OK) {
		pva_secrets_free(s);
		s = NULL;
	}
	*out = s;
	return rc;
}

const char *pva_secrets_get(const struct pva_secrets *s, const char *provider,
			    const char *key)
{
	size_t i;

	for (i = 0; s && i < s->n; i++)
		if (strcmp(s->e[i].provider, provider) == 0 && strcmp(s->e[i].key, key) == 0)
			return s->e[i].value;
	return NULL;
}

void pva_secrets_free(struct pva_secrets *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		sodium_free(s->e[i].provider);
		sodium_free(s->e[i].key);
		sodium_free(s->e[i].value);
	}
	sodium_free(s);
}
