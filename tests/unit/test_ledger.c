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
#include "store/counters.h"
#include "store/state.h"
#include "../lib/testenv.h"

struct fx {
	struct testenv env;
	struct pva_hostkey *key;
	struct pva_store store;
	struct pva_settings s;
	struct pva_ledger_ctx c;
	char svc[32];
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

/* ---- fraud and cost limits ------------------------------------------- */

#define ALICE_PHONE "+8613812345678"
#define SHARED_PHONE "+8613900000000"

/* One send for (user, phone) at now through begin; returns the outcome. */
static enum pva_ledger_outcome send_as(struct fx *f, const char *user, const char *phone,
				       time_t now, struct pva_ledger_result *r)
{
	f->c.user = user;
	f->c.phone = phone;
	/* a fresh service each time: never a pending code to reuse */
	snprintf(f->svc, sizeof(f->svc), "svc%lld", (long long)now);
	f->c.service = f->svc;
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, now, r), PVA_OK);
	pva_ledger_result_wipe(r);
	return r->outcome;
}

static size_t host_sends(struct fx *f, time_t now)
{
	struct pva_counter *c = calloc(1, sizeof(*c));
	size_t n;

	assert_non_null(c);
	assert_int_equal(pva_counter_load(&f->store, PVA_COUNTER_HOST, c), PVA_OK);
	n = pva_counter_within(c, now, 3600);
	free(c);
	return n;
}

static size_t user_sends(struct fx *f, const char *user, time_t now)
{
	struct pva_state *st = calloc(1, sizeof(*st));
	size_t n;

	assert_non_null(st);
	assert_int_equal(pva_state_load(&f->store, user, st), PVA_OK);
	n = pva_state_sends_within(st, now, 86400);
	free(st);
	return n;
}

