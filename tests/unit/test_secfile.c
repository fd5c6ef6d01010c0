/* test_secfile.c - root-only files (core/secfile.c) and the host key
 * (core/hostkey.c): checked reads, atomic writes, safe names. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "core/hostkey.h"
#include "core/secfile.h"

/* test paths are short temp paths */
#pragma GCC diagnostic ignored "-Wformat-truncation"

struct fx {
	char dir[64];
	char path[PATH_MAX];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pva-secfile-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/file", f->dir);
	*state = f;
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void put_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static enum pva_rc read_rc(const char *path, enum pva_secfile_mode mode, size_t max)
{
	char *buf = NULL;
	size_t len = 99;
	enum pva_rc rc = pva_secfile_read(path, mode, max, &buf, &len);

	if (rc != PVA_OK) {
		assert_null(buf);
		assert_int_equal(len, 0);
	}
	free(buf);
	return rc;
}

/* Names in dir other than "." and ".."; *tmp counts the temp files. */
static size_t count_entries(const char *dir, size_t *tmp)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t n = 0;

	assert_non_null(d);
	*tmp = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		if (strstr(de->d_name, ".tmp.") != NULL)
			(*tmp)++;
	}
	closedir(d);
	return n;
}

static void test_read_ok(void **state)
{
	struct fx *f = *state;
	char *buf = NULL;
	size_t len = 0;

	put_file(f->path, "hello\n", 6, 0600);
	assert_int_equal(pva_secfile_read(f->path, PVA_SECFILE_PRIVATE, 100, &buf, &len), PVA_OK);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");
	free(buf);
	/* configuration may be world-readable */
	put_file(f->path, "x", 1, 0644);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_NOWRITE, 100), PVA_OK);
	put_file(f->path, "", 0, 0600);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_PRIVATE, 100), PVA_OK);
}

static void test_read_refuses_symlink(void **state)
{
	struct fx *f = *state;
	char target[PATH_MAX];

	snprintf(target, sizeof(target), "%s/target", f->dir);
	put_file(target, "secret", 6, 0600);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_PRIVATE, 100), PVA_ERR_PERM);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_NOWRITE, 100), PVA_ERR_PERM);
}

static void test_read_refuses_non_root(void **state)
{
	struct fx *f = *state;

	put_file(f->path, "x", 1, 0600);
	assert_int_equal(chown(f->path, 65534, 65534), 0);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_PRIVATE, 100), PVA_ERR_PERM);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_NOWRITE, 100), PVA_ERR_PERM);
	/* root owner, non-root group is fine when the group has no access */
	assert_int_equal(chown(f->path, 0, 65534), 0);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_PRIVATE, 100), PVA_OK);
}

static void test_read_refuses_modes(void **state)
{
	static const mode_t bad_both[] = { 0620, 0602, 0622, 0666, 0660 };
	static const mode_t bad_private[] = { 0640, 0604, 0610, 0601, 0644 };
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_both) / sizeof(bad_both[0]); i++) {
		put_file(f->path, "x", 1, bad_both[i]);
		if (read_rc(f->path, PVA_SECFILE_NOWRITE, 100) != PVA_ERR_PERM ||
		    read_rc(f->path, PVA_SECFILE_PRIVATE, 100) != PVA_ERR_PERM)
			fail_msg("mode %o accepted", (unsigned)bad_both[i]);
	}
	for (i = 0; i < sizeof(bad_private) / sizeof(bad_private[0]); i++) {
		put_file(f->path, "x", 1, bad_private[i]);
		if (read_rc(f->path, PVA_SECFILE_PRIVATE, 100) != PVA_ERR_PERM)
			fail_msg("private file with mode %o accepted", (unsigned)bad_private[i]);
	}
	put_file(f->path, "x", 1, 0640);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_NOWRITE, 100), PVA_OK);
}

static void test_read_refuses_other_types(void **state)
{
	struct fx *f = *state;
	char sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(read_rc(sub, PVA_SECFILE_PRIVATE, 100), PVA_ERR_PERM);
	/* a FIFO must be refused without blocking in open() */
	assert_int_equal(mkfifo(f->path, 0600), 0);
	alarm(5);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_PRIVATE, 100), PVA_ERR_PERM);
	alarm(0);
	snprintf(sub, sizeof(sub), "%s/missing", f->dir);
	assert_int_equal(read_rc(sub, PVA_SECFILE_PRIVATE, 100), PVA_ERR_NOTFOUND);
}

