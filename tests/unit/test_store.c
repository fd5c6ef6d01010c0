/* test_store.c - state_dir layout, sealed records, the record line syntax. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "store/store.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

struct fx {
	char root[64];
	char dir[128];
	struct pva_hostkey *key;
	struct pva_store st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned char raw[PVA_KEY_BYTES];

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/pva-store-XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/sd", f->root);
	randombytes_buf(raw, sizeof(raw));
	if (pva_hostkey_from_bytes(raw, &f->key) != PVA_OK ||
	    pva_store_open(&f->st, f->dir, f->key, 1) != PVA_OK)
		return -1;
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

	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	pva_hostkey_free(f->key);
	free(f);
	return 0;
}

static void test_open(void **state)
{
	static const char *const subs[] = { "", "/state", "/phones", "/locks" };
	struct fx *f = *state;
	struct pva_store st;
	char d[256], p[300];
	struct stat sb;
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", f->dir, subs[i]);
		assert_int_equal(stat(p, &sb), 0);
		assert_true(S_ISDIR(sb.st_mode));
		assert_int_equal(sb.st_mode & 07777, 0700);
	}
	assert_int_equal(pva_store_open(&st, f->dir, f->key, 0), PVA_OK);
	assert_string_equal(st.dir, f->dir);
	assert_ptr_equal(st.key, f->key);
	snprintf(d, sizeof(d), "%s/other", f->root);
	assert_int_equal(pva_store_open(&st, d, f->key, 0), PVA_ERR_NOTFOUND);
	assert_int_equal(access(d, F_OK), -1); /* nothing created */
	assert_int_equal(pva_store_open(&st, d, NULL, 1), PVA_ERR_INVAL);
	assert_int_equal(pva_store_open(&st, "", f->key, 1), PVA_ERR_INVAL);
	/* a missing sub-directory */
	snprintf(p, sizeof(p), "%s/phones", f->dir);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(pva_store_open(&st, f->dir, f->key, 0), PVA_ERR_NOTFOUND);
	assert_int_equal(pva_store_open(&st, f->dir, f->key, 1), PVA_OK);
	/* unsafe modes and owners */
	assert_int_equal(chmod(p, 0755), 0);
	assert_int_equal(pva_store_open(&st, f->dir, f->key, 0), PVA_ERR_PERM);
	assert_int_equal(pva_store_open(&st, f->dir, f->key, 1), PVA_ERR_PERM);
	assert_int_equal(chmod(p, 0700), 0);
	assert_int_equal(chown(f->dir, 65534, 0), 0);
	assert_int_equal(pva_store_open(&st, f->dir, f->key, 1), PVA_ERR_PERM);
	assert_int_equal(chown(f->dir, 0, 0), 0);
}

static void test_path(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], want[PATH_MAX], big[200];

	assert_int_equal(pva_store_path(&f->st, "state", "alice", NULL, p, sizeof(p)), PVA_OK);
	snprintf(want, sizeof(want), "%s/state/alice", f->dir);
	assert_string_equal(p, want);
	assert_int_equal(pva_store_path(&f->st, "locks", "../x", ".l", p, sizeof(p)), PVA_OK);
	snprintf(want, sizeof(want), "%s/locks/%%2E.%%2Fx.l", f->dir);
	assert_string_equal(p, want);
	assert_int_equal(pva_store_path(&f->st, "state", "", NULL, p, sizeof(p)), PVA_ERR_INVAL);
	assert_int_equal(pva_store_path(&f->st, "state", "a\nb", NULL, p, sizeof(p)),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_store_path(&f->st, "state", "a\tb", NULL, p, sizeof(p)),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_store_path(&f->st, "state", "a\x7f", NULL, p, sizeof(p)),
			 PVA_ERR_INVAL);
	memset(big, 'u', 129);
	big[129] = '\0';
	assert_int_equal(pva_store_path(&f->st, "state", big, NULL, p, sizeof(p)), PVA_ERR_INVAL);
	big[128] = '\0';
	assert_int_equal(pva_store_path(&f->st, "state", big, NULL, p, sizeof(p)), PVA_OK);
	assert_int_equal(pva_store_path(&f->st, "state", big, NULL, p, 20), PVA_ERR_INVAL);
	assert_string_equal(p, "");
}

