/* test_consent.c - privacy/consent.c: the record of agreements to the
 * privacy notice: round trips, replacement, corrupt and moved records,
 * revoke. */
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
#include <unistd.h>

#include "privacy/consent.h"
#include "core/secfile.h"
#include "../lib/storefx.h"

#define T0 1700000000

static int setup(void **state)
{
	return storefx_setup(state, "consent");
}

static int teardown(void **state)
{
	return storefx_teardown(state);
}

static void rec_path(const struct storefx *f, const char *user, char *p, size_t len)
{
	assert_int_equal(pva_store_path(&f->st, PVA_CONSENT_SUB, user, NULL, p, len), PVA_OK);
}

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;

	assert_int_equal(pva_secfile_read(path, PVA_SECFILE_PRIVATE, 65536, &buf, len), PVA_OK);
	return buf;
}

static void test_empty_and_roundtrip(void **state)
{
	struct storefx *f = *state;
	struct pva_consent c;
	const struct pva_consent_entry *e;
	char path[PATH_MAX], dir[PATH_MAX];
	struct stat sb;

	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	assert_int_equal(c.n, 0);
	assert_null(pva_consent_find(&c, "sshd"));
	/* the sub-directory is made on first write */
	snprintf(dir, sizeof(dir), "%s/%s", f->st.dir, PVA_CONSENT_SUB);
	assert_int_not_equal(lstat(dir, &sb), 0);

	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "0123456789abcdef", T0),
			 PVA_OK);
	assert_int_equal(pva_consent_record(&f->st, "alice", "sudo", "fedcba9876543210", T0 + 5),
			 PVA_OK);
	assert_int_equal(lstat(dir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	rec_path(f, "alice", path, sizeof(path));
	assert_int_equal(lstat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	assert_int_equal(c.n, 2);
	e = pva_consent_find(&c, "sshd");
	assert_non_null(e);
	assert_string_equal(e->version, "0123456789abcdef");
	assert_int_equal(e->when, T0);
	e = pva_consent_find(&c, "sudo");
	assert_non_null(e);
	assert_string_equal(e->version, "fedcba9876543210");
	assert_int_equal(e->when, T0 + 5);
	assert_null(pva_consent_find(&c, "login"));

	/* a new notice version replaces the old entry */
	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "00000000000000ff", T0 + 60),
			 PVA_OK);
	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	assert_int_equal(c.n, 2);
	e = pva_consent_find(&c, "sshd");
	assert_string_equal(e->version, "00000000000000ff");
	assert_int_equal(e->when, T0 + 60);

	/* other users are separate */
	assert_int_equal(pva_consent_load(&f->st, "bob", &c), PVA_OK);
	assert_int_equal(c.n, 0);
	/* an odd user name maps to an escaped file name */
	assert_int_equal(pva_consent_record(&f->st, "../x y", "sshd", "ab", T0), PVA_OK);
	assert_int_equal(pva_consent_load(&f->st, "../x y", &c), PVA_OK);
	assert_int_equal(c.n, 1);
}

static void test_bad_arguments(void **state)
{
	struct storefx *f = *state;
	struct pva_consent c;

	assert_int_equal(pva_consent_record(&f->st, "alice", "ss hd", "ab", T0), PVA_ERR_INVAL);
	assert_int_equal(pva_consent_record(&f->st, "alice", "", "ab", T0), PVA_ERR_INVAL);
	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "", T0), PVA_ERR_INVAL);
	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "ABCDEF", T0), PVA_ERR_INVAL);
	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "0123456789abcdef0", T0),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "ab", -1), PVA_ERR_INVAL);
	assert_int_equal(pva_consent_record(&f->st, "", "sshd", "ab", T0), PVA_ERR_INVAL);
	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	assert_int_equal(c.n, 0);
}

static void test_limit(void **state)
{
	struct storefx *f = *state;
	struct pva_consent c;
	char svc[32];
	int i;

	for (i = 0; i < PVA_MAX_CONSENTS; i++) {
		snprintf(svc, sizeof(svc), "svc%d", i);
		assert_int_equal(pva_consent_record(&f->st, "alice", svc, "ab", T0), PVA_OK);
	}
	assert_int_equal(pva_consent_record(&f->st, "alice", "onemore", "ab", T0), PVA_ERR_LIMIT);
	/* replacing an existing one still works */
	assert_int_equal(pva_consent_record(&f->st, "alice", "svc3", "cd", T0 + 1), PVA_OK);
	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	assert_int_equal(c.n, PVA_MAX_CONSENTS);
	assert_string_equal(pva_consent_find(&c, "svc3")->version, "cd");
}

