/* test_segment.c - GSM-7 / UCS-2 SMS length counting (delivery/segment.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "delivery/segment.h"

/* n copies of unit (a UTF-8 string) into buf. */
static const char *rep(char *buf, size_t len, const char *unit, size_t n)
{
	size_t i, u = strlen(unit);

	assert_true(n * u < len);
	for (i = 0; i < n; i++)
		memcpy(buf + i * u, unit, u);
	buf[n * u] = '\0';
	return buf;
}

static void count(const char *text, enum pva_sms_encoding enc, size_t units,
		  unsigned segs)
{
	struct pva_sms_count c;

	assert_int_equal(pva_sms_count(text, &c), PVA_OK);
	assert_int_equal(c.encoding, enc);
	assert_int_equal(c.units, units);
	assert_int_equal(c.segments, segs);
}

static void test_gsm7_limits(void **state)
{
	char b[2048];

	(void)state;
	count("", PVA_SMS_GSM7, 0, 1);
	count(rep(b, sizeof(b), "a", 160), PVA_SMS_GSM7, 160, 1);
	count(rep(b, sizeof(b), "a", 161), PVA_SMS_GSM7, 161, 2);
	count(rep(b, sizeof(b), "a", 306), PVA_SMS_GSM7, 306, 2);   /* 2 x 153 */
	count(rep(b, sizeof(b), "a", 307), PVA_SMS_GSM7, 307, 3);
	/* the basic set beyond ASCII: one septet each */
	count("£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà@$_", PVA_SMS_GSM7, 42, 1);
	count("482913 is your login code for sshd on bastion, valid 5 min.",
	      PVA_SMS_GSM7, 59, 1);
}

static void test_gsm7_extension(void **state)
{
	char b[512];

	(void)state;
	count("^{}\\[~]|€", PVA_SMS_GSM7, 18, 1);
	count("\f", PVA_SMS_GSM7, 2, 1);
	/* 80 extension characters = 160 septets: one segment; 81: two */
	count(rep(b, sizeof(b), "{", 80), PVA_SMS_GSM7, 160, 1);
	count(rep(b, sizeof(b), "€", 81), PVA_SMS_GSM7, 162, 2);
	/* 159 plain + one extension character: 161 septets */
	rep(b, sizeof(b), "a", 159);
	strcat(b, "|");
	count(b, PVA_SMS_GSM7, 161, 2);
}

static void test_ucs2(void **state)
{
	char b[1024];

	(void)state;
	/* one Chinese character forces UCS-2 for the whole text */
	rep(b, sizeof(b), "a", 69);
	strcat(b, "码");
	count(b, PVA_SMS_UCS2, 70, 1);
	rep(b, sizeof(b), "a", 70);
	strcat(b, "码");
	count(b, PVA_SMS_UCS2, 71, 2);
	count(rep(b, sizeof(b), "验", 70), PVA_SMS_UCS2, 70, 1);
	count(rep(b, sizeof(b), "验", 71), PVA_SMS_UCS2, 71, 2);
	count(rep(b, sizeof(b), "验", 134), PVA_SMS_UCS2, 134, 2);  /* 2 x 67 */
	count(rep(b, sizeof(b), "验", 135), PVA_SMS_UCS2, 135, 3);
	/* characters outside GSM-7 though Latin: backtick, tab, curly quote */
	count("`", PVA_SMS_UCS2, 1, 1);
	count("a\tb", PVA_SMS_UCS2, 3, 1);
	count("it\xe2\x80\x99s", PVA_SMS_UCS2, 4, 1);
	/* extension characters cost one unit in UCS-2 */
	count("码{€", PVA_SMS_UCS2, 3, 1);
}

static void test_emoji(void **state)
{
	char b[1024];

	(void)state;
	count("\xf0\x9f\x94\x91", PVA_SMS_UCS2, 2, 1);          /* U+1F511 */
	count(rep(b, sizeof(b), "\xf0\x9f\x94\x91", 35), PVA_SMS_UCS2, 70, 1);
	count(rep(b, sizeof(b), "\xf0\x9f\x94\x91", 36), PVA_SMS_UCS2, 72, 2);
}

static void test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff", "a\x80", "\xc3", "\xc0\xaf",             /* overlong '/' */
		"\xed\xa0\x80",                                   /* surrogate */
		"\xf4\x90\x80\x80",                               /* > U+10FFFF */
		"\xe9\xaa", "\xf0\x9f\x94",
	};
	struct pva_sms_count c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pva_sms_count(bad[i], &c), PVA_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm7_limits),
		cmocka_unit_test(test_gsm7_extension),
		cmocka_unit_test(test_ucs2),
		cmocka_unit_test(test_emoji),
		cmocka_unit_test(test_invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
