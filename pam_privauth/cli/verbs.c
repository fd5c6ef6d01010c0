/* verbs.c - the privauthctl commands. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/phone.h"
#include "core/secfile.h"
#include "privacy/consent.h"
#include "privacy/grace.h"
#include "store/phones.h"
#include "store/state.h"

static int fail(const char *what, enum pva_rc rc)
{
	fprintf(stderr, "privauthctl: %s: %s\n", what, pva_rc_str(rc));
	return 1;
}

static int load_config(struct pva_cli *cli)
{
	char err[512];
	enum pva_rc rc = pva_config_load(cli->conf, &cli->cfg, err, sizeof(err));

	if (rc != PVA_OK) {
		fprintf(stderr, "privauthctl: %s\n", err);
		return 1;
	}
	return 0;
}

/* Configuration, host key and store, for verbs that touch records. */
int pva_cli_open_store(struct pva_cli *cli, int create)
{
	enum pva_rc rc;

	if (load_config(cli) != 0)
		return 1;
	rc = pva_hostkey_load(cli->cfg->host_key, create, &cli->key);
	if (rc == PVA_ERR_NOTFOUND && !create) {
		fprintf(stderr, "privauthctl: %s: no host key yet (nothing stored)\n",
			cli->cfg->host_key);
		return 1;
	}
	if (rc != PVA_OK)
		return fail(cli->cfg->host_key, rc);
	rc = pva_store_open(&cli->store, cli->cfg->state_dir, cli->key, create);
	if (rc != PVA_OK)
		return fail(cli->cfg->state_dir, rc);
	return 0;
}

static int cmd_check_config(struct pva_cli *cli, int argc, char **argv)
{
	const char *service = NULL;

	if (argc == 3 && strcmp(argv[1], "--service") == 0)
		service = argv[2];
	else if (argc != 1)
		return 2;
	if (load_config(cli) != 0)
		return 1;
	for (size_t i = 0; i < cli->cfg->n_warnings; i++)
		fprintf(stderr, "privauthctl: %s\n", cli->cfg->warnings[i]);
	pva_config_dump(cli->cfg, pva_config_service(cli->cfg, service), stdout);
	if (service && pva_config_service(cli->cfg, service) == &cli->cfg->defaults)
		printf("# no services.%s group: the defaults apply\n", service);
	return 0;
}

static int parse_channel(const char *s, enum pva_channel *ch)
{
	if (strcmp(s, "sms") == 0)
		*ch = PVA_CH_SMS;
	else if (strcmp(s, "voice") == 0)
		*ch = PVA_CH_VOICE;
	else
		return -1;
	return 0;
}

/* A number change (or removal) kills every pending code: a code sent to
 * the old phone must not keep working. */
static enum pva_rc drop_pending(struct pva_cli *cli, const char *user)
{
	struct pva_state *st = calloc(1, sizeof(*st));
	enum pva_rc rc;
	int fd = -1;

