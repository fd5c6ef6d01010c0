/* pam_harness.c - TEST ONLY: one scripted pam_authenticate() call.
 *
 *   pam_harness --service S --user U --spool DIR [--rhost H] [--quiet] ANSWER...
 *   pam_harness --chauthtok --service S --user U [--spool DIR] [--quiet] ANSWER...
 *   pam_harness --acct [--silent] --service S --user U [--quiet] ANSWER...
 *
 * Runs pam_start(S, U)/pam_authenticate/pam_end once.  With --chauthtok
 * it runs pam_chauthtok(pamh, 0) instead (both passes, PRELIM and
 * UPDATE) and then prints "AUTHTOK: VALUE" (or "AUTHTOK: (unset)"): the
 * PAM_AUTHTOK item as the module stack left it, read through pam_getenv
 * because libpam clears the item itself when pam_chauthtok returns (add
 * pam_wrapper's pam_get_items.so after the module under test to export
 * it); the spool is optional in this mode.  With --acct it runs
 * pam_acct_mgmt(pamh, 0) (PAM_SILENT with --silent) instead, spool
 * optional too.  Meant to run under
 * pam_wrapper (LD_PRELOAD=libpam_wrapper.so[:faketime.so], PAM_WRAPPER=1,
 * PAM_WRAPPER_SERVICE_DIR=...), set up by the caller.  Every prompt takes
 * the next ANSWER:
 *   code     the code in the newest message of the spool directory
 *   wrong    that code with its last digit changed
 *   prev     the code in the second-newest message (replay tests)
 *   r, v     the literal text
 *   =TEXT    TEXT literally
 *   +N:A     add N seconds to PVA_FAKETIME_OFFSET (cumulative), then answer A
 * When the answers run out the conversation fails with PAM_CONV_ERR.
 *
 * Output, one line each: "PROMPT: ", "INFO: ", "ERROR: " for what the
 * module shows, "HARNESS: " for the harness's own notes (a prompt asked
 * with echo on is followed by "HARNESS: echo on"), and last
 * "RESULT: PAM_..." (the name of pam_authenticate's return value).
 * --quiet prints only the RESULT line.  Exit status 0 when the call ran,
 * 2 on a usage error, 1 when pam_start failed.
 *
 * "Newest" is the order in which message files appear: files already in
 * the spool at start (ordered by mtime, then name), then the files found
 * at each later prompt.  Dot-named (temporary) files are skipped.  The code
 * is the first run of 6..10 digits in the body (after the first blank
 * line), or for voice messages the first run of 6..10 single digits
 * separated by ", ".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define CODE_MIN 6
#define CODE_MAX 10
#define SPOOL_FILE_MAX 65536

struct spool_msg {
	char *name;
	char code[CODE_MAX + 1];  /* SECRET (test codes only) */
};

struct harness {
	const char *spool;
	char **answers;           /* borrowed from argv */
	size_t n_answers;
	size_t next;
	int quiet;
	int chauthtok;            /* run pam_chauthtok instead */
	int expired;              /* ... with PAM_CHANGE_EXPIRED_AUTHTOK, as login does */
	int acct;                 /* run pam_acct_mgmt instead */
	int silent;               /* ... with PAM_SILENT */
	struct spool_msg *seen;   /* in order of appearance, newest last */
	size_t n_seen;
};

struct found {
	char *name;
	struct timespec mtime;
};

static const struct {
	int rc;
	const char *name;
} pam_names[] = {
#define N(x) { x, #x }
	N(PAM_SUCCESS), N(PAM_OPEN_ERR), N(PAM_SYMBOL_ERR), N(PAM_SERVICE_ERR),
	N(PAM_SYSTEM_ERR), N(PAM_BUF_ERR), N(PAM_PERM_DENIED), N(PAM_AUTH_ERR),
	N(PAM_CRED_INSUFFICIENT), N(PAM_AUTHINFO_UNAVAIL), N(PAM_USER_UNKNOWN),
	N(PAM_MAXTRIES), N(PAM_NEW_AUTHTOK_REQD), N(PAM_ACCT_EXPIRED),
	N(PAM_SESSION_ERR), N(PAM_CRED_UNAVAIL), N(PAM_CRED_EXPIRED),
	N(PAM_CRED_ERR), N(PAM_NO_MODULE_DATA), N(PAM_CONV_ERR),
	N(PAM_AUTHTOK_ERR), N(PAM_AUTHTOK_RECOVERY_ERR), N(PAM_AUTHTOK_LOCK_BUSY),
	N(PAM_AUTHTOK_DISABLE_AGING), N(PAM_TRY_AGAIN), N(PAM_IGNORE),
	N(PAM_ABORT), N(PAM_AUTHTOK_EXPIRED), N(PAM_MODULE_UNKNOWN),
	N(PAM_BAD_ITEM), N(PAM_CONV_AGAIN), N(PAM_INCOMPLETE),
#undef N
};