static void test_destination_refused(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;

	/* default allowed_prefixes: "+86" only */
	assert_int_equal(send_as(f, "alice", "+447700900123", 1000, &r), PVA_LEDGER_REFUSED);
	assert_string_equal(r.code, "");
	/* nothing issued, nothing counted anywhere */
	assert_int_equal(user_sends(f, "alice", 1000), 0);
	assert_int_equal(host_sends(f, 1000), 0);
	f->c.service = f->svc;
	assert_int_equal(pva_ledger_verify(&f->c, "000000", 1001, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_EXPIRED);
	/* resend is refused the same way */
	assert_int_equal(pva_ledger_resend(&f->c, PVA_CH_VOICE, 1002, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_REFUSED);
	/* inside the list: fine */
	assert_int_equal(send_as(f, "alice", ALICE_PHONE, 1003, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(host_sends(f, 1003), 1);
	/* widen the list */
	strcpy(f->s.allowed_prefixes[1], "+44");
	f->s.n_allowed = 2;
	assert_int_equal(send_as(f, "alice", "+447700900123", 1004, &r), PVA_LEDGER_ISSUED);
}

/* A decoy number (nothing is sent) is exempt from the destination check,
 * so unknown users are not told apart, but counts like any other send. */
static void test_decoy_skips_destination_check(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;

	f->c.decoy = 1;
	assert_int_equal(send_as(f, "ghost", "+447700900123", 1000, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(host_sends(f, 1000), 1);
	assert_int_equal(user_sends(f, "ghost", 1000), 1);
}

static void test_user_daily_cap(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	time_t t0 = 100000;
	int i;

	f->s.max_sends_per_hour = 3;
	f->s.max_sends_per_day = 7;
	f->s.number_max_per_hour = 100;
	f->s.number_max_per_day = 1000;
	/* 3 an hour: hours 0 and 1 fill 6, hour 2 takes one more */
	for (i = 0; i < 7; i++)
		assert_int_equal(send_as(f, "alice", ALICE_PHONE, t0 + (i / 3) * 3600 + i, &r),
				 PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "alice", ALICE_PHONE, t0 + 7300, &r), PVA_LEDGER_CAPPED);
	assert_int_equal(r.limit, PVA_LIMIT_USER_DAY);
	assert_int_equal(r.until, t0 + 86400); /* the first send leaves the day */
	/* hourly and daily caps both hit: the later one is reported */
	assert_int_equal(send_as(f, "alice", ALICE_PHONE, t0 + 7201, &r), PVA_LEDGER_CAPPED);
	assert_int_equal(r.limit, PVA_LIMIT_USER_DAY);
	assert_int_equal(send_as(f, "alice", ALICE_PHONE, t0 + 86400, &r), PVA_LEDGER_ISSUED);
	/* refusals were not counted: 6 of the first day + this one */
	assert_int_equal(user_sends(f, "alice", t0 + 86400), 7);
}

static void test_user_hourly_cap_reports_limit(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	int i;

	for (i = 0; i < 5; i++)
		assert_int_equal(send_as(f, "alice", ALICE_PHONE, 1000 + i, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "alice", ALICE_PHONE, 1010, &r), PVA_LEDGER_CAPPED);
	assert_int_equal(r.limit, PVA_LIMIT_USER_HOUR);
	assert_int_equal(r.until, 1000 + 3600);
	assert_string_equal(pva_limit_name(r.limit), "user_hour");
}

/* Two users sharing one number share its caps; other numbers are free. */
static void test_number_caps_across_users(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;

	f->s.number_max_per_hour = 3;
	f->s.number_max_per_day = 4;
	assert_int_equal(send_as(f, "alice", SHARED_PHONE, 1000, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "alice", SHARED_PHONE, 1001, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "bob", SHARED_PHONE, 1002, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "bob", SHARED_PHONE, 1003, &r), PVA_LEDGER_CAPPED);
	assert_int_equal(r.limit, PVA_LIMIT_NUMBER_HOUR);
	/* shared histories count per minute: the minute's latest send decides */
	assert_int_equal(r.until, 1002 + 3600);
	/* the refusal counted nowhere: bob has 1 send, the host 3 */
	assert_int_equal(user_sends(f, "bob", 1003), 1);
	assert_int_equal(host_sends(f, 1003), 3);
	/* another number is not affected */
	assert_int_equal(send_as(f, "carol", ALICE_PHONE, 1004, &r), PVA_LEDGER_ISSUED);
	/* an hour later one more fits the day (4), then the day is full */
	assert_int_equal(send_as(f, "bob", SHARED_PHONE, 4601, &r), PVA_LEDGER_CAPPED);
	assert_int_equal(send_as(f, "bob", SHARED_PHONE, 4602, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "alice", SHARED_PHONE, 4603, &r), PVA_LEDGER_CAPPED);
	assert_int_equal(r.limit, PVA_LIMIT_NUMBER_DAY);
	assert_int_equal(r.until, 1002 + 86400);
	/* without a destination (phone NULL) only user and host caps apply */
	assert_int_equal(send_as(f, "alice", NULL, 4604, &r), PVA_LEDGER_ISSUED);
}

static void test_host_cap(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;

	f->s.host_max_sends_per_hour = 3;
	assert_int_equal(send_as(f, "u1", "+8613800000001", 1000, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "u2", "+8613800000002", 1100, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "u3", "+8613800000003", 1200, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "u4", "+8613800000004", 1300, &r), PVA_LEDGER_CAPPED);
	assert_int_equal(r.limit, PVA_LIMIT_HOST_HOUR);
	assert_int_equal(r.until, 1000 + 3600);
	assert_int_equal(user_sends(f, "u4", 1300), 0);
	assert_int_equal(send_as(f, "u4", "+8613800000004", 4600, &r), PVA_LEDGER_ISSUED);
	assert_int_equal(send_as(f, "u5", "+8613800000005", 4601, &r), PVA_LEDGER_CAPPED);
	assert_int_equal(r.until, 1100 + 3600);
}

/* A reused pending code sends nothing and counts nothing. */
static void test_pending_not_counted(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;

	f->c.phone = ALICE_PHONE;
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, 1000, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_ISSUED);
	pva_ledger_result_wipe(&r);
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, 1001, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_PENDING);
	assert_int_equal(host_sends(f, 1001), 1);
	assert_int_equal(user_sends(f, "alice", 1001), 1);
}

/* send-test's charge: counted like a code, lockouts do not apply. */
static void test_charge(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char code[16], bad[16];
	int i;

	f->c.phone = ALICE_PHONE;
	f->s.max_attempts = 1;
	f->s.lockout_after = 1;
	issue(f, 1000, code);
	wrong_of(code, bad);
	assert_int_equal(verify(f, bad, 1001, &r), PVA_LEDGER_MAXTRIES);
	assert_int_equal(r.locked_now, 1);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pva_ledger_charge(&f->c, 1002 + i, &r), PVA_OK);
		assert_int_equal(r.outcome, PVA_LEDGER_ALLOWED);
		assert_string_equal(r.code, "");
	}
	assert_int_equal(pva_ledger_charge(&f->c, 1010, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_CAPPED);
	assert_int_equal(r.limit, PVA_LIMIT_USER_HOUR);
	assert_int_equal(host_sends(f, 1010), 5);
	f->c.phone = "+15551234567";
	assert_int_equal(pva_ledger_charge(&f->c, 5000, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_REFUSED);
	/* the lockout is still there */
	assert_int_equal(pva_ledger_begin(&f->c, PVA_CH_SMS, 1011, &r), PVA_OK);
	assert_int_equal(r.outcome, PVA_LEDGER_LOCKED);
}

/* The shared records hold no number in the clear. */
static void test_no_plain_number_stored(void **state)
{
	struct fx *f = *state;
	struct pva_ledger_result r;
	char cmd[PATH_MAX + 64];

	assert_int_equal(send_as(f, "alice", ALICE_PHONE, 1000, &r), PVA_LEDGER_ISSUED);
	snprintf(cmd, sizeof(cmd), "! grep -rq 13812345678 '%s'", f->env.state);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "! ls '%s/limits' | grep -q 13812345678", f->env.state);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "test $(ls '%s/limits' | grep -c '^n-[0-9a-f]*$') = 1",
		 f->env.state);
	assert_int_equal(system(cmd), 0);
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
		cmocka_unit_test_setup_teardown(test_destination_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decoy_skips_destination_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_daily_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_hourly_cap_reports_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_number_caps_across_users, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_not_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_charge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_plain_number_stored, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
