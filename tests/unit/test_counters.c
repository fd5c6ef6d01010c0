/* test_counters.c - shared send histories (per number, per host): names,
 * the record format, sealing, purging, and the send-history helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "store/counters.h"
#include "../lib/testenv.h"

struct fx {
	struct testenv env;
	struct pva_hostkey *key;
	struct pva_store st;
	struct pva_counter a, b;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned char raw[PVA_KEY_BYTES];

	if (f == NULL || testenv_setup(&f->env, "") != 0)
		return -1;
	memset(raw, 7, sizeof(raw));
	if (pva_hostkey_from_bytes(raw, &f->key) != PVA_OK ||
	    pva_store_open(&f->st, f->env.state, f->key, 1) != PVA_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	pva_hostkey_free(f->key);
	testenv_teardown(&f->env);
	free(f);
	return 0;
}

static void test_number_names(void **state)
{
	struct fx *f = *state;
	char n1[PVA_COUNTER_NAME_MAX], n2[PVA_COUNTER_NAME_MAX], n3[PVA_COUNTER_NAME_MAX];
	struct pva_hostkey *other = NULL;
	struct pva_store st2;
	unsigned char raw[PVA_KEY_BYTES];

	assert_int_equal(pva_counter_number_name(&f->st, "+8613812345678", n1, sizeof(n1)), PVA_OK);
	assert_int_equal(strlen(n1), 66);
	assert_memory_equal(n1, "n-", 2);
	assert_null(strstr(n1, "13812345678"));
	/* stable for one key, different per number and per host key */
	assert_int_equal(pva_counter_number_name(&f->st, "+8613812345678", n2, sizeof(n2)), PVA_OK);
	assert_string_equal(n1, n2);
	assert_int_equal(pva_counter_number_name(&f->st, "+8613812345679", n2, sizeof(n2)), PVA_OK);
	assert_string_not_equal(n1, n2);
	memset(raw, 8, sizeof(raw));
	assert_int_equal(pva_hostkey_from_bytes(raw, &other), PVA_OK);
	st2 = f->st;
	st2.key = other;
	assert_int_equal(pva_counter_number_name(&st2, "+8613812345678", n3, sizeof(n3)), PVA_OK);
	assert_string_not_equal(n1, n3);
	pva_hostkey_free(other);
	/* only E.164 numbers, only a big enough buffer */
	assert_int_equal(pva_counter_number_name(&f->st, "13812345678", n3, sizeof(n3)),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_counter_number_name(&f->st, "+8613812345678", n3, 66),
			 PVA_ERR_INVAL);
	assert_string_equal(n3, "");
}

static void test_save_load_purge(void **state)
{
	struct fx *f = *state;
	char name[PVA_COUNTER_NAME_MAX];
	int fd = -1;

	assert_int_equal(pva_counter_number_name(&f->st, "+8613812345678", name, sizeof(name)),
			 PVA_OK);
	assert_int_equal(pva_counter_lock(&f->st, name, 1000, &fd), PVA_OK);
	/* a missing record is an empty history */
	assert_int_equal(pva_counter_load(&f->st, name, &f->a), PVA_OK);
	assert_int_equal(f->a.n, 0);
	assert_string_equal(f->a.name, name);
	pva_counter_add(&f->a, 1000);
	pva_counter_add(&f->a, 5000);
	pva_counter_add(&f->a, 5010);
	pva_counter_add(&f->a, 90000);
	assert_int_equal(pva_counter_save(&f->st, &f->a, 90000, 86400), PVA_OK);
	pva_counter_unlock(fd);
	assert_int_equal(pva_counter_load(&f->st, name, &f->b), PVA_OK);
	/* 1000 is more than a day before 90000: purged */
	assert_int_equal(f->b.n, 2);
	assert_int_equal(f->b.slot[0].last, 5010);
	assert_int_equal(f->b.slot[0].n, 2);
	assert_int_equal(f->b.slot[1].last, 90000);
	assert_int_equal(pva_counter_within(&f->b, 90000, 86400), 3);
	/* the host record, purged after an hour */
	assert_int_equal(pva_counter_load(&f->st, PVA_COUNTER_HOST, &f->a), PVA_OK);
	pva_counter_add(&f->a, 100);
	pva_counter_add(&f->a, 4000);
	assert_int_equal(pva_counter_save(&f->st, &f->a, 4000, 3600), PVA_OK);
	assert_int_equal(pva_counter_load(&f->st, PVA_COUNTER_HOST, &f->b), PVA_OK);
	assert_int_equal(f->b.n, 1);
	/* names must be "host" or a number's */
	assert_int_equal(pva_counter_load(&f->st, "../state/alice", &f->b), PVA_ERR_INVAL);
	assert_int_equal(pva_counter_lock(&f->st, "alice", 1000, &fd), PVA_ERR_INVAL);
	assert_int_equal(fd, -1);
}

