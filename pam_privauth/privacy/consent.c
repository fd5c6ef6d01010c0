/* consent.c - the user's agreement to the privacy notice (see consent.h).
 *
 *   v=1
 *   c=sshd 0123456789abcdef 1700000000
 *   mac=<64 hex>            (added by pva_store_seal)
 */
#include "privacy/consent.h"

#include <stdlib.h>
#include <string.h>

#include "privacy/precord.h"

#define CONSENT_TEXT_MAX (16 + PVA_MAX_CONSENTS * (PVA_SERVICE_MAX + PVA_NOTICE_VERSION_MAX + 24))

static int version_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= PVA_NOTICE_VERSION_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static enum pva_rc parse_entry(const char *s, size_t len, void *ud)
{
	struct pva_consent *out = ud;
	struct pva_consent_entry e;
	const char *tok;
	size_t toklen;

	memset(&e, 0, sizeof(e));
	if (out->n >= PVA_MAX_CONSENTS ||
	    pva_priv_entry(s, len, e.service, &tok, &toklen, &e.when) != PVA_OK ||
	    !version_ok(tok, toklen))
		return PVA_ERR_CORRUPT;
	memcpy(e.version, tok, toklen);
	if (pva_consent_find(out, e.service) != NULL)
		return PVA_ERR_CORRUPT; /* one entry per service */
	out->e[out->n++] = e;
	return PVA_OK;
}

static enum pva_rc parse(const char *body, size_t len, struct pva_consent *out)
{
	memset(out, 0, sizeof(*out));
	if (pva_priv_parse(body, len, "c", parse_entry, out) == PVA_OK)
		return PVA_OK;
	memset(out, 0, sizeof(*out));
	return PVA_ERR_CORRUPT;
}

enum pva_rc pva_consent_load(const struct pva_store *st, const char *user,
			     struct pva_consent *out)
{
	char *body = NULL;
	size_t len = 0;
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	rc = pva_store_read(st, PVA_CONSENT_SUB, user, &body, &len);
	if (rc == PVA_ERR_NOTFOUND)
		rc = PVA_OK; /* nothing agreed to yet */
	else if (rc == PVA_OK)
		rc = parse(body, len, out);
	pva_priv_free_body(body, len);
	return rc;
}

const struct pva_consent_entry *pva_consent_find(const struct pva_consent *c,
						 const char *service)
{
	size_t i;

	if (c == NULL || service == NULL)
		return NULL;
	for (i = 0; i < c->n && i < PVA_MAX_CONSENTS; i++)
		if (strcmp(c->e[i].service, service) == 0)
			return &c->e[i];
	return NULL;
}

static enum pva_rc save(const struct pva_store *st, const char *user,
			const struct pva_consent *c)
{
	char *text;
	size_t pos = 0, i;
	enum pva_rc rc;

	text = malloc(CONSENT_TEXT_MAX);
	if (text == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_store_put(text, CONSENT_TEXT_MAX, &pos, "v=1\n");
	for (i = 0; rc == PVA_OK && i < c->n; i++)
		rc = pva_store_put(text, CONSENT_TEXT_MAX, &pos, "c=%s %s %lld\n", c->e[i].service,
				  c->e[i].version, (long long)c->e[i].when);
	if (rc == PVA_OK)
		rc = pva_priv_subdir(st, PVA_CONSENT_SUB);
	if (rc == PVA_OK)
		rc = pva_store_write(st, PVA_CONSENT_SUB, user, text);
	free(text);
	return rc;
}

enum pva_rc pva_consent_record(const struct pva_store *st, const char *user,
			       const char *service, const char *version, time_t now)
{
	struct pva_consent c;
	struct pva_consent_entry *e;
	enum pva_rc rc;
	int fd = -1;

	if (user == NULL || service == NULL || version == NULL ||
	    !pva_priv_service_ok(service, strlen(service)) ||
	    !version_ok(version, strlen(version)) || !pva_priv_time_ok(now))
		return PVA_ERR_INVAL;
	rc = pva_state_lock(st, user, PVA_PRIV_LOCK_MS, &fd);
	if (rc != PVA_OK)
		return rc;
	rc = pva_consent_load(st, user, &c);
	if (rc != PVA_OK)
		goto out;
	e = (struct pva_consent_entry *)pva_consent_find(&c, service);
	if (e == NULL) {
		if (c.n >= PVA_MAX_CONSENTS) {
			rc = PVA_ERR_LIMIT;
			goto out;
		}
		e = &c.e[c.n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->service, service, strlen(service) + 1);
	}
	memset(e->version, 0, sizeof(e->version));
	memcpy(e->version, version, strlen(version) + 1);
	e->when = now;
	rc = save(st, user, &c);
out:
	pva_state_unlock(fd);
	return rc;
}

enum pva_rc pva_consent_revoke(const struct pva_store *st, const char *user)
{
	enum pva_rc rc;
	int fd = -1;

	rc = pva_state_lock(st, user, PVA_PRIV_LOCK_MS, &fd);
	if (rc != PVA_OK)
		return rc;
	rc = pva_store_remove(st, PVA_CONSENT_SUB, user);
	pva_state_unlock(fd);
	return rc;
}
