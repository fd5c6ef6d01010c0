/* test_phones.c - the phone directory: set/get/del, validation, integrity,
 * and lookups among many users. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/secfile.h"
#include "store/phones.h"
#include "../lib/storefx.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

#define MANY 20000

static int setup(void **state)
{
	return storefx_setup(state, "phones");
}

static void rec_of(struct pva_phone_rec *r, const char *user, const char *phone,
		   enum pva_channel ch, time_t updated)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->user, sizeof(r->user), "%s", user);
	snprintf(r->phone, sizeof(r->phone), "%s", phone);
	r->channel = ch;
	r->updated = updated;
}

static void test_set_get_del(void **state)
{
	struct storefx *f = *state;
	struct pva_phone_rec r, got;
	char p[PATH_MAX];
	struct stat sb;

	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_ERR_NOTFOUND);
	assert_int_equal(got.phone[0], '\0'); /* cleared */
	rec_of(&r, "alice", "+8613812345678", PVA_CH_SMS, 1700000000);
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_OK);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_OK);
	assert_string_equal(got.user, "alice");
	assert_string_equal(got.phone, "+8613812345678");
	assert_int_equal(got.channel, PVA_CH_SMS);
	assert_int_equal(got.updated, 1700000000);
	assert_int_equal(pva_store_path(&f->st, "phones", "alice", NULL, p, sizeof(p)), PVA_OK);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* replace */
	rec_of(&r, "alice", "+14155552671", PVA_CH_VOICE, 0);
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_OK);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_OK);
	assert_string_equal(got.phone, "+14155552671");
	assert_int_equal(got.channel, PVA_CH_VOICE);
	assert_int_equal(got.updated, 0);
	/* others are unaffected, then delete (twice) */
	assert_int_equal(pva_phones_get(&f->st, "bob", &got), PVA_ERR_NOTFOUND);
	assert_int_equal(pva_phones_del(&f->st, "alice"), PVA_OK);
	assert_int_equal(pva_phones_del(&f->st, "alice"), PVA_OK);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_ERR_NOTFOUND);
	assert_int_equal(pva_phones_del(&f->st, ""), PVA_ERR_INVAL);
	assert_int_equal(pva_phones_get(&f->st, "", &got), PVA_ERR_INVAL);
}

static void test_refuses_invalid(void **state)
{
	static const char *const bad[] = { "8613812345678", "+0613812345678", "+1234567",
		"+86 13812345678", "+86138abc5678", "+8613812345678*",
		"+8613812345678#", "+86138123,4567", "+86138123;4567", "+8613812345w678",
		"+8613812345p678", "", "+", "++8613812345678", "+86-13812345678",
		"+8613812345678\n", "0013812345678", NULL };
	struct storefx *f = *state;
	struct pva_phone_rec r, got;
	char big[200];
	size_t i;

	for (i = 0; bad[i]; i++) {
		rec_of(&r, "alice", bad[i], PVA_CH_SMS, 1);
		if (pva_phones_set(&f->st, &r) != PVA_ERR_INVAL)
			fail_msg("accepted number \"%s\"", bad[i]);
	}
	/* a number filling the field with no terminating NUL */
	rec_of(&r, "alice", "+8613812345678", PVA_CH_SMS, 1);
	memset(r.phone, '1', sizeof(r.phone));
	r.phone[0] = '+';
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_ERR_INVAL);
	rec_of(&r, "alice", "+8613812345678", (enum pva_channel)0, 1);
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_ERR_INVAL);
	rec_of(&r, "alice", "+8613812345678", PVA_CH_SMS, -1);
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_ERR_INVAL);
	rec_of(&r, "", "+8613812345678", PVA_CH_SMS, 1);
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_ERR_INVAL);
	rec_of(&r, "al\nice", "+8613812345678", PVA_CH_SMS, 1);
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_ERR_INVAL);
	memset(big, 'u', sizeof(big));
	memcpy(r.user, big, sizeof(r.user)); /* 129 bytes, unterminated */
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_ERR_INVAL);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_ERR_NOTFOUND);
}

