/* state.c - per-user login state: lock, load, save, and its text form.
 *
 *   v=1
 *   user=alice
 *   fails=0
 *   lockouts=1
 *   locked_until=0
 *   sends=1700000000,1700000100
 *   pending=sshd <64 hex> <issued> <expires> <last_sent> <attempts> sms
 *   mac=<64 hex>            (added by pva_store_seal)
 */
#include "store/state.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/secfile.h"

#define STATE_SUB "state"
#define LOCKS_SUB "locks"
#define STATE_TEXT_MAX 8192  /* the largest record is under 6 KiB */
#define PENDING_FIELDS 7

enum state_field {
	F_USER = 1,
	F_FAILS = 2,
	F_LOCKOUTS = 4,
	F_LOCKED = 8,
	F_SENDS = 16,
	F_ALL = 31,
};

static int time_ok(time_t t)
{
	return t >= 0 && (long long)t <= PVA_STORE_TIME_MAX;
}

static int service_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= PVA_SERVICE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* ---- locking ---------------------------------------------------------- */

enum pva_rc pva_state_lock(const struct pva_store *st, const char *user,
			   unsigned timeout_ms, int *fd)
{
	return pva_store_lock(st, LOCKS_SUB, user, NULL, timeout_ms, fd);
}

void pva_state_unlock(int fd)
{
	pva_store_unlock(fd);
}

/* ---- the record on disk ----------------------------------------------- */

enum pva_rc pva_state_load(const struct pva_store *st, const char *user,
			   struct pva_state *out)
{
	char *body = NULL;
	size_t len = 0;
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	rc = pva_store_read(st, STATE_SUB, user, &body, &len);
	if (rc == PVA_ERR_NOTFOUND) {
		/* pva_store_read checked the name: 1..128 bytes */
		memcpy(out->user, user, strlen(user) + 1);
		rc = PVA_OK;
		goto out;
	}
	if (rc == PVA_OK)
		rc = pva_state_parse(body, len, out);
	if (rc == PVA_OK && strcmp(out->user, user) != 0)
		rc = PVA_ERR_CORRUPT;
out:
	if (rc != PVA_OK)
		sodium_memzero(out, sizeof(*out));
	if (body != NULL) {
		sodium_memzero(body, len);
		free(body);
	}
	return rc;
}