static void test_read_size_cap(void **state)
{
	struct fx *f = *state;
	char data[100];

	memset(data, 'a', sizeof(data));
	put_file(f->path, data, sizeof(data), 0600);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_PRIVATE, 99), PVA_ERR_INVAL);
	assert_int_equal(read_rc(f->path, PVA_SECFILE_PRIVATE, 100), PVA_OK);
}

static void test_write_atomic(void **state)
{
	struct fx *f = *state;
	char old[PATH_MAX], *buf = NULL;
	size_t len = 0, tmp = 0;
	struct stat sb;

	assert_int_equal(pva_secfile_write(f->path, "first\n", 6, 0600), PVA_OK);
	/* a hard link to the old version keeps the old bytes: replaced by
	 * rename, never rewritten in place */
	snprintf(old, sizeof(old), "%s/old", f->dir);
	assert_int_equal(link(f->path, old), 0);
	assert_int_equal(pva_secfile_write(f->path, "second!\n", 8, 0600), PVA_OK);
	assert_int_equal(pva_secfile_read(f->path, PVA_SECFILE_PRIVATE, 100, &buf, &len), PVA_OK);
	assert_string_equal(buf, "second!\n");
	free(buf);
	assert_int_equal(pva_secfile_read(old, PVA_SECFILE_PRIVATE, 100, &buf, &len), PVA_OK);
	assert_string_equal(buf, "first\n");
	free(buf);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_uid, 0);
	assert_int_equal(count_entries(f->dir, &tmp), 2);
	assert_int_equal(tmp, 0);
}

static void test_write_replaces_symlink_not_target(void **state)
{
	struct fx *f = *state;
	char target[PATH_MAX], *buf = NULL;
	size_t len = 0;
	struct stat sb;

	snprintf(target, sizeof(target), "%s/target", f->dir);
	put_file(target, "keep", 4, 0600);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(pva_secfile_write(f->path, "new", 3, 0600), PVA_OK);
	assert_int_equal(lstat(f->path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(pva_secfile_read(target, PVA_SECFILE_PRIVATE, 100, &buf, &len), PVA_OK);
	assert_string_equal(buf, "keep");
	free(buf);
}

static void test_write_into_missing_dir(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX];
	size_t tmp = 0;

	snprintf(p, sizeof(p), "%s/nodir/file", f->dir);
	assert_int_not_equal(pva_secfile_write(p, "x", 1, 0600), PVA_OK);
	assert_int_equal(count_entries(f->dir, &tmp), 0);
}

static void test_create(void **state)
{
	struct fx *f = *state;
	char *buf = NULL;
	size_t len = 0, tmp = 0;
	struct stat sb;

	assert_int_equal(pva_secfile_create(f->path, "one", 3, 0600), PVA_OK);
	assert_int_equal(pva_secfile_create(f->path, "two", 3, 0600), PVA_ERR_BUSY);
	assert_int_equal(pva_secfile_read(f->path, PVA_SECFILE_PRIVATE, 100, &buf, &len), PVA_OK);
	assert_string_equal(buf, "one");
	free(buf);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_nlink, 1); /* the temp link is gone */
	assert_int_equal(count_entries(f->dir, &tmp), 1);
	assert_int_equal(tmp, 0);
	/* a dangling symlink counts as existing: never followed */
	unlink(f->path);
	assert_int_equal(symlink("/nonexistent-pva", f->path), 0);
	assert_int_equal(pva_secfile_create(f->path, "x", 1, 0600), PVA_ERR_BUSY);
	assert_int_equal(access("/nonexistent-pva", F_OK), -1);
}

