/* test_backup.c - privacy/backup.c: backup codes: shape and alphabet,
 * single use, lenient entry, wrong codes, regeneration, count, only
 * hashes stored, corrupt and moved records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/backup.h"
#include "core/secfile.h"
#include "../lib/storefx.h"

#define T0 1700000000
#define ALPHABET "23456789abcdefghjkmnpqrstuvwxyz"

static int setup(void **state)
{
	return storefx_setup(state, "backup");
}

static int teardown(void **state)
{
	return storefx_teardown(state);
}

static void rec_path(const struct storefx *f, const char *user, char *p, size_t len)
{
	assert_int_equal(pva_store_path(&f->st, PVA_BACKUP_SUB, user, NULL, p, len), PVA_OK);
}

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;

	assert_int_equal(pva_secfile_read(path, PVA_SECFILE_PRIVATE, 65536, &buf, len), PVA_OK);
	return buf;
}

static int use(struct storefx *f, const char *user, const char *answer, unsigned *left)
{
	int acc = -1;

	assert_int_equal(pva_backup_use(&f->st, f->key, user, answer, T0 + 10, &acc, left), PVA_OK);
	assert_true(acc == 0 || acc == 1);
	return acc;
}

static void test_shape_and_distinct(void **state)
{
	struct storefx *f = *state;
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT];
	size_t i, j;
	unsigned left;
	time_t created;

	assert_int_equal(sizeof(ALPHABET) - 1, 31);
	assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0, codes), PVA_OK);
	for (i = 0; i < PVA_BACKUP_N; i++) {
		int letter = 0;
		assert_int_equal(strlen(codes[i]), 11);
		assert_int_equal(codes[i][5], '-');
		for (j = 0; j < 11; j++) {
			if (j == 5)
				continue;
			if (strchr(ALPHABET, codes[i][j]) == NULL)
				fail_msg("code %zu has '%c'", i, codes[i][j]);
			letter |= isalpha((unsigned char)codes[i][j]) != 0;
		}
		assert_true(letter);
		assert_true(pva_backup_shape(codes[i]));
		for (j = 0; j < i; j++)
			assert_string_not_equal(codes[i], codes[j]);
	}
	assert_int_equal(pva_backup_count(&f->st, "alice", &left, &created), PVA_OK);
	assert_int_equal(left, 10);
	assert_int_equal(created, T0);
	/* a second batch is different */
	{
		char again[PVA_BACKUP_N][PVA_BACKUP_TEXT];
		assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0 + 1, again),
				 PVA_OK);
		for (i = 0; i < PVA_BACKUP_N; i++)
			for (j = 0; j < PVA_BACKUP_N; j++)
				assert_string_not_equal(codes[i], again[j]);
	}
}

static void test_alphabet_coverage(void **state)
{
	struct storefx *f = *state;
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT];
	int seen[256] = { 0 };
	size_t i, j, round;

	/* 40 batches = 4000 characters: every letter of 31 shows up */
	for (round = 0; round < 40; round++) {
		assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0, codes), PVA_OK);
		for (i = 0; i < PVA_BACKUP_N; i++)
			for (j = 0; j < 11; j++)
				seen[(unsigned char)codes[i][j]]++;
	}
	for (i = 0; i < sizeof(ALPHABET) - 1; i++)
		if (seen[(unsigned char)ALPHABET[i]] == 0)
			fail_msg("'%c' never used", ALPHABET[i]);
	assert_int_equal(seen['0'] + seen['1'] + seen['o'] + seen['l'] + seen['i'], 0);
	assert_int_equal(seen['-'], 40 * PVA_BACKUP_N);
}

