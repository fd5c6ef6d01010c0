/* test_reminder.c - privacy/reminder.c: the texts (templates, built-in
 * English and Chinese, subject, the login note), the age decision where
 * no shadow entry is involved, and the every-N-days rule over a real
 * reminder record.  Ages from real shadow entries are tested by
 * tests/remind/remind_test.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "privacy/remind.h"
#include "privacy/reminder.h"
#include "../lib/storefx.h"

static struct pva_settings *settings(void)
{
	struct pva_config *cfg = NULL;
	struct pva_settings *s = calloc(1, sizeof(*s));
	char err[256];

	assert_non_null(s);
	assert_int_equal(pva_config_parse("", "t", &cfg, err, sizeof(err)), PVA_OK);
	memcpy(s, &cfg->defaults, sizeof(*s));
	pva_config_free(cfg);
	return s;
}

static const struct pva_remind_age age100 = { 100, 0, "2026-08-19" };

static void test_defaults(void **state)
{
	struct pva_settings *s = settings();

	(void)state;
	assert_int_equal(s->remind_after_days, 0);
	assert_int_equal(s->remind_every_days, 7);
	assert_int_equal(s->remind_via, PVA_REMIND_SMS);
	free(s);
}

static void test_text_builtin(void **state)
{
	struct pva_settings *s = settings();
	char out[PVA_REMIND_TEXT_MAX];

	(void)state;
	assert_int_equal(pva_reminder_text(s, PVA_LANG_EN, "alice", "bastion", &age100, out,
					   sizeof(out)), PVA_OK);
	assert_string_equal(out, "Hello alice, your password on bastion was last changed "
			    "100 days ago (2026-08-19). Please change it soon with passwd.");
	assert_int_equal(pva_reminder_text(s, PVA_LANG_ZH_CN, "alice", "bastion", &age100, out,
					   sizeof(out)), PVA_OK);
	assert_string_equal(out, "alice，您好：您在 bastion 上的密码已有 100 天未更改（上次更改："
			    "2026-08-19）。请尽快用 passwd 命令更改密码。");
	free(s);
}

static void test_text_template(void **state)
{
	struct pva_settings *s = settings();
	char out[64];

	(void)state;
	snprintf(s->remind_message[PVA_LANG_EN], PVA_TEMPLATE_MAX,
		 "{user}/{host}/{days}/{date}/{other}/{user}");
	assert_int_equal(pva_reminder_text(s, PVA_LANG_EN, "{host}", "h", &age100, out,
					   sizeof(out)), PVA_OK);
	/* one pass: the user name "{host}" is not expanded again */
	assert_string_equal(out, "{host}/h/100/2026-08-19/{other}/{host}");
	/* the Chinese template is still the built-in one */
	assert_int_equal(pva_reminder_text(s, PVA_LANG_ZH_CN, "u", "h", &age100, out,
					   sizeof(out)), PVA_ERR_INVAL); /* too long for 64 */
	assert_string_equal(out, "");
	free(s);
}

static void test_subject_and_notice(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(pva_reminder_subject(PVA_LANG_EN, "alice", "bastion", &age100, out,
					      sizeof(out)), PVA_OK);
	assert_string_equal(out, "Password reminder for alice on bastion");
	assert_int_equal(pva_reminder_subject(PVA_LANG_ZH_CN, "alice", "bastion", &age100, out,
					      sizeof(out)), PVA_OK);
	assert_string_equal(out, "bastion 密码更改提醒（alice）");
	/* no language switched on: the msgid */
	assert_int_equal(pva_reminder_notice(&age100, out, sizeof(out)), PVA_OK);
	assert_string_equal(out, "Your password was last changed 100 days ago (2026-08-19). "
			    "Please change it soon with passwd.");
	assert_int_equal(pva_reminder_notice(&age100, out, 20), PVA_ERR_INVAL);
}

static void test_age_off_and_unknown(void **state)
{
	struct pva_settings *s = settings();
	struct pva_remind_age a;
	enum pva_remind_decision d;

	(void)state;
	assert_int_equal(pva_reminder_check_age(s, "root", 1800000000, &a, &d), PVA_OK);
	assert_int_equal(d, PVA_REMIND_OFF);
	s->remind_after_days = 30;
	assert_int_equal(pva_reminder_check_age(s, "pva-no-such-user-xyz", 1800000000, &a, &d),
			 PVA_OK);
	assert_int_equal(d, PVA_REMIND_NO_AGE);
	assert_string_equal(pva_remind_decision_name(PVA_REMIND_DUE), "due");
	assert_string_equal(pva_remind_decision_name(PVA_REMIND_RECENT), "recent");
	free(s);
}

/* The every-N-days rule over a real record: root has a shadow entry with a
 * date on Debian; when it has none the test has nothing to decide on. */
static void test_decide_recent(void **state)
{
	struct storefx *fx = *state;
	struct pva_settings *s = settings();
	struct pva_remind_age a;
	enum pva_remind_decision d;
	time_t now = time(NULL), last = 0, changed;
	unsigned days;

	if (pva_password_age("root", now, &days, &changed) != PVA_OK) {
		free(s);
		skip();
	}
	s->remind_after_days = 1;
	s->remind_every_days = 7;
	now += 2 * 86400; /* root's password is at least 2 days old then */
	assert_int_equal(pva_reminder_decide(s, &fx->st, "root", now, &a, &last, &d), PVA_OK);
	assert_int_equal(d, PVA_REMIND_DUE);
	assert_int_equal(last, 0);
	assert_true(a.days >= 2);
	assert_int_equal(pva_remind_mark(&fx->st, "root", now - 6 * 86400), PVA_OK);
	assert_int_equal(pva_reminder_decide(s, &fx->st, "root", now, &a, &last, &d), PVA_OK);
	assert_int_equal(d, PVA_REMIND_RECENT);
	assert_int_equal(last, now - 6 * 86400);
	assert_int_equal(pva_remind_mark(&fx->st, "root", now - 7 * 86400), PVA_OK);
	assert_int_equal(pva_reminder_decide(s, &fx->st, "root", now, &a, &last, &d), PVA_OK);
	assert_int_equal(d, PVA_REMIND_DUE);
	s->remind_after_days = a.days + 1;
	assert_int_equal(pva_reminder_decide(s, &fx->st, "root", now, &a, &last, &d), PVA_OK);
	assert_int_equal(d, PVA_REMIND_YOUNG);
	free(s);
}

static int setup(void **state)
{
	return storefx_setup(state, "reminder");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_text_builtin),
		cmocka_unit_test(test_text_template),
		cmocka_unit_test(test_subject_and_notice),
		cmocka_unit_test(test_age_off_and_unknown),
		cmocka_unit_test_setup_teardown(test_decide_recent, setup, storefx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