static void test_secdir_ensure(void **state)
{
	struct fx *f = *state;
	char d[PATH_MAX], link_path[PATH_MAX];
	struct stat sb;

	snprintf(d, sizeof(d), "%s/d", f->dir);
	assert_int_equal(pva_secdir_ensure(d), PVA_OK);
	assert_int_equal(stat(d, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 077, 0);
	assert_int_equal(pva_secdir_ensure(d), PVA_OK); /* exists: fine */
	assert_int_equal(chmod(d, 0755), 0);
	assert_int_equal(pva_secdir_ensure(d), PVA_ERR_PERM);
	assert_int_equal(chmod(d, 0710), 0);
	assert_int_equal(pva_secdir_ensure(d), PVA_ERR_PERM);
	assert_int_equal(chmod(d, 0700), 0);
	assert_int_equal(chown(d, 65534, 0), 0);
	assert_int_equal(pva_secdir_ensure(d), PVA_ERR_PERM);
	assert_int_equal(chown(d, 0, 0), 0);
	snprintf(link_path, sizeof(link_path), "%s/l", f->dir);
	assert_int_equal(symlink(d, link_path), 0);
	assert_int_equal(pva_secdir_ensure(link_path), PVA_ERR_PERM);
	put_file(f->path, "x", 1, 0600);
	assert_int_equal(pva_secdir_ensure(f->path), PVA_ERR_PERM);
	snprintf(d, sizeof(d), "%s/no/such", f->dir);
	assert_int_equal(pva_secdir_ensure(d), PVA_ERR_NOTFOUND);
}

static void name_is(const char *user, const char *want)
{
	char out[3 * 128 + 1];

	assert_int_equal(pva_secfile_name(user, out, sizeof(out)), PVA_OK);
	if (strcmp(out, want) != 0)
		fail_msg("name(%s) = %s, want %s", user, out, want);
}

static void test_name(void **state)
{
	char big[130], out[3 * 128 + 1], one[2] = { 0, 0 };
	unsigned c;

	(void)state;
	name_is("alice", "alice");
	name_is("First.Last_9-x", "First.Last_9-x");
	name_is("a/b", "a%2Fb");
	name_is("..", "%2E.");
	name_is(".", "%2E");
	name_is(".hidden", "%2Ehidden");
	name_is("../../etc/passwd", "%2E.%2F..%2Fetc%2Fpasswd");
	name_is("a b%", "a%20b%25");
	name_is("\xc3\xa9", "%C3%A9");
	assert_int_equal(pva_secfile_name("", out, sizeof(out)), PVA_ERR_INVAL);
	assert_int_equal(pva_secfile_name(NULL, out, sizeof(out)), PVA_ERR_INVAL);
	memset(big, 'a', 128);
	big[128] = '\0';
	assert_int_equal(pva_secfile_name(big, out, sizeof(out)), PVA_OK);
	assert_int_equal(strlen(out), 128);
	assert_int_equal(pva_secfile_name(big, out, 128), PVA_ERR_INVAL);
	big[128] = 'a';
	big[129] = '\0';
	assert_int_equal(pva_secfile_name(big, out, sizeof(out)), PVA_ERR_INVAL);
	memset(big, '/', 128);
	big[128] = '\0';
	assert_int_equal(pva_secfile_name(big, out, sizeof(out)), PVA_OK);
	assert_int_equal(pva_secfile_name(big, out, sizeof(out) - 1), PVA_ERR_INVAL);
	/* no single byte becomes a path separator, "." or ".." */
	for (c = 1; c < 256; c++) {
		one[0] = (char)c;
		assert_int_equal(pva_secfile_name(one, out, sizeof(out)), PVA_OK);
		assert_null(strchr(out, '/'));
		assert_int_not_equal(out[0], '.');
	}
}

/* ---- host key --------------------------------------------------------- */

static void test_hostkey_create_and_reload(void **state)
{
	struct fx *f = *state;
	struct pva_hostkey *a = NULL, *b = NULL;
	struct stat sb;

	assert_int_equal(pva_hostkey_load(f->path, 0, &a), PVA_ERR_NOTFOUND);
	assert_null(a);
	assert_int_equal(pva_hostkey_load(f->path, 1, &a), PVA_OK);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_uid, 0);
	assert_int_equal(sb.st_size, PVA_KEY_BYTES);
	assert_int_equal(pva_hostkey_load(f->path, 1, &b), PVA_OK);
	assert_memory_equal(a->code_key, b->code_key, PVA_KEY_BYTES);
	assert_memory_equal(a->mac_key, b->mac_key, PVA_KEY_BYTES);
	assert_memory_not_equal(a->code_key, a->mac_key, PVA_KEY_BYTES);
	pva_hostkey_free(a);
	pva_hostkey_free(b);
	pva_hostkey_free(NULL);
}

