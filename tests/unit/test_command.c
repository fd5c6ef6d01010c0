/* test_command.c - the "command" provider: config checks, exec hygiene,
 * exit status mapping, timeouts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "delivery/command.h"
#include "delivery/provider.h"

#define CODE "493817"
#define PHONE "+4915112345678"

struct fx {
	char dir[64];
	char script[PATH_MAX];
	char err[512];
	config_t cfg;
	int have_cfg;
	struct pva_provider p;
};

/* The fixture: $PVA_SRCDIR, else the current directory, else the tree
 * above the binary ($(BUILD)/tests/test_command). */
static int find_fixture(char *out)
{
	static const char rel[] = "tests/unit/data/fake_sender.sh";
	const char *src = getenv("PVA_SRCDIR");
	char buf[512], cand[600];
	ssize_t n;
	int i;

	snprintf(cand, sizeof(cand), "%s/%s", src ? src : ".", rel);
	if (realpath(cand, out) != NULL)
		return 0;
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (i = 0; i < 3; i++) {
		char *slash = strrchr(buf, '/');
		if (slash == NULL)
			return -1;
		*slash = '\0';
	}
	snprintf(cand, sizeof(cand), "%s/%s", buf, rel);
	return realpath(cand, out) != NULL ? 0 : -1;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (find_fixture(f->script) != 0) {
		fprintf(stderr, "# fixture fake_sender.sh not found (set PVA_SRCDIR)\n");
		free(f);
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/pva-command-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	pva_provider_destroy(&f->p);
	if (f->have_cfg)
		config_destroy(&f->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cleanup of %s failed\n", f->dir);
	free(f);
	return 0;
}

/* Parse "providers = { <body> };" and create provider `name`. */
static enum pva_rc make(struct fx *f, const char *body, const char *name)
{
	struct pva_cfgread rd = { "test.conf", f->err, sizeof(f->err), 0, NULL };
	char text[PATH_MAX + 2048];
	const config_setting_t *grp;

	snprintf(text, sizeof(text), "providers = {\n%s\n};\n", body);
	config_init(&f->cfg);
	f->have_cfg = 1;
	if (!config_read_string(&f->cfg, text)) {
		fail_msg("libconfig: %s line %d", config_error_text(&f->cfg),
			 config_error_line(&f->cfg));
	}
	grp = config_lookup(&f->cfg, "providers");
	assert_non_null(grp);
	grp = config_setting_get_member(grp, name);
	assert_non_null(grp);
	f->err[0] = '\0';
	return pva_provider_create(&rd, grp, &f->p);
}

/* A provider running the fixture in `mode` with extra args. */
static void make_fake(struct fx *f, const char *mode, const char *extra,
		      const char *more_keys)
{
	char body[PATH_MAX + 1024];

	snprintf(body, sizeof(body),
		 "c = { type = \"command\"; argv = [\"/bin/sh\", \"%s\", \"%s\", \"%s\"%s];\n%s };",
		 f->script, mode, f->dir, extra ? extra : "", more_keys ? more_keys : "");
	assert_int_equal(make(f, body, "c"), PVA_OK);
}

static void init_msg(struct pva_message *m, const char *text)
{
	memset(m, 0, sizeof(*m));
	m->phone = PHONE;
	m->channel = PVA_CH_SMS;
	m->text = text;
	m->code = CODE;
	m->ttl = 300;
	m->service = "sshd";
	m->host = "box";
}

/* Read dir/name into buf (NUL-terminated); returns the length. */
static size_t slurp(const struct fx *f, const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return (size_t)n;
}

static int exists(const struct fx *f, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	return access(path, F_OK) == 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- configuration ---- */

static void expect_config_error(struct fx *f, const char *body, const char *where,
				const char *what)
{
	assert_int_equal(make(f, body, "c"), PVA_ERR_CONFIG);
	if (strstr(f->err, where) == NULL || (what && strstr(f->err, what) == NULL))
		fail_msg("error \"%s\" lacks \"%s\" / \"%s\"", f->err, where,
			 what ? what : "");
	assert_null(f->p.ops);
	config_destroy(&f->cfg);
	f->have_cfg = 0;
}

static void test_config_code_placeholder(void **state)
{
	struct fx *f = *state;

	expect_config_error(f,
		"c = { type = \"command\";\n"
		"argv = [\"/usr/bin/sms\",\n"
		"\"--text={code}\"]; };", "test.conf:4: argv:", "{code}");
	expect_config_error(f,
		"c = { type = \"command\";\n"
		"argv = [\"/usr/bin/sms\", \"{message}\"]; };",
		"test.conf:3: argv:", "{message}");
	expect_config_error(f,
		"c = { type = \"command\"; argv = [\"/usr/bin/sms\", \"{phonenumber}\"]; };",
		"test.conf:2: argv:", "unknown placeholder");
}

static void test_config_bad_argv(void **state)
{
	struct fx *f = *state;

	expect_config_error(f, "c = { type = \"command\";\nargv = [\"bin/sms\", \"{phone}\"]; };",
			    "test.conf:3: argv:", "absolute");
	expect_config_error(f, "c = { type = \"command\"; };", "argv", "missing");
	expect_config_error(f, "c = { type = \"command\"; argv = []; };", "argv", NULL);
	expect_config_error(f, "c = { type = \"command\"; argv = [\"/usr/{phone}\"]; };",
			    "argv", "placeholders");
	expect_config_error(f, "c = { type = \"command\"; argv = \"/usr/bin/sms\"; };",
			    "argv", NULL);
	expect_config_error(f, "c = { type = \"command\"; argv = [\"/bin/x\"];\ntimeout = 61; };",
			    "test.conf:3: timeout:", NULL);
	expect_config_error(f, "c = { type = \"command\"; argv = [\"/bin/x\"]; timeout = 0; };",
			    "timeout", NULL);
	expect_config_error(f, "c = { type = \"command\"; argv = [\"/bin/x\"];\nshell = true; };",
			    "test.conf:3: shell:", "unknown key");
}

static void test_config_ok(void **state)
{
	struct fx *f = *state;

	assert_int_equal(make(f, "c = { type = \"command\"; argv = [\"/bin/x\", "
			      "\"--to={phone}\", \"{phone_digits}\", \"{channel}\", "
			      "\"{\\\"json\\\":1}\"]; timeout = 60; channels = [\"voice\"]; };",
			      "c"), PVA_OK);
	assert_ptr_equal(f->p.ops, &pva_provider_command);
	assert_int_equal(f->p.channels, PVA_CH_VOICE);
}

/* ---- running ---- */

static void test_stdin_argv_env(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	char buf[4096], want[256];
	size_t n;

	make_fake(f, "capture", ", \"{phone}\", \"x{phone_digits}y\", \"{channel}\"", NULL);
	init_msg(&m, "Your code is " CODE);
	m.channel = PVA_CH_VOICE;
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_true(res.detail[0] != '\0');

	slurp(f, "stdin", buf, sizeof(buf));
	assert_string_equal(buf, "Your code is " CODE "\n");
	slurp(f, "argv", buf, sizeof(buf));
	assert_string_equal(buf, PHONE "\nx4915112345678y\nvoice\n");
	assert_null(strstr(buf, CODE));
	n = slurp(f, "environ", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s%c%s%c", PVA_COMMAND_PATH, 0, PVA_COMMAND_LANG, 0);
	assert_int_equal(n, strlen(PVA_COMMAND_PATH) + strlen(PVA_COMMAND_LANG) + 2);
	assert_memory_equal(buf, want, n);
}

static void test_child_hygiene(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_usr1, old_pipe, now_pipe;
	sigset_t usr2, old_mask, now_mask;
	char buf[512];
	int fd;

	/* Host state the child must not inherit. */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 50), 50);
	close(fd);
	sigemptyset(&ign.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &ign, &old_usr1), 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr2, &old_mask), 0);
	assert_int_equal(sigaction(SIGPIPE, NULL, &old_pipe), 0);

	make_fake(f, "capture", NULL, NULL);
	init_msg(&m, "hello");
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_OK);

	/* Host state unchanged. */
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &now_mask), 0);
	assert_true(sigismember(&now_mask, SIGUSR2));
	assert_false(sigismember(&now_mask, SIGPIPE));
	assert_int_equal(sigaction(SIGPIPE, NULL, &now_pipe), 0);
	assert_ptr_equal(now_pipe.sa_handler, old_pipe.sa_handler);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGUSR1, &old_usr1, NULL);
	close(50);

	slurp(f, "fd50", buf, sizeof(buf));
	assert_string_equal(buf, "closed\n");
	slurp(f, "fd1", buf, sizeof(buf));
	assert_string_equal(buf, "/dev/null\n");
	slurp(f, "fd2", buf, sizeof(buf));
	assert_string_equal(buf, "/dev/null\n");
	slurp(f, "pgrp", buf, sizeof(buf));
	assert_string_equal(buf, "leader\n");
}

