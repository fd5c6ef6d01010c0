/* test_rules.c - every policy rule, its message, presets and bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "policy/blocklist.h"
#include "policy/policy.h"
#include "policy/zxcvbn.h"

static const struct pva_pw_ctx ctx = {
	.user = "jdoe", .gecos = "Jonathan Doe,Room 12,,", .host = "fileserver",
	.service = "passwd", .old_password = NULL,
};

static void check(const struct pva_policy *p, const char *pw, const struct pva_pw_ctx *c,
		  struct pva_pw_verdict *v)
{
	size_t i, len;

	assert_int_equal(pva_policy_check(p, NULL, pw, c, v), PVA_OK);
	for (i = 0; i < v->n; i++) {
		len = strlen(v->text[i]);
		/* one whole sentence, never truncated, with guidance after ':' */
		if (len == 0 || len >= PVA_PW_REASON_LEN - 1 || v->text[i][len - 1] != '.' ||
		    strchr(v->text[i], ':') == NULL || strncmp(v->text[i], "It ", 3) != 0)
			fail_msg("bad message \"%s\"", v->text[i]);
	}
}

/* pw is refused for code, and the message for it contains want. */
static void refused_for(const struct pva_policy *p, const char *pw, enum pva_pw_reason code,
			const char *want)
{
	struct pva_pw_verdict v;
	size_t i;

	check(p, pw, &ctx, &v);
	for (i = 0; i < v.n; i++)
		if (v.code[i] == code) {
			if (strstr(v.text[i], want) == NULL)
				fail_msg("\"%s\": message \"%s\" lacks \"%s\"", pw, v.text[i], want);
			return;
		}
	fail_msg("\"%s\" not refused for reason %d (%zu reasons)", pw, code, v.n);
}

static void accepted(const struct pva_policy *p, const char *pw)
{
	struct pva_pw_verdict v;

	check(p, pw, &ctx, &v);
	if (v.n != 0)
		fail_msg("\"%s\" refused: %s", pw, v.text[0]);
}

static void test_defaults(void **state)
{
	struct pva_policy p, n;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	assert_int_equal(p.min_length, 12);
	assert_true(p.max_length >= 64);
	assert_int_equal(p.min_classes, 3);
	assert_true(p.require_upper && p.require_lower && p.require_digit);
	assert_false(p.require_other);
	assert_int_equal(p.max_repeat, 3);
	assert_int_equal(p.max_sequence, 4);
	assert_true(p.check_user && p.blocklist);
	assert_int_equal(p.min_old_diff, 5);
	assert_int_equal(p.retry, 3);
	assert_false(p.enforce_for_root || p.warn_only);
	pva_policy_defaults(&n, PVA_PRESET_NIST);
	assert_int_equal(n.preset, PVA_PRESET_NIST);
	assert_int_equal(n.min_length, 15);
	assert_int_equal(n.min_classes, 0);
	assert_false(n.require_upper || n.require_lower || n.require_digit || n.require_other);
	assert_int_equal(n.max_repeat, 3);   /* NIST names repetitive/sequential */
	assert_int_equal(n.max_sequence, 4);
	assert_true(n.blocklist && n.check_user);
}

static void test_length(void **state)
{
	struct pva_policy p;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	refused_for(&p, "Gx7kVm2qLw", PVA_PW_TOO_SHORT, "at least 12 characters");
	accepted(&p, "Gx7kVm2qLwZp");
	/* characters, not bytes: 11 code points in 16 bytes is too short */
	refused_for(&p, "Gx7k\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9Lw", PVA_PW_TOO_SHORT, "12");
	accepted(&p, "Gx7k\xc3\xa9m\xc3\xa9q\xc3\xa9LwZ");
	p.max_length = 64;
	refused_for(&p, "Gx7kVm2qLwZpGx7kVm2qLwZpGx7kVm2qLwZpGx7kVm2qLwZpGx7kVm2qLwZpGx7kV",
		    PVA_PW_TOO_LONG, "at most 64 characters");
}

static void test_bad_input(void **state)
{
	struct pva_policy p;
	struct pva_pw_verdict v;
	char big[PVA_PW_INPUT_MAX + 2];

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	refused_for(&p, "Gx7kVm2q\tLwZp", PVA_PW_BAD_INPUT, "printable characters only");
	refused_for(&p, "Gx7kVm2q\x7fLwZp", PVA_PW_BAD_INPUT, "control");
	refused_for(&p, "Gx7kVm2q\xc2\x85LwZp", PVA_PW_BAD_INPUT, "control"); /* C1 NEL */
	refused_for(&p, "Gx7kVm2q\xc3LwZp", PVA_PW_BAD_INPUT, "invalid");
	refused_for(&p, "Gx7kVm2q\xc0\xafLwZp", PVA_PW_BAD_INPUT, "invalid"); /* overlong */
	refused_for(&p, "Gx7kVm2q\xed\xa0\x80LwZp", PVA_PW_BAD_INPUT, "invalid"); /* surrogate */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused_for(&p, big, PVA_PW_BAD_INPUT, "256 bytes");
	check(&p, big, &ctx, &v);
	assert_int_equal(v.n, 1);
	assert_int_equal(pva_policy_check(&p, NULL, NULL, &ctx, &v), PVA_OK);
	assert_int_equal(v.code[0], PVA_PW_BAD_INPUT);
	/* exactly 256 bytes is checked normally */
	big[PVA_PW_INPUT_MAX] = '\0';
	check(&p, big, &ctx, &v);
	assert_true(v.n > 0 && v.code[0] != PVA_PW_BAD_INPUT);
}

