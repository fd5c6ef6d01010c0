/* ledger.c - lock, load, decide, save, unlock: one transaction each. */
#include "otp/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "delivery/route.h"
#include "store/counters.h"

#define LOCK_WAIT_MS 5000

_Static_assert(PVA_CAP_USER_DAY_MAX <= PVA_MAX_SENDS && 100 <= PVA_MAX_SENDS,
	       "the user record must hold every send a user cap counts");
_Static_assert(PVA_CAP_HOST_HOUR_MAX <= PVA_COUNTER_SLOT_MAX,
	       "a minute's slot must hold every send a cap counts");

const char *pva_limit_name(enum pva_limit l)
{
	switch (l) {
	case PVA_LIMIT_NONE:
		return "none";
	case PVA_LIMIT_USER_HOUR:
		return "user_hour";
	case PVA_LIMIT_USER_DAY:
		return "user_day";
	case PVA_LIMIT_NUMBER_HOUR:
		return "number_hour";
	case PVA_LIMIT_NUMBER_DAY:
		return "number_day";
	case PVA_LIMIT_HOST_HOUR:
		return "host_hour";
	}
	return "unknown";
}

/* A code died with wrong entries against it: count a failed code and
 * lock the user out after lockout_after of them.  Returns 1 on lockout. */
static int count_failure(const struct pva_ledger_ctx *c, struct pva_state *st, time_t now)
{
	unsigned long long t;

	st->fails++;
	if (c->s->lockout_time == 0 || st->fails < c->s->lockout_after)
		return 0;
	t = c->s->lockout_time;
	t <<= st->lockouts < 20 ? st->lockouts : 20; /* doubles each time */
	if (t > c->s->lockout_max)
		t = c->s->lockout_max;
	st->locked_until = now + (time_t)t;
	st->lockouts++;
	st->fails = 0;
	return 1;
}

/* Expired codes (any service) that had wrong entries count as failed
 * before the record's purge drops them.  Returns 1 when st changed. */
static int retire_expired(const struct pva_ledger_ctx *c, struct pva_state *st, time_t now)
{
	size_t i;
	int changed = 0;

	for (i = 0; i < st->n_pending; i++) {
		struct pva_pending *p = &st->pending[i];
		if (p->expires > now || p->attempts == 0)
			continue;
		p->attempts = 0; /* counted once */
		count_failure(c, st, now);
		changed = 1;
	}
	return changed;
}

/* The code died after too many wrong entries. */
static void code_failed(const struct pva_ledger_ctx *c, struct pva_state *st,
			time_t now, struct pva_ledger_result *r)
{
	pva_state_drop_pending(st, c->service);
	r->outcome = PVA_LEDGER_MAXTRIES;
	if (count_failure(c, st, now)) {
		r->locked_now = 1;
		r->until = st->locked_until;
	}
}

typedef enum pva_rc (*txn_fn)(const struct pva_ledger_ctx *c, struct pva_state *st,
			      const void *arg, time_t now, struct pva_ledger_result *r,
			      int *dirty);

/* Run fn on the user's record under its lock; save when fn set *dirty. */
static enum pva_rc transact(const struct pva_ledger_ctx *c, txn_fn fn, const void *arg,
			    time_t now, struct pva_ledger_result *r)
{
	struct pva_state *st = NULL;
	enum pva_rc rc;
	int fd = -1, dirty = 0;

	rc = pva_state_lock(c->store, c->user, LOCK_WAIT_MS, &fd);
	if (rc != PVA_OK)
		return rc;
	st = sodium_malloc(sizeof(*st));
	if (st == NULL) {
		rc = PVA_ERR_NOMEM;
		goto out;
	}
	rc = pva_state_load(c->store, c->user, st);
	if (rc == PVA_OK) {
		dirty = retire_expired(c, st, now);
		rc = fn(c, st, arg, now, r, &dirty);
	}
	if (rc == PVA_OK && dirty)
		rc = pva_state_save(c->store, st, now);
out:
	if (st)
		sodium_free(st);
	pva_state_unlock(fd);
	return rc;
}

static int locked(const struct pva_state *st, time_t now, struct pva_ledger_result *r)
{
	if (st->locked_until > now) {
		r->outcome = PVA_LEDGER_LOCKED;
		r->until = st->locked_until;
		return 1;
	}
	return 0;
}

/* A cap reached until `until`: of several, the one that frees last is
 * reported.  Returns 1. */
