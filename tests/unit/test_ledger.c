/* test_ledger.c - the login state machine with time as a parameter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "otp/ledger.h"
#include "store/state.h"
#include "../lib/testenv.h"

struct fx {
	struct testenv env;
	struct pva_hostkey *key;
	struct pva_store store;
	struct pva_settings s;
	struct pva_ledger_ctx c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned char raw[PVA_KEY_BYTES];

	if (f == NULL || testenv_setup(&f->env, "") != 0)
		return -1;
	randombytes_buf(raw, sizeof(raw));
	if (pva_hostkey_from_bytes(raw, &f->key) != PVA_OK ||
	    pva_store_open(&f->store, f->env.state, f->key, 1) != PVA_OK)
		return -1;
	f->s = f->env.cfg->defaults;
	f->s.max_attempts = 3;
	f->s.lockout_after = 2;
	f->s.lockout_time = 100;
	f->s.lockout_max = 350;
	f->s.max_sends_per_hour = 5;
	f->s.resend_cooldown = 30;
	f->s.code_ttl = 300;
	f->c.store = &f->store;
	f->c.key = f->key;
	f->c.s = &f->s;
	f->c.user = "alice";
	f->c.service = "sshd";
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

static void issue(struct fx *f, time_t now, char *code)
{
	struct pva_ledger_result r;

	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, now, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_ISSUED);
	assert_int_equal(r.expires, now + 300);
	strcpy(code, r.code);
	pva_ledger_result_wipe(&r);
	assert_int_equal(r.code[0], '\0');
}

static enum pva_ledger_outcome verify(struct fx *f, const char *ans, time_t now,
				      struct pva_ledger_result *r)
{
	assert_int_equal(pva_ledger_verify(&f->c, ans, now, r), PVA_OK);
	return r->outcome;
}

static void wrong_of(const char *code, char *out)
{
	strcpy(out, code);
	out[0] = out[0] == '9' ? '0' : (char)(out[0] + 1);
}

static void test_correct_once(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16];

	issue(f, 1000, code);
	assert_int_equal(verify(f, code, 1001, &r), PVA_LEDGER_CORRECT);
	/* single use: the same code again finds nothing live */
	assert_int_equal(verify(f, code, 1002, &r), PVA_LEDGER_EXPIRED);
}

static void test_pending_reused_not_resent(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16];

	issue(f, 1000, code);
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, 1100, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_PENDING);
	assert_int_equal(r.expires, 1300);
	assert_string_equal(r.code, "");
	/* another service gets its own code */
	f->c.service = "login";
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, 1100, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_ISSUED);
	/* and the sshd code is not valid for login */
	assert_int_equal(verify(f, code, 1101, &r), PVA_LEDGER_WRONG);
	pva_ledger_result_wipe(&r);
}

static void test_expiry(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16];

	issue(f, 1000, code);
	assert_int_equal(verify(f, code, 1300, &r), PVA_LEDGER_EXPIRED);
	issue(f, 1300, code); /* after expiry a new code is issued */
	assert_int_equal(verify(f, code, 1599, &r), PVA_LEDGER_CORRECT);
}

static void test_max_attempts_and_lockout_doubling(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16], bad[16];
	time_t t = 1000;
	int round;

	f->s.max_sends_per_hour = 100; /* this test is about lockouts */
	for (round = 0; round < 2; round++) {
		issue(f, t, code);
		wrong_of(code, bad);
		assert_int_equal(verify(f, bad, t, &r), PVA_LEDGER_WRONG);
		assert_int_equal(r.left, 2);
		assert_int_equal(verify(f, bad, t, &r), PVA_LEDGER_WRONG);
		assert_int_equal(r.left, 1);
		assert_int_equal(verify(f, bad, t, &r), PVA_LEDGER_MAXTRIES);
		assert_int_equal(r.locked_now, round == 1);
	}
	assert_int_equal(r.until, t + 100);
	/* the dead code no longer works even when right (and the user is locked) */
	assert_int_equal(verify(f, code, t, &r), PVA_LEDGER_LOCKED);
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, t + 1, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_LOCKED);
	assert_int_equal(r.until, t + 100);
	/* the lockout ends, the next one lasts twice as long */
	t += 100;
	for (round = 0; round < 2; round++) {
		issue(f, t, code);
		wrong_of(code, bad);
		verify(f, bad, t, &r);
		verify(f, bad, t, &r);
		assert_int_equal(verify(f, bad, t, &r), PVA_LEDGER_MAXTRIES);
	}
	assert_int_equal(r.locked_now, 1);
	assert_int_equal(r.until, t + 200);
	/* third time: 400 capped at lockout_max 350 */
	t += 200;
	for (round = 0; round < 2; round++) {
		issue(f, t, code);
		wrong_of(code, bad);
		verify(f, bad, t, &r);
		verify(f, bad, t, &r);
		verify(f, bad, t, &r);
	}
	assert_int_equal(r.until, t + 350);
	/* a success resets the doubling */
	t += 350;
	issue(f, t, code);
	assert_int_equal(verify(f, code, t, &r), PVA_LEDGER_CORRECT);
	for (round = 0; round < 2; round++) {
		issue(f, t, code);
		wrong_of(code, bad);
		verify(f, bad, t, &r);
		verify(f, bad, t, &r);
		verify(f, bad, t, &r);
	}
	assert_int_equal(r.until, t + 100);
}

