/* test_normalize.c - canonical form used for blocklist matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "policy/normalize.h"

static void expect_canon(const char *in, const char *want)
{
	char out[64];
	size_t n = pva_norm_canon(in, strlen(in), out, sizeof(out));

	if (strcmp(out, want) != 0 || n != strlen(want))
		fail_msg("canon(\"%s\") = \"%s\", want \"%s\"", in, out, want);
}

static void expect_stripped(const char *in, const char *want)
{
	char out[64];
	size_t n = pva_norm_stripped(in, strlen(in), out, sizeof(out));

	if (strcmp(out, want) != 0 || n != strlen(want))
		fail_msg("stripped(\"%s\") = \"%s\", want \"%s\"", in, out, want);
}

static void test_canon(void **state)
{
	(void)state;
	expect_canon("PASSWORD", "pasword");     /* fold + collapse "ss" */
	expect_canon("P@ssw0rd", "pasword");
	expect_canon("$up3rm4n", "superman");
	expect_canon("h3ll0", "heio");           /* l and 1 fold to i, "ll" collapses */
	expect_canon("Dr4g0n!!", "dragoni");     /* '!' is a look-alike of i */
	expect_canon("--abc--", "abc");          /* symbols stripped at the ends */
	expect_canon("a b", "a b");              /* inner space kept */
	expect_canon("7r0ub4d0r", "troubador");
	expect_canon("", "");
	expect_canon("%%%", "");
	expect_canon("caf\xc3\xa9", "caf\xc3\xa9"); /* UTF-8 bytes kept */
}

static void test_stripped(void **state)
{
	(void)state;
	expect_stripped("P@ssw0rd2024!", "pasword");
	expect_stripped("123password!", "pasword");
	expect_stripped("asdf1234", "asdf");
	expect_stripped("1234", "");
	expect_stripped("$ecret1", "ecret");     /* raw '$' is stripped first */
	expect_stripped("Dragon", "dragon");
}

static void test_truncation_and_reverse(void **state)
{
	char out[4], buf[] = "abcde";

	(void)state;
	assert_int_equal(pva_norm_canon("abcdef", 6, out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(pva_norm_canon("abc", 3, out, 0), 0);
	pva_norm_reverse(buf, 5);
	assert_string_equal(buf, "edcba");
	pva_norm_reverse(buf, 4);
	assert_string_equal(buf, "bcdea");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_truncation_and_reverse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