static int cap_hit(time_t until, enum pva_limit which, struct pva_ledger_result *r)
{
	if (r->outcome != PVA_LEDGER_CAPPED || until > r->until) {
		r->outcome = PVA_LEDGER_CAPPED;
		r->until = until;
		r->limit = which;
	}
	return 1;
}

/* The user's caps, over the exact send times of the user's record. */
static int user_cap(const struct pva_state *st, time_t now, time_t window, unsigned max,
		    enum pva_limit which, struct pva_ledger_result *r)
{
	size_t n = st->n_sends < PVA_MAX_SENDS ? st->n_sends : PVA_MAX_SENDS;

	if (pva_times_within(st->sends, n, now, window) < max)
		return 0;
	return cap_hit(pva_times_free_at(st->sends, n, now, window, max), which, r);
}

static int capped(const struct pva_ledger_ctx *c, const struct pva_state *st,
		  time_t now, struct pva_ledger_result *r)
{
	int hit;

	hit = user_cap(st, now, PVA_SEND_HOUR, c->s->max_sends_per_hour,
		       PVA_LIMIT_USER_HOUR, r);
	hit |= user_cap(st, now, PVA_SEND_DAY, c->s->max_sends_per_day,
			PVA_LIMIT_USER_DAY, r);
	return hit;
}

/* A shared cap (number, host) over its per-minute history. */
static int shared_cap(const struct pva_counter *h, time_t now, time_t window,
		      unsigned max, enum pva_limit which, struct pva_ledger_result *r)
{
	if (pva_counter_within(h, now, window) < max)
		return 0;
	return cap_hit(pva_counter_free_at(h, now, window, max), which, r);
}

/* allowed_prefixes: a real destination outside the list gets nothing. */
static int refused(const struct pva_ledger_ctx *c, struct pva_ledger_result *r)
{
	if (c->phone == NULL || c->decoy || pva_route_allowed(c->s, c->phone))
		return 0;
	r->outcome = PVA_LEDGER_REFUSED;
	return 1;
}

/* Lock and load one shared history. */
static enum pva_rc shared_open(const struct pva_ledger_ctx *c, const char *name,
			       struct pva_counter **out, int *fd)
{
	enum pva_rc rc;

	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_counter_lock(c->store, name, LOCK_WAIT_MS, fd);
	if (rc == PVA_OK)
		rc = pva_counter_load(c->store, name, *out);
	return rc;
}

/* The number's and the host's caps, taken after the user's lock: when
 * both pass, the send is recorded in both (*ok = 1) before the locks go. */
static enum pva_rc shared_caps(const struct pva_ledger_ctx *c, time_t now,
			       struct pva_ledger_result *r, int *ok)
{
	const struct pva_settings *s = c->s;
	struct pva_counter *num = NULL, *host = NULL;
	char name[PVA_COUNTER_NAME_MAX];
	int nfd = -1, hfd = -1;
	enum pva_rc rc = PVA_OK;

	*ok = 0;
	if (c->phone != NULL) {
		rc = pva_counter_number_name(c->store, c->phone, name, sizeof(name));
		if (rc == PVA_OK)
			rc = shared_open(c, name, &num, &nfd);
		if (rc != PVA_OK ||
		    shared_cap(num, now, PVA_SEND_HOUR, s->number_max_per_hour,
			       PVA_LIMIT_NUMBER_HOUR, r) |
		    shared_cap(num, now, PVA_SEND_DAY, s->number_max_per_day,
			       PVA_LIMIT_NUMBER_DAY, r))
			goto out;
	}
	rc = shared_open(c, PVA_COUNTER_HOST, &host, &hfd);
	if (rc != PVA_OK || shared_cap(host, now, PVA_SEND_HOUR, s->host_max_sends_per_hour,
				       PVA_LIMIT_HOST_HOUR, r))
		goto out;
	if (num != NULL) {
		pva_counter_add(num, now);
		rc = pva_counter_save(c->store, num, now, PVA_SEND_DAY);
	}
	pva_counter_add(host, now);
	if (rc == PVA_OK)
		rc = pva_counter_save(c->store, host, now, PVA_SEND_HOUR);
	*ok = rc == PVA_OK;
out:
	pva_counter_unlock(hfd);
	pva_counter_unlock(nfd);
	free(host);
	free(num);
	return rc;
}

/* Every check before a send; *ok = 1 when it may go (and was counted in
 * the shared histories; the caller records it in the user's). */