static void test_shape(void **state)
{
	(void)state;
	assert_true(pva_backup_shape("k7mxq-4hv9p"));
	assert_true(pva_backup_shape("K7MXQ4HV9P"));
	assert_true(pva_backup_shape(" k7m xq-4h v9p "));
	assert_true(pva_backup_shape("k-7-m-x-q-4-h-v-9-p"));
	assert_false(pva_backup_shape("k7mxq-4hv9"));     /* 9 */
	assert_false(pva_backup_shape("k7mxq-4hv9pp"));   /* 11 */
	assert_false(pva_backup_shape("k7mxq-4hv9o"));    /* o not in the alphabet */
	assert_false(pva_backup_shape("k7mxq-4hv91"));
	assert_false(pva_backup_shape("2345678923"));     /* a 10-digit login code */
	assert_false(pva_backup_shape("482913"));
	assert_false(pva_backup_shape(""));
	assert_false(pva_backup_shape("r"));
	assert_false(pva_backup_shape(NULL));
	assert_false(pva_backup_shape("k7mxq_4hv9p"));
}

/* Make a messy version of code: upper case, blanks, extra dashes. */
static void mangle(const char *code, char *out, size_t len, int how)
{
	size_t i, o = 0;

	for (i = 0; code[i] && o + 3 < len; i++) {
		char c = code[i];
		if (c == '-') {
			if (how == 0)
				continue;
			out[o++] = how == 1 ? ' ' : '-';
			continue;
		}
		out[o++] = (char)toupper((unsigned char)c);
		if (how == 2 && i % 3 == 0)
			out[o++] = ' ';
	}
	out[o] = '\0';
}

static void test_each_once_and_lenient(void **state)
{
	struct storefx *f = *state;
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT], m[64];
	unsigned left = 99;
	size_t i;

	assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0, codes), PVA_OK);
	for (i = 0; i < PVA_BACKUP_N; i++) {
		if (i % 4 == 0)
			memcpy(m, codes[i], PVA_BACKUP_TEXT);
		else
			mangle(codes[i], m, sizeof(m), (int)(i % 3));
		assert_int_equal(use(f, "alice", m, &left), 1);
		assert_int_equal(left, PVA_BACKUP_N - i - 1);
		/* used: never again, in any spelling */
		assert_int_equal(use(f, "alice", codes[i], &left), 0);
		mangle(codes[i], m, sizeof(m), 0);
		assert_int_equal(use(f, "alice", m, &left), 0);
		assert_int_equal(left, PVA_BACKUP_N - i - 1);
	}
	assert_int_equal(pva_backup_count(&f->st, "alice", &left, &(time_t){ 0 }), PVA_OK);
	assert_int_equal(left, 0);
}

static void test_wrong_and_other_user(void **state)
{
	struct storefx *f = *state;
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT], bobs[PVA_BACKUP_N][PVA_BACKUP_TEXT], w[16];
	unsigned left = 99;

	/* no codes made: nothing accepted */
	assert_int_equal(use(f, "alice", "k7mxq-4hv9p", &left), 0);
	assert_int_equal(left, 0);
	assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0, codes), PVA_OK);
	assert_int_equal(pva_backup_generate(&f->st, f->key, "bob", T0, bobs), PVA_OK);
	/* one character off */
	snprintf(w, sizeof(w), "%s", codes[0]);
	w[0] = w[0] == 'z' ? 'y' : 'z';
	assert_int_equal(use(f, "alice", w, &left), 0);
	assert_int_equal(left, 10);
	assert_int_equal(use(f, "alice", "", &left), 0);
	assert_int_equal(use(f, "alice", "123456", &left), 0);
	assert_int_equal(use(f, "alice", NULL, &left), 0);
	/* bob's code is not alice's */
	assert_int_equal(use(f, "alice", bobs[0], &left), 0);
	assert_int_equal(left, 10);
	assert_int_equal(use(f, "bob", bobs[0], &left), 1);
	assert_int_equal(left, 9);
	assert_int_equal(use(f, "alice", codes[0], &left), 1);
	assert_int_equal(left, 9);
}

static void test_regenerate_invalidates(void **state)
{
	struct storefx *f = *state;
	char old[PVA_BACKUP_N][PVA_BACKUP_TEXT], nw[PVA_BACKUP_N][PVA_BACKUP_TEXT];
	unsigned left;
	size_t i;

	assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0, old), PVA_OK);
	assert_int_equal(use(f, "alice", old[3], &left), 1);
	assert_int_equal(left, 9);
	assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0 + 50, nw), PVA_OK);
	for (i = 0; i < PVA_BACKUP_N; i++)
		assert_int_equal(use(f, "alice", old[i], &left), 0);
	assert_int_equal(left, 10);
	assert_int_equal(use(f, "alice", nw[9], &left), 1);
	assert_int_equal(left, 9);
}