static void test_resend_cooldown_carries_attempts(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16], bad[16], newer[16];

	issue(f, 1000, code);
	wrong_of(code, bad);
	assert_int_equal(verify(f, bad, 1001, &r), PVA_LEDGER_WRONG);
	assert_int_equal(pva_ledger_resend(&f->c, PVA_CH_SMS, 1010, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_COOLDOWN);
	assert_int_equal(r.until, 1030);
	assert_int_equal(pva_ledger_resend(&f->c, PVA_CH_VOICE, 1030, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_ISSUED);
	assert_int_equal(r.channel, PVA_CH_VOICE);
	strcpy(newer, r.code);
	pva_ledger_result_wipe(&r);
	/* the old code died with the resend */
	if (strcmp(code, newer) != 0)
		assert_int_equal(verify(f, code, 1031, &r), PVA_LEDGER_WRONG);
	else
		assert_int_equal(verify(f, bad, 1031, &r), PVA_LEDGER_WRONG);
	/* 1 wrong before + 1 now: one attempt left on the new code */
	assert_int_equal(r.left, 1);
	wrong_of(newer, bad);
	assert_int_equal(verify(f, bad, 1032, &r), PVA_LEDGER_MAXTRIES);
}

static void test_hourly_cap(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16];
	int i;

	f->s.resend_cooldown = 0;
	issue(f, 1000, code);
	for (i = 1; i < 5; i++) {
		assert_int_equal(pva_ledger_resend(&f->c, PVA_CH_SMS, 1000 + i, &r), PVA_OK);
		assert_int_equal(r.outcome, PVA_LEDGER_ISSUED);
		pva_ledger_result_wipe(&r);
	}
	assert_int_equal(pva_ledger_resend(&f->c, PVA_CH_SMS, 1100, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_CAPPED);
	assert_int_equal(r.until, 1000 + 3600);
	assert_int_equal(pva_ledger_resend(&f->c, PVA_CH_SMS, 4600, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_ISSUED);
	pva_ledger_result_wipe(&r);
}

/* Letting a code expire after wrong entries is no way around the lockout. */
static void test_expired_code_with_wrong_entries_counts(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16], bad[16];
	time_t t = 1000;
	int round;

	for (round = 0; round < 2; round++) {
		issue(f, t, code);
		wrong_of(code, bad);
		assert_int_equal(verify(f, bad, t, &r), PVA_LEDGER_WRONG);
		t += 301; /* the code expires with one wrong entry against it */
	}
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, t, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_LOCKED);
	assert_int_equal(r.until, t + 100);
}

/* A resend whose delivery fails gives back the code it replaced. */
static void test_cancelled_resend_restores_previous(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r, r2;
	char code[16], bad[16];

	issue(f, 1000, code);
	wrong_of(code, bad);
	assert_int_equal(verify(f, bad, 1001, &r2), PVA_LEDGER_WRONG);
	assert_int_equal(pva_ledger_resend(&f->c, PVA_CH_VOICE, 1040, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_ISSUED);
	assert_int_equal(r.has_prev, 1);
	assert_int_equal(pva_ledger_cancel(&f->c, &r, 1041), PVA_OK);
	pva_ledger_result_wipe(&r);
	/* the old code is back, with its wrong entry: one more leaves one */
	assert_int_equal(verify(f, bad, 1042, &r2), PVA_LEDGER_WRONG);
	assert_int_equal(r2.left, 1);
	assert_int_equal(verify(f, code, 1043, &r2), PVA_LEDGER_CORRECT);
}

static void test_cancel(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r, r2;

	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, 1000, &r), PVA_OK);
	assert_int_equal(pva_ledger_cancel(&f->c, &r, 1001), PVA_OK);
	assert_int_equal(verify(f, r.code, 1002, &r2), PVA_LEDGER_EXPIRED);
	pva_ledger_result_wipe(&r);
}

static void test_corrupt_record_fails_closed(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16], path[PATH_MAX + 32];
	FILE *fp;

	issue(f, 1000, code);
	snprintf(path, sizeof(path), "%s/state/alice", f->env.state);
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs("fails=0\n", fp);
	fclose(fp);
	assert_int_equal(pva_ledger_verify(&f->c, code, 1001, &r), PVA_ERR_CORRUPT);
	assert_int_not_equal(r.outcome, PVA_LEDGER_CORRECT);
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, 1001, &r), PVA_ERR_CORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_correct_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_reused_not_resent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_attempts_and_lockout_doubling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend_cooldown_carries_attempts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hourly_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_code_with_wrong_entries_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancelled_resend_restores_previous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_record_fails_closed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