static const char *pam_rc_name(int rc)
{
	size_t i;

	for (i = 0; i < sizeof(pam_names) / sizeof(pam_names[0]); i++)
		if (pam_names[i].rc == rc)
			return pam_names[i].name;
	return "PAM_UNKNOWN_RC";
}

static void note(const struct harness *h, const char *tag, const char *text)
{
	if (!h->quiet)
		printf("%s: %s\n", tag, text ? text : "(null)");
}

/* First run of CODE_MIN..CODE_MAX digits in s (not part of a longer run). */
static int find_plain_code(const char *s, char *out)
{
	size_t i = 0, n;

	while (s[i] != '\0') {
		for (n = 0; s[i + n] >= '0' && s[i + n] <= '9'; n++)
			;
		if (n >= CODE_MIN && n <= CODE_MAX) {
			memcpy(out, s + i, n);
			out[n] = '\0';
			return 0;
		}
		i += n ? n : 1;
	}
	return -1;
}

/* First run of CODE_MIN..CODE_MAX single digits separated by ", ". */
static int find_spoken_code(const char *s, char *out)
{
	size_t i, n, p;

	for (i = 0; s[i] != '\0'; i++) {
		for (n = 0, p = i; n < CODE_MAX + 1; n++) {
			if (s[p] < '0' || s[p] > '9' ||
			    (s[p + 1] >= '0' && s[p + 1] <= '9'))
				break;
			out[n] = s[p];
			if (s[p + 1] != ',' || s[p + 2] != ' ') {
				n++;
				break;
			}
			p += 3;
		}
		if (n >= CODE_MIN && n <= CODE_MAX) {
			out[n] = '\0';
			return 0;
		}
	}
	out[0] = '\0';
	return -1;
}

static int parse_message(const char *text, char *code)
{
	const char *body = strstr(text, "\n\n");

	if (body == NULL)
		return -1;
	body += 2;
	if (find_plain_code(body, code) == 0)
		return 0;
	return find_spoken_code(body, code);
}

static int read_code(const char *dir, const char *name, char *code)
{
	char path[4096];
	char *buf = NULL;
	ssize_t got;
	size_t len = 0;
	int fd = -1, r = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	buf = calloc(1, SPOOL_FILE_MAX + 1);
	if (fd < 0 || buf == NULL)
		goto out;
	while (len < SPOOL_FILE_MAX &&
	       (got = read(fd, buf + len, SPOOL_FILE_MAX - len)) > 0)
		len += (size_t)got;
	buf[len] = '\0';
	r = parse_message(buf, code);
out:
	if (buf != NULL) {
		explicit_bzero(buf, SPOOL_FILE_MAX + 1);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return r;
}

static int seen_before(const struct harness *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n_seen; i++)
		if (strcmp(h->seen[i].name, name) == 0)
			return 1;
	return 0;
}

