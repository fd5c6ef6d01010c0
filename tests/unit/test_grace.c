/* test_grace.c - privacy/grace.c: grace after a good code, per user,
 * service and remote host; expiry; hosts stored only as keyed hashes;
 * corrupt and moved records; prune. */
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

#include "privacy/grace.h"
#include "core/secfile.h"
#include "../lib/storefx.h"

#define T0 1700000000
#define H 3600

static int setup(void **state)
{
	return storefx_setup(state, "grace");
}

static int teardown(void **state)
{
	return storefx_teardown(state);
}

static void rec_path(const struct storefx *f, const char *user, char *p, size_t len)
{
	assert_int_equal(pva_store_path(&f->st, PVA_GRACE_SUB, user, NULL, p, len), PVA_OK);
}

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;

	assert_int_equal(pva_secfile_read(path, PVA_SECFILE_PRIVATE, 65536, &buf, len), PVA_OK);
	return buf;
}

static int granted(struct storefx *f, const char *user, const char *svc, const char *rhost,
		   unsigned hours, time_t now)
{
	int g = -1;

	assert_int_equal(pva_grace_check(&f->st, f->key, user, svc, rhost, hours, now, &g),
			 PVA_OK);
	assert_true(g == 0 || g == 1);
	return g;
}

static void test_grant_and_expiry(void **state)
{
	struct storefx *f = *state;
	size_t n;
	time_t latest;

	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0), 0);
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "192.0.2.7", 8, T0),
			 PVA_OK);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0), 1);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0 + 8 * H - 1), 1);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0 + 8 * H), 0);
	/* a shorter setting now applies at once */
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 1, T0 + H), 0);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 1, T0 + H - 1), 1);
	/* hours == 0: never */
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 0, T0 + 1), 0);
	/* the clock went back: nothing granted */
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0 - 10), 0);
	assert_int_equal(pva_grace_count(&f->st, "alice", &n, &latest), PVA_OK);
	assert_int_equal(n, 1);
	assert_int_equal(latest, T0);
	/* hours == 0 writes nothing */
	assert_int_equal(pva_grace_record(&f->st, f->key, "bob", "sshd", "192.0.2.7", 0, T0),
			 PVA_OK);
	assert_int_equal(pva_grace_count(&f->st, "bob", &n, &latest), PVA_OK);
	assert_int_equal(n, 0);
	assert_int_equal(latest, 0);
}

static void test_separation(void **state)
{
	struct storefx *f = *state;
	size_t n;
	time_t latest;

	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "192.0.2.7", 8, T0),
			 PVA_OK);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0 + 1), 1);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.8", 8, T0 + 1), 0);
	assert_int_equal(granted(f, "alice", "sudo", "192.0.2.7", 8, T0 + 1), 0);
	assert_int_equal(granted(f, "bob", "sshd", "192.0.2.7", 8, T0 + 1), 0);
	assert_int_equal(granted(f, "alice", "sshd", "", 8, T0 + 1), 0);
	assert_int_equal(granted(f, "alice", "sshd", NULL, 8, T0 + 1), 0);
	/* the console ("" or NULL) is a host like any other */
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "login", NULL, 8, T0 + 2),
			 PVA_OK);
	assert_int_equal(granted(f, "alice", "login", "", 8, T0 + 3), 1);
	assert_int_equal(granted(f, "alice", "login", NULL, 8, T0 + 3), 1);
	assert_int_equal(granted(f, "alice", "login", "192.0.2.7", 8, T0 + 3), 0);
	/* a second host and service for the same user */
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "192.0.2.8", 8, T0 + 4),
			 PVA_OK);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0 + 5), 1);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.8", 8, T0 + 5), 1);
	assert_int_equal(pva_grace_count(&f->st, "alice", &n, &latest), PVA_OK);
	assert_int_equal(n, 3);
	assert_int_equal(latest, T0 + 4);
	/* recording the same host again refreshes, does not add */
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "192.0.2.7", 8, T0 + 7 * H),
			 PVA_OK);
	assert_int_equal(pva_grace_count(&f->st, "alice", &n, &latest), PVA_OK);
	assert_int_equal(n, 3);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0 + 14 * H), 1);
	/* the write at T0+7h dropped nothing yet (all inside 8 h); one at
	 * T0+9h drops the expired sshd entry of .8 */
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "192.0.2.9", 8, T0 + 9 * H),
			 PVA_OK);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.8", 8, T0 + 9 * H), 0);
	assert_int_equal(pva_grace_count(&f->st, "alice", &n, &latest), PVA_OK);
	assert_int_equal(n, 3); /* login (other service, kept), .7, .9 */
	/* another host key: the hashes differ, nothing is granted */
	{
		unsigned char raw[PVA_KEY_BYTES];
		struct pva_hostkey *k2 = NULL;
		int g = -1;
		memset(raw, 3, sizeof(raw));
		assert_int_equal(pva_hostkey_from_bytes(raw, &k2), PVA_OK);
		assert_int_equal(pva_grace_check(&f->st, k2, "alice", "sshd", "192.0.2.7", 8,
						 T0 + 9 * H, &g), PVA_OK);
		assert_int_equal(g, 0);
		pva_hostkey_free(k2);
	}
}