static const char body[] = "v=1\nuser=alice\nx=1\n";

static void test_seal_roundtrip(void **state)
{
	struct fx *f = *state;
	char rec[256];
	size_t used = 0, blen = 1;

	assert_int_equal(pva_store_seal(&f->st, "state", "alice", body, rec, sizeof(rec), &used),
			 PVA_OK);
	assert_int_equal(used, strlen(body) + 69);
	assert_int_equal(strlen(rec), used);
	assert_memory_equal(rec, body, strlen(body));
	assert_memory_equal(rec + strlen(body), "mac=", 4);
	assert_int_equal(pva_store_unseal(&f->st, "state", "alice", rec, used, &blen), PVA_OK);
	assert_int_equal(blen, strlen(body));
	/* an empty body is fine too */
	assert_int_equal(pva_store_seal(&f->st, "state", "alice", "", rec, sizeof(rec), &used),
			 PVA_OK);
	assert_int_equal(pva_store_unseal(&f->st, "state", "alice", rec, used, &blen), PVA_OK);
	assert_int_equal(blen, 0);
	/* refused: a body without its final newline, too small an output */
	assert_int_equal(pva_store_seal(&f->st, "state", "alice", "v=1", rec, sizeof(rec), &used),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_store_seal(&f->st, "state", "alice", body, rec,
					strlen(body) + 69, &used), PVA_ERR_INVAL);
	assert_int_equal(used, 0);
	assert_int_equal(pva_store_seal(&f->st, "state", "alice", body, rec,
					strlen(body) + 70, &used), PVA_OK);
}

static void test_unseal_tamper(void **state)
{
	struct fx *f = *state;
	char rec[256], bad[256];
	size_t used = 0, blen = 0, i;
	unsigned bit;

	assert_int_equal(pva_store_seal(&f->st, "state", "alice", body, rec, sizeof(rec), &used),
			 PVA_OK);
	for (i = 0; i < used; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, rec, used);
			bad[i] = (char)(bad[i] ^ (1 << bit));
			if (pva_store_unseal(&f->st, "state", "alice", bad, used, &blen) !=
			    PVA_ERR_CORRUPT)
				fail_msg("flip of bit %u at %zu accepted", bit, i);
			assert_int_equal(blen, 0);
		}
	for (i = 0; i < used; i++)
		if (pva_store_unseal(&f->st, "state", "alice", rec, i, &blen) != PVA_ERR_CORRUPT)
			fail_msg("truncation to %zu accepted", i);
	memcpy(bad, rec, used);
	memcpy(bad + used, "x=2\n", 4);
	assert_int_equal(pva_store_unseal(&f->st, "state", "alice", bad, used + 4, &blen),
			 PVA_ERR_CORRUPT);
	/* the hex must be the canonical lower-case spelling */
	memcpy(bad, rec, used);
	for (i = used - 65; i < used - 1; i++)
		if (bad[i] >= 'a' && bad[i] <= 'f')
			break;
	assert_true(i < used - 1);
	bad[i] = (char)(bad[i] - 'a' + 'A');
	assert_int_equal(pva_store_unseal(&f->st, "state", "alice", bad, used, &blen),
			 PVA_ERR_CORRUPT);
}