/* A record copied to another name, or edited, fails its MAC. */
static void test_sealed(void **state)
{
	struct fx *f = *state;
	char n1[PVA_COUNTER_NAME_MAX], n2[PVA_COUNTER_NAME_MAX], p1[PATH_MAX + 80],
	     p2[PATH_MAX + 80], cmd[2 * PATH_MAX + 200];
	FILE *fp;

	assert_int_equal(pva_counter_number_name(&f->st, "+8613812345678", n1, sizeof(n1)), PVA_OK);
	assert_int_equal(pva_counter_number_name(&f->st, "+8613812345679", n2, sizeof(n2)), PVA_OK);
	assert_int_equal(pva_counter_load(&f->st, n1, &f->a), PVA_OK);
	pva_counter_add(&f->a, 1000);
	assert_int_equal(pva_counter_save(&f->st, &f->a, 1000, 86400), PVA_OK);
	snprintf(p1, sizeof(p1), "%s/limits/%s", f->env.state, n1);
	snprintf(p2, sizeof(p2), "%s/limits/%s", f->env.state, n2);
	/* the record holds no phone number */
	memset(cmd, 0, sizeof(cmd));
	fp = fopen(p1, "r");
	assert_non_null(fp);
	assert_true(fread(cmd, 1, sizeof(cmd) - 1, fp) > 0);
	fclose(fp);
	assert_null(strstr(cmd, "13812345678"));
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", p1, p2);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(pva_counter_load(&f->st, n2, &f->b), PVA_ERR_CORRUPT);
	snprintf(cmd, sizeof(cmd), "sed -i 's/^sends=1000:1$/sends=1000:0/' '%s'", p1);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(pva_counter_load(&f->st, n1, &f->b), PVA_ERR_CORRUPT);
}

static void test_format_parse(void **state)
{
	static const char *const bad[] = {
		"v=2\nname=host\nsends=\n",
		"v=1\nname=host\n",
		"v=1\nsends=1:1\n",
		"v=1\nname=alice\nsends=1:1\n",
		"v=1\nname=host\nsends=1:1,\n",
		"v=1\nname=host\nsends=01:1\n",
		"v=1\nname=host\nsends=1\n",
		"v=1\nname=host\nsends=1:0\n",
		"v=1\nname=host\nsends=1:\n",
		"v=1\nname=host\nsends=:1\n",
		"v=1\nname=host\nsends=1:1:1\n",
		"v=1\nname=host\nsends=1:1000001\n",
		"v=1\nname=host\nsends=1:1\nsends=2:1\n",
		"v=1\nname=host\nname=host\nsends=1:1\n",
		"v=1\nname=host\nsends=1:1\nextra=1\n",
		"v=1\nname=n-00\nsends=1:1\n",
		"v=1\nname=host\nsends=1:1",
		NULL,
	};
	struct fx *f = *state;
	char *buf = malloc(40000), *big = malloc(40000);
	size_t i, pos;

	assert_non_null(buf);
	assert_non_null(big);
	for (i = 0; bad[i]; i++)
		if (pva_counter_parse(bad[i], strlen(bad[i]), &f->a) != PVA_ERR_CORRUPT)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(pva_counter_parse("v=1\nname=host\nsends=\n", 21, &f->a), PVA_OK);
	assert_int_equal(f->a.n, 0);
	assert_int_equal(pva_counter_parse("v=1\nname=host\nsends=60:2,130:1\n", 31, &f->a),
			 PVA_OK);
	assert_int_equal(f->a.n, 2);
	assert_int_equal(pva_counter_within(&f->a, 130, 3600), 3);
	/* a full record (one slot per minute) round-trips */
	memset(&f->a, 0, sizeof(f->a));
	strcpy(f->a.name, PVA_COUNTER_HOST);
	for (i = 0; i < PVA_COUNTER_SLOTS + 5; i++) {
		pva_counter_add(&f->a, 200000000000LL + 60 * (time_t)i);
		pva_counter_add(&f->a, 200000000001LL + 60 * (time_t)i);
	}
	assert_int_equal(f->a.n, PVA_COUNTER_SLOTS);
	f->a.slot[0].n = PVA_COUNTER_SLOT_MAX;
	assert_int_equal(pva_counter_format(&f->a, buf, 40000), PVA_OK);
	assert_int_equal(pva_counter_parse(buf, strlen(buf), &f->b), PVA_OK);
	assert_int_equal(f->b.n, PVA_COUNTER_SLOTS);
	assert_int_equal(f->b.slot[0].last, 200000000301LL);
	assert_int_equal(f->b.slot[0].n, PVA_COUNTER_SLOT_MAX);
	assert_int_equal(f->b.slot[1].n, 2);
	/* one slot too many is corrupt */
	pos = (size_t)snprintf(big, 40000, "v=1\nname=host\nsends=1:1");
	for (i = 0; i < PVA_COUNTER_SLOTS; i++)
		pos += (size_t)snprintf(big + pos, 40000 - pos, ",%zu:1", 60 * i + 60);
	snprintf(big + pos, 40000 - pos, "\n");
	assert_int_equal(pva_counter_parse(big, strlen(big), &f->b), PVA_ERR_CORRUPT);
	/* too small a buffer, a bad name: nothing written */
	assert_int_equal(pva_counter_format(&f->a, buf, 100), PVA_ERR_INVAL);
	assert_string_equal(buf, "");
	strcpy(f->a.name, "alice");
	assert_int_equal(pva_counter_format(&f->a, buf, 40000), PVA_ERR_INVAL);
	free(buf);
	free(big);
}