static void test_rhost_not_in_clear(void **state)
{
	struct storefx *f = *state;
	char path[PATH_MAX], *buf;
	size_t len;

	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd",
					  "2001:db8::77", 8, T0), PVA_OK);
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd",
					  "host.example.org", 8, T0), PVA_OK);
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd",
					  "198.51.100.23", 8, T0), PVA_OK);
	rec_path(f, "alice", path, sizeof(path));
	buf = slurp(path, &len);
	assert_non_null(strstr(buf, "g=sshd "));
	assert_null(strstr(buf, "2001:db8"));
	assert_null(strstr(buf, "db8::77"));
	assert_null(strstr(buf, "example"));
	assert_null(strstr(buf, "198.51"));
	assert_null(strstr(buf, "100.23"));
	assert_null(strstr(buf, "alice"));
	free(buf);
}

static void test_cap(void **state)
{
	struct storefx *f = *state;
	char host[32];
	size_t n;
	time_t latest;
	int i;

	for (i = 0; i < PVA_MAX_GRACE + 5; i++) {
		snprintf(host, sizeof(host), "10.0.0.%d", i);
		assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", host, 8, T0 + i),
				 PVA_OK);
	}
	assert_int_equal(pva_grace_count(&f->st, "alice", &n, &latest), PVA_OK);
	assert_int_equal(n, PVA_MAX_GRACE);
	assert_int_equal(latest, T0 + PVA_MAX_GRACE + 4);
	/* the oldest went */
	assert_int_equal(granted(f, "alice", "sshd", "10.0.0.0", 8, T0 + 100), 0);
	assert_int_equal(granted(f, "alice", "sshd", "10.0.0.4", 8, T0 + 100), 0);
	assert_int_equal(granted(f, "alice", "sshd", "10.0.0.5", 8, T0 + 100), 1);
	snprintf(host, sizeof(host), "10.0.0.%d", PVA_MAX_GRACE + 4);
	assert_int_equal(granted(f, "alice", "sshd", host, 8, T0 + 100), 1);
}

