/* flow.c - the login dialogue on top of the ledger and delivery. */
#include "otp/flow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "core/i18n.h"
#include "core/phone.h"
#include "delivery/deliver.h"
#include "otp/ledger.h"
#include "privacy/backup.h"
#include "privacy/bypass.h"
#include "privacy/consent.h"
#include "privacy/grace.h"
#include "privacy/notice.h"
#include "store/phones.h"

#define PROMPT_MAX 256
#define EXTRA_TURNS 8   /* empty answers and resend requests per login */
#define INFO_MAX 512    /* PAM_MAX_MSG_SIZE: one conversation message */

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
	enum pva_lang lang;                 /* of prompts and the notice */
	enum pva_lang msg_lang;             /* of the SMS or call */
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

/* Tell the user something that is not an error (PAM_TEXT_INFO). */
static void say(const struct flow *f, const char *text)
{
	if (f->io->info)
		f->io->info(f->io->ud, text);
	else if (f->io->error)
		f->io->error(f->io->ud, text);
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
				      .code = r->code, .text = NULL, .lang = f->msg_lang };
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
		if (rc == PVA_OK && res.channel != r->channel) {
			/* voice after a fallback: the record says so too */
			f->channel = res.channel;
			if (pva_ledger_set_channel(&f->lc, r->hash, res.channel,
						   time(NULL)) != PVA_OK)
				ev(f, LOG_WARNING, "state_error", "detail",
				   "could not record the fallback channel", NULL, NULL);
		}
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

/* A code sent to the phone was right: no code from this host for
 * grace_hours.  Only a real code starts it (not a backup code, not
 * failmode "safe"): grace stands for "this phone was here lately". */
static void grace_start(struct flow *f, time_t now)
{
	enum pva_rc rc;

	if (f->s->grace_hours == 0 || f->decoy)
		return;
	rc = pva_grace_record(&f->store, f->key, f->req->user, f->req->service,
			      f->req->rhost, f->s->grace_hours, now);
	if (rc != PVA_OK) /* the login stands; the next one asks for a code */
		ev(f, LOG_WARNING, "state_error", "detail", "could not record grace",
		   "error", pva_rc_str(rc));
}

static enum pva_rc check(struct flow *f, const char *answer, int *done);

/* An answer shaped like a backup code.  Accepted: the login succeeds.
 * Otherwise it is checked as a login code, so it counts as a wrong entry
 * (attempts, lockout).  Users without a number never get in with one. */
static enum pva_rc backup(struct flow *f, const char *answer, int *done)
{
	char left_s[16];
	unsigned left = 0;
	int accepted = 0;
	enum pva_rc rc;