static enum pva_rc may_send(const struct pva_ledger_ctx *c, const struct pva_state *st,
			    time_t now, struct pva_ledger_result *r, int *ok)
{
	*ok = 0;
	if (refused(c, r) || capped(c, st, now, r))
		return PVA_OK;
	return shared_caps(c, now, r, ok);
}

/* Make a new code for the service, replacing any pending one. */
static enum pva_rc issue(const struct pva_ledger_ctx *c, struct pva_state *st,
			 enum pva_channel ch, unsigned attempts, time_t now,
			 struct pva_ledger_result *r)
{
	struct pva_pending p;
	enum pva_rc rc;

	memset(&p, 0, sizeof(p));
	rc = pva_code_generate(c->s->code_length, r->code, sizeof(r->code));
	if (rc == PVA_OK)
		rc = pva_code_hash(c->key->code_key, c->user, c->service, r->code, p.hash);
	if (rc != PVA_OK)
		goto out;
	snprintf(p.service, sizeof(p.service), "%s", c->service);
	p.issued = now;
	p.last_sent = now;
	p.expires = now + (time_t)c->s->code_ttl;
	p.attempts = attempts;
	p.channel = ch;
	rc = pva_state_put_pending(st, &p);
	if (rc != PVA_OK)
		goto out;
	pva_state_add_send(st, now);
	memcpy(r->hash, p.hash, sizeof(r->hash));
	r->outcome = PVA_LEDGER_ISSUED;
	r->expires = p.expires;
	r->channel = ch;
out:
	sodium_memzero(&p, sizeof(p));
	return rc;
}

static enum pva_rc begin_fn(const struct pva_ledger_ctx *c, struct pva_state *st,
			    const void *arg, time_t now, struct pva_ledger_result *r,
			    int *dirty)
{
	const enum pva_channel *ch = arg;
	const struct pva_pending *p;
	enum pva_rc rc;
	int ok;

	if (locked(st, now, r))
		return PVA_OK;
	p = pva_state_pending(st, c->service);
	if (p != NULL && p->expires > now) {
		r->outcome = PVA_LEDGER_PENDING;
		r->expires = p->expires;
		r->channel = p->channel;
		return PVA_OK;
	}
	rc = may_send(c, st, now, r, &ok);
	if (rc != PVA_OK || !ok)
		return rc;
	*dirty = 1;
	return issue(c, st, *ch, 0, now, r);
}

enum pva_rc pva_ledger_begin(const struct pva_ledger_ctx *c, enum pva_channel channel,
			     time_t now, struct pva_ledger_result *r)
{
	memset(r, 0, sizeof(*r));
	return transact(c, begin_fn, &channel, now, r);
}

static enum pva_rc resend_fn(const struct pva_ledger_ctx *c, struct pva_state *st,
			     const void *arg, time_t now, struct pva_ledger_result *r,
			     int *dirty)
{
	const enum pva_channel *ch = arg;
	const struct pva_pending *p;
	unsigned attempts = 0;
	enum pva_rc rc;
	int ok;

	if (locked(st, now, r))
		return PVA_OK;
	p = pva_state_pending(st, c->service);
	if (p != NULL && p->expires > now) {
		if (now < p->last_sent + (time_t)c->s->resend_cooldown) {
			r->outcome = PVA_LEDGER_COOLDOWN;
			r->until = p->last_sent + (time_t)c->s->resend_cooldown;
			return PVA_OK;
		}
		attempts = p->attempts; /* a new code never resets the count */
		r->prev = *p;
		r->has_prev = 1;
	}
	rc = may_send(c, st, now, r, &ok);
	if (rc != PVA_OK || !ok)
		return rc;
	*dirty = 1;
	return issue(c, st, *ch, attempts, now, r);
}

enum pva_rc pva_ledger_resend(const struct pva_ledger_ctx *c, enum pva_channel channel,
			      time_t now, struct pva_ledger_result *r)
{
	memset(r, 0, sizeof(*r));
	return transact(c, resend_fn, &channel, now, r);
}

static enum pva_rc charge_fn(const struct pva_ledger_ctx *c, struct pva_state *st,
			     const void *arg, time_t now, struct pva_ledger_result *r,
			     int *dirty)
{
	enum pva_rc rc;
	int ok;

	(void)arg;
	rc = may_send(c, st, now, r, &ok);
	if (rc != PVA_OK || !ok)
		return rc;
	pva_state_add_send(st, now);
	*dirty = 1;
	r->outcome = PVA_LEDGER_ALLOWED;
	return PVA_OK;
}