static void test_only_hashes_stored(void **state)
{
	struct storefx *f = *state;
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT], path[PATH_MAX], *buf, plain[16];
	size_t len, i, lines = 0;
	struct stat sb;

	assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0, codes), PVA_OK);
	rec_path(f, "alice", path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	buf = slurp(path, &len);
	for (i = 0; i < PVA_BACKUP_N; i++) {
		assert_null(strstr(buf, codes[i]));
		memcpy(plain, codes[i], 5);
		memcpy(plain + 5, codes[i] + 6, 6);
		assert_null(strstr(buf, plain));
		assert_null(strstr(buf, plain + 5));
	}
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	assert_int_equal(lines, 2 + PVA_BACKUP_N + 1);
	assert_int_equal(strncmp(buf, "v=1\ncreated=1700000000\nh=", 25), 0);
	free(buf);
}

static void test_corrupt_and_moved(void **state)
{
	static const char *const bodies[] = {
		"v=1\n",
		"v=1\nh=0000000000000000000000000000000000000000000000000000000000000000\ncreated=5\n",
		"v=1\ncreated=5\ncreated=6\n",
		"v=1\ncreated=5\nh=00\n",
		"v=2\ncreated=5\n",
		"v=1\ncreated=5\nx=1\n",
	};
	struct storefx *f = *state;
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT], pa[PATH_MAX], pb[PATH_MAX], *orig, *bad;
	size_t len, i;
	unsigned left = 99;
	time_t created;
	int acc;

	assert_int_equal(pva_backup_generate(&f->st, f->key, "alice", T0, codes), PVA_OK);
	rec_path(f, "alice", pa, sizeof(pa));
	rec_path(f, "bob", pb, sizeof(pb));
	orig = slurp(pa, &len);
	bad = malloc(len);
	assert_non_null(bad);
	for (i = 0; i < len; i += 3) {
		memcpy(bad, orig, len);
		bad[i] ^= 0x04;
		storefx_put_raw(pa, bad, len);
		acc = -1;
		assert_int_equal(pva_backup_use(&f->st, f->key, "alice", codes[0], T0, &acc, &left),
				 PVA_ERR_CORRUPT);
		assert_int_equal(acc, 0);
		assert_int_equal(pva_backup_count(&f->st, "alice", &left, &created),
				 PVA_ERR_CORRUPT);
	}
	free(bad);
	/* alice's record under bob's name: bob's use is refused */
	storefx_put_raw(pb, orig, len);
	acc = -1;
	assert_int_equal(pva_backup_use(&f->st, f->key, "bob", codes[0], T0, &acc, &left),
			 PVA_ERR_CORRUPT);
	assert_int_equal(acc, 0);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(pva_store_write(&f->st, PVA_BACKUP_SUB, "alice", bodies[i]), PVA_OK);
		if (pva_backup_count(&f->st, "alice", &left, &created) != PVA_ERR_CORRUPT)
			fail_msg("body %zu accepted", i);
	}
	/* the original is good again; forget removes it */
	storefx_put_raw(pa, orig, len);
	assert_int_equal(pva_backup_count(&f->st, "alice", &left, &created), PVA_OK);
	assert_int_equal(left, 10);
	assert_int_equal(pva_backup_forget(&f->st, "alice"), PVA_OK);
	assert_int_not_equal(access(pa, F_OK), 0);
	assert_int_equal(pva_backup_count(&f->st, "alice", &left, &created), PVA_OK);
	assert_int_equal(left, 0);
	assert_int_equal(created, 0);
	assert_int_equal(pva_backup_forget(&f->st, "alice"), PVA_OK);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shape_and_distinct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alphabet_coverage, setup, teardown),
		cmocka_unit_test(test_shape),
		cmocka_unit_test_setup_teardown(test_each_once_and_lenient, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_and_other_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regenerate_invalidates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_hashes_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_and_moved, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
