/* test_secrets.c - the provider credentials file: permissions, syntax
 * errors with file:line, lookups, and loading in a process that never
 * called sodium_init() (a PAM host such as sshd). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/secrets.h"

struct fx {
	char dir[64];
	char path[128];
	char err[512];
	struct pva_secrets *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pva-secrets-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/secrets", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	pva_secrets_free(f->s);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void put(const struct fx *f, const char *text, mode_t mode)
{
	FILE *fp;

	unlink(f->path);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(f->path, mode), 0);
}

static enum pva_rc load(struct fx *f)
{
	pva_secrets_free(f->s);
	f->s = NULL;
	f->err[0] = '\0';
	return pva_secrets_load(f->path, &f->s, f->err, sizeof(f->err));
}

/* Run in a fresh child that has not initialised libsodium (like sshd
 * loading the module): loading must work, not abort. */
static void test_load_without_sodium_init(void **state)
{
	struct fx *f = *state;
	int status = 0;
	pid_t pid;

	put(f, "tw = { auth_token = \"abc\"; };\n", 0600);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pva_secrets *s = NULL;
		char err[256];
		int ok = pva_secrets_load(f->path, &s, err, sizeof(err)) == PVA_OK &&
			 pva_secrets_get(s, "tw", "auth_token") != NULL;

		pva_secrets_free(s);
		_exit(ok ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("pva_secrets_load killed the process with signal %d "
			 "(sodium_malloc before sodium_init?)", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_get(void **state)
{
	struct fx *f = *state;

	put(f, "# credentials\n"
	       "twilio_main = { account_sid = \"AC123\"; auth_token = \"tok\"; };\n"
	       "tencent_cn = { secret_id = \"AKID\"; secret_key = \"k\\\"ey\"; };\n", 0600);
	assert_int_equal(load(f), PVA_OK);
	assert_string_equal(pva_secrets_get(f->s, "twilio_main", "account_sid"), "AC123");
	assert_string_equal(pva_secrets_get(f->s, "twilio_main", "auth_token"), "tok");
	assert_string_equal(pva_secrets_get(f->s, "tencent_cn", "secret_key"), "k\"ey");
	assert_null(pva_secrets_get(f->s, "twilio_main", "secret_key"));
	assert_null(pva_secrets_get(f->s, "nobody", "auth_token"));
	assert_null(pva_secrets_get(NULL, "twilio_main", "auth_token"));
	/* stricter than 0600 is fine too */
	put(f, "a = { b = \"c\"; };\n", 0400);
	assert_int_equal(load(f), PVA_OK);
	assert_string_equal(pva_secrets_get(f->s, "a", "b"), "c");
}

static void test_permissions(void **state)
{
	static const mode_t bad[] = { 0640, 0604, 0644, 0660, 0606, 0666 };
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(f, "tw = { auth_token = \"abc\"; };\n", bad[i]);
		assert_int_equal(load(f), PVA_ERR_PERM);
		assert_null(f->s);
		assert_non_null(strstr(f->err, f->path));
		assert_non_null(strstr(f->err, "0600"));
		assert_null(strstr(f->err, "abc"));
	}
	/* not owned by root */
	put(f, "tw = { auth_token = \"abc\"; };\n", 0600);
	assert_int_equal(chown(f->path, 1, 1), 0);
	assert_int_equal(load(f), PVA_ERR_PERM);
	/* a symlink to a good file is refused */
	assert_int_equal(chown(f->path, 0, 0), 0);
	{
		char link[160];

		snprintf(link, sizeof(link), "%s/link", f->dir);
		assert_int_equal(symlink(f->path, link), 0);
		f->err[0] = '\0';
		assert_int_not_equal(pva_secrets_load(link, &f->s, f->err, sizeof(f->err)), PVA_OK);
		assert_null(f->s);
		unlink(link);
	}
}

static void test_missing(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	assert_int_equal(load(f), PVA_ERR_NOTFOUND);
	assert_null(f->s);
	assert_non_null(strstr(f->err, f->path));
}

static void test_syntax_errors(void **state)
{
	struct fx *f = *state;
	char want[256];

	put(f, "tw = {\n auth_token = \"abc\";\n account_sid = ;\n};\n", 0600); /* no value */
	assert_int_equal(load(f), PVA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:3:", f->path);
	if (strstr(f->err, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", f->err, want);
	assert_null(f->s);

	put(f, "tw = \"flat\";\n", 0600);
	assert_int_equal(load(f), PVA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:1: tw: expected a group", f->path);
	assert_non_null(strstr(f->err, want));

	put(f, "tw = {\n auth_token = 5;\n};\n", 0600);
	assert_int_equal(load(f), PVA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:2: tw.auth_token: expected a non-empty string", f->path);
	assert_non_null(strstr(f->err, want));

	put(f, "tw = { auth_token = \"\"; };\n", 0600);
	assert_int_equal(load(f), PVA_ERR_CONFIG);
	assert_non_null(strstr(f->err, "tw.auth_token"));
}

static void test_free_null(void **state)
{
	(void)state;
	pva_secrets_free(NULL);
	assert_null(pva_secrets_get(NULL, "a", "b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: this process has not called sodium_init() yet */
		cmocka_unit_test_setup_teardown(test_load_without_sodium_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