static int cmp_found(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Append the messages that appeared since the last scan, oldest first. */
static int append_found(struct harness *h, struct found *f, size_t n)
{
	struct spool_msg *grown;
	size_t i;

	if (n == 0)
		return 0;
	qsort(f, n, sizeof(*f), cmp_found);
	grown = reallocarray(h->seen, h->n_seen + n + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	h->seen = grown;
	for (i = 0; i < n; i++) {
		struct spool_msg *m = &h->seen[h->n_seen++];

		m->name = f[i].name;
		f[i].name = NULL;
		if (read_code(h->spool, m->name, m->code) != 0)
			m->code[0] = '\0';
	}
	return 0;
}

static int scan_spool(struct harness *h)
{
	struct found *f = NULL, *grown;
	struct dirent *de;
	struct stat st;
	size_t n = 0, i;
	int r = -1;
	DIR *d = h->spool ? opendir(h->spool) : NULL;

	if (h->spool == NULL)
		return 0;
	if (d == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || seen_before(h, de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		grown = reallocarray(f, n + 1, sizeof(*f));
		if (grown == NULL)
			goto out;
		f = grown;
		f[n].mtime = st.st_mtim;
		if ((f[n].name = strdup(de->d_name)) == NULL)
			goto out;
		n++;
	}
	r = append_found(h, f, n);
out:
	for (i = 0; i < n; i++)
		free(f[i].name);
	free(f);
	if (d != NULL)
		closedir(d);
	return r;
}

static int add_offset(const char *digits)
{
	const char *cur = getenv("PVA_FAKETIME_OFFSET");
	long long off = cur ? strtoll(cur, NULL, 10) : 0;
	char buf[32];

	off += strtoll(digits, NULL, 10);
	snprintf(buf, sizeof(buf), "%lld", off);
	return setenv("PVA_FAKETIME_OFFSET", buf, 1);
}

/* The code of the n-th newest message (0 = newest) into out. */
static int spool_code(struct harness *h, size_t n, char *out, size_t outlen)
{
	const struct spool_msg *m;

	if (scan_spool(h) != 0 || h->n_seen <= n) {
		note(h, "HARNESS", "no such message in the spool");
		return -1;
	}
	m = &h->seen[h->n_seen - 1 - n];
	if (m->code[0] == '\0') {
		note(h, "HARNESS", "no code found in the spool message");
		return -1;
	}
	snprintf(out, outlen, "%s", m->code);
	return 0;
}

/* Resolve one ANSWER word into out.  -1 when it cannot be produced. */
static int resolve(struct harness *h, const char *a, char *out, size_t outlen)
{
	size_t len;

	if (a[0] == '+') {
		const char *colon = strchr(a, ':');

		if (colon == NULL || add_offset(a + 1) != 0)
			return -1;
		return resolve(h, colon + 1, out, outlen);
	}
	if (a[0] == '=') {
		snprintf(out, outlen, "%s", a + 1);
		return 0;
	}
	if (strcmp(a, "code") == 0)
		return spool_code(h, 0, out, outlen);
	if (strcmp(a, "prev") == 0)
		return spool_code(h, 1, out, outlen);
	if (strcmp(a, "wrong") == 0) {
		if (spool_code(h, 0, out, outlen) != 0)
			return -1;
		len = strlen(out);
		out[len - 1] = (char)('0' + (out[len - 1] - '0' + 1) % 10);
		return 0;
	}
	snprintf(out, outlen, "%s", a); /* r, v */
	return 0;
}

static int valid_answer(const char *a)
{
	char *end = NULL;

	if (a[0] == '+') {
		if (strtol(a + 1, &end, 10) < 0 || end == a + 1 || *end != ':')
			return 0;
		return valid_answer(end + 1);
	}
	return a[0] == '=' || strcmp(a, "code") == 0 || strcmp(a, "wrong") == 0 ||
	       strcmp(a, "prev") == 0 || strcmp(a, "r") == 0 || strcmp(a, "v") == 0;
}

static int answer_prompt(struct harness *h, const struct pam_message *m,
			 struct pam_response *resp)
{
	char buf[512];

	note(h, "PROMPT", m->msg);
	if (m->msg_style == PAM_PROMPT_ECHO_ON)
		note(h, "HARNESS", "echo on");
	if (h->next >= h->n_answers) {
		note(h, "HARNESS", "no answers left: PAM_CONV_ERR");
		return PAM_CONV_ERR;
	}
	if (resolve(h, h->answers[h->next++], buf, sizeof(buf)) != 0) {
		explicit_bzero(buf, sizeof(buf));
		return PAM_CONV_ERR;
	}
	resp->resp = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return resp->resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

static void free_responses(struct pam_response *r, size_t n)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}

static int conv(int num_msg, const struct pam_message **msg,
		struct pam_response **resp, void *appdata)
{
	struct harness *h = appdata;
	struct pam_response *r;
	size_t i, n = num_msg > 0 ? (size_t)num_msg : 0;
	int rc = PAM_SUCCESS;

	*resp = NULL;
	if (n == 0 || (r = calloc(n, sizeof(*r))) == NULL)
		return n == 0 ? PAM_CONV_ERR : PAM_BUF_ERR;
	for (i = 0; i < n && rc == PAM_SUCCESS; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			rc = answer_prompt(h, msg[i], &r[i]);
			break;
		case PAM_ERROR_MSG:
			note(h, "ERROR", msg[i]->msg);
			break;
		case PAM_TEXT_INFO:
			note(h, "INFO", msg[i]->msg);
			break;
		default:
			note(h, "HARNESS", "unsupported message style");
			rc = PAM_CONV_ERR;
		}
	}
	fflush(stdout);
	if (rc != PAM_SUCCESS)
		free_responses(r, n);
	else
		*resp = r;
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: pam_harness --service S --user U --spool DIR "
		"[--rhost H] [--quiet] ANSWER...\n"
		"       pam_harness --chauthtok --service S --user U [--spool DIR] "
		"[--quiet] ANSWER...\n"
		"       pam_harness --acct [--silent] --service S --user U [--quiet] "
		"ANSWER...\n"
		"ANSWER: code | wrong | prev | r | v | =TEXT | +SECONDS:ANSWER\n");
}

struct opts {
	const char *service, *user, *rhost;
};

static int parse_args(int argc, char **argv, struct opts *o, struct harness *h)
{
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--quiet") == 0) {
			h->quiet = 1;
			continue;
		}
		if (strcmp(argv[i], "--chauthtok") == 0) {
			h->chauthtok = 1;
			continue;
		}
		if (strcmp(argv[i], "--expired") == 0) { /* PAM_CHANGE_EXPIRED_AUTHTOK */
			h->expired = 1;
			continue;
		}
		if (strcmp(argv[i], "--acct") == 0) {
			h->acct = 1;
			continue;
		}
		if (strcmp(argv[i], "--silent") == 0) {
			h->silent = 1;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		if (strcmp(argv[i], "--service") == 0)
			o->service = argv[++i];
		else if (strcmp(argv[i], "--user") == 0)
			o->user = argv[++i];
		else if (strcmp(argv[i], "--spool") == 0)
			h->spool = argv[++i];
		else if (strcmp(argv[i], "--rhost") == 0)
			o->rhost = argv[++i];
		else
			return -1;
	}
	h->answers = argv + i;
	h->n_answers = (size_t)(argc - i);
	for (; i < argc; i++)
		if (!valid_answer(argv[i]))
			return -1;
	return o->service && o->user && (h->spool || h->chauthtok || h->acct) ? 0 : -1;
}