static void test_corrupt_fails_closed(void **state)
{
	struct storefx *f = *state;
	struct pva_consent c;
	char path[PATH_MAX], *orig, *bad;
	size_t len, i;

	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "0123456789abcdef", T0),
			 PVA_OK);
	rec_path(f, "alice", path, sizeof(path));
	orig = slurp(path, &len);
	/* every flipped byte and every truncation is refused */
	bad = malloc(len);
	assert_non_null(bad);
	for (i = 0; i < len; i++) {
		memcpy(bad, orig, len);
		bad[i] ^= 0x01;
		storefx_put_raw(path, bad, len);
		assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_ERR_CORRUPT);
		assert_int_equal(c.n, 0);
	}
	for (i = 0; i < len; i++) {
		storefx_put_raw(path, orig, i);
		assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_ERR_CORRUPT);
	}
	/* a corrupt record is not silently replaced by a new agreement */
	memcpy(bad, orig, len);
	bad[4] ^= 1;
	storefx_put_raw(path, bad, len);
	assert_int_equal(pva_consent_record(&f->st, "alice", "sudo", "ab", T0), PVA_ERR_CORRUPT);
	free(bad);
	bad = slurp(path, &i);
	assert_int_equal(i, len);
	free(bad);
	/* the original is fine again */
	storefx_put_raw(path, orig, len);
	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	assert_int_equal(c.n, 1);
	free(orig);
}

static void test_bad_bodies(void **state)
{
	static const char *const bodies[] = {
		"v=2\n",
		"",
		"v=1\nc=sshd 0123 1700000000\nc=sshd 0123 1700000001\n", /* repeated */
		"v=1\nc=sshd 0123\n",
		"v=1\nc=sshd 0123 1700000000 x\n",
		"v=1\nc=sshd 0123 01700000000\n",
		"v=1\nc=sshd 0123 -5\n",
		"v=1\nc=sshd 01G3 1700000000\n",
		"v=1\nc=ss/hd 0123 1700000000\n",
		"v=1\nc=sshd  0123 1700000000\n",
		"v=1\nc=sshd 0123 1700000000 \n",
		"v=1\nd=sshd 0123 1700000000\n",
		"v=1\nc=sshd 0123 99999999999999\n",
	};
	struct storefx *f = *state;
	struct pva_consent c;
	size_t i;

	assert_int_equal(pva_store_write(&f->st, "state", "x", "v=1\n"), PVA_OK); /* dir exists */
	/* a correctly sealed record that parses */
	{
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/%s", f->st.dir, PVA_CONSENT_SUB);
		mkdir(dir, 0700);
	}
	assert_int_equal(pva_store_write(&f->st, PVA_CONSENT_SUB, "alice",
					 "v=1\nc=sshd 0123 1700000000\n"), PVA_OK);
	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	assert_int_equal(c.n, 1);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(pva_store_write(&f->st, PVA_CONSENT_SUB, "alice", bodies[i]),
				 PVA_OK);
		if (pva_consent_load(&f->st, "alice", &c) != PVA_ERR_CORRUPT)
			fail_msg("body %zu accepted", i);
		assert_int_equal(c.n, 0);
	}
}

static void test_moved_record(void **state)
{
	struct storefx *f = *state;
	struct pva_consent c;
	char pa[PATH_MAX], pb[PATH_MAX], other[PATH_MAX], *orig;
	size_t len;

	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "0123456789abcdef", T0),
			 PVA_OK);
	rec_path(f, "alice", pa, sizeof(pa));
	rec_path(f, "bob", pb, sizeof(pb));
	orig = slurp(pa, &len);
	/* copied to another user: refused */
	storefx_put_raw(pb, orig, len);
	assert_int_equal(pva_consent_load(&f->st, "bob", &c), PVA_ERR_CORRUPT);
	/* copied into another directory under the same name: refused there */
	assert_int_equal(pva_store_path(&f->st, "state", "alice", NULL, other, sizeof(other)),
			 PVA_OK);
	storefx_put_raw(other, orig, len);
	{
		char *body = NULL;
		size_t bl = 0;
		assert_int_equal(pva_store_read(&f->st, "state", "alice", &body, &bl),
				 PVA_ERR_CORRUPT);
		assert_null(body);
	}
	/* a group-readable record is refused (not root-only) */
	assert_int_equal(chmod(pa, 0640), 0);
	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_ERR_PERM);
	assert_int_equal(chmod(pa, 0600), 0);
	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	free(orig);
}

static void test_revoke(void **state)
{
	struct storefx *f = *state;
	struct pva_consent c;
	char path[PATH_MAX];

	assert_int_equal(pva_consent_revoke(&f->st, "alice"), PVA_OK); /* nothing yet */
	assert_int_equal(pva_consent_record(&f->st, "alice", "sshd", "ab", T0), PVA_OK);
	assert_int_equal(pva_consent_record(&f->st, "bob", "sshd", "ab", T0), PVA_OK);
	assert_int_equal(pva_consent_revoke(&f->st, "alice"), PVA_OK);
	rec_path(f, "alice", path, sizeof(path));
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(pva_consent_load(&f->st, "alice", &c), PVA_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(pva_consent_load(&f->st, "bob", &c), PVA_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(pva_consent_revoke(&f->st, "alice"), PVA_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_and_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