static void test_times_helpers(void **state)
{
	time_t t[8];
	size_t n = 0;

	(void)state;
	pva_times_add(t, &n, 4, 100);
	pva_times_add(t, &n, 4, 300);
	pva_times_add(t, &n, 4, 200); /* the clock went back: kept in order */
	assert_int_equal(n, 3);
	assert_int_equal(t[0], 100);
	assert_int_equal(t[1], 200);
	assert_int_equal(t[2], 300);
	pva_times_add(t, &n, 4, 400);
	pva_times_add(t, &n, 4, 500); /* full: the oldest goes */
	assert_int_equal(n, 4);
	assert_int_equal(t[0], 200);
	/* window (now - 250, now] at now = 500: 300, 400, 500 */
	assert_int_equal(pva_times_within(t, n, 500, 250), 3);
	/* an entry after now (clock went back) still counts */
	assert_int_equal(pva_times_within(t, n, 350, 1000), 4);
	/* under the limit: free now */
	assert_int_equal(pva_times_free_at(t, n, 500, 250, 4), 500);
	/* at the limit 3: the oldest inside (300) must leave -> 550 */
	assert_int_equal(pva_times_free_at(t, n, 500, 250, 3), 550);
	/* over a lowered limit 2: two must leave, the second is 400 -> 650 */
	assert_int_equal(pva_times_free_at(t, n, 500, 250, 2), 650);
	pva_times_purge(t, &n, 500, 150);
	assert_int_equal(n, 2);
	assert_int_equal(t[0], 400);
	assert_int_equal(pva_times_parse("1,2,3", 5, t, &n, 3), PVA_OK);
	assert_int_equal(n, 3);
	assert_int_equal(pva_times_parse("1,2,3", 5, t, &n, 2), PVA_ERR_CORRUPT);
	assert_int_equal(pva_times_parse("", 0, t, &n, 2), PVA_OK);
	assert_int_equal(n, 0);
	assert_int_equal(pva_times_parse(",1", 2, t, &n, 2), PVA_ERR_CORRUPT);
	assert_int_equal(pva_times_parse("1,,2", 4, t, &n, 4), PVA_ERR_CORRUPT);
}

/* Sends are counted per minute; a minute counts until its latest send
 * leaves the window (never early). */
static void test_minute_slots(void **state)
{
	struct fx *f = *state;
	struct pva_counter *c = &f->a;

	memset(c, 0, sizeof(*c));
	strcpy(c->name, PVA_COUNTER_HOST);
	pva_counter_add(c, 6000);   /* minute 100 */
	pva_counter_add(c, 6030);
	pva_counter_add(c, 6059);
	pva_counter_add(c, 6060);   /* minute 101 */
	pva_counter_add(c, 6200);   /* minute 103 */
	pva_counter_add(c, 6010);   /* the clock went back: into minute 100 */
	pva_counter_add(c, 6150);   /* ... or a new minute 102, in order */
	assert_int_equal(c->n, 4);
	assert_int_equal(c->slot[0].last, 6059);
	assert_int_equal(c->slot[0].n, 4);
	assert_int_equal(c->slot[1].last, 6060);
	assert_int_equal(c->slot[2].last, 6150);
	assert_int_equal(c->slot[3].last, 6200);
	assert_int_equal(pva_counter_within(c, 6200, 3600), 7);
	/* minute 100 counts until its latest send (6059) is an hour old */
	assert_int_equal(pva_counter_within(c, 9658, 3600), 7);
	assert_int_equal(pva_counter_within(c, 9659, 3600), 3);
	/* limit 7: one send must leave, minute 100 frees at 6059 + 3600 */
	assert_int_equal(pva_counter_free_at(c, 6200, 3600, 7), 9659);
	/* limit 3: five must leave: minutes 100 (4) and 101 (1) */
	assert_int_equal(pva_counter_free_at(c, 6200, 3600, 3), 9660);
	assert_int_equal(pva_counter_free_at(c, 6200, 3600, 8), 6200);
}

/* The limits directory is made on first use, root-only. */
static void test_limits_dir(void **state)
{
	struct fx *f = *state;
	char dir[PATH_MAX + 16];
	struct stat sb;
	int fd = -1;

	snprintf(dir, sizeof(dir), "%s/limits", f->env.state);
	assert_int_equal(stat(dir, &sb), -1);
	assert_int_equal(pva_counter_lock(&f->st, PVA_COUNTER_HOST, 1000, &fd), PVA_OK);
	pva_counter_unlock(fd);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	/* a group-readable directory is refused */
	assert_int_equal(chmod(dir, 0750), 0);
	assert_int_equal(pva_counter_lock(&f->st, PVA_COUNTER_HOST, 1000, &fd), PVA_ERR_PERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_number_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_load_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_times_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minute_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_dir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