static void test_corrupt_and_moved(void **state)
{
	static const char *const bodies[] = {
		"v=2\n",
		"v=1\ng=sshd 0123456789abcdef0123456789abcdef\n",
		"v=1\ng=sshd 0123456789abcdef0123456789abcde 1700000000\n",
		"v=1\ng=sshd 0123456789ABCDEF0123456789abcdef 1700000000\n",
		"v=1\ng=sshd 0123456789abcdef0123456789abcdef 1700000000\n"
		"g=sshd 0123456789abcdef0123456789abcdef 1700000001\n",
		"v=1\ng=s@hd 0123456789abcdef0123456789abcdef 1700000000\n",
		"v=1\nx=1\n",
	};
	struct storefx *f = *state;
	char pa[PATH_MAX], pb[PATH_MAX], *orig, *bad;
	size_t len, i, n;
	time_t latest;
	int g;

	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "192.0.2.7", 8, T0),
			 PVA_OK);
	rec_path(f, "alice", pa, sizeof(pa));
	rec_path(f, "bob", pb, sizeof(pb));
	orig = slurp(pa, &len);
	bad = malloc(len);
	assert_non_null(bad);
	for (i = 0; i < len; i++) {
		memcpy(bad, orig, len);
		bad[i] ^= 0x20;
		storefx_put_raw(pa, bad, len);
		g = -1;
		assert_int_equal(pva_grace_check(&f->st, f->key, "alice", "sshd", "192.0.2.7", 8,
						 T0 + 1, &g), PVA_ERR_CORRUPT);
		assert_int_equal(g, 0);
		assert_int_equal(pva_grace_count(&f->st, "alice", &n, &latest), PVA_ERR_CORRUPT);
		assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "x", 8, T0 + 1),
				 PVA_ERR_CORRUPT);
	}
	free(bad);
	/* copied to bob: refused for bob (and its host hash would not match) */
	storefx_put_raw(pb, orig, len);
	g = -1;
	assert_int_equal(pva_grace_check(&f->st, f->key, "bob", "sshd", "192.0.2.7", 8, T0 + 1, &g),
			 PVA_ERR_CORRUPT);
	assert_int_equal(g, 0);
	/* validly sealed nonsense */
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(pva_store_write(&f->st, PVA_GRACE_SUB, "alice", bodies[i]), PVA_OK);
		if (pva_grace_count(&f->st, "alice", &n, &latest) != PVA_ERR_CORRUPT)
			fail_msg("body %zu accepted", i);
	}
	storefx_put_raw(pa, orig, len);
	assert_int_equal(granted(f, "alice", "sshd", "192.0.2.7", 8, T0 + 1), 1);
	free(orig);
}

static void test_prune_and_forget(void **state)
{
	struct storefx *f = *state;
	char path[PATH_MAX];
	size_t n;
	time_t latest;
	int r = -1;

	assert_int_equal(pva_grace_prune(&f->st, "alice", 8 * H, T0, 0, &r), PVA_OK);
	assert_int_equal(r, PVA_PRUNE_NONE);
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "a", 8, T0), PVA_OK);
	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sudo", "a", 24, T0 + 5 * H),
			 PVA_OK);
	assert_int_equal(pva_grace_prune(&f->st, "alice", 24 * H, T0 + 6 * H, 0, &r), PVA_OK);
	assert_int_equal(r, PVA_PRUNE_KEPT);
	/* a dry run tells, changes nothing */
	assert_int_equal(pva_grace_prune(&f->st, "alice", 4 * H, T0 + 6 * H, 1, &r), PVA_OK);
	assert_int_equal(r, PVA_PRUNE_TRIMMED);
	assert_int_equal(pva_grace_count(&f->st, "alice", &n, &latest), PVA_OK);
	assert_int_equal(n, 2);
	assert_int_equal(pva_grace_prune(&f->st, "alice", 4 * H, T0 + 6 * H, 0, &r), PVA_OK);
	assert_int_equal(r, PVA_PRUNE_TRIMMED);
	assert_int_equal(pva_grace_count(&f->st, "alice", &n, &latest), PVA_OK);
	assert_int_equal(n, 1);
	assert_int_equal(latest, T0 + 5 * H);
	assert_int_equal(pva_grace_prune(&f->st, "alice", 4 * H, T0 + 10 * H, 0, &r), PVA_OK);
	assert_int_equal(r, PVA_PRUNE_REMOVED);
	rec_path(f, "alice", path, sizeof(path));
	assert_int_not_equal(access(path, F_OK), 0);

	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "sshd", "a", 8, T0), PVA_OK);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(pva_grace_forget(&f->st, "alice"), PVA_OK);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(pva_grace_forget(&f->st, "alice"), PVA_OK);
	assert_int_equal(granted(f, "alice", "sshd", "a", 8, T0 + 1), 0);
}

static void test_bad_arguments(void **state)
{
	struct storefx *f = *state;
	int g = -1;

	assert_int_equal(pva_grace_record(&f->st, f->key, "alice", "bad svc", "a", 8, T0),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_grace_record(&f->st, f->key, "", "sshd", "a", 8, T0), PVA_ERR_INVAL);
	assert_int_equal(pva_grace_check(&f->st, f->key, "alice", "", "a", 8, T0, &g),
			 PVA_ERR_INVAL);
	assert_int_equal(g, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_grant_and_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_separation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rhost_not_in_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_and_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_and_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