	if (st == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_state_lock(&cli->store, user, 5000, &fd);
	if (rc == PVA_OK)
		rc = pva_state_load(&cli->store, user, st);
	if (rc == PVA_OK && st->n_pending > 0) {
		st->n_pending = 0;
		memset(st->pending, 0, sizeof(st->pending));
		rc = pva_state_save(&cli->store, st, time(NULL));
	}
	pva_state_unlock(fd);
	free(st);
	return rc;
}

/* "--phone -": read the number from standard input, so it stays out of
 * the process list and the shell history. */
static int read_phone(const char *arg, char *out, size_t outlen)
{
	size_t n;

	if (strcmp(arg, "-") != 0) {
		if (strlen(arg) >= outlen)
			return -1;
		memcpy(out, arg, strlen(arg) + 1);
		return 0;
	}
	if (fgets(out, (int)outlen, stdin) == NULL)
		return -1;
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return 0;
}

/* --lang en|zh_CN, or "auto" for no preference. */
static int parse_lang(const char *s, char *out, size_t outlen)
{
	if (strcmp(s, "auto") == 0)
		s = "";
	if (strlen(s) >= outlen || pva_phones_lang_check(s) != PVA_OK)
		return -1;
	snprintf(out, outlen, "%s", s);
	return 0;
}

/* Without --phone: change the channel or language of an enrolled user. */
static int user_update(struct pva_cli *cli, const struct pva_phone_rec *want,
		       int have_channel, int have_lang)
{
	struct pva_phone_rec rec;
	char mask[PVA_PHONE_MASK_MAX];
	enum pva_rc rc;

	if (!have_channel && !have_lang)
		return 2;
	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	rc = pva_phones_get(&cli->store, want->user, &rec);
	if (rc == PVA_ERR_NOTFOUND) {
		fprintf(stderr, "privauthctl: %s: not enrolled (give --phone)\n", want->user);
		return 1;
	}
	if (rc == PVA_OK) {
		if (have_channel)
			rec.channel = want->channel;
		if (have_lang)
			memcpy(rec.lang, want->lang, sizeof(rec.lang));
		rec.updated = time(NULL);
		rc = pva_phones_set(&cli->store, &rec);
	}
	pva_phone_mask(rec.phone, mask, sizeof(mask));
	sodium_memzero(&rec, sizeof(rec));
	if (rc != PVA_OK)
		return fail("user set", rc);
	printf("%s: %s\n", want->user, mask);
	return 0;
}

/* *changed = 1 when rec.phone is not the user's number yet. */
static enum pva_rc new_number(struct pva_cli *cli, const struct pva_phone_rec *rec,
			      int *changed)
{
	struct pva_phone_rec old;
	enum pva_rc rc = pva_phones_get(&cli->store, rec->user, &old);

	*changed = rc != PVA_OK || strcmp(old.phone, rec->phone) != 0;
	sodium_memzero(&old, sizeof(old));
	/* a damaged record is replaced, as it always was */
	return rc == PVA_ERR_NOTFOUND || rc == PVA_ERR_CORRUPT ? PVA_OK : rc;
}

static int user_set(struct pva_cli *cli, int argc, char **argv)
{
	struct pva_phone_rec rec;
	char mask[PVA_PHONE_MASK_MAX];
	enum pva_rc rc;
	int i, have_channel = 0, have_lang = 0, changed = 0;

	memset(&rec, 0, sizeof(rec));
	rec.channel = PVA_CH_SMS;
	if (strlen(argv[0]) >= sizeof(rec.user)) {
		fprintf(stderr, "privauthctl: user names are at most %zu bytes\n",
			sizeof(rec.user) - 1);
		return 1;
	}
	snprintf(rec.user, sizeof(rec.user), "%s", argv[0]);
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--phone") == 0 &&
		    read_phone(argv[i + 1], rec.phone, sizeof(rec.phone)) == 0)
			continue;
		else if (strcmp(argv[i], "--channel") == 0 &&
			 parse_channel(argv[i + 1], &rec.channel) == 0)
			have_channel = 1;
		else if (strcmp(argv[i], "--lang") == 0 &&
			 parse_lang(argv[i + 1], rec.lang, sizeof(rec.lang)) == 0)
			have_lang = 1;
		else
			return 2;
	}
	if (i != argc)
		return 2;
	if (rec.phone[0] == '\0')
		return user_update(cli, &rec, have_channel, have_lang);
	if (pva_phone_validate(rec.phone) != PVA_OK) {
		fprintf(stderr, "privauthctl: the number must be E.164: '+' and 8 to 15 "
			"digits, no spaces or dial characters\n");
		return 1;
	}
	rec.updated = time(NULL);
	if (pva_cli_open_store(cli, 1) != 0)
		return 1;
	rc = new_number(cli, &rec, &changed);
	if (rc == PVA_OK)
		rc = pva_phones_set(&cli->store, &rec);
	if (rc == PVA_OK)
		rc = drop_pending(cli, rec.user);
	/* A consent given before (perhaps at a decoy prompt, by anyone who
	 * reached it, to a made-up number) or grace earned with another
	 * number does not carry over to this one. */
	if (rc == PVA_OK && changed)
		rc = pva_consent_revoke(&cli->store, rec.user);
	if (rc == PVA_OK && changed)
		rc = pva_grace_forget(&cli->store, rec.user);
	pva_phone_mask(rec.phone, mask, sizeof(mask));
	sodium_memzero(&rec, sizeof(rec));
	if (rc != PVA_OK)
		return fail("user set", rc);
	printf("%s: %s\n", argv[0], mask);
	return 0;
}

/* "2026-11-27 19:24:23 UTC" */
static const char *iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

static int user_show(struct pva_cli *cli, const char *user)
{
	struct pva_phone_rec rec;
	char mask[PVA_PHONE_MASK_MAX], when[40];
	enum pva_rc rc;

	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	rc = pva_phones_get(&cli->store, user, &rec);
	if (rc == PVA_ERR_NOTFOUND) {
		printf("user: %s\nenrolled: no\n", user);
		return 1;
	}
	if (rc != PVA_OK)
		return fail(user, rc);
	pva_phone_mask(rec.phone, mask, sizeof(mask));
	printf("user: %s\nenrolled: yes\nphone: %s\nchannel: %s\nlanguage: %s\n"
	       "updated: %s\n", user, mask, pva_channel_name(rec.channel),
	       rec.lang[0] ? rec.lang : "auto", iso_time(rec.updated, when, sizeof(when)));
	sodium_memzero(&rec, sizeof(rec));
	return 0;
}

