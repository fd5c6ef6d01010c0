/* test_message.c - template checks and single-pass rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/message.h"

static void test_check(void **state)
{
	char why[160];

	(void)state;
	assert_int_equal(pva_message_check(PVA_DEFAULT_MESSAGE, why, sizeof(why)), PVA_OK);
	assert_int_equal(pva_message_check(PVA_DEFAULT_VOICE_MESSAGE, why, sizeof(why)), PVA_OK);
	assert_int_equal(pva_message_check("no code", why, sizeof(why)), PVA_ERR_CONFIG);
	assert_int_equal(pva_message_check("{code} {phone}", why, sizeof(why)), PVA_ERR_CONFIG);
	assert_int_equal(pva_message_check("{code} {", why, sizeof(why)), PVA_ERR_CONFIG);
	assert_int_equal(pva_message_check("{code} }", why, sizeof(why)), PVA_ERR_CONFIG);
}

static void test_render_sms(void **state)
{
	struct pva_message_vars v = { "123456", "sshd", "bastion", 300, PVA_CH_SMS };
	char out[PVA_MESSAGE_MAX];

	(void)state;
	assert_int_equal(pva_message_render(PVA_DEFAULT_MESSAGE, &v, out, sizeof(out)), PVA_OK);
	assert_string_equal(out, "123456 is your login code for sshd on bastion, valid 5 min. "
			    "Never share it: nobody will ever ask you for it.");
	v.ttl = 61;
	assert_int_equal(pva_message_render("{ttl_min}", &v, out, sizeof(out)), PVA_OK);
	assert_string_equal(out, "2");
	v.ttl = 45;
	assert_int_equal(pva_message_render("{validity}|{ttl_min}", &v, out, sizeof(out)), PVA_OK);
	assert_string_equal(out, "45 s|1");
	v.ttl = 600;
	assert_int_equal(pva_message_render("{validity}", &v, out, sizeof(out)), PVA_OK);
	assert_string_equal(out, "10 min");
}

static void test_render_voice_spells_digits(void **state)
{
	struct pva_message_vars v = { "408123", "login", "h", 120, PVA_CH_VOICE };
	char out[PVA_MESSAGE_MAX];

	(void)state;
	assert_int_equal(pva_message_render("Code {code}.", &v, out, sizeof(out)), PVA_OK);
	assert_string_equal(out, "Code 4, 0, 8, 1, 2, 3.");
}

static void test_single_pass(void **state)
{
	/* a value that looks like a placeholder is not expanded again */
	struct pva_message_vars v = { "111111", "{code}", "{host}", 60, PVA_CH_SMS };
	char out[PVA_MESSAGE_MAX];

	(void)state;
	assert_int_equal(pva_message_render("{service}/{host}/{code}", &v, out, sizeof(out)), PVA_OK);
	assert_string_equal(out, "{code}/{host}/111111");
}

static void test_overflow(void **state)
{
	struct pva_message_vars v = { "123456", "sshd", "h", 60, PVA_CH_SMS };
	char out[8];

	(void)state;
	assert_int_equal(pva_message_render("{code} is long", &v, out, sizeof(out)), PVA_ERR_INVAL);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_render_sms),
		cmocka_unit_test(test_render_voice_spells_digits),
		cmocka_unit_test(test_single_pass),
		cmocka_unit_test(test_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