/* The hex mask after `name` in a /proc/PID/status text. */
static unsigned long long sig_field(const char *status, const char *name)
{
	const char *p = strstr(status, name);

	return p ? strtoull(p + strlen(name), NULL, 16) : ~0ULL;
}

/* A program exec'd directly (no shell to tidy up) reports the signal
 * state it started with: nothing blocked, nothing ignored. */
static void test_child_signal_state(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_usr1, old_pipe;
	sigset_t block, old_mask;
	char body[512], buf[4096];
	const char *cp = access("/usr/bin/cp", X_OK) == 0 ? "/usr/bin/cp" : "/bin/cp";

	sigemptyset(&ign.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &ign, &old_usr1), 0);
	assert_int_equal(sigaction(SIGPIPE, &ign, &old_pipe), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old_mask), 0);
	snprintf(body, sizeof(body), "c = { type = \"command\"; argv = [\"%s\", "
		 "\"/proc/self/status\", \"%s/status\"]; };", cp, f->dir);
	assert_int_equal(make(f, body, "c"), PVA_OK);
	init_msg(&m, "x");
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_OK);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGUSR1, &old_usr1, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	slurp(f, "status", buf, sizeof(buf));
	/* Signals 32 and 33 belong to glibc (thread cancellation, setxid):
	 * sigaction() refuses them, so whatever the test's own parent (make,
	 * say) left there is inherited and says nothing about the provider. */
	if (strstr(buf, "\nSigBlk:\t0000000000000000\n") == NULL ||
	    (sig_field(buf, "SigIgn:") & ~0x180000000ULL) != 0)
		fail_msg("child signal state:\n%s", strstr(buf, "SigQ") ? strstr(buf, "SigQ") : buf);
}