static void test_unseal_binding(void **state)
{
	struct fx *f = *state;
	unsigned char raw[PVA_KEY_BYTES];
	struct pva_hostkey *other = NULL;
	struct pva_store st2;
	char rec[256];
	size_t used = 0, blen = 0;

	assert_int_equal(pva_store_seal(&f->st, "state", "alice", body, rec, sizeof(rec), &used),
			 PVA_OK);
	assert_int_equal(pva_store_unseal(&f->st, "state", "bob", rec, used, &blen),
			 PVA_ERR_CORRUPT);
	assert_int_equal(pva_store_unseal(&f->st, "state", "alicE", rec, used, &blen),
			 PVA_ERR_CORRUPT);
	assert_int_equal(pva_store_unseal(&f->st, "phones", "alice", rec, used, &blen),
			 PVA_ERR_CORRUPT);
	/* sub and user cannot run together: ("state","alice") != ("stat","ealice") */
	assert_int_equal(pva_store_unseal(&f->st, "stat", "ealice", rec, used, &blen),
			 PVA_ERR_CORRUPT);
	randombytes_buf(raw, sizeof(raw));
	assert_int_equal(pva_hostkey_from_bytes(raw, &other), PVA_OK);
	st2 = f->st;
	st2.key = other;
	assert_int_equal(pva_store_unseal(&st2, "state", "alice", rec, used, &blen),
			 PVA_ERR_CORRUPT);
	pva_hostkey_free(other);
	assert_int_equal(pva_store_unseal(&f->st, "state", "alice", rec, used, &blen), PVA_OK);
}