static void test_hostkey_creates_missing_parent(void **state)
{
	struct fx *f = *state;
	struct pva_hostkey *k = NULL;
	char p[PATH_MAX];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/statedir/host.key", f->dir);
	assert_int_equal(pva_hostkey_load(p, 1, &k), PVA_OK);
	pva_hostkey_free(k);
	snprintf(p, sizeof(p), "%s/statedir", f->dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
}

static void test_hostkey_matches_bytes(void **state)
{
	struct fx *f = *state;
	unsigned char raw[PVA_KEY_BYTES];
	struct pva_hostkey *a = NULL, *b = NULL, *c = NULL;

	randombytes_buf(raw, sizeof(raw));
	put_file(f->path, raw, sizeof(raw), 0600);
	assert_int_equal(pva_hostkey_load(f->path, 0, &a), PVA_OK);
	assert_int_equal(pva_hostkey_from_bytes(raw, &b), PVA_OK);
	assert_memory_equal(a->code_key, b->code_key, PVA_KEY_BYTES);
	assert_memory_equal(a->mac_key, b->mac_key, PVA_KEY_BYTES);
	/* the subkeys are derived, not the raw key itself */
	assert_memory_not_equal(a->code_key, raw, PVA_KEY_BYTES);
	assert_memory_not_equal(a->mac_key, raw, PVA_KEY_BYTES);
	raw[0] ^= 1;
	assert_int_equal(pva_hostkey_from_bytes(raw, &c), PVA_OK);
	assert_memory_not_equal(a->code_key, c->code_key, PVA_KEY_BYTES);
	assert_memory_not_equal(a->mac_key, c->mac_key, PVA_KEY_BYTES);
	pva_hostkey_free(a);
	pva_hostkey_free(b);
	pva_hostkey_free(c);
}

static void test_hostkey_bad_files(void **state)
{
	static const size_t sizes[] = { 0, 1, 31, 33, 64, 5000 };
	struct fx *f = *state;
	unsigned char raw[5000];
	struct pva_hostkey *k = NULL;
	size_t i;

	memset(raw, 7, sizeof(raw));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		put_file(f->path, raw, sizes[i], 0600);
		if (pva_hostkey_load(f->path, 1, &k) != PVA_ERR_CORRUPT)
			fail_msg("key of %zu bytes not CORRUPT", sizes[i]);
		assert_null(k);
	}
	put_file(f->path, raw, PVA_KEY_BYTES, 0644);
	assert_int_equal(pva_hostkey_load(f->path, 1, &k), PVA_ERR_PERM);
	put_file(f->path, raw, PVA_KEY_BYTES, 0640);
	assert_int_equal(pva_hostkey_load(f->path, 0, &k), PVA_ERR_PERM);
	put_file(f->path, raw, PVA_KEY_BYTES, 0600);
	assert_int_equal(chown(f->path, 65534, 0), 0);
	assert_int_equal(pva_hostkey_load(f->path, 0, &k), PVA_ERR_PERM);
	assert_null(k);
}

/* Concurrent first loads agree on one key. */
static void test_hostkey_concurrent_create(void **state)
{
	struct fx *f = *state;
	unsigned char first[PVA_KEY_BYTES], got[PVA_KEY_BYTES];
	int fds[2], i, status;
	pid_t pids[8];

	assert_int_equal(pipe(fds), 0);
	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct pva_hostkey *k = NULL;
			int ok = pva_hostkey_load(f->path, 1, &k) == PVA_OK &&
				 write(fds[1], k->mac_key, PVA_KEY_BYTES) == PVA_KEY_BYTES;
			_exit(ok ? 0 : 1);
		}
	}
	close(fds[1]);
	for (i = 0; i < 8; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(read(fds[0], i ? got : first, PVA_KEY_BYTES), PVA_KEY_BYTES);
		if (i)
			assert_memory_equal(first, got, PVA_KEY_BYTES);
	}
	close(fds[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_non_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_other_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_size_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_replaces_symlink_not_target, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_into_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secdir_ensure, setup, teardown),
		cmocka_unit_test(test_name),
		cmocka_unit_test_setup_teardown(test_hostkey_create_and_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostkey_creates_missing_parent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostkey_matches_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostkey_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostkey_concurrent_create, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