static void test_corrupt(void **state)
{
	static const char *const bodies[] = {
		"v=1\nuser=alice\nphone=+0613812345678\nchannel=sms\nupdated=1\n",
		"v=1\nuser=alice\nphone=+8613812345678\nchannel=fax\nupdated=1\n",
		"v=1\nuser=alice\nphone=+8613812345678\nchannel=sms\n",
		"v=1\nuser=alice\nphone=+8613812345678\nchannel=sms\nupdated=1\nx=1\n",
		"v=1\nuser=alice\nphone=+8613812345678\nphone=+8613812345678\nchannel=sms\n"
		"updated=1\n",
		"v=2\nuser=alice\nphone=+8613812345678\nchannel=sms\nupdated=1\n",
		"v=1\nuser=bob\nphone=+8613812345678\nchannel=sms\nupdated=1\n",
		"v=1\nuser=alice\nphone=+86138123456789012\nchannel=sms\nupdated=1\n",
		"v=1\nuser=alice\nphone=+8613812345678\nchannel=sms\nupdated=-1\n",
		NULL,
	};
	struct storefx *f = *state;
	struct pva_phone_rec r, got;
	char pa[PATH_MAX], pb[PATH_MAX], *orig = NULL;
	size_t len = 0, i;

	for (i = 0; bodies[i]; i++) {
		/* correctly sealed, but not a valid phone record of alice */
		assert_int_equal(pva_store_write(&f->st, "phones", "alice", bodies[i]), PVA_OK);
		memset(&got, 0x5a, sizeof(got));
		if (pva_phones_get(&f->st, "alice", &got) != PVA_ERR_CORRUPT)
			fail_msg("accepted record #%zu", i);
		assert_int_equal(got.phone[0], '\0');
	}
	rec_of(&r, "alice", "+8613812345678", PVA_CH_SMS, 1700000000);
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_OK);
	assert_int_equal(pva_store_path(&f->st, "phones", "alice", NULL, pa, sizeof(pa)), PVA_OK);
	assert_int_equal(pva_secfile_read(pa, PVA_SECFILE_PRIVATE, 4096, &orig, &len), PVA_OK);
	/* edited: the last digit of the number */
	{
		char *d = strstr(orig, "5678\n");
		assert_non_null(d);
		d[3] = '9';
		storefx_put_raw(pa, orig, len);
		assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_ERR_CORRUPT);
		d[3] = '8';
	}
	storefx_put_raw(pa, orig, len - 1);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_ERR_CORRUPT);
	storefx_put_raw(pa, orig, len);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_OK);
	/* alice's number copied to mallory's entry */
	assert_int_equal(pva_store_path(&f->st, "phones", "mallory", NULL, pb, sizeof(pb)),
			 PVA_OK);
	storefx_put_raw(pb, orig, len);
	assert_int_equal(pva_phones_get(&f->st, "mallory", &got), PVA_ERR_CORRUPT);
	/* unsafe mode */
	assert_int_equal(chmod(pa, 0640), 0);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_ERR_PERM);
	free(orig);
}

/* The optional language preference: round trip, refusal of other values,
 * and records written without it (older versions) still load. */
static void test_lang(void **state)
{
	static const char *const bodies[] = {
		"v=1\nuser=alice\nphone=+8613812345678\nchannel=sms\nupdated=1\nlang=fr\n",
		"v=1\nuser=alice\nphone=+8613812345678\nchannel=sms\nupdated=1\nlang=\n",
		"v=1\nuser=alice\nphone=+8613812345678\nchannel=sms\nupdated=1\nlang=en\n"
		"lang=zh_CN\n",
		"v=1\nuser=alice\nphone=+8613812345678\nchannel=sms\nlang=zh_CN\n",
		NULL
	};
	struct storefx *f = *state;
	struct pva_phone_rec r, got;
	size_t i;

	assert_int_equal(pva_store_write(&f->st, "phones", "alice", "v=1\nuser=alice\n"
					 "phone=+8613812345678\nchannel=voice\nupdated=7\n"),
			 PVA_OK);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_OK);
	assert_string_equal(got.lang, "");
	assert_int_equal(got.channel, PVA_CH_VOICE);
	assert_int_equal(pva_store_write(&f->st, "phones", "alice", "v=1\nlang=zh_CN\n"
					 "user=alice\nphone=+8613812345678\nchannel=sms\n"
					 "updated=7\n"), PVA_OK);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_OK);
	assert_string_equal(got.lang, "zh_CN");
	for (i = 0; bodies[i]; i++) {
		assert_int_equal(pva_store_write(&f->st, "phones", "alice", bodies[i]), PVA_OK);
		if (pva_phones_get(&f->st, "alice", &got) != PVA_ERR_CORRUPT)
			fail_msg("accepted record #%zu", i);
	}
	rec_of(&r, "alice", "+8613812345678", PVA_CH_SMS, 5);
	snprintf(r.lang, sizeof(r.lang), "zh_CN");
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_OK);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_OK);
	assert_string_equal(got.lang, "zh_CN");
	snprintf(r.lang, sizeof(r.lang), "en");
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_OK);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_OK);
	assert_string_equal(got.lang, "en");
	snprintf(r.lang, sizeof(r.lang), "de");
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_ERR_INVAL);
	memset(r.lang, 'z', sizeof(r.lang));   /* no terminating NUL */
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_ERR_INVAL);
	r.lang[0] = '\0';
	assert_int_equal(pva_phones_set(&f->st, &r), PVA_OK);
	assert_int_equal(pva_phones_get(&f->st, "alice", &got), PVA_OK);
	assert_string_equal(got.lang, "");
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void phone_of(size_t i, char *out, size_t len)
{
	snprintf(out, len, "+861380%07zu", i);
}