static int cmd_user(struct pva_cli *cli, int argc, char **argv)
{
	enum pva_rc rc;

	if (argc < 3)
		return 2;
	if (strcmp(argv[1], "set") == 0)
		return user_set(cli, argc - 2, argv + 2);
	if (argc != 3)
		return 2;
	if (strcmp(argv[1], "show") == 0)
		return user_show(cli, argv[2]);
	if (strcmp(argv[1], "del") == 0) {
		if (pva_cli_open_store(cli, 0) != 0)
			return 1;
		rc = pva_phones_del(&cli->store, argv[2]);
		if (rc == PVA_OK)
			rc = drop_pending(cli, argv[2]);
		if (rc != PVA_OK)
			return fail("user del", rc);
		printf("%s: number removed\n", argv[2]);
		return 0;
	}
	return 2;
}

static void print_state(const struct pva_state *st, time_t now)
{
	size_t i;

	printf("failed_codes: %u\nlockouts: %u\n", st->fails, st->lockouts);
	if (st->locked_until > now)
		printf("locked: yes, %lld s left\n", (long long)(st->locked_until - now));
	else
		printf("locked: no\n");
	printf("sends_last_hour: %zu\nsends_last_day: %zu\n",
	       pva_state_sends_last_hour(st, now),
	       pva_state_sends_within(st, now, PVA_SEND_DAY));
	for (i = 0; i < st->n_pending; i++) {
		const struct pva_pending *p = &st->pending[i];
		printf("pending: service=%s age=%llds expires_in=%llds attempts=%u channel=%s\n",
		       p->service, (long long)(now - p->issued),
		       (long long)(p->expires - now), p->attempts,
		       pva_channel_name(p->channel));
	}
}

static int cmd_status(struct pva_cli *cli, int argc, char **argv)
{
	struct pva_state *st;
	time_t now = time(NULL);
	enum pva_rc rc;

	if (argc != 2)
		return 2;
	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return fail("status", PVA_ERR_NOMEM);
	rc = pva_state_load(&cli->store, argv[1], st);
	if (rc == PVA_OK) {
		printf("user: %s\n", argv[1]);
		print_state(st, now);
	}
	free(st);
	return rc == PVA_OK ? 0 : fail(argv[1], rc);
}

static int cmd_reset(struct pva_cli *cli, int argc, char **argv)
{
	struct pva_state *st;
	enum pva_rc rc;
	int fd = -1;

	if (argc != 2)
		return 2;
	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return fail("reset", PVA_ERR_NOMEM);
	rc = pva_state_lock(&cli->store, argv[1], 5000, &fd);
	if (rc == PVA_OK)
		rc = pva_state_load(&cli->store, argv[1], st);
	if (rc == PVA_OK) {
		st->fails = 0;
		st->lockouts = 0;
		st->locked_until = 0;
		rc = pva_state_save(&cli->store, st, time(NULL));
		printf("%s: failures and lockout cleared\n", argv[1]);
	} else if (rc == PVA_ERR_CORRUPT) {
		rc = pva_state_delete(&cli->store, argv[1]);
		printf("%s: corrupt state record removed\n", argv[1]);
	}
	pva_state_unlock(fd);
	free(st);
	return rc == PVA_OK ? 0 : fail(argv[1], rc);
}

int pva_cli_dispatch(struct pva_cli *cli, int argc, char **argv)
{
	int r = 2;

	if (strcmp(argv[0], "check-config") == 0)
		r = cmd_check_config(cli, argc, argv);
	else if (strcmp(argv[0], "user") == 0)
		r = cmd_user(cli, argc, argv);
	else if (strcmp(argv[0], "status") == 0)
		r = cmd_status(cli, argc, argv);
	else if (strcmp(argv[0], "reset") == 0)
		r = cmd_reset(cli, argc, argv);
	else if (strcmp(argv[0], "send-test") == 0)
		r = pva_cli_send_test(cli, argc, argv);
	else if (strcmp(argv[0], "check-password") == 0)
		r = pva_cli_check_password(cli, argc, argv);
	else if (strcmp(argv[0], "remind") == 0)
		r = pva_cli_remind(cli, argc, argv);
	else if (strcmp(argv[0], "init") == 0)
		r = pva_cli_init(cli, argc, argv);
	else if (strcmp(argv[0], "consent") == 0)
		r = pva_cli_consent(cli, argc, argv);
	else if (strcmp(argv[0], "backup-codes") == 0)
		r = pva_cli_backup_codes(cli, argc, argv);
	else if (strcmp(argv[0], "export") == 0)
		r = pva_cli_export(cli, argc, argv);
	else if (strcmp(argv[0], "forget") == 0)
		r = pva_cli_forget(cli, argc, argv);
	else if (strcmp(argv[0], "purge") == 0)
		r = pva_cli_purge(cli, argc, argv);
	else
		fprintf(stderr, "privauthctl: unknown command '%s' (try --help)\n", argv[0]);
	if (r == 2)
		fprintf(stderr, "privauthctl: bad arguments for '%s' (try --help)\n", argv[0]);
	pva_hostkey_free(cli->key);
	pva_config_free(cli->cfg);
	return r;
}
