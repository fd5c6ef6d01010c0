/* remind.c - privauthctl remind [--dry-run] [--service NAME]: remind every
 * enrolled user whose password is old (privacy/reminder.h).
 *
 * The users are the phone directory (state_dir/phones/, file names are
 * pva_secfile_name() escapes).  A user is reminded when the password is at
 * least remind_after_days old and the last reminder is remind_every_days
 * or more ago; by SMS through the service's providers (counted against the
 * send limits like send-test) or by mail (smtp group).  The reminder is
 * recorded only after a successful send.  One line per user on stdout
 * (numbers masked), one log line per send; exit 0 when every send
 * succeeded, 1 when any failed.  --dry-run sends and records nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/phone.h"
#include "core/secfile.h"
#include "delivery/deliver.h"
#include "delivery/smtp.h"
#include "otp/code.h"
#include "otp/ledger.h"
#include "privacy/remind.h"
#include "privacy/reminder.h"
#include "store/phones.h"

#define DEFAULT_SERVICE "remind"
#define MAX_USERS 1000000

struct run {
	struct pva_cli *cli;
	const struct pva_settings *s;
	const char *service;
	int dry_run;
	time_t now;
	struct pva_log lg;
	unsigned due, sent, failed;
};

/* ---- the log: syslog (authpriv), and stderr unless that is the journal
 * already (systemd sets JOURNAL_STREAM) ---- */

static void emit(void *ud, int prio, const char *line)
{
	(void)ud;
	syslog(prio, "%s", line);
	if (getenv("JOURNAL_STREAM") == NULL)
		fprintf(stderr, "privauthctl: %s\n", line);
}

/* ---- the phone directory ---- */

/* The user name behind a pva_secfile_name() escape; -1 when name is not
 * one (a temp file, anything not written by the store). */
static int unescape(const char *name, char *out, size_t outlen)
{
	if (pva_secfile_is_temp(name, NULL)) /* a write killed half-way */
		return -1;
	if (pva_secfile_unname(name, out, outlen) != PVA_OK ||
	    pva_store_user_check(out, strlen(out)) != PVA_OK)
		return -1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_users(char **users, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(users[i]);
	free(users);
}

/* The enrolled users, sorted.  -1 (printed) when the directory cannot be
 * read. */
static int list_users(const struct pva_store *st, char ***out, size_t *n)
{
	char path[PATH_MAX + 16], user[PVA_USER_MAX];
	char **users = NULL, **grown;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/phones", st->dir);
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || unescape(de->d_name, user, sizeof(user)) != 0)
			continue;
		if (*n >= MAX_USERS)
			goto oom;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((grown = realloc(users, cap * sizeof(*users))) == NULL)
				goto oom;
			users = grown;
		}
		if ((users[*n] = strdup(user)) == NULL)
			goto oom;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(users, *n, sizeof(*users), cmp_str);
	*out = users;
	return 0;
oom:
	closedir(d);
	free_users(users, *n);
	*n = 0;
	fprintf(stderr, "privauthctl: remind: out of memory (or over %d users)\n", MAX_USERS);
	return -1;
}

/* ---- one send ---- */

static void log_send(struct run *r, const char *user, const char *via, const char *to,
		     const struct pva_remind_age *a, const char *outcome, const char *detail)
{
	char days[16];

	snprintf(days, sizeof(days), "%u", a->days);
	pva_log_event(&r->lg, strcmp(outcome, "sent") == 0 ? LOG_INFO : LOG_WARNING,
		      "password_reminder_sent", "user", user, "service", r->service,
		      "via", via, "to", to, "age_days", days, "outcome", outcome,
		      "detail", detail, (char *)NULL);
}

/* The destination check and caps, counted like send-test's. */
static int charge(struct run *r, const char *user, const char *phone, char *why,
		  size_t whylen)
{
	struct pva_ledger_ctx lc = { &r->cli->store, r->cli->key, r->s, user, r->service,
				     phone, 0 };
	struct pva_ledger_result res;
	enum pva_rc rc;

	rc = pva_ledger_charge(&lc, r->now, &res);
	if (rc != PVA_OK)
		snprintf(why, whylen, "send limits: %s", pva_rc_str(rc));
	else if (res.outcome == PVA_LEDGER_REFUSED)
		snprintf(why, whylen, "the number is outside allowed_prefixes");
	else if (res.outcome == PVA_LEDGER_CAPPED)
		snprintf(why, whylen, "limit %s reached", pva_limit_name(res.limit));
	else
		return 0;
	return -1;
}

