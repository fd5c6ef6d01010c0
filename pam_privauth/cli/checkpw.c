/* checkpw.c - privauthctl check-password: the policy engine from the CLI.
 *
 *   privauthctl [--conf PATH] check-password [--user USER] [--service NAME] [--batch]
 *
 * Reads one password from stdin (echo off on a terminal), or with --batch
 * one per line until EOF, checks each against the service's policy and
 * prints "accepted" or "refused:" followed by every reason, one per line.
 * Exit status 0 when every password was accepted, 1 when one was refused
 * or on error, 2 on bad arguments.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "policy/blocklist.h"
#include "policy/policy.h"

#define LINE_MAX_PW (PVA_PW_INPUT_MAX + 3) /* one byte over the cap, '\n', NUL */

struct checkpw_opts {
	const char *user;
	const char *service;
	int batch;
};

static int parse_opts(int argc, char **argv, struct checkpw_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--batch") == 0)
			o->batch = 1;
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			o->user = argv[++i];
		else if (strcmp(argv[i], "--service") == 0 && i + 1 < argc)
			o->service = argv[++i];
		else
			return -1;
	}
	return 0;
}

/* One line into buf (SECRET); longer lines are cut one byte over the cap
 * so the engine refuses them.  0 on EOF with nothing read. */
static int read_line(char *buf, size_t size)
{
	size_t len;
	int c;

	if (fgets(buf, (int)size, stdin) == NULL)
		return 0;
	len = strcspn(buf, "\n");
	if (buf[len] != '\n')
		while ((c = getchar()) != EOF && c != '\n')
			;
	buf[len] = '\0';
	return 1;
}

/* Read one password with echo off when stdin is a terminal. */
static int read_secret(char *buf, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	int r;

	if (tty) {
		fputs("Password: ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	r = read_line(buf, size);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputs("\n", stderr);
	}
	return r;
}

static void print_verdict(const struct pva_pw_verdict *v)
{
	size_t i;

	if (v->n == 0) {
		printf("accepted\n");
		return;
	}
	printf("refused:\n");
	for (i = 0; i < v->n; i++)
		printf("  %s\n", v->text[i]);
}

/* Check every password read; 0 all accepted, 1 refused or error. */
static int check_all(const struct pva_policy *p, const struct pva_blocklist *bl,
		     const struct pva_pw_ctx *ctx, int batch, char *buf)
{
	struct pva_pw_verdict v;
	int r = 0, n = 0;

	while (batch ? read_line(buf, LINE_MAX_PW) : read_secret(buf, LINE_MAX_PW)) {
		n++;
		if (pva_policy_check(p, bl, buf, ctx, &v) != PVA_OK) {
			fprintf(stderr, "privauthctl: out of memory\n");
			return 1;
		}
		print_verdict(&v);
		if (v.n > 0)
			r = 1;
		sodium_memzero(buf, LINE_MAX_PW);
		if (!batch)
			break;
	}
	if (n == 0) {
		fprintf(stderr, "privauthctl: no password on stdin\n");
		r = 1;
	}
	return r;
}

/* Fill the user's GECOS and the host name into ctx. */
static void fill_ctx(struct pva_pw_ctx *ctx, const struct checkpw_opts *o,
		     char *host, size_t hostlen)
{
	const struct passwd *pw = o->user != NULL ? getpwnam(o->user) : NULL;

	memset(ctx, 0, sizeof(*ctx));
	ctx->user = o->user;
	ctx->gecos = pw != NULL ? pw->pw_gecos : NULL;
	ctx->service = o->service;
	if (gethostname(host, hostlen) == 0) {
		host[hostlen - 1] = '\0';
		ctx->host = host;
	}
}

int pva_cli_check_password(struct pva_cli *cli, int argc, char **argv)
{
	struct checkpw_opts o;
	struct pva_pw_ctx ctx;
	struct pva_blocklist *bl = NULL;
	const struct pva_settings *s;
	char err[512], warn[512], host[256];
	char *buf = NULL;
	int r = 1;

	if (parse_opts(argc, argv, &o) != 0)
		return 2;
	if (pva_config_load(cli->conf, &cli->cfg, err, sizeof(err)) != PVA_OK) {
		fprintf(stderr, "privauthctl: %s\n", err);
		return 1;
	}
	s = pva_config_service(cli->cfg, o.service);
	if (pva_blocklist_open(s->policy.blocklist_file, &bl, warn, sizeof(warn)) != PVA_OK ||
	    (buf = sodium_malloc(LINE_MAX_PW)) == NULL) {
		fprintf(stderr, "privauthctl: out of memory\n");
		goto out;
	}
	if (warn[0] != '\0')
		fprintf(stderr, "privauthctl: %s\n", warn);
	fill_ctx(&ctx, &o, host, sizeof(host));
	ctx.host = cli->cfg->hostname; /* what the module uses, not gethostname() */
	r = check_all(&s->policy, bl, &ctx, o.batch, buf);
out:
	sodium_free(buf);
	pva_blocklist_free(bl);
	return r;
}
