/* test_phone.c - E.164 validation and masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/phone.h"

static void test_validate(void **state)
{
	static const char *const good[] = { "+8613812345678", "+14155552671",
		"+442071838750", "+12345678", "+123456789012345", NULL };
	static const char *const bad[] = { "8613812345678", "+0613812345678",
		"+1234567", "+1234567890123456", "+86 138 1234 5678", "+86138abc5678",
		"+8613812345678*", "+8613812345678#", "+86138123,4567", "+86138123;4567",
		"+8613812345w678", "+8613812345p678", "", "+", "++8613812345678",
		"+86-13812345678", NULL };
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		if (pva_phone_validate(good[i]) != PVA_OK)
			fail_msg("refused valid %s", good[i]);
	for (i = 0; bad[i]; i++)
		if (pva_phone_validate(bad[i]) != PVA_ERR_INVAL)
			fail_msg("accepted invalid \"%s\"", bad[i]);
	assert_int_equal(pva_phone_validate(NULL), PVA_ERR_INVAL);
}

static void test_country_codes(void **state)
{
	(void)state;
	assert_int_equal(pva_phone_cc_len("14155552671"), 1);
	assert_int_equal(pva_phone_cc_len("79161234567"), 1);
	assert_int_equal(pva_phone_cc_len("8613812345678"), 2);
	assert_int_equal(pva_phone_cc_len("442071838750"), 2);
	assert_int_equal(pva_phone_cc_len("85291234567"), 3);  /* Hong Kong */
	assert_int_equal(pva_phone_cc_len("886912345678"), 3); /* Taiwan */
	assert_int_equal(pva_phone_cc_len("35312345678"), 3);  /* Ireland */
}

static void mask_is(const char *in, const char *want)
{
	char out[PVA_PHONE_MASK_MAX];

	pva_phone_mask(in, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fail_msg("mask(%s) = \"%s\", want \"%s\"", in, out, want);
}

static void test_mask(void **state)
{
	(void)state;
	mask_is("+8613812345678", "+86 *******5678");
	mask_is("+14155552671", "+1 ******2671");
	mask_is("+442071838750", "+44 ******8750");
	mask_is("+85291234567", "+852 *****567");
	mask_is("+12345678", "+1 *****78");
	mask_is("not a number", "+?");
}

static void test_mask_never_reveals_most_digits(void **state)
{
	char num[20], out[PVA_PHONE_MASK_MAX];
	size_t len, i, shown;

	(void)state;
	for (len = 8; len <= 15; len++) {
		num[0] = '+';
		for (i = 1; i <= len; i++)
			num[i] = (char)('1' + (i % 9));
		num[len + 1] = '\0';
		pva_phone_mask(num, out, sizeof(out));
		for (i = 0, shown = 0; out[i]; i++)
			shown += out[i] >= '0' && out[i] <= '9';
		/* country code + at most 7 national digits, and never all of them */
		if (shown >= len)
			fail_msg("%s masked as %s shows every digit", num, out);
		assert_non_null(strchr(out, '*'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_country_codes),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_never_reveals_most_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
