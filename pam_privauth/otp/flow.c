/* flow.c - the login dialogue on top of the ledger and delivery. */
#include "otp/flow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/i18n.h"
#include "core/phone.h"
#include "delivery/deliver.h"
#include "otp/ledger.h"
#include "store/phones.h"

#define PROMPT_MAX 256
#define EXTRA_TURNS 8   /* empty answers and resend requests per login */

struct flow {
	const struct pva_config *cfg;
	const struct pva_settings *s;
	const struct pva_request *req;
	const struct pva_io *io;
	const struct pva_log *lg;
	struct pva_hostkey *key;
	struct pva_store store;
	struct pva_ledger_ctx lc;
	char phone[PVA_PHONE_MAX];          /* PERSONAL DATA, wiped at the end */
	char mask[PVA_PHONE_MASK_MAX];
	enum pva_channel channel;           /* of the live code */
	time_t expires;                     /* of the live code */
	int fresh;                          /* sent during this call */
	int bypass;                         /* failmode safe let it through */
	int decoy;                          /* no number: act it out, send nothing */
	enum pva_lang lang;                 /* of prompts, notice and messages */
	struct pva_i18n i18n;
};

static void ev(const struct flow *f, int prio, const char *event, const char *k1,
	       const char *v1, const char *k2, const char *v2)
{
	pva_log_event(f->lg, prio, event, "user", f->req->user, "service",
		      f->req->service, "rhost", f->req->rhost, "phone",
		      f->mask[0] ? f->mask : NULL, k1, v1, k2, v2, (char *)NULL);
}