	if (f->decoy)
		return check(f, answer, done);
	rc = pva_backup_use(&f->store, f->key, f->req->user, answer, time(NULL),
			    &accepted, &left);
	if (rc != PVA_OK) {
		*done = 1;
		return rc;
	}
	if (!accepted)
		return check(f, answer, done);
	*done = 1;
	snprintf(left_s, sizeof(left_s), "%u", left);
	ev(f, LOG_NOTICE, "backup_code_used", "remaining", left_s, "outcome", "success");
	{
		char msg[PROMPT_MAX];

		if (left == 1)
			snprintf(msg, sizeof(msg), "%s", _("Backup code accepted; 1 left."));
		else
			snprintf(msg, sizeof(msg), _("Backup code accepted; %u left."), left);
		say(f, msg);
	}
	if (left == 0)
		tell(f, "%s", _("That was your last backup code. Ask your administrator "
				"for new ones."));
	else if (left == 1)
		tell(f, "%s", _("Only one backup code is left. Ask your administrator for "
				"new ones."));
	return PVA_OK;
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
		grace_start(f, now);
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
		else if (f->s->backup_codes && pva_backup_shape(a))
			rc = backup(f, a, &done);
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

/* The language of what reaches the phone: the user's preference in the
 * directory counts here.  The dialogue itself keeps the service's or the
 * session's language, for enrolled users and decoys alike, so the prompt
 * language does not tell who is enrolled. */
static void user_lang(struct flow *f, const char *pref)
{
	f->msg_lang = pva_lang_choose(f->s, pref, f->req->locale);
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
		user_lang(f, rec.lang);
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

/* One line per login let through without a code; no phone in it. */
static void bypassed(const struct flow *f, const char *reason)
{
	pva_log_event(f->lg, LOG_NOTICE, "bypass", "user", f->req->user, "service",
		      f->req->service, "rhost", f->req->rhost, "reason", reason,
		      "outcome", "success", (char *)NULL);
}

/* exempt_groups, then trusted_networks: 1 when no code is needed.  A
 * failed group lookup exempts nobody. */
static int operator_bypass(const struct flow *f)
{
	if (f->s->n_exempt > 0 && f->req->user_exists) {
		char **groups = NULL;
		size_t n = 0;
		enum pva_rc rc = pva_user_groups(f->req->user, &groups, &n);
		int exempt = rc == PVA_OK && pva_groups_exempt(f->s, groups, n);

		pva_groups_free(groups, n);
		if (rc != PVA_OK && rc != PVA_ERR_NOTFOUND)
			ev(f, LOG_WARNING, "group_lookup_failed", "detail", pva_rc_str(rc),
			   "outcome", "not exempt");
		if (exempt) {
			bypassed(f, "exempt_group");
			return 1;
		}
	}
	if (f->s->n_trusted > 0 && pva_rhost_trusted(f->s, f->req->rhost)) {
		bypassed(f, "trusted_network");
		return 1;
	}
	return 0;
}

/* Show text as PAM_TEXT_INFO messages of less than INFO_MAX bytes, cut at
 * line ends where possible and never inside a UTF-8 character. */
static void show_notice(const struct flow *f, const char *text)
{
	char msg[INFO_MAX];
	const char *p = text;

	while (*p) {
		size_t n = strlen(p), cut = n, i;

		if (n >= sizeof(msg)) {
			for (cut = 0, i = sizeof(msg) - 1; i > 0 && cut == 0; i--)
				if (p[i] == '\n')
					cut = i;
			if (cut == 0) {
				cut = sizeof(msg) - 1;
				while (cut > 1 && ((unsigned char)p[cut] & 0xc0) == 0x80)
					cut--;
			}
		}
		memcpy(msg, p, cut);
		msg[cut] = '\0';
		say(f, msg);
		p += cut;
		if (*p == '\n')
			p++;
	}
}

static int agreed(const struct flow *f, const char *a)
{
	if (strcasecmp(a, "yes") == 0)
		return 1;
	return f->lang == PVA_LANG_ZH_CN && (strcmp(a, "\xe6\x98\xaf") == 0 ||   /* 是 */
					     strcmp(a, "\xe5\x90\x8c\xe6\x84\x8f") == 0); /* 同意 */
}

/* require_consent: the user agreed to this version of the notice for this
 * service, or is shown it and asked now.  Users without a number see the
 * same notice (with their decoy number) and their answer is recorded the
 * same way, so neither the question nor its repetition tells them apart. */
static enum pva_rc consent(struct flow *f)
{
	char version[PVA_NOTICE_VERSION_MAX], *text, *ans = NULL;
	struct pva_consent *c;
	enum pva_rc rc;
	int yes, known;

	if (!f->s->require_consent)
		return PVA_OK;
	rc = pva_notice_version(f->cfg, f->s, f->req->service, version);
	if (rc != PVA_OK) {
		ev(f, LOG_ERR, "notice_error", "detail", "the privacy notice does not fit; "
		   "shorten privacy_notice or the list of providers", "outcome", "denied");
		return PVA_ERR_CONFIG;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_consent_load(&f->store, f->req->user, c);
	known = rc == PVA_OK && pva_consent_find(c, f->req->service) != NULL &&
		strcmp(pva_consent_find(c, f->req->service)->version, version) == 0;
	free(c);
	if (rc != PVA_OK || known)
		return rc;
	text = malloc(PVA_NOTICE_RENDER_MAX);
	if (text == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_notice_render(f->cfg, f->s, f->lang, f->req->service, f->mask, text,
			       PVA_NOTICE_RENDER_MAX);
	if (rc == PVA_OK)
		show_notice(f, text);
	free(text);
	if (rc != PVA_OK) {
		ev(f, LOG_ERR, "notice_error", "detail", "the privacy notice does not fit",
		   "outcome", "denied");
		return PVA_ERR_CONFIG;
	}
	rc = (f->io->prompt_echo ? f->io->prompt_echo : f->io->prompt)(
		f->io->ud, _("Type yes to agree: "), &ans);
	if (rc != PVA_OK || ans == NULL) {
		ev(f, LOG_NOTICE, "conversation_failed", NULL, NULL, NULL, NULL);
		return PVA_ERR_CONV;
	}
	yes = agreed(f, trim(ans));
	sodium_memzero(ans, strlen(ans));
	free(ans);
	if (!yes) {
		ev(f, LOG_NOTICE, "consent", "outcome", "declined", "version", version);
		tell(f, "%s", _("You did not agree, so no code was sent and this login ends."));
		return PVA_DENIED;
	}
	rc = pva_consent_record(&f->store, f->req->user, f->req->service, version,
				time(NULL));
	if (rc == PVA_OK)
		ev(f, LOG_INFO, "consent", "outcome", "agreed", "version", version);
	return rc;
}

/* grace_hours: a good code from this host lately (enrolled users). */
static enum pva_rc grace(struct flow *f, int *granted)
{
	*granted = 0;
	if (f->s->grace_hours == 0)
		return PVA_OK;
	return pva_grace_check(&f->store, f->key, f->req->user, f->req->service,
			       f->req->rhost, f->s->grace_hours, time(NULL), granted);
}

static enum pva_rc run(struct flow *f)
{
	enum pva_channel ch;
	enum pva_rc rc;
	int enrolled, granted;

	if (operator_bypass(f))
		return PVA_OK;
	rc = lookup(f, &enrolled);
	if (rc != PVA_OK) {
		ev(f, LOG_ERR, "phone_record_error", "detail", pva_rc_str(rc), NULL, NULL);
		return rc;
	}
	if (enrolled) {
		rc = grace(f, &granted);
		if (rc != PVA_OK) {
			log_error(f, rc);
			return rc;
		}
		if (granted) {
			bypassed(f, "grace");
			return PVA_OK;
		}
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
	rc = consent(f);
	if (rc != PVA_OK) {
		log_error(f, rc);
		return rc;
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
	f.msg_lang = f.lang;
	pva_i18n_begin(&f.i18n, cfg, f.lang);
	rc = run(&f);
	pva_i18n_end(&f.i18n);
out:
	pva_hostkey_free(f.key);
	sodium_memzero(f.phone, sizeof(f.phone));
	return rc;
}