static void test_classes(void **state)
{
	struct pva_policy p;
	struct pva_pw_verdict v;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	refused_for(&p, "gx7kvm2qlwzp", PVA_PW_NO_UPPER, "upper-case");
	refused_for(&p, "GX7KVM2QLWZP", PVA_PW_NO_LOWER, "lower-case");
	refused_for(&p, "GxykVmbqLwZp", PVA_PW_NO_DIGIT, "digit");
	p.require_other = 1;
	refused_for(&p, "Gx7kVm2qLwZp", PVA_PW_NO_OTHER, "symbol");
	accepted(&p, "Gx7kVm2q-LwZp");
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	p.require_upper = p.require_lower = p.require_digit = 0;
	p.min_classes = 4;
	refused_for(&p, "Gx7kVm2qLwZp", PVA_PW_FEW_CLASSES, "at least 4 of");
	accepted(&p, "Gx7kVm2q LwZp");
	/* no FEW_CLASSES on top of a missing required class */
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	check(&p, "gxykvmbqlwzp", &ctx, &v);
	assert_int_equal(v.n, 2);
}

static void test_repeat(void **state)
{
	struct pva_policy p;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	refused_for(&p, "Gx7kVmmmmqLwZ", PVA_PW_REPEAT, "more than 3 times");
	accepted(&p, "Gx7kVmmmqLwZp");
	refused_for(&p, "Gx7k\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9qLwZ", PVA_PW_REPEAT, "3");
	p.max_repeat = 0;
	accepted(&p, "Gx7kVmmmmmmqLwZ");
}

static void test_sequence(void **state)
{
	struct pva_policy p;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	refused_for(&p, "Gx7abcdeVmLwZ", PVA_PW_SEQUENCE, "more than 4 characters");
	refused_for(&p, "Gx7kVm54321Zp", PVA_PW_SEQUENCE, "in sequence");
	refused_for(&p, "Gx7kVmEDCBAZp", PVA_PW_SEQUENCE, "break it up");
	refused_for(&p, "Gx7QWERTkVmZp", PVA_PW_SEQUENCE, "qwert");
	refused_for(&p, "Gx7k1qaz2VmLp", PVA_PW_SEQUENCE, "1qaz2");
	refused_for(&p, "Gx7kLKJHGVmZp", PVA_PW_SEQUENCE, "sequence");
	refused_for(&p, "Gx7kV67890Zpq", PVA_PW_SEQUENCE, "sequence"); /* 67890 */
	accepted(&p, "Gx7abcdVmLwZp");  /* a run of exactly 4 is allowed */
	accepted(&p, "Gx7kqwerVmLwZ");
	p.max_sequence = 2;
	refused_for(&p, "Gx7kabcVmLwZp", PVA_PW_SEQUENCE, "more than 2");
	refused_for(&p, "Gx7kVm1qaLwZp", PVA_PW_SEQUENCE, "sequence");
	p.max_sequence = 0;
	accepted(&p, "Gx7abcdefghiZ");
	/* the NIST preset keeps both: degenerate long strings are refused */
	pva_policy_defaults(&p, PVA_PRESET_NIST);
	refused_for(&p, "aaaaaaaaaaaaaaaa", PVA_PW_REPEAT, "in a row");
	refused_for(&p, "123456789012345", PVA_PW_SEQUENCE, "in sequence");
	accepted(&p, "tailcoat victory quilter amber");
}