static void tell(const struct flow *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tell(const struct flow *f, const char *fmt, ...)
{
	char msg[PROMPT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (f->io->error)
		f->io->error(f->io->ud, msg);
}

/* "5 min" / "40 s": how long until t, rounded up. */
static void span(time_t secs, char *out, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 60)
		snprintf(out, len, _("%lld min"), (long long)((secs + 59) / 60));
	else
		snprintf(out, len, _("%lld s"), (long long)secs);
}

static int voice_allowed(const struct pva_settings *s)
{
	size_t i;

	for (i = 0; i < s->n_channels; i++)
		if (s->channels[i] == PVA_CH_VOICE)
			return 1;
	return 0;
}

static void prompt_text(const struct flow *f, time_t now, char *out, size_t len)
{
	const char *by = f->channel == PVA_CH_VOICE ? _("voice call") : _("SMS");
	char valid[32];
	size_t n;

	span(f->expires - now, valid, sizeof(valid));
	if (f->fresh)
		snprintf(out, len, _("Code sent by %s to %s, valid %s."), by, f->mask, valid);
	else
		snprintf(out, len, _("Code already sent by %s to %s, valid %s."), by,
			 f->mask, valid);
	n = strlen(out);
	snprintf(out + n, len - n, " %s",
		 voice_allowed(f->s) && f->channel != PVA_CH_VOICE ?
		 _("Code (r = resend, v = voice call): ") : _("Code (r = resend): "));
}

static void code_live(struct flow *f, const struct pva_ledger_result *r)
{
	f->channel = r->channel;
	f->expires = r->expires;
	f->fresh = 1;
}

/* Nothing was delivered.  Only the first code of a login may fall back
 * to failmode "safe"; a failed resend keeps the code it would have
 * replaced, and nothing else ever lets a user through. */
static enum pva_rc undelivered(struct flow *f, const struct pva_ledger_result *r,
			       int initial)
{
	if (pva_ledger_cancel(&f->lc, r, time(NULL)) != PVA_OK)
		ev(f, LOG_ERR, "state_error", "detail", "could not cancel undelivered code",
		   NULL, NULL);
	if (!initial && r->has_prev && r->prev.expires > time(NULL)) {
		ev(f, LOG_WARNING, "delivery_failed", "outcome", "previous code kept",
		   NULL, NULL);
		tell(f, _("The new code could not be sent; the previous code still works."));
		return PVA_OK;
	}
	if (initial && f->s->failmode == PVA_FAILMODE_SAFE) {
		ev(f, LOG_WARNING, "delivery_failed", "failmode", "safe",
		   "outcome", "login allowed without a code");
		f->bypass = 1;
		return PVA_OK;
	}
	ev(f, LOG_ERR, "delivery_failed", "failmode", "secure", "outcome", "denied");
	tell(f, _("The code could not be sent. Try again later or contact your administrator."));
	return PVA_UNAVAIL;
}

/* Deliver the code in r (issued at the start of the login when initial). */
static enum pva_rc send_code(struct flow *f, struct pva_ledger_result *r, int initial)
{
	struct pva_deliver_req dr = { .user = f->req->user, .service = f->req->service,
				      .phone = f->phone, .channel = r->channel,
				      .code = r->code, .text = NULL };
	struct pva_deliver_result res;
	enum pva_rc rc = PVA_OK;

	memset(&res, 0, sizeof(res));
	if (!f->decoy)
		rc = pva_deliver(f->cfg, f->s, &dr, f->lg, &res);
	pva_ledger_result_wipe(r);
	if (rc == PVA_OK || (rc == PVA_ERR_DELIVERY && res.maybe_sent)) {
		/* sent, or perhaps sent: either way the code stays live */
		code_live(f, r);
		if (f->decoy)
			return PVA_OK;
		if (rc == PVA_OK)
			f->channel = res.channel; /* voice after a fallback */
		ev(f, LOG_INFO, rc == PVA_OK ? "code_sent" : "code_maybe_sent",
		   "channel", pva_channel_name(f->channel), "provider", res.provider);
		return PVA_OK;
	}
	if (rc == PVA_ERR_DELIVERY)
		return undelivered(f, r, initial);
	/* anything else (a message that does not fit, no memory) fails closed */
	if (pva_ledger_cancel(&f->lc, r, time(NULL)) != PVA_OK)
		ev(f, LOG_ERR, "state_error", "detail", "could not cancel unsent code",
		   NULL, NULL);
	ev(f, LOG_ERR, "delivery_error", "detail", pva_rc_str(rc), NULL, NULL);
	return rc;
}

/* Outcomes that end the login before a code is checked. */
static enum pva_rc refused(struct flow *f, const struct pva_ledger_result *r, time_t now)
{
	char wait[32];

	span(r->until - now, wait, sizeof(wait));
	if (r->outcome == PVA_LEDGER_LOCKED) {
		ev(f, LOG_NOTICE, "locked_out", "retry_in", wait, NULL, NULL);
		tell(f, _("Too many failed codes. Try again in %s."), wait);
	} else if (r->outcome == PVA_LEDGER_REFUSED) {
		ev(f, LOG_WARNING, "destination_refused", "outcome", "denied",
		   "detail", "number outside allowed_prefixes");
		tell(f, _("Codes cannot be sent to this number; contact your administrator."));
	} else {
		ev(f, LOG_NOTICE, "rate_limited", "limit", pva_limit_name(r->limit),
		   "retry_in", wait);
		tell(f, _("Too many codes sent; try again in %s."), wait);
	}
	return PVA_DENIED;
}

static enum pva_rc start(struct flow *f, enum pva_channel ch)
{
	struct pva_ledger_result r;
	time_t now = time(NULL);
	enum pva_rc rc;

	rc = pva_ledger_begin(&f->lc, ch, now, &r);
	if (rc != PVA_OK)
		goto out;
	switch (r.outcome) {
	case PVA_LEDGER_ISSUED:
		rc = send_code(f, &r, 1);
		break;
	case PVA_LEDGER_PENDING:
		f->channel = r.channel;
		f->expires = r.expires;
		ev(f, LOG_INFO, "code_reused", "channel", pva_channel_name(r.channel),
		   NULL, NULL);
		break;
	default:
		rc = refused(f, &r, now);
		break;
	}
out:
	pva_ledger_result_wipe(&r);
	return rc;
}

/* 'r' or 'v' at the prompt.  PVA_OK means: keep prompting. */
static enum pva_rc resend(struct flow *f, enum pva_channel ch)
{
	struct pva_ledger_result r;
	time_t now = time(NULL);
	char wait[32];
	enum pva_rc rc;

	if (ch == PVA_CH_VOICE && !voice_allowed(f->s)) {
		tell(f, _("Voice calls are not available here."));
		return PVA_OK;
	}
	rc = pva_ledger_resend(&f->lc, ch, now, &r);
	if (rc != PVA_OK)
		goto out;
	if (r.outcome == PVA_LEDGER_ISSUED) {
		rc = send_code(f, &r, 0);
	} else if (r.outcome == PVA_LEDGER_COOLDOWN) {
		span(r.until - now, wait, sizeof(wait));
		tell(f, _("Please wait %s before asking for a new code."), wait);
	} else {
		rc = refused(f, &r, now);
	}
out:
	pva_ledger_result_wipe(&r);
	return rc;
}

/* A code was typed.  PVA_OK + *done=0 means: prompt again. */
static enum pva_rc check(struct flow *f, const char *answer, int *done)
{
	struct pva_ledger_result r;
	time_t now = time(NULL);
	char wait[32], left[16];
	enum pva_rc rc;

	*done = 1;
	rc = pva_ledger_verify(&f->lc, answer, now, &r);
	if (rc != PVA_OK)
		return rc;
	switch (r.outcome) {
	case PVA_LEDGER_CORRECT:
		if (f->decoy) { /* a lucky guess of a code nobody received */
			ev(f, LOG_NOTICE, "auth", "outcome", "denied (not enrolled)", NULL, NULL);
			tell(f, _("Wrong code. Too many attempts: this code is no longer valid."));
			return PVA_MAXTRIES;
		}
		ev(f, LOG_INFO, "auth", "outcome", "success", NULL, NULL);
		return PVA_OK;
	case PVA_LEDGER_WRONG:
		*done = 0;
		snprintf(left, sizeof(left), "%u", r.left);
		ev(f, LOG_NOTICE, "code_wrong", "attempts_left", left, NULL, NULL);
		if (r.left == 1)
			tell(f, "%s", _("Wrong code. 1 attempt left."));
		else
			tell(f, _("Wrong code. %u attempts left."), r.left);
		return PVA_OK;
	case PVA_LEDGER_MAXTRIES:
		span(r.until - now, wait, sizeof(wait));
		ev(f, LOG_NOTICE, "code_maxtries", "lockout", r.locked_now ? wait : NULL,
		   NULL, NULL);
		if (r.locked_now)
			tell(f, _("Wrong code. Too many failed codes: locked for %s."), wait);
		else
			tell(f, _("Wrong code. Too many attempts: this code is no longer valid."));
		return PVA_MAXTRIES;
	case PVA_LEDGER_EXPIRED:
		ev(f, LOG_NOTICE, "code_expired", NULL, NULL, NULL, NULL);
		tell(f, _("The code has expired. Log in again to get a new one."));
		return PVA_DENIED;
	default:
		return refused(f, &r, now);
	}
}

/* Strip surrounding blanks in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Ask until the code is right, the attempts run out or the code dies. */
static enum pva_rc dialogue(struct flow *f)
{
	unsigned turn, turns = f->s->max_attempts + EXTRA_TURNS;
	enum pva_rc rc = PVA_DENIED;

	for (turn = 0; turn < turns; turn++) {
		char text[PROMPT_MAX], *ans = NULL, *a;
		int done = 0;

		prompt_text(f, time(NULL), text, sizeof(text));
		rc = f->io->prompt(f->io->ud, text, &ans);
		if (rc != PVA_OK || ans == NULL) {
			ev(f, LOG_NOTICE, "conversation_failed", NULL, NULL, NULL, NULL);
			return PVA_ERR_CONV;
		}
		a = trim(ans);
		if (a[0] == '\0')
			rc = PVA_OK;
		else if (strcmp(a, "r") == 0 || strcmp(a, "v") == 0)
			rc = resend(f, a[0] == 'v' ? PVA_CH_VOICE : f->channel);
		else
			rc = check(f, a, &done);
		sodium_memzero(ans, strlen(ans));
		free(ans);
		if (rc != PVA_OK || done || f->bypass)
			return rc;
	}
	ev(f, LOG_NOTICE, "auth", "outcome", "too many prompts", NULL, NULL);
	return PVA_DENIED;
}

/* A plausible, stable number for a user who has none, in the host's
 * usual country (decoy_country), so the dialogue does not tell who is
 * enrolled (or exists).  Only its masked form is ever shown. */
static void decoy_number(struct flow *f)
{
	static const char domain[] = "pam_privauth decoy number v1";
	const char *cc = f->cfg->decoy_country;
	unsigned char h[16];
	size_t i, pos, national = strcmp(cc, "86") == 0 ? 11 : 10;

	crypto_generichash(h, sizeof(h), (const unsigned char *)f->req->user,
			   strlen(f->req->user), f->key->code_key, PVA_KEY_BYTES);
	crypto_generichash(h, sizeof(h), (const unsigned char *)domain,
			   sizeof(domain), h, sizeof(h));
	pos = (size_t)snprintf(f->phone, sizeof(f->phone), "+%s", cc);
	for (i = 0; i < national && pos + 1 < sizeof(f->phone); i++, pos++) {
		if (i == 0)
			f->phone[pos] = national == 11 ? '1' : (char)('2' + h[0] % 8);
		else if (i == 1 && national == 11)
			f->phone[pos] = (char)('3' + h[1] % 7); /* mobile 13x..19x */
		else
			f->phone[pos] = (char)('0' + h[i] % 10);
	}
	f->phone[pos] = '\0';
	pva_phone_mask(f->phone, f->mask, sizeof(f->mask));
	sodium_memzero(h, sizeof(h));
}

/* The phone number of the user, or *enrolled = 0. */
static enum pva_rc lookup(struct flow *f, int *enrolled)
{
	struct pva_phone_rec rec;
	enum pva_rc rc;

	*enrolled = 0;
	if (!f->req->user_exists)
		return PVA_OK;
	rc = pva_phones_get(&f->store, f->req->user, &rec);
	if (rc == PVA_ERR_NOTFOUND)
		return PVA_OK;
	if (rc == PVA_OK) {
		*enrolled = 1;
		memcpy(f->phone, rec.phone, sizeof(f->phone));
		pva_phone_mask(f->phone, f->mask, sizeof(f->mask));
		f->channel = rec.channel;
	}
	sodium_memzero(&rec, sizeof(rec));
	return rc;
}

/* Every error is logged once, here; refusals were logged where decided. */
static void log_error(const struct flow *f, enum pva_rc rc)
{
	switch (rc) {
	case PVA_OK: case PVA_DENIED: case PVA_MAXTRIES: case PVA_UNAVAIL:
	case PVA_IGNORE: case PVA_ERR_CONV:
		return;
	case PVA_ERR_CORRUPT:
		ev(f, LOG_ERR, "state_corrupt", "outcome", "denied", NULL, NULL);
		return;
	default:
		ev(f, LOG_ERR, "state_error", "detail", pva_rc_str(rc), "outcome", "denied");
		return;
	}
}

/* PAM_SERVICE or service=: what records and messages will carry. */
static int service_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n < PVA_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static enum pva_rc run(struct flow *f)
{
	enum pva_channel ch;
	enum pva_rc rc;
	int enrolled;

	rc = lookup(f, &enrolled);
	if (rc != PVA_OK) {
		ev(f, LOG_ERR, "phone_record_error", "detail", pva_rc_str(rc), NULL, NULL);
		return rc;
	}
	if (!enrolled) {
		if (f->s->unenrolled == PVA_UNENROLLED_ALLOW) {
			/* unknown users too: a prompt for them alone would tell
			 * them apart from existing, unenrolled ones */
			ev(f, LOG_INFO, "unenrolled", "outcome", "ignored", NULL, NULL);
			return PVA_IGNORE;
		}
		/* Same dialogue, same limits and lockouts, nothing sent and
		 * nothing ever accepted: the prompt must not tell who is
		 * enrolled, or who exists. */
		decoy_number(f);
		f->decoy = 1;
		ev(f, LOG_NOTICE, f->req->user_exists ? "unenrolled" : "unknown_user",
		   "outcome", "decoy dialogue, will deny", NULL, NULL);
	}
	f->lc.phone = f->phone;   /* destination check and per-number caps */
	f->lc.decoy = f->decoy;
	ch = f->channel == PVA_CH_VOICE && voice_allowed(f->s) ? PVA_CH_VOICE :
	     f->s->channels[0];
	rc = start(f, ch);
	if (rc == PVA_OK && !f->bypass)
		rc = dialogue(f);
	log_error(f, rc);
	return rc;
}

enum pva_rc pva_flow_authenticate(const struct pva_config *cfg,
				  const struct pva_request *req,
				  const struct pva_io *io, const struct pva_log *lg)
{
	struct flow f;
	enum pva_rc rc;

	memset(&f, 0, sizeof(f));
	f.cfg = cfg;
	f.req = req;
	f.io = io;
	f.lg = lg;
	if (!service_ok(req->service)) {
		pva_log_event(lg, LOG_ERR, "config_error", "user", req->user, "detail",
			      "service name must be 1 to 63 characters of [A-Za-z0-9._-]",
			      (char *)NULL);
		return PVA_ERR_CONFIG;
	}
	f.s = pva_config_service(cfg, req->service);
	rc = pva_hostkey_load(cfg->host_key, 1, &f.key);
	if (rc == PVA_OK)
		rc = pva_store_open(&f.store, cfg->state_dir, f.key, 1);
	if (rc != PVA_OK) {
		ev(&f, LOG_ERR, "setup_failed", "detail", pva_rc_str(rc), "path",
		   f.key ? cfg->state_dir : cfg->host_key);
		goto out;
	}
	f.lc.store = &f.store;
	f.lc.key = f.key;
	f.lc.s = f.s;
	f.lc.user = req->user;
	f.lc.service = req->service;
	f.lang = pva_lang_choose(f.s, NULL, req->locale);
	pva_i18n_begin(&f.i18n, cfg, f.lang);
	rc = run(&f);
	pva_i18n_end(&f.i18n);
out:
	pva_hostkey_free(f.key);
	sodium_memzero(f.phone, sizeof(f.phone));
	return rc;
}