/* Look up `samples` random users among n; returns seconds per lookup. */
static double sample_lookups(const struct storefx *f, size_t n, size_t samples)
{
	struct pva_phone_rec got;
	char user[32], want[PVA_PHONE_MAX];
	double t0 = now_s();
	size_t k, i;

	for (k = 0; k < samples; k++) {
		i = randombytes_uniform((uint32_t)n);
		snprintf(user, sizeof(user), "user%05zu", i);
		phone_of(i, want, sizeof(want));
		assert_int_equal(pva_phones_get(&f->st, user, &got), PVA_OK);
		assert_string_equal(got.user, user);
		assert_string_equal(got.phone, want);
		assert_int_equal(got.channel, i % 2 ? PVA_CH_VOICE : PVA_CH_SMS);
		assert_int_equal(got.updated, (time_t)i);
	}
	assert_int_equal(pva_phones_get(&f->st, "user99999x", &got), PVA_ERR_NOTFOUND);
	return (now_s() - t0) / (double)samples;
}

static void add_users(const struct storefx *f, size_t from, size_t to)
{
	struct pva_phone_rec r;
	char user[32], phone[PVA_PHONE_MAX];
	size_t i;

	for (i = from; i < to; i++) {
		snprintf(user, sizeof(user), "user%05zu", i);
		phone_of(i, phone, sizeof(phone));
		rec_of(&r, user, phone, i % 2 ? PVA_CH_VOICE : PVA_CH_SMS, (time_t)i);
		if (pva_phones_set(&f->st, &r) != PVA_OK)
			fail_msg("set %s failed", user);
	}
}

/* Like add_users, without the two fsyncs per record of pva_phones_set: the
 * sealed text written as-is (the format of phones.c). */
static void add_users_fast(const struct storefx *f, size_t from, size_t to)
{
	char user[32], phone[PVA_PHONE_MAX], body[256], rec[512], path[PATH_MAX];
	size_t i, used;
	int fd;

	for (i = from; i < to; i++) {
		snprintf(user, sizeof(user), "user%05zu", i);
		phone_of(i, phone, sizeof(phone));
		snprintf(body, sizeof(body), "v=1\nuser=%s\nphone=%s\nchannel=%s\nupdated=%zu\n",
			 user, phone, i % 2 ? "voice" : "sms", i);
		assert_int_equal(pva_store_seal(&f->st, "phones", user, body, rec, sizeof(rec),
						&used), PVA_OK);
		assert_int_equal(pva_store_path(&f->st, "phones", user, NULL, path, sizeof(path)),
				 PVA_OK);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, rec, used), (ssize_t)used);
		assert_int_equal(close(fd), 0);
	}
}

/* One open per lookup: 10 or 20000 users make no difference.  Timing is
 * printed, never asserted. */
static void test_many_users(void **state)
{
	struct storefx *f = *state;
	double small, large, t0;

	add_users(f, 0, 10);
	small = sample_lookups(f, 10, 500);
	t0 = now_s();
	add_users(f, 10, 100);
	add_users_fast(f, 100, MANY);
	print_message("# %d phone records written in %.2f s\n", MANY, now_s() - t0);
	large = sample_lookups(f, MANY, 500);
	print_message("# lookup: %.1f us among 10 users, %.1f us among %d\n", small * 1e6,
		      large * 1e6, MANY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_get_del, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_refuses_invalid, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_lang, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_many_users, setup, storefx_teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
