/* test_remind.c - privacy/remind.c: the last-reminder record and the
 * password age arithmetic (shadow itself is exercised by the shell
 * tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privacy/remind.h"
#include "core/secfile.h"
#include "../lib/storefx.h"

#define T0 1700000000   /* 2023-11-14 22:13:20 UTC, day 19675 */
#define DAY 86400

static int setup(void **state)
{
	return storefx_setup(state, "remind");
}

static int teardown(void **state)
{
	return storefx_teardown(state);
}

static void test_age_days(void **state)
{
	unsigned days = 99;
	time_t changed = 99;

	(void)state;
	assert_int_equal(T0 / DAY, 19675);
	assert_int_equal(pva_password_age_days(19675, T0, &days, &changed), PVA_OK);
	assert_int_equal(days, 0);
	assert_int_equal(changed, (time_t)19675 * DAY);
	assert_int_equal(pva_password_age_days(19578, T0, &days, &changed), PVA_OK);
	assert_int_equal(days, 97);
	assert_int_equal(changed, (time_t)19578 * DAY);
	/* whole days: the last second of a day, the first of the next */
	assert_int_equal(pva_password_age_days(19675, 19676L * DAY - 1, &days, &changed), PVA_OK);
	assert_int_equal(days, 0);
	assert_int_equal(pva_password_age_days(19675, 19676L * DAY, &days, &changed), PVA_OK);
	assert_int_equal(days, 1);
	assert_int_equal(pva_password_age_days(1, T0, &days, &changed), PVA_OK);
	assert_int_equal(days, 19674);
	/* a change in the future is age 0 */
	assert_int_equal(pva_password_age_days(19700, T0, &days, &changed), PVA_OK);
	assert_int_equal(days, 0);
	assert_int_equal(changed, (time_t)19700 * DAY);
	/* no usable date */
	days = 5;
	changed = 5;
	assert_int_equal(pva_password_age_days(0, T0, &days, &changed), PVA_ERR_NOTFOUND);
	assert_int_equal(days, 0);
	assert_int_equal(changed, 0);
	assert_int_equal(pva_password_age_days(-1, T0, &days, &changed), PVA_ERR_NOTFOUND);
	assert_int_equal(pva_password_age_days(LONG_MAX, T0, &days, &changed), PVA_ERR_NOTFOUND);
}

static void test_age_lookup(void **state)
{
	unsigned days = 9;
	time_t changed = 9;

	(void)state;
	/* no such account in shadow */
	assert_int_equal(pva_password_age("pva-no-such-user-xq", T0, &days, &changed),
			 PVA_ERR_NOTFOUND);
	assert_int_equal(days, 0);
	assert_int_equal(changed, 0);
	assert_int_equal(pva_password_age("", T0, &days, &changed), PVA_ERR_INVAL);
	assert_int_equal(pva_password_age("a\nb", T0, &days, &changed), PVA_ERR_INVAL);
}

static void test_last_mark_forget(void **state)
{
	struct storefx *f = *state;
	char path[PATH_MAX], *buf = NULL;
	size_t len;
	time_t last = 7;

	assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_OK);
	assert_int_equal(last, 0);
	assert_int_equal(pva_remind_mark(&f->st, "alice", T0), PVA_OK);
	assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_OK);
	assert_int_equal(last, T0);
	assert_int_equal(pva_remind_mark(&f->st, "alice", T0 + 7 * DAY), PVA_OK);
	assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_OK);
	assert_int_equal(last, T0 + 7 * DAY);
	assert_int_equal(pva_remind_last(&f->st, "bob", &last), PVA_OK);
	assert_int_equal(last, 0);
	assert_int_equal(pva_remind_mark(&f->st, "alice", -1), PVA_ERR_INVAL);

	assert_int_equal(pva_store_path(&f->st, PVA_REMIND_SUB, "alice", NULL, path, sizeof(path)),
			 PVA_OK);
	assert_int_equal(pva_secfile_read(path, PVA_SECFILE_PRIVATE, 4096, &buf, &len), PVA_OK);
	assert_int_equal(strncmp(buf, "v=1\nlast=1700604800\nmac=", 24), 0);
	/* corrupt: every flipped byte */
	{
		char *bad = malloc(len);
		size_t i;
		char pb[PATH_MAX];
		assert_non_null(bad);
		for (i = 0; i < len; i++) {
			memcpy(bad, buf, len);
			bad[i] ^= 0x02;
			storefx_put_raw(path, bad, len);
			last = 7;
			assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_ERR_CORRUPT);
			assert_int_equal(last, 0);
		}
		free(bad);
		/* moved to bob */
		assert_int_equal(pva_store_path(&f->st, PVA_REMIND_SUB, "bob", NULL, pb, sizeof(pb)),
				 PVA_OK);
		storefx_put_raw(pb, buf, len);
		assert_int_equal(pva_remind_last(&f->st, "bob", &last), PVA_ERR_CORRUPT);
	}
	storefx_put_raw(path, buf, len);
	free(buf);
	assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_OK);
	assert_int_equal(last, T0 + 7 * DAY);
	/* sealed but malformed bodies */
	assert_int_equal(pva_store_write(&f->st, PVA_REMIND_SUB, "alice", "v=1\n"), PVA_OK);
	assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_ERR_CORRUPT);
	assert_int_equal(pva_store_write(&f->st, PVA_REMIND_SUB, "alice",
					 "v=1\nlast=1\nlast=2\n"), PVA_OK);
	assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_ERR_CORRUPT);
	assert_int_equal(pva_store_write(&f->st, PVA_REMIND_SUB, "alice", "v=1\nlast=x\n"), PVA_OK);
	assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_ERR_CORRUPT);

	assert_int_equal(pva_remind_forget(&f->st, "alice"), PVA_OK);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(pva_remind_last(&f->st, "alice", &last), PVA_OK);
	assert_int_equal(last, 0);
	assert_int_equal(pva_remind_forget(&f->st, "alice"), PVA_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age_days),
		cmocka_unit_test(test_age_lookup),
		cmocka_unit_test_setup_teardown(test_last_mark_forget, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