static void put_raw(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void test_read_write_remove(void **state)
{
	struct fx *f = *state;
	char *b = NULL, pa[PATH_MAX], pb[PATH_MAX], *big;
	size_t len = 0;
	struct stat sb;

	assert_int_equal(pva_store_read(&f->st, "state", "alice", &b, &len), PVA_ERR_NOTFOUND);
	assert_int_equal(pva_store_write(&f->st, "state", "alice", body), PVA_OK);
	assert_int_equal(pva_store_read(&f->st, "state", "alice", &b, &len), PVA_OK);
	assert_int_equal(len, strlen(body));
	assert_string_equal(b, body); /* NUL-terminated, MAC line gone */
	free(b);
	assert_int_equal(pva_store_path(&f->st, "state", "alice", NULL, pa, sizeof(pa)), PVA_OK);
	assert_int_equal(stat(pa, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* copied to another user's file, or to the phone directory */
	assert_int_equal(pva_store_path(&f->st, "state", "bob", NULL, pb, sizeof(pb)), PVA_OK);
	assert_int_equal(link(pa, pb), 0);
	assert_int_equal(pva_store_read(&f->st, "state", "bob", &b, &len), PVA_ERR_CORRUPT);
	assert_null(b);
	assert_int_equal(pva_store_path(&f->st, "phones", "alice", NULL, pb, sizeof(pb)), PVA_OK);
	assert_int_equal(link(pa, pb), 0);
	assert_int_equal(pva_store_read(&f->st, "phones", "alice", &b, &len), PVA_ERR_CORRUPT);
	/* unsafe mode */
	assert_int_equal(chmod(pa, 0644), 0);
	assert_int_equal(pva_store_read(&f->st, "state", "alice", &b, &len), PVA_ERR_PERM);
	/* oversized */
	big = malloc(PVA_STORE_REC_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', PVA_STORE_REC_MAX + 1);
	put_raw(pa, big, PVA_STORE_REC_MAX + 1, 0600);
	free(big);
	assert_int_equal(pva_store_read(&f->st, "state", "alice", &b, &len), PVA_ERR_CORRUPT);
	/* remove, twice */
	assert_int_equal(pva_store_remove(&f->st, "state", "alice"), PVA_OK);
	assert_int_equal(pva_store_remove(&f->st, "state", "alice"), PVA_OK);
	assert_int_equal(pva_store_read(&f->st, "state", "alice", &b, &len), PVA_ERR_NOTFOUND);
	assert_int_equal(pva_store_write(&f->st, "state", "", body), PVA_ERR_INVAL);
	assert_int_equal(pva_store_write(&f->st, "state", "alice", "no newline"), PVA_ERR_INVAL);
}

static void test_lines(void **state)
{
	static const char *const bad[] = { "a=1", "=1\n", "A=1\n", "a\n", "a-b=1\n",
		"a=\x01\n", "a=x\ry\n", "a b=1\n", "\n", NULL };
	static const char good[] = "v=1\nuser=a=b c\nempty=\n";
	struct pva_store_line ln;
	size_t pos = 0, i;

	(void)state;
	assert_int_equal(pva_store_next_line(good, strlen(good), &pos, &ln), PVA_OK);
	assert_true(pva_store_line_is(&ln, "v", "1"));
	assert_false(pva_store_line_is(&ln, "v", "12"));
	assert_false(pva_store_line_is(&ln, "vv", NULL));
	assert_int_equal(pva_store_next_line(good, strlen(good), &pos, &ln), PVA_OK);
	assert_true(pva_store_line_is(&ln, "user", "a=b c"));
	assert_int_equal(pva_store_next_line(good, strlen(good), &pos, &ln), PVA_OK);
	assert_true(pva_store_line_is(&ln, "empty", ""));
	assert_int_equal(pva_store_next_line(good, strlen(good), &pos, &ln), PVA_ERR_NOTFOUND);
	for (i = 0; bad[i]; i++) {
		pos = 0;
		if (pva_store_next_line(bad[i], strlen(bad[i]), &pos, &ln) != PVA_ERR_CORRUPT)
			fail_msg("line \"%s\" accepted", bad[i]);
	}
	pos = 0; /* an embedded NUL */
	assert_int_equal(pva_store_next_line("a=\0b\n", 5, &pos, &ln), PVA_ERR_CORRUPT);
}

static void num_ok(const char *s, unsigned long long max, unsigned long long want)
{
	unsigned long long v = 1234;

	if (pva_store_num(s, strlen(s), max, &v) != PVA_OK || v != want)
		fail_msg("num(%s) refused or wrong", s);
}

static void num_bad(const char *s, unsigned long long max)
{
	unsigned long long v;

	if (pva_store_num(s, strlen(s), max, &v) != PVA_ERR_CORRUPT)
		fail_msg("num(%s, max %llu) accepted", s, max);
}

static void test_num(void **state)
{
	(void)state;
	num_ok("0", 0, 0);
	num_ok("7", 9, 7);
	num_ok("4294967295", 4294967295ULL, 4294967295ULL);
	num_ok("18446744073709551615", ULLONG_MAX, ULLONG_MAX);
	num_ok("253402300799", PVA_STORE_TIME_MAX, 253402300799ULL);
	num_bad("1", 0);
	num_bad("10", 9);
	num_bad("4294967296", 4294967295ULL);
	num_bad("18446744073709551616", ULLONG_MAX);
	num_bad("100000000000000000000", ULLONG_MAX);
	num_bad("253402300800", PVA_STORE_TIME_MAX);
	num_bad("", 100);
	num_bad("01", 100);
	num_bad("-1", 100);
	num_bad("+1", 100);
	num_bad(" 1", 100);
	num_bad("1 ", 100);
	num_bad("0x1", 100);
	num_bad("1e3", 10000);
}

static void test_channels(void **state)
{
	enum pva_channel ch = 0;

	(void)state;
	assert_string_equal(pva_store_channel_str(PVA_CH_SMS), "sms");
	assert_string_equal(pva_store_channel_str(PVA_CH_VOICE), "voice");
	assert_null(pva_store_channel_str((enum pva_channel)0));
	assert_null(pva_store_channel_str((enum pva_channel)3));
	assert_int_equal(pva_store_channel_parse("sms", 3, &ch), PVA_OK);
	assert_int_equal(ch, PVA_CH_SMS);
	assert_int_equal(pva_store_channel_parse("voice", 5, &ch), PVA_OK);
	assert_int_equal(ch, PVA_CH_VOICE);
	assert_int_equal(pva_store_channel_parse("SMS", 3, &ch), PVA_ERR_CORRUPT);
	assert_int_equal(pva_store_channel_parse("sms ", 4, &ch), PVA_ERR_CORRUPT);
	assert_int_equal(pva_store_channel_parse("fax", 3, &ch), PVA_ERR_CORRUPT);
	assert_int_equal(pva_store_channel_parse("", 0, &ch), PVA_ERR_CORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unseal_tamper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unseal_binding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_write_remove, setup, teardown),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_channels),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