enum pva_rc pva_ledger_charge(const struct pva_ledger_ctx *c, time_t now,
			      struct pva_ledger_result *r)
{
	memset(r, 0, sizeof(*r));
	return transact(c, charge_fn, NULL, now, r);
}

static enum pva_rc verify_fn(const struct pva_ledger_ctx *c, struct pva_state *st,
			     const void *arg, time_t now, struct pva_ledger_result *r,
			     int *dirty)
{
	const char *answer = arg;
	struct pva_pending *p;
	enum pva_rc rc;

	if (locked(st, now, r))
		return PVA_OK;
	p = pva_state_pending(st, c->service);
	if (p == NULL || p->expires <= now) {
		r->outcome = PVA_LEDGER_EXPIRED;
		*dirty = p != NULL;
		return PVA_OK;
	}
	*dirty = 1;
	rc = pva_code_verify(c->key->code_key, c->user, c->service, answer, p->hash);
	if (rc == PVA_OK) {
		pva_state_drop_pending(st, c->service); /* single use */
		st->fails = 0;
		st->lockouts = 0;
		st->locked_until = 0;
		r->outcome = PVA_LEDGER_CORRECT;
		return PVA_OK;
	}
	if (rc != PVA_DENIED)
		return rc;
	p->attempts++;
	if (p->attempts >= c->s->max_attempts) {
		code_failed(c, st, now, r);
		return PVA_OK;
	}
	r->outcome = PVA_LEDGER_WRONG;
	r->left = c->s->max_attempts - p->attempts;
	return PVA_OK;
}

enum pva_rc pva_ledger_verify(const struct pva_ledger_ctx *c, const char *answer,
			      time_t now, struct pva_ledger_result *r)
{
	memset(r, 0, sizeof(*r));
	return transact(c, verify_fn, answer, now, r);
}

static enum pva_rc cancel_fn(const struct pva_ledger_ctx *c, struct pva_state *st,
			     const void *arg, time_t now, struct pva_ledger_result *r,
			     int *dirty)
{
	const struct pva_ledger_result *issued = arg;
	const struct pva_pending *p = pva_state_pending(st, c->service);

	(void)r;
	if (p == NULL || sodium_memcmp(p->hash, issued->hash, PVA_CODE_HASH_BYTES) != 0)
		return PVA_OK; /* already replaced or consumed */
	*dirty = 1;
	pva_state_drop_pending(st, c->service);
	if (issued->has_prev && issued->prev.expires > now)
		return pva_state_put_pending(st, &issued->prev);
	return PVA_OK;
}

enum pva_rc pva_ledger_cancel(const struct pva_ledger_ctx *c,
			      const struct pva_ledger_result *issued, time_t now)
{
	struct pva_ledger_result r;
	enum pva_rc rc;

	memset(&r, 0, sizeof(r));
	rc = transact(c, cancel_fn, issued, now, &r);
	pva_ledger_result_wipe(&r);
	return rc;
}

struct channel_arg {
	const unsigned char *hash;
	enum pva_channel channel;
};

static enum pva_rc channel_fn(const struct pva_ledger_ctx *c, struct pva_state *st,
			      const void *arg, time_t now, struct pva_ledger_result *r,
			      int *dirty)
{
	const struct channel_arg *a = arg;
	struct pva_pending *p = pva_state_pending(st, c->service);

	(void)now;
	(void)r;
	if (p == NULL || sodium_memcmp(p->hash, a->hash, PVA_CODE_HASH_BYTES) != 0 ||
	    p->channel == a->channel)
		return PVA_OK; /* consumed, replaced, or nothing to change */
	p->channel = a->channel;
	*dirty = 1;
	return PVA_OK;
}

enum pva_rc pva_ledger_set_channel(const struct pva_ledger_ctx *c,
				   const unsigned char hash[PVA_CODE_HASH_BYTES],
				   enum pva_channel channel, time_t now)
{
	struct channel_arg a = { hash, channel };
	struct pva_ledger_result r;
	enum pva_rc rc;

	memset(&r, 0, sizeof(r));
	rc = transact(c, channel_fn, &a, now, &r);
	pva_ledger_result_wipe(&r);
	return rc;
}

void pva_ledger_result_wipe(struct pva_ledger_result *r)
{
	sodium_memzero(r->code, sizeof(r->code));
}