static void harness_free(struct harness *h)
{
	size_t i;

	for (i = 0; i < h->n_seen; i++) {
		explicit_bzero(h->seen[i].code, sizeof(h->seen[i].code));
		free(h->seen[i].name);
	}
	free(h->seen);
	h->seen = NULL;
	h->n_seen = 0;
}

/* TEST ONLY: the new password the stack handed on (see the top). */
static void print_authtok(const struct harness *h, pam_handle_t *pamh)
{
	const char *tok = pam_getenv(pamh, "PAM_AUTHTOK");

	if (!h->quiet)
		printf("AUTHTOK: %s\n", tok ? tok : "(unset)");
}

int main(int argc, char **argv)
{
	struct harness h = { 0 };
	struct opts o = { 0 };
	struct pam_conv pc = { conv, &h };
	pam_handle_t *pamh = NULL;
	int rc, ret = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &o, &h) != 0) {
		usage();
		return 2;
	}
	if (scan_spool(&h) != 0)
		note(&h, "HARNESS", "cannot read the spool directory");
	rc = pam_start(o.service, o.user, &pc, &pamh);
	if (rc != PAM_SUCCESS) {
		printf("RESULT: %s (pam_start)\n", pam_rc_name(rc));
		ret = 1;
		goto out;
	}
	if (o.rhost != NULL)
		rc = pam_set_item(pamh, PAM_RHOST, o.rhost);
	if (rc == PAM_SUCCESS && h.acct)
		rc = pam_acct_mgmt(pamh, h.silent ? PAM_SILENT : 0);
	else if (rc == PAM_SUCCESS && h.chauthtok)
		rc = pam_chauthtok(pamh, h.expired ? PAM_CHANGE_EXPIRED_AUTHTOK : 0);
	else if (rc == PAM_SUCCESS)
		rc = pam_authenticate(pamh, 0);
	if (h.chauthtok)
		print_authtok(&h, pamh);
	printf("RESULT: %s\n", pam_rc_name(rc));
	pam_end(pamh, rc);
out:
	harness_free(&h);
	return ret;
}