static void test_shell_metacharacters(void **state)
{
	struct fx *f = *state;
	static const char evil[] =
		"$(touch /tmp/pwned) ; rm -rf / | && `id` \"' \n"
		"$(touch /tmp/pwned2)';touch /tmp/pwned3;'\\";
	struct pva_message m;
	struct pva_send_result res;
	char buf[512], expect[512];

	unlink("/tmp/pwned");
	unlink("/tmp/pwned2");
	unlink("/tmp/pwned3");
	make_fake(f, "capture", NULL, NULL);
	init_msg(&m, evil);
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_OK);
	slurp(f, "stdin", buf, sizeof(buf));
	snprintf(expect, sizeof(expect), "%s\n", evil);
	assert_string_equal(buf, expect);
	assert_int_equal(access("/tmp/pwned", F_OK), -1);
	assert_int_equal(access("/tmp/pwned2", F_OK), -1);
	assert_int_equal(access("/tmp/pwned3", F_OK), -1);
}

static void expect_status(struct fx *f, const char *mode, const char *extra,
			  enum pva_send_status st, const char *detail)
{
	struct pva_message m;
	struct pva_send_result res;

	make_fake(f, mode, extra, NULL);
	init_msg(&m, "code " CODE);
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	if (res.status != st || strstr(res.detail, detail) == NULL)
		fail_msg("%s: status %s detail \"%s\", want %s \"%s\"", mode,
			 pva_send_status_name(res.status), res.detail,
			 pva_send_status_name(st), detail);
	assert_null(strstr(res.detail, CODE));
	pva_provider_destroy(&f->p);
	config_destroy(&f->cfg);
	f->have_cfg = 0;
}