static void test_personal(void **state)
{
	struct pva_policy p;
	struct pva_pw_ctx c = ctx;
	struct pva_pw_verdict v;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	refused_for(&p, "Gx7kJDOEqLwZp", PVA_PW_PERSONAL, "user name");
	refused_for(&p, "Gx7keodjqLwZp", PVA_PW_PERSONAL, "user name");   /* reversed */
	refused_for(&p, "Gx7kJD0EqLwZp", PVA_PW_PERSONAL, "user name");   /* leet */
	refused_for(&p, "Gx7kJonathan9", PVA_PW_PERSONAL, "full name");
	refused_for(&p, "Gx7kNAHTANOJ9", PVA_PW_PERSONAL, "full name");
	refused_for(&p, "Gx7kR00m9LwZp", PVA_PW_PERSONAL, "full name");   /* "Room" */
	refused_for(&p, "Gx7kFileServer9", PVA_PW_PERSONAL, "host name");
	refused_for(&p, "Gx7kDWSSAP9qZ", PVA_PW_PERSONAL, "service name");
	/* tokens under 3 bytes ("12") are not personal words */
	accepted(&p, "Gx7kVm12qLwZp");
	p.check_user = 0;
	accepted(&p, "Gx7kJDOEqLwZp");
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	c.user = c.gecos = c.host = c.service = NULL;
	assert_int_equal(pva_policy_check(&p, NULL, "Gx7kJDOEqLwZp", &c, &v), PVA_OK);
	assert_int_equal(v.n, 0);
	assert_int_equal(pva_policy_check(&p, NULL, "Gx7kJDOEqLwZp", NULL, &v), PVA_OK);
	assert_int_equal(v.n, 0);
}

static void test_old_password(void **state)
{
	struct pva_policy p;
	struct pva_pw_ctx c = ctx;
	struct pva_pw_verdict v;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	c.old_password = "Gx7kVm2qLwZp";
	check(&p, "Gx7kVm2qLwZp", &c, &v);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.code[0], PVA_PW_SIMILAR_OLD);
	assert_non_null(strstr(v.text[0], "at least 5 characters"));
	check(&p, "Gx7kVm2qLwZp99", &c, &v);      /* distance 2 */
	assert_int_equal(v.n, 1);
	check(&p, "Gx7kVm2qL#Tr4", &c, &v);       /* distance 4 */
	assert_int_equal(v.n, 1);
	check(&p, "Gx7kVm2#Tr4Qy", &c, &v);       /* distance 6 */
	assert_int_equal(v.n, 0);
	check(&p, "Rb8nHt3sPcYd", &c, &v);
	assert_int_equal(v.n, 0);
	p.min_old_diff = 0;
	check(&p, "Gx7kVm2qLwZp", &c, &v);
	assert_int_equal(v.n, 0);
}

static void test_blocklist_rule(void **state)
{
	struct pva_policy p;
	struct pva_blocklist *bl = NULL;
	struct pva_pw_verdict v;
	static const char *const bad[] = { "P@ssw0rd2024!", "harrypotter", "asdf1234",
		"Dr0wss@p2024!", "!!Sunshine1987", "Pa$$w0rd!2345", "HarryPotter99!",
		"iloveyou12345!", "Qwerty123456", NULL };
	size_t i, j;
	int found;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_NIST);
	p.min_length = 1;
	assert_int_equal(pva_blocklist_open(NULL, &bl, NULL, 0), PVA_OK);
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(pva_policy_check(&p, bl, bad[i], &ctx, &v), PVA_OK);
		found = 0;
		for (j = 0; j < v.n; j++)
			if (v.code[j] == PVA_PW_BLOCKLISTED &&
			    strstr(v.text[j], "common password") != NULL)
				found = 1;
		if (!found)
			fail_msg("\"%s\" not blocklisted", bad[i]);
	}
	assert_int_equal(pva_policy_check(&p, bl, "Gx7kVm2qLwZp", &ctx, &v), PVA_OK);
	assert_int_equal(v.n, 0);
	p.blocklist = 0;
	assert_int_equal(pva_policy_check(&p, bl, "P@ssw0rd2024!", &ctx, &v), PVA_OK);
	assert_int_equal(v.n, 0);
	pva_blocklist_free(bl);
}

static void test_guesses(void **state)
{
	struct pva_policy p;
	struct pva_pw_verdict v;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	p.blocklist = 0;
	p.min_guesses_log10 = 30;
	check(&p, "Gx7kVm2qLwZp", &ctx, &v);
	if (!pva_zxcvbn_available()) {
		assert_int_equal(v.n, 0);
		skip();
	}
	assert_int_equal(v.n, 1);
	assert_int_equal(v.code[0], PVA_PW_GUESSABLE);
	assert_non_null(strstr(v.text[0], "at least 10^30"));
	p.min_guesses_log10 = 8;
	accepted(&p, "Gx7kVm2qLwZp");
	refused_for(&p, "Password1234", PVA_PW_GUESSABLE, "guessed too easily");
}

static void test_many_reasons_bounded(void **state)
{
	struct pva_policy p;
	struct pva_pw_verdict v;

	(void)state;
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	p.require_other = 1;
	p.min_guesses_log10 = pva_zxcvbn_available() ? 20 : 0;
	check(&p, "aaaa", &ctx, &v);
	assert_true(v.n >= 4 && v.n <= PVA_PW_MAX_REASONS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_personal),
		cmocka_unit_test(test_old_password),
		cmocka_unit_test(test_blocklist_rule),
		cmocka_unit_test(test_guesses),
		cmocka_unit_test(test_many_reasons_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
