/* grace.c - no new code for grace_hours after a good one (see grace.h).
 *
 *   v=1
 *   g=sshd <32 hex> 1700000000     keyed hash of PAM_RHOST, time of the login
 *   mac=<64 hex>                   (added by pva_store_seal)
 */
#include "privacy/grace.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "privacy/precord.h"
#include "store/state.h"

#define GRACE_HASH_BYTES 16
#define GRACE_HEX (2 * GRACE_HASH_BYTES)
#define GRACE_HOURS_MAX 720     /* the config's range: nothing older is useful */
#define GRACE_TEXT_MAX (16 + PVA_MAX_GRACE * (PVA_SERVICE_MAX + GRACE_HEX + 28))

/* Hashed with its NUL, like user, service and host. */
static const char grace_domain[] = "pva-grace-host-v1";

struct grace_entry {
	char service[PVA_SERVICE_MAX];
	char host[GRACE_HEX + 1];   /* lower-case hex of the keyed hash */
	time_t when;
};

struct grace_rec {
	size_t n;
	struct grace_entry e[PVA_MAX_GRACE];  /* oldest first after a write */
};

static enum pva_rc host_hash(const struct pva_hostkey *key, const char *user,
			     const char *service, const char *rhost, char out[GRACE_HEX + 1])
{
	unsigned char h[GRACE_HASH_BYTES];
	crypto_generichash_state gs;

	if (key == NULL || key->mac_key == NULL)
		return PVA_ERR_INVAL;
	if (rhost == NULL)
		rhost = "";
	crypto_generichash_init(&gs, key->mac_key, PVA_KEY_BYTES, sizeof(h));
	crypto_generichash_update(&gs, (const unsigned char *)grace_domain, sizeof(grace_domain));
	crypto_generichash_update(&gs, (const unsigned char *)user, strlen(user) + 1);
	crypto_generichash_update(&gs, (const unsigned char *)service, strlen(service) + 1);
	crypto_generichash_update(&gs, (const unsigned char *)rhost, strlen(rhost) + 1);
	crypto_generichash_final(&gs, h, sizeof(h));
	sodium_bin2hex(out, GRACE_HEX + 1, h, sizeof(h));
	sodium_memzero(&gs, sizeof(gs));
	sodium_memzero(h, sizeof(h));
	return PVA_OK;
}