static void test_exit_codes(void **state)
{
	struct fx *f = *state;

	expect_status(f, "exit", ", \"75\"", PVA_SEND_TEMPORARY, "75");
	expect_status(f, "exit", ", \"3\"", PVA_SEND_PERMANENT, "exited 3");
	expect_status(f, "exit", ", \"127\"", PVA_SEND_PERMANENT, "exited 127");
	expect_status(f, "signal", NULL, PVA_SEND_AMBIGUOUS, "signal 9");
}

static void test_exec_failure(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;

	assert_int_equal(make(f, "c = { type = \"command\"; argv = [\"/nonexistent/pva-sms\", "
			      "\"{phone}\"]; };", "c"), PVA_OK);
	init_msg(&m, "x");
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	if (strstr(res.detail, "cannot execute /nonexistent/pva-sms") == NULL)
		fail_msg("detail: %s", res.detail);
}

static int gone(const char *pidtext)
{
	char path[64], stat[256];
	int fd;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", atoi(pidtext));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 1;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	stat[n] = '\0';
	p = strrchr(stat, ')');
	return p != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'); /* dead, unreaped by init */
}

static void test_timeout_kills_group(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	char pid[32], child[32];
	int64_t t0, ms;

	make_fake(f, "sleep", NULL, "timeout = 1;");
	init_msg(&m, "x");
	t0 = mono_ms();
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	ms = mono_ms() - t0;
	assert_int_equal(res.status, PVA_SEND_AMBIGUOUS);
	assert_non_null(strstr(res.detail, "timed out"));
	if (ms < 900 || ms > 2500)
		fail_msg("took %lld ms for a 1 s timeout", (long long)ms);
	slurp(f, "pid", pid, sizeof(pid));
	slurp(f, "child", child, sizeof(child));
	usleep(100 * 1000);
	assert_true(gone(pid));
	assert_true(gone(child));
	assert_false(exists(f, "finished"));
}

static void test_message_deadline(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	int64_t t0, ms;

	make_fake(f, "sleep", NULL, "timeout = 10;");
	init_msg(&m, "x");
	m.timeout_ms = 300;
	t0 = mono_ms();
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	ms = mono_ms() - t0;
	assert_int_equal(res.status, PVA_SEND_AMBIGUOUS);
	if (ms < 250 || ms > 1500)
		fail_msg("took %lld ms for a 300 ms deadline", (long long)ms);
}

/* The command exits without reading a text larger than the pipe buffer:
 * the write fails with EPIPE, and no SIGPIPE may reach the process. */
static void test_epipe_no_sigpipe(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	sigset_t pending, mask;
	size_t n = 1024 * 1024;
	char *big = malloc(n + 1);

	assert_non_null(big);
	memset(big, 'A', n);
	big[n] = '\0';
	make_fake(f, "exit", ", \"3\"", NULL);
	init_msg(&m, big);
	/* SIGPIPE stays at SIG_DFL: if it were delivered the test would die. */
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_non_null(strstr(res.detail, "exited 3"));
	sigpending(&pending);
	assert_false(sigismember(&pending, SIGPIPE));
	sigprocmask(SIG_SETMASK, NULL, &mask);
	assert_false(sigismember(&mask, SIGPIPE));
	free(big);
}

static void test_bad_phone(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;

	make_fake(f, "capture", ", \"{phone}\"", NULL);
	init_msg(&m, "x");
	m.phone = "+49 151; touch /tmp/pwned";
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_false(exists(f, "stdin"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_code_placeholder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_bad_argv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdin_argv_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_hygiene, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_signal_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_metacharacters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epipe_no_sigpipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_phone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
