/* test_unname.c - core/secfile.c pva_secfile_unname (file name -> user
 * name, the reverse of pva_secfile_name) and store/store.c locks that
 * survive their lock file being unlinked (what purge does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/secfile.h"
#include "store/store.h"
#include "../lib/storefx.h"

static void roundtrip(const char *user)
{
	char esc[3 * 128 + 1], back[PVA_USER_MAX];

	assert_int_equal(pva_secfile_name(user, esc, sizeof(esc)), PVA_OK);
	assert_int_equal(pva_secfile_unname(esc, back, sizeof(back)), PVA_OK);
	assert_string_equal(back, user);
}

static void test_roundtrips(void **state)
{
	char all[129];
	size_t i;

	(void)state;
	roundtrip("alice");
	roundtrip("a.b-c_d");
	roundtrip(".hidden");
	roundtrip("..");
	roundtrip("a/b");
	roundtrip("a b%c");
	roundtrip("DOMAIN\\user");
	roundtrip("\xe5\xbc\xa0\xe4\xb8\x89"); /* UTF-8 */
	roundtrip("x\x7f");
	/* every byte 1..127, and 128 bytes long */
	for (i = 0; i < 127; i++)
		all[i] = (char)(i + 1);
	all[127] = '\0';
	roundtrip(all);
	memset(all, '%', 128);
	all[128] = '\0';
	roundtrip(all);
}

static void test_refuses(void **state)
{
	static const char *const bad[] = {
		"", "%", "%4", "%4G", "%zz", "%61",   /* 'a' is never escaped */
		"%2d", "%2D",                          /* '-' kept as is */
		".x",                                  /* a leading '.' is escaped */
		"a b", "a/b", "a%00b", "%2e%2E",
		"%2e%2e%2f",                           /* lower-case hex */
	};
	char out[PVA_USER_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pva_secfile_unname(bad[i], out, sizeof(out)) != PVA_ERR_INVAL)
			fail_msg("'%s' accepted as '%s'", bad[i], out);
	assert_int_equal(pva_secfile_unname(NULL, out, sizeof(out)), PVA_ERR_INVAL);
	/* out too small */
	assert_int_equal(pva_secfile_unname("alice", out, 5), PVA_ERR_INVAL);
	assert_int_equal(pva_secfile_unname("alice", out, 6), PVA_OK);
	assert_string_equal(out, "alice");
	assert_int_equal(pva_secfile_unname("%2E.", out, sizeof(out)), PVA_OK);
	assert_string_equal(out, "..");
	assert_int_equal(pva_secfile_unname("%2E%2E", out, sizeof(out)), PVA_ERR_INVAL);
}

static int setup(void **state)
{
	return storefx_setup(state, "unname");
}

static int teardown(void **state)
{
	return storefx_teardown(state);
}

/* A waiter that got the flock of an unlinked lock file must reopen and
 * lock the file that is at the path now. */
static void test_lock_unlinked_meanwhile(void **state)
{
	struct storefx *f = *state;
	char path[PATH_MAX];
	int fd = -1, fd2 = -1, pfd[2], status;
	struct stat a, b;
	pid_t pid;
	char c;

	assert_int_equal(pva_store_path(&f->st, "locks", "alice", NULL, path, sizeof(path)), PVA_OK);
	assert_int_equal(pva_store_lock(&f->st, "locks", "alice", NULL, 1000, &fd), PVA_OK);
	/* busy for a second locker, with and without waiting */
	assert_int_equal(pva_store_lock(&f->st, "locks", "alice", NULL, 0, &fd2), PVA_ERR_BUSY);
	assert_int_equal(fd2, -1);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int cfd = -1;
		struct stat x, y;
		close(pfd[0]);
		/* waits while the parent holds it */
		if (pva_store_lock(&f->st, "locks", "alice", NULL, 5000, &cfd) != PVA_OK)
			_exit(2);
		if (fstat(cfd, &x) != 0 || lstat(path, &y) != 0 || x.st_ino != y.st_ino)
			_exit(3);
		if (write(pfd[1], "L", 1) != 1)
			_exit(4);
		sleep(1); /* hold it: the parent checks it is really taken */
		pva_store_unlock(cfd);
		_exit(0);
	}
	close(pfd[1]);
	usleep(200000); /* the child is waiting on the old file */
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(unlink(path), 0); /* what purge does, holding the lock */
	pva_store_unlock(fd);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	assert_int_equal(c, 'L');
	/* the child holds the new file: we cannot take it */
	assert_int_equal(lstat(path, &b), 0);
	assert_int_equal(pva_store_lock(&f->st, "locks", "alice", NULL, 0, &fd2), PVA_ERR_BUSY);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(pva_store_lock(&f->st, "locks", "alice", NULL, 0, &fd2), PVA_OK);
	pva_store_unlock(fd2);
	close(pfd[0]);
}

/* A lock file replaced by another file between open and flock. */
static void test_lock_replaced(void **state)
{
	struct storefx *f = *state;
	char path[PATH_MAX], other[PATH_MAX + 8];
	int fd = -1, fd2 = -1;
	struct stat x, y;

	assert_int_equal(pva_store_path(&f->st, "locks", "bob", NULL, path, sizeof(path)), PVA_OK);
	assert_int_equal(pva_store_lock(&f->st, "locks", "bob", NULL, 1000, &fd), PVA_OK);
	snprintf(other, sizeof(other), "%s.new", path);
	storefx_put_raw(other, "", 0);
	assert_int_equal(rename(other, path), 0);
	/* the holder's file is gone from the path: a new locker gets the new one */
	assert_int_equal(pva_store_lock(&f->st, "locks", "bob", NULL, 0, &fd2), PVA_OK);
	assert_int_equal(fstat(fd2, &x), 0);
	assert_int_equal(lstat(path, &y), 0);
	assert_int_equal(x.st_ino, y.st_ino);
	pva_store_unlock(fd2);
	pva_store_unlock(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrips),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test_setup_teardown(test_lock_unlinked_meanwhile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_replaced, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