static int send_sms(struct run *r, const char *user, const struct pva_phone_rec *rec,
		    const char *text, char *why, size_t whylen)
{
	struct pva_deliver_result res;
	struct pva_deliver_req req;
	char code[PVA_CODE_MAX + 1];
	enum pva_rc rc;

	if (charge(r, user, rec->phone, why, whylen) != 0)
		return -1;
	/* template-only gateways need a code: a random one, stored nowhere */
	rc = pva_code_generate(r->s->code_length, code, sizeof(code));
	if (rc != PVA_OK) {
		snprintf(why, whylen, "%s", pva_rc_str(rc));
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.user = user;
	req.service = r->service;
	req.phone = rec->phone;
	req.channel = PVA_CH_SMS;
	req.code = code;
	req.text = text;
	rc = pva_deliver(r->cli->cfg, r->s, &req, NULL, &res);
	sodium_memzero(code, sizeof(code));
	if (rc == PVA_OK) {
		snprintf(why, whylen, "provider %s%s%s", res.provider,
			 res.attempts > 0 && res.attempt[res.attempts - 1].request_id[0] ?
			 " request_id " : "", res.attempts > 0 ?
			 res.attempt[res.attempts - 1].request_id : "");
		return 0;
	}
	if (res.attempts == 0)
		snprintf(why, whylen, "no provider for this number");
	else
		snprintf(why, whylen, "%s at %s: %s%s", pva_send_status_name(res.status),
			 res.provider, res.attempt[res.attempts - 1].detail,
			 res.maybe_sent ? " (it may still arrive)" : "");
	return -1;
}

static int send_mail(struct run *r, const char *user, enum pva_lang lang, const char *to,
		     const struct pva_remind_age *a, const char *text, char *why,
		     size_t whylen)
{
	struct pva_mail m;
	char subject[256];

	if (pva_reminder_subject(lang, user, r->cli->cfg->hostname, a, subject,
				 sizeof(subject)) != PVA_OK) {
		snprintf(why, whylen, "the subject does not fit");
		return -1;
	}
	m.to = to;
	m.subject = subject;
	m.body = text;
	if (pva_smtp_send(&r->cli->cfg->smtp, r->cli->cfg->hostname, &m, why, whylen) != PVA_OK)
		return -1;
	snprintf(why, whylen, "accepted by the smtp server");
	return 0;
}

/* "+86 *******5678" or the mail address; -1 (printed) when there is none. */
static int destination(struct run *r, const char *user, const struct pva_phone_rec *rec,
		       char *to, size_t tolen)
{
	if (r->s->remind_via == PVA_REMIND_SMS) {
		pva_phone_mask(rec->phone, to, tolen);
		return 0;
	}
	if (pva_mail_recipient(r->cli->cfg->smtp.to, user, to, tolen) != PVA_OK) {
		printf("%s: FAILED: the user name does not make a safe mail address "
		       "from smtp.to\n", user);
		return -1;
	}
	return 0;
}

static void remind_one(struct run *r, const char *user, const struct pva_phone_rec *rec,
		       const struct pva_remind_age *a)
{
	const char *via = r->s->remind_via == PVA_REMIND_SMS ? "sms" : "email";
	char to[PVA_MAIL_ADDR_MAX], text[PVA_REMIND_TEXT_MAX], why[320];
	enum pva_lang lang = pva_lang_choose(r->s, rec->lang, NULL);
	enum pva_rc rc;
	int ok;

	r->due++;
	if (destination(r, user, rec, to, sizeof(to)) != 0) {
		r->failed++;
		return;
	}
	if (r->dry_run) {
		printf("%s: would remind by %s to %s (%s): password %u days old, changed %s\n",
		       user, via, to, pva_lang_name(lang), a->days, a->date);
		return;
	}
	if (pva_reminder_text(r->s, lang, user, r->cli->cfg->hostname, a, text,
			      sizeof(text)) != PVA_OK) {
		snprintf(why, sizeof(why), "the reminder text does not fit");
		ok = -1;
	} else if (r->s->remind_via == PVA_REMIND_SMS) {
		ok = send_sms(r, user, rec, text, why, sizeof(why));
	} else {
		ok = send_mail(r, user, lang, to, a, text, why, sizeof(why));
	}
	sodium_memzero(text, sizeof(text));
	log_send(r, user, via, to, a, ok == 0 ? "sent" : "failed", why);
	if (ok != 0) {
		printf("%s: FAILED by %s to %s: %s\n", user, via, to, why);
		r->failed++;
		return;
	}
	rc = pva_remind_mark(&r->cli->store, user, r->now);
	if (rc != PVA_OK) {
		printf("%s: sent by %s to %s, but the reminder was not recorded: %s\n",
		       user, via, to, pva_rc_str(rc));
		r->failed++;
		return;
	}
	printf("%s: reminded by %s to %s (%s): password %u days old, changed %s\n",
	       user, via, to, pva_lang_name(lang), a->days, a->date);
	r->sent++;
}

static void one_user(struct run *r, const char *user)
{
	struct pva_phone_rec rec;
	struct pva_remind_age a;
	enum pva_remind_decision d;
	char when[16];
	time_t last = 0;
	enum pva_rc rc;

	memset(&rec, 0, sizeof(rec));
	rc = pva_phones_get(&r->cli->store, user, &rec);
	if (rc == PVA_ERR_NOTFOUND)
		return; /* removed meanwhile */
	if (rc == PVA_OK)
		rc = pva_reminder_decide(r->s, &r->cli->store, user, r->now, &a, &last, &d);
	if (rc != PVA_OK) {
		printf("%s: FAILED: %s\n", user, pva_rc_str(rc));
		r->failed++;
	} else if (d == PVA_REMIND_NO_AGE) {
		printf("%s: skipped: no password date in shadow\n", user);
	} else if (d == PVA_REMIND_YOUNG) {
		printf("%s: not due: password %u days old (reminders from %u)\n", user,
		       a.days, r->s->remind_after_days);
	} else if (d == PVA_REMIND_RECENT) {
		struct tm tm;
		if (gmtime_r(&last, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%d", &tm) == 0)
			snprintf(when, sizeof(when), "?");
		printf("%s: not due: reminded %s (every %u days)\n", user, when,
		       r->s->remind_every_days);
	} else if (d == PVA_REMIND_DUE) {
		remind_one(r, user, &rec, &a);
	}
	sodium_memzero(&rec, sizeof(rec));
}

/* ---- the verb ---- */

static int parse_opts(int argc, char **argv, int *dry_run, const char **service)
{
	int i;

	*dry_run = 0;
	*service = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			*dry_run = 1;
		else if (strcmp(argv[i], "--service") == 0 && i + 1 < argc)
			*service = argv[++i];
		else
			return -1;
	}
	if (*service != NULL &&
	    ((*service)[0] == '\0' || strlen(*service) >= PVA_NAME_MAX ||
	     strspn(*service, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-") != strlen(*service)))
		return -1;
	return 0;
}

/* Configuration, host key and store; 1 = stop with exit 0 (nothing
 * enrolled yet), -1 = error (printed). */
static int open_all(struct pva_cli *cli)
{
	char err[512];
	enum pva_rc rc;

	rc = pva_config_load(cli->conf, &cli->cfg, err, sizeof(err));
	if (rc != PVA_OK) {
		fprintf(stderr, "privauthctl: %s\n", err);
		return -1;
	}
	rc = pva_hostkey_load(cli->cfg->host_key, 0, &cli->key);
	if (rc == PVA_OK)
		rc = pva_store_open(&cli->store, cli->cfg->state_dir, cli->key, 0);
	if (rc == PVA_ERR_NOTFOUND) {
		printf("nobody is enrolled yet (no host key or state directory)\n");
		return 1;
	}
	if (rc != PVA_OK) {
		fprintf(stderr, "privauthctl: %s: %s\n", cli->cfg->state_dir, pva_rc_str(rc));
		return -1;
	}
	return 0;
}

int pva_cli_remind(struct pva_cli *cli, int argc, char **argv)
{
	struct run r;
	char **users = NULL;
	size_t n = 0, i;
	int o;

	memset(&r, 0, sizeof(r));
	if (parse_opts(argc, argv, &r.dry_run, &r.service) != 0)
		return 2;
	o = open_all(cli);
	if (o != 0)
		return o < 0 ? 1 : 0;
	r.cli = cli;
	r.s = pva_config_service(cli->cfg, r.service ? r.service : DEFAULT_SERVICE);
	if (r.service == NULL)
		r.service = DEFAULT_SERVICE;
	r.now = time(NULL);
	r.lg.emit = emit;
	if (r.s->remind_after_days == 0) {
		printf("reminders are off for %s (remind_after_days = 0)\n",
		       r.s == &cli->cfg->defaults ? "the defaults" : r.service);
		return 0;
	}
	if (r.s->remind_via == PVA_REMIND_EMAIL && cli->cfg->smtp.url[0] == '\0') {
		fprintf(stderr, "privauthctl: remind_via = \"email\" needs the smtp group "
			"(url, from, to)\n");
		return 1;
	}
	if (list_users(&cli->store, &users, &n) != 0)
		return 1;
	openlog("privauthctl", LOG_PID, LOG_AUTHPRIV);
	for (i = 0; i < n; i++)
		one_user(&r, users[i]);
	closelog();
	free_users(users, n);
	printf("%s: %zu enrolled, %u due, %u sent, %u failed\n",
	       r.dry_run ? "dry run" : "done", n, r.due, r.sent, r.failed);
	return r.failed > 0 ? 1 : 0;
}