static int hex_ok(const char *s, size_t len)
{
	size_t i;

	if (len != GRACE_HEX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static struct grace_entry *find(struct grace_rec *g, const char *service, const char *host)
{
	size_t i;

	for (i = 0; i < g->n && i < PVA_MAX_GRACE; i++)
		if (strcmp(g->e[i].service, service) == 0 && strcmp(g->e[i].host, host) == 0)
			return &g->e[i];
	return NULL;
}

static enum pva_rc parse_entry(const char *s, size_t len, void *ud)
{
	struct grace_rec *out = ud;
	struct grace_entry e;
	const char *tok;
	size_t toklen;

	memset(&e, 0, sizeof(e));
	if (out->n >= PVA_MAX_GRACE ||
	    pva_priv_entry(s, len, e.service, &tok, &toklen, &e.when) != PVA_OK ||
	    !hex_ok(tok, toklen))
		return PVA_ERR_CORRUPT;
	memcpy(e.host, tok, toklen);
	if (find(out, e.service, e.host) != NULL)
		return PVA_ERR_CORRUPT;
	out->e[out->n++] = e;
	return PVA_OK;
}

static enum pva_rc parse(const char *body, size_t len, struct grace_rec *out)
{
	memset(out, 0, sizeof(*out));
	if (pva_priv_parse(body, len, "g", parse_entry, out) == PVA_OK)
		return PVA_OK;
	memset(out, 0, sizeof(*out));
	return PVA_ERR_CORRUPT;
}

/* Missing record: empty (PVA_ERR_NOTFOUND when missing_ok is 0). */
static enum pva_rc load2(const struct pva_store *st, const char *user, struct grace_rec *out,
			 int missing_ok)
{
	char *body = NULL;
	size_t len = 0;
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	rc = pva_store_read(st, PVA_GRACE_SUB, user, &body, &len);
	if (rc == PVA_ERR_NOTFOUND && missing_ok)
		rc = PVA_OK;
	else if (rc == PVA_OK)
		rc = parse(body, len, out);
	pva_priv_free_body(body, len);
	return rc;
}

static enum pva_rc load(const struct pva_store *st, const char *user, struct grace_rec *out)
{
	return load2(st, user, out, 1);
}

/* Write g (oldest first), or remove the file when it is empty. */
static enum pva_rc save(const struct pva_store *st, const char *user, const struct grace_rec *g)
{
	char *text;
	size_t pos = 0, i;
	enum pva_rc rc;

	if (g->n == 0)
		return pva_store_remove(st, PVA_GRACE_SUB, user);
	text = malloc(GRACE_TEXT_MAX);
	if (text == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_store_put(text, GRACE_TEXT_MAX, &pos, "v=1\n");
	for (i = 0; rc == PVA_OK && i < g->n; i++)
		rc = pva_store_put(text, GRACE_TEXT_MAX, &pos, "g=%s %s %lld\n", g->e[i].service,
				  g->e[i].host, (long long)g->e[i].when);
	if (rc == PVA_OK)
		rc = pva_priv_subdir(st, PVA_GRACE_SUB);
	if (rc == PVA_OK)
		rc = pva_store_write(st, PVA_GRACE_SUB, user, text);
	free(text);
	return rc;
}

/* Keep the entries for which keep() says so; sort oldest first. */
static size_t drop_old(struct grace_rec *g, const char *service, time_t svc_keep,
		       time_t all_keep, time_t now)
{
	size_t i, k, dropped;
	struct grace_entry t;

	for (i = k = 0; i < g->n; i++) {
		time_t keep = service && strcmp(g->e[i].service, service) == 0 ? svc_keep : all_keep;
		if (g->e[i].when <= now - keep || g->e[i].when > now + 300)
			continue; /* outlived its use, or from a clock far ahead */
		if (k != i)
			g->e[k] = g->e[i];
		k++;
	}
	dropped = g->n - k;
	g->n = k;
	for (i = 1; i < g->n; i++) /* insertion sort by time */
		for (k = i; k > 0 && g->e[k - 1].when > g->e[k].when; k--) {
			t = g->e[k];
			g->e[k] = g->e[k - 1];
			g->e[k - 1] = t;
		}
	return dropped;
}

enum pva_rc pva_grace_check(const struct pva_store *st, const struct pva_hostkey *key,
			    const char *user, const char *service, const char *rhost,
			    unsigned hours, time_t now, int *granted)
{
	char host[GRACE_HEX + 1];
	struct grace_rec *g;
	struct grace_entry *e;
	enum pva_rc rc;

	*granted = 0;
	if (user == NULL || service == NULL || !pva_priv_service_ok(service, strlen(service)))
		return PVA_ERR_INVAL;
	if (hours == 0)
		return PVA_OK;
	g = malloc(sizeof(*g));
	if (g == NULL)
		return PVA_ERR_NOMEM;
	rc = load(st, user, g);
	if (rc == PVA_OK)
		rc = host_hash(key, user, service, rhost, host);
	if (rc == PVA_OK) {
		e = find(g, service, host);
		/* a login "in the future" (the clock went back) grants nothing */
		if (e != NULL && e->when <= now && now - e->when < (time_t)hours * 3600)
			*granted = 1;
	}
	sodium_memzero(host, sizeof(host));
	free(g);
	return rc;
}

enum pva_rc pva_grace_record(const struct pva_store *st, const struct pva_hostkey *key,
			     const char *user, const char *service, const char *rhost,
			     unsigned hours, time_t now)
{
	char host[GRACE_HEX + 1];
	struct grace_rec *g;
	struct grace_entry *e;
	enum pva_rc rc;
	int fd = -1;

	if (user == NULL || service == NULL || !pva_priv_service_ok(service, strlen(service)) ||
	    !pva_priv_time_ok(now))
		return PVA_ERR_INVAL;
	if (hours == 0)
		return PVA_OK;
	if (hours > GRACE_HOURS_MAX)
		hours = GRACE_HOURS_MAX;
	rc = host_hash(key, user, service, rhost, host);
	if (rc != PVA_OK)
		return rc;
	g = malloc(sizeof(*g));
	if (g == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_state_lock(st, user, PVA_PRIV_LOCK_MS, &fd);
	if (rc == PVA_OK)
		rc = load(st, user, g);
	if (rc != PVA_OK)
		goto out;
	e = find(g, service, host);
	if (e == NULL) {
		if (g->n >= PVA_MAX_GRACE) { /* the oldest goes */
			drop_old(g, NULL, 0, (time_t)GRACE_HOURS_MAX * 3600, now);
			if (g->n >= PVA_MAX_GRACE) {
				memmove(&g->e[0], &g->e[1], (g->n - 1) * sizeof(g->e[0]));
				g->n--;
			}
		}
		e = &g->e[g->n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->service, service, strlen(service) + 1);
		memcpy(e->host, host, sizeof(host));
	}
	e->when = now;
	drop_old(g, service, (time_t)hours * 3600, (time_t)GRACE_HOURS_MAX * 3600, now);
	rc = save(st, user, g);
out:
	pva_state_unlock(fd);
	sodium_memzero(host, sizeof(host));
	free(g);
	return rc;
}

enum pva_rc pva_grace_count(const struct pva_store *st, const char *user, size_t *n,
			    time_t *latest)
{
	struct grace_rec *g;
	enum pva_rc rc;
	size_t i;

	*n = 0;
	*latest = 0;
	g = malloc(sizeof(*g));
	if (g == NULL)
		return PVA_ERR_NOMEM;
	rc = load(st, user, g);
	if (rc == PVA_OK) {
		*n = g->n;
		for (i = 0; i < g->n; i++)
			if (g->e[i].when > *latest)
				*latest = g->e[i].when;
	}
	free(g);
	return rc;
}

enum pva_rc pva_grace_prune(const struct pva_store *st, const char *user, time_t keep,
			    time_t now, int dry_run, int *result)
{
	struct grace_rec *g;
	enum pva_rc rc;
	size_t dropped;

	*result = PVA_PRUNE_NONE;
	g = malloc(sizeof(*g));
	if (g == NULL)
		return PVA_ERR_NOMEM;
	rc = load2(st, user, g, 0);
	if (rc != PVA_OK) {
		if (rc == PVA_ERR_NOTFOUND)
			rc = PVA_OK;
		goto out;
	}
	dropped = drop_old(g, NULL, 0, keep, now);
	*result = g->n == 0 ? PVA_PRUNE_REMOVED : dropped ? PVA_PRUNE_TRIMMED : PVA_PRUNE_KEPT;
	if (!dry_run && (dropped > 0 || g->n == 0))
		rc = save(st, user, g);
out:
	free(g);
	return rc;
}

enum pva_rc pva_grace_forget(const struct pva_store *st, const char *user)
{
	return pva_store_remove(st, PVA_GRACE_SUB, user);
}