enum pva_rc pva_state_save(const struct pva_store *st, struct pva_state *s,
			   time_t now)
{
	char *text;
	enum pva_rc rc;

	pva_state_purge(s, now);
	text = malloc(STATE_TEXT_MAX);
	if (text == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_state_format(s, text, STATE_TEXT_MAX);
	if (rc == PVA_OK)
		rc = pva_store_write(st, STATE_SUB, s->user, text);
	sodium_memzero(text, STATE_TEXT_MAX);
	free(text);
	return rc;
}

enum pva_rc pva_state_delete(const struct pva_store *st, const char *user)
{
	return pva_store_remove(st, STATE_SUB, user);
}

/* ---- in-memory operations --------------------------------------------- */

void pva_state_purge(struct pva_state *s, time_t now)
{
	size_t i, k;

	if (s->n_pending > PVA_MAX_PENDING)
		s->n_pending = PVA_MAX_PENDING;
	if (s->n_sends > PVA_MAX_SENDS)
		s->n_sends = PVA_MAX_SENDS;
	for (i = k = 0; i < s->n_pending; i++) {
		if (s->pending[i].expires <= now)
			continue;
		if (k != i)
			s->pending[k] = s->pending[i];
		k++;
	}
	sodium_memzero(&s->pending[k], (PVA_MAX_PENDING - k) * sizeof(s->pending[0]));
	s->n_pending = k;
	pva_times_purge(s->sends, &s->n_sends, now, PVA_SEND_WINDOW);
	/* an expired lockout ends; `lockouts` stays for the doubling */
	if (s->locked_until != 0 && s->locked_until <= now)
		s->locked_until = 0;
}

struct pva_pending *pva_state_pending(struct pva_state *s, const char *service)
{
	size_t i;

	if (service == NULL)
		return NULL;
	for (i = 0; i < s->n_pending && i < PVA_MAX_PENDING; i++)
		if (strcmp(s->pending[i].service, service) == 0)
			return &s->pending[i];
	return NULL;
}

void pva_state_drop_pending(struct pva_state *s, const char *service)
{
	struct pva_pending *p = pva_state_pending(s, service);
	size_t i;

	if (p == NULL)
		return;
	for (i = (size_t)(p - s->pending); i + 1 < s->n_pending; i++)
		s->pending[i] = s->pending[i + 1];
	s->n_pending--;
	sodium_memzero(&s->pending[s->n_pending], sizeof(s->pending[0]));
}

enum pva_rc pva_state_put_pending(struct pva_state *s, const struct pva_pending *p)
{
	struct pva_pending *old;

	if (!service_ok(p->service, strnlen(p->service, PVA_SERVICE_MAX)) ||
	    pva_store_channel_str(p->channel) == NULL)
		return PVA_ERR_INVAL;
	old = pva_state_pending(s, p->service);
	if (old == NULL) {
		if (s->n_pending >= PVA_MAX_PENDING)
			return PVA_ERR_LIMIT;
		old = &s->pending[s->n_pending++];
	}
	if (old != p)
		*old = *p;
	return PVA_OK;
}

void pva_state_add_send(struct pva_state *s, time_t now)
{
	pva_times_add(s->sends, &s->n_sends, PVA_MAX_SENDS, now);
}

size_t pva_state_sends_within(const struct pva_state *s, time_t now, time_t window)
{
	size_t n = s->n_sends < PVA_MAX_SENDS ? s->n_sends : PVA_MAX_SENDS;

	return pva_times_within(s->sends, n, now, window);
}

size_t pva_state_sends_last_hour(const struct pva_state *s, time_t now)
{
	return pva_state_sends_within(s, now, PVA_SEND_HOUR);
}

/* ---- text form -------------------------------------------------------- */

static int pending_ok(const struct pva_pending *p)
{
	return service_ok(p->service, strnlen(p->service, PVA_SERVICE_MAX)) &&
	       time_ok(p->issued) && time_ok(p->expires) && time_ok(p->last_sent) &&
	       pva_store_channel_str(p->channel) != NULL;
}

/* Refuse to write anything pva_state_parse() would refuse to read. */
static enum pva_rc check_state(const struct pva_state *s)
{
	size_t i, j;

	if (pva_store_user_check(s->user, strnlen(s->user, PVA_USER_MAX)) != PVA_OK ||
	    s->n_sends > PVA_MAX_SENDS || s->n_pending > PVA_MAX_PENDING ||
	    !time_ok(s->locked_until))
		return PVA_ERR_INVAL;
	for (i = 0; i < s->n_sends; i++)
		if (!time_ok(s->sends[i]))
			return PVA_ERR_INVAL;
	for (i = 0; i < s->n_pending; i++) {
		if (!pending_ok(&s->pending[i]))
			return PVA_ERR_INVAL;
		for (j = 0; j < i; j++)
			if (strcmp(s->pending[i].service, s->pending[j].service) == 0)
				return PVA_ERR_INVAL;
	}
	return PVA_OK;
}

static enum pva_rc put_pending_line(char *buf, size_t len, size_t *pos,
				    const struct pva_pending *p)
{
	char hex[2 * PVA_HASH_BYTES + 1];
	enum pva_rc rc;

	sodium_bin2hex(hex, sizeof(hex), p->hash, sizeof(p->hash));
	rc = pva_store_put(buf, len, pos, "pending=%s %s %lld %lld %lld %u %s\n", p->service, hex,
		 (long long)p->issued, (long long)p->expires, (long long)p->last_sent,
		 p->attempts, pva_store_channel_str(p->channel));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

enum pva_rc pva_state_format(const struct pva_state *s, char *buf, size_t len)
{
	size_t pos = 0, i;
	enum pva_rc rc;

	if (len > 0)
		buf[0] = '\0';
	rc = check_state(s);
	if (rc == PVA_OK)
		rc = pva_store_put(buf, len, &pos, "v=1\nuser=%s\nfails=%u\nlockouts=%u\n"
			 "locked_until=%lld\nsends=", s->user, s->fails, s->lockouts,
			 (long long)s->locked_until);
	for (i = 0; rc == PVA_OK && i < s->n_sends; i++)
		rc = pva_store_put(buf, len, &pos, "%s%lld", i ? "," : "", (long long)s->sends[i]);
	if (rc == PVA_OK)
		rc = pva_store_put(buf, len, &pos, "\n");
	for (i = 0; rc == PVA_OK && i < s->n_pending; i++)
		rc = put_pending_line(buf, len, &pos, &s->pending[i]);
	if (rc != PVA_OK && len > 0)
		sodium_memzero(buf, pos < len ? pos + 1 : len);
	return rc;
}

/* The next space-separated token of s[*pos..len). */
static int next_tok(const char *s, size_t len, size_t *pos, const char **tok,
		    size_t *toklen)
{
	const char *sp;

	if (*pos > len)
		return -1;
	*tok = s + *pos;
	sp = memchr(*tok, ' ', len - *pos);
	*toklen = sp ? (size_t)(sp - *tok) : len - *pos;
	*pos += *toklen + 1;
	return 0;
}

static enum pva_rc hash_decode(const char *hex, size_t len, unsigned char out[PVA_HASH_BYTES])
{
	size_t i, binlen = 0;

	if (len != 2 * PVA_HASH_BYTES)
		return PVA_ERR_CORRUPT;
	for (i = 0; i < len; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return PVA_ERR_CORRUPT;
	if (sodium_hex2bin(out, PVA_HASH_BYTES, hex, len, NULL, &binlen, NULL) != 0 ||
	    binlen != PVA_HASH_BYTES)
		return PVA_ERR_CORRUPT;
	return PVA_OK;
}

/* Fields 2..5: issued, expires, last_sent (times) and attempts. */
static enum pva_rc pending_nums(const char *const t[], const size_t tl[],
				struct pva_pending *p)
{
	unsigned long long v[4];
	size_t i;

	for (i = 0; i < 4; i++)
		if (pva_store_num(t[2 + i], tl[2 + i], i < 3 ? PVA_STORE_TIME_MAX : UINT_MAX,
				  &v[i]) != PVA_OK)
			return PVA_ERR_CORRUPT;
	p->issued = (time_t)v[0];
	p->expires = (time_t)v[1];
	p->last_sent = (time_t)v[2];
	p->attempts = (unsigned)v[3];
	return PVA_OK;
}

static enum pva_rc parse_pending(const char *s, size_t len, struct pva_state *out)
{
	struct pva_pending p;
	const char *t[PENDING_FIELDS];
	size_t tl[PENDING_FIELDS], pos = 0, i;
	enum pva_rc rc = PVA_ERR_CORRUPT;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < PENDING_FIELDS; i++)
		if (next_tok(s, len, &pos, &t[i], &tl[i]) != 0)
			goto out;
	if (pos != len + 1 || out->n_pending >= PVA_MAX_PENDING ||
	    !service_ok(t[0], tl[0]) || hash_decode(t[1], tl[1], p.hash) != PVA_OK ||
	    pending_nums(t, tl, &p) != PVA_OK ||
	    pva_store_channel_parse(t[6], tl[6], &p.channel) != PVA_OK)
		goto out;
	memcpy(p.service, t[0], tl[0]);
	if (pva_state_pending(out, p.service) != NULL)
		goto out; /* one code per service */
	out->pending[out->n_pending++] = p;
	rc = PVA_OK;
out:
	sodium_memzero(&p, sizeof(p));
	return rc;
}

static enum pva_rc parse_sends(const char *s, size_t len, struct pva_state *out)
{
	return pva_times_parse(s, len, out->sends, &out->n_sends, PVA_MAX_SENDS);
}

static enum pva_rc parse_scalar(const struct pva_store_line *ln, unsigned bit,
				struct pva_state *out)
{
	unsigned long long v = 0;
	enum pva_rc rc;

	switch (bit) {
	case F_USER:
		rc = pva_store_user_check(ln->val, ln->vallen);
		if (rc == PVA_OK)
			memcpy(out->user, ln->val, ln->vallen);
		return rc == PVA_OK ? PVA_OK : PVA_ERR_CORRUPT;
	case F_SENDS:
		return parse_sends(ln->val, ln->vallen, out);
	case F_LOCKED:
		rc = pva_store_num(ln->val, ln->vallen, PVA_STORE_TIME_MAX, &v);
		out->locked_until = (time_t)v;
		return rc;
	default:
		rc = pva_store_num(ln->val, ln->vallen, UINT_MAX, &v);
		if (bit == F_FAILS)
			out->fails = (unsigned)v;
		else
			out->lockouts = (unsigned)v;
		return rc;
	}
}

static enum pva_rc parse_field(const struct pva_store_line *ln, struct pva_state *out,
			       unsigned *seen)
{
	static const struct pva_store_key keys[] = {
		{ "user", F_USER }, { "fails", F_FAILS }, { "lockouts", F_LOCKOUTS },
		{ "locked_until", F_LOCKED }, { "sends", F_SENDS } };
	unsigned bit;

	if (pva_store_line_is(ln, "pending", NULL))
		return parse_pending(ln->val, ln->vallen, out);
	bit = pva_store_key_bit(ln, keys, sizeof(keys) / sizeof(keys[0]), seen);
	return bit == 0 ? PVA_ERR_CORRUPT : parse_scalar(ln, bit, out);
}

enum pva_rc pva_state_parse(const char *body, size_t len, struct pva_state *out)
{
	struct pva_store_line ln;
	unsigned seen = 0;
	size_t pos = 0;
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	rc = pva_store_next_line(body, len, &pos, &ln);
	if (rc != PVA_OK || !pva_store_line_is(&ln, "v", "1")) {
		rc = PVA_ERR_CORRUPT;
		goto out;
	}
	while ((rc = pva_store_next_line(body, len, &pos, &ln)) == PVA_OK)
		if ((rc = parse_field(&ln, out, &seen)) != PVA_OK)
			break;
	if (rc == PVA_ERR_NOTFOUND) /* the end */
		rc = seen == F_ALL ? PVA_OK : PVA_ERR_CORRUPT;
out:
	if (rc != PVA_OK) {
		sodium_memzero(out, sizeof(*out));
		rc = PVA_ERR_CORRUPT;
	}
	return rc;
}
