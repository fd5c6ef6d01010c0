/* privacy_verbs.c - privauthctl verbs for the user's data rights:
 * consent show|revoke, backup-codes, export, forget, purge.
 * Exit status: 0 ok, 1 error, 2 bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/log.h"
#include "privacy/backup.h"
#include "privacy/consent.h"
#include "privacy/notice.h"
#include "privacy/rights.h"

static int fail(const char *what, enum pva_rc rc)
{
	fprintf(stderr, "privauthctl: %s: %s\n", what, pva_rc_str(rc));
	return 1;
}

/* "2026-11-27 19:24:23 UTC" */
static const char *when(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

/* ---- consent show|revoke USER ---- */

static int consent_show(struct pva_cli *cli, const char *user)
{
	struct pva_consent *c = calloc(1, sizeof(*c));
	char cur[PVA_NOTICE_VERSION_MAX], t[40];
	const struct pva_settings *s;
	const char *state;
	enum pva_rc rc;
	size_t i;

	if (c == NULL)
		return fail("consent", PVA_ERR_NOMEM);
	rc = pva_consent_load(&cli->store, user, c);
	if (rc != PVA_OK) {
		free(c);
		return fail(user, rc);
	}
	printf("user: %s\n", user);
	if (c->n == 0)
		printf("no consent recorded\n");
	for (i = 0; i < c->n; i++) {
		s = pva_config_service(cli->cfg, c->e[i].service);
		state = "";
		if (pva_notice_version(cli->cfg, s, c->e[i].service, cur) == PVA_OK)
			state = strcmp(cur, c->e[i].version) == 0 ?
					" (the current notice)" :
					" (the notice changed since: asked again at the next login)";
		printf("%s: notice %s agreed %s%s\n", c->e[i].service, c->e[i].version,
		       when(c->e[i].when, t, sizeof(t)), state);
	}
	free(c);
	return 0;
}

int pva_cli_consent(struct pva_cli *cli, int argc, char **argv)
{
	enum pva_rc rc;

	if (argc != 3 || (strcmp(argv[1], "show") != 0 && strcmp(argv[1], "revoke") != 0))
		return 2;
	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	if (strcmp(argv[1], "show") == 0)
		return consent_show(cli, argv[2]);
	rc = pva_consent_revoke(&cli->store, argv[2]);
	if (rc != PVA_OK)
		return fail(argv[2], rc);
	printf("%s: consent revoked; the notice is shown again at the next login\n", argv[2]);
	return 0;
}

/* ---- backup-codes USER [--count] ---- */

int pva_cli_backup_codes(struct pva_cli *cli, int argc, char **argv)
{
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT], t[40];
	unsigned left = 0;
	time_t created = 0;
	enum pva_rc rc;
	size_t i;

	if (argc == 3 && strcmp(argv[2], "--count") == 0) {
		if (pva_cli_open_store(cli, 0) != 0)
			return 1;
		rc = pva_backup_count(&cli->store, argv[1], &left, &created);
		if (rc != PVA_OK)
			return fail(argv[1], rc);
		if (created == 0)
			printf("%s: no backup codes\n", argv[1]);
		else
			printf("%s: %u backup codes left (made %s)\n", argv[1], left,
			       when(created, t, sizeof(t)));
		return 0;
	}
	if (argc != 2)
		return 2;
	if (pva_cli_open_store(cli, 1) != 0)
		return 1;
	rc = pva_backup_generate(&cli->store, cli->key, argv[1], time(NULL), codes);
	if (rc != PVA_OK) {
		sodium_memzero(codes, sizeof(codes));
		return fail(argv[1], rc);
	}
	printf("Backup codes for %s (each works once; any earlier codes no longer work):\n\n",
	       argv[1]);
	for (i = 0; i < PVA_BACKUP_N; i++)
		printf("  %s\n", codes[i]);
	printf("\nStore them safely (printed, or in a password manager): they are shown "
	       "only this once and only their hashes are kept.\n");
	fflush(stdout);
	sodium_memzero(codes, sizeof(codes));
	return 0;
}

/* ---- export USER [--full] ---- */

int pva_cli_export(struct pva_cli *cli, int argc, char **argv)
{
	enum pva_rc rc;
	int full = 0;

	if (argc == 3 && strcmp(argv[2], "--full") == 0)
		full = 1;
	else if (argc != 2)
		return 2;
	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	rc = pva_export_json(cli->cfg, &cli->store, argv[1], full, time(NULL), stdout);
	return rc == PVA_OK ? 0 : fail(argv[1], rc);
}

/* ---- forget USER ---- */

static void emit(void *ud, int prio, const char *line)
{
	(void)ud;
	syslog(prio, "%s", line);
	fprintf(stderr, "privauthctl: %s\n", line);
}

int pva_cli_forget(struct pva_cli *cli, int argc, char **argv)
{
	struct pva_forget_stats fs;
	struct pva_log lg = { emit, NULL, 0 };
	char files[16];
	enum pva_rc rc;
	size_t i;

	if (argc != 2)
		return 2;
	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	rc = pva_forget(&cli->store, argv[1], &fs);
	for (i = 0; i < PVA_RIGHTS_NSUBS; i++)
		if (fs.removed & (1u << i))
			printf("removed: %s record\n", pva_rights_subs[i]);
	if (fs.lock_removed)
		printf("removed: lock file\n");
	if (fs.temp > 0)
		printf("removed: %u leftover temp file(s)\n", fs.temp);
	snprintf(files, sizeof(files), "%u", fs.files + (unsigned)fs.lock_removed + fs.temp);
	if (fs.files + (unsigned)fs.lock_removed + fs.temp > 0 || rc == PVA_OK) {
		openlog("privauthctl", LOG_PID, LOG_AUTHPRIV);
		pva_log_event(&lg, LOG_NOTICE, "forget", "user", argv[1], "files", files,
			      rc == PVA_OK ? NULL : "error", rc == PVA_OK ? NULL : pva_rc_str(rc),
			      (const char *)NULL);
		closelog();
	}
	if (rc != PVA_OK)
		return fail(argv[1], rc);
	if (fs.files + (unsigned)fs.lock_removed + fs.temp == 0)
		printf("%s: nothing stored\n", argv[1]);
	else
		printf("%s: forgotten (%s file(s)); send counts per number and host stay "
		       "until purge drops them (a day), syslog copies follow log rotation\n",
		       argv[1], files);
	return 0;
}

/* ---- purge [--dry-run] ---- */

int pva_cli_purge(struct pva_cli *cli, int argc, char **argv)
{
	struct pva_purge_stats ps;
	enum pva_rc rc;
	int dry = 0;

	if (argc == 2 && strcmp(argv[1], "--dry-run") == 0)
		dry = 1;
	else if (argc != 1)
		return 2;
	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	rc = pva_purge_run(cli->cfg, &cli->store, time(NULL), dry, &ps);
	printf("%s\nrecords kept: %u\nrecords trimmed: %u\nrecords removed: %u\n"
	       "counters removed: %u\nlock files removed: %u\ntemp files removed: %u\n"
	       "errors: %u\n", dry ? "dry run (nothing changed):" : "purge:",
	       ps.records_kept, ps.records_trimmed, ps.records_removed, ps.counters_removed,
	       ps.locks_removed, ps.temp_removed, ps.errors);
	if (rc != PVA_OK)
		return fail("purge", rc);
	return 0;
}
