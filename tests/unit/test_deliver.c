/* test_deliver.c - provider order, failover, deadline and log hygiene. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>

#include "delivery/deliver.h"
#include "../lib/testenv.h"

static char logs[32][PVA_LOG_LINE_MAX];
static size_t n_logs;

/* Keeps the delivery events; debug lines of the providers are checked
 * for secrets and then dropped. */
static void sink(void *ud, int prio, const char *line)
{
	(void)ud;
	(void)prio;
	assert_null(strstr(line, "482913"));
	assert_null(strstr(line, "13812345678"));
	if (strncmp(line, "event=delivery ", 15) == 0 && n_logs < 32)
		snprintf(logs[n_logs++], PVA_LOG_LINE_MAX, "%s", line);
}

static const char *conf =
	"providers = {\n"
	"  spool = { type = \"spool\"; dir = \"%SPOOL%\"; };\n"
	"  fail = { type = \"command\"; argv = [\"/bin/false\"]; };\n"
	"  busy = { type = \"command\"; argv = [\"/bin/sh\", \"-c\", \"exit 75\"]; };\n"
	"  slow = { type = \"command\"; argv = [\"/bin/sleep\", \"20\"]; timeout = 20; };\n"
	"  voiceonly = { type = \"spool\"; dir = \"/nonexistent\"; channels = [\"voice\"]; };\n"
	"};\n"
	"services = {\n"
	"  failover = { providers = [\"voiceonly\", \"busy\", \"fail\", \"spool\"]; };\n"
	"  none = { providers = [\"busy\", \"fail\"]; };\n"
	"  deadline = { providers = [\"slow\", \"spool\"]; delivery_timeout = 1; };\n"
	"};\n";

static struct pva_log lg = { sink, NULL, 1 };

static enum pva_rc deliver(const struct testenv *e, const char *service,
			   struct pva_deliver_result *res)
{
	struct pva_deliver_req req = { "alice", service, "+8613812345678", PVA_CH_SMS,
				       "482913", NULL, PVA_LANG_EN };

	n_logs = 0;
	return pva_deliver(e->cfg, pva_config_service(e->cfg, service), &req, &lg, res);
}

static void assert_clean_logs(void)
{
	size_t i;

	assert_true(n_logs > 0);
	for (i = 0; i < n_logs; i++) {
		assert_null(strstr(logs[i], "482913"));
		assert_null(strstr(logs[i], "13812345678"));
		assert_non_null(strstr(logs[i], "phone=\"+86 *******5678\""));
	}
}

static void test_failover_in_order(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;
	char code[16];

	(void)state;
	assert_int_equal(testenv_setup(&e, conf), 0);
	assert_int_equal(deliver(&e, "failover", &res), PVA_OK);
	/* voiceonly skipped (sms), busy temporary, fail permanent, spool sent */
	assert_int_equal(res.attempts, 3);
	assert_string_equal(res.provider, "spool");
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_int_equal(n_logs, 3);
	assert_non_null(strstr(logs[0], "provider=busy outcome=temporary"));
	assert_non_null(strstr(logs[1], "provider=fail outcome=permanent"));
	assert_non_null(strstr(logs[2], "provider=spool outcome=sent request_id=privauth-"));
	assert_int_equal(testenv_spool_code(&e, 0, code, sizeof(code)), 0);
	assert_string_equal(code, "482913");
	assert_clean_logs();
	testenv_teardown(&e);
}

static void test_all_fail(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;

	(void)state;
	assert_int_equal(testenv_setup(&e, conf), 0);
	assert_int_equal(deliver(&e, "none", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.attempts, 2);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_clean_logs();
	testenv_teardown(&e);
}

static void test_deadline_bounds_all_attempts(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;
	struct timespec a, b;
	double secs;

	(void)state;
	assert_int_equal(testenv_setup(&e, conf), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(deliver(&e, "deadline", &res), PVA_ERR_DELIVERY);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	/* the 20 s command is cut at the 1 s deadline; nothing is left for spool */
	assert_true(secs < 5.0);
	assert_int_equal(res.status, PVA_SEND_AMBIGUOUS);
	assert_int_equal(testenv_spool_count(&e), 0);
	testenv_teardown(&e);
}

/* ---- routing and voice fallback -------------------------------------- */

static const char *rconf =
	"providers = {\n"
	"  a = { type = \"spool\"; dir = \"%DIR%/a\"; };\n"
	"  b = { type = \"spool\"; dir = \"%DIR%/b\"; };\n"
	"  fail = { type = \"command\"; argv = [\"/bin/false\"]; };\n"
	"  busy = { type = \"command\"; argv = [\"/bin/sh\", \"-c\", \"exit 75\"]; };\n"
	"  lost = { type = \"command\"; argv = [\"/bin/sh\", \"-c\", \"kill -9 $$\"]; };\n"
	"};\n"
	"defaults = { channels = [\"sms\", \"voice\"]; allowed_prefixes = [\"+86\", \"+44\"]; };\n"
	"services = {\n"
	"  routed = { routes = ( { prefix = \"+86\"; sms = [\"a\"]; voice = [\"a\"]; },\n"
	"    { prefix = \"+8613\"; sms = [\"busy\", \"b\"]; voice = [\"b\"]; },\n"
	"    { prefix = \"+\"; sms = [\"b\"]; voice = [\"b\"]; } ); };\n"
	"  fallback = { voice_fallback = true;\n"
	"    routes = ( { prefix = \"+\"; sms = [\"fail\", \"busy\"]; voice = [\"fail\", \"a\"]; } ); };\n"
	"  nofallback = { routes = ( { prefix = \"+\"; sms = [\"fail\"]; voice = [\"a\"]; } ); };\n"
	"  ambiguous = { voice_fallback = true;\n"
	"    routes = ( { prefix = \"+\"; sms = [\"lost\", \"fail\"]; voice = [\"a\"]; } ); };\n"
	"  partial = { allowed_prefixes = [\"+86\"];\n"
	"    routes = ( { prefix = \"+86\"; sms = [\"a\"]; voice = [\"a\"]; } ); };\n"
	"};\n";

static void rsetup(struct testenv *e)
{
	char d[PATH_MAX + 8];

	assert_int_equal(testenv_setup(e, rconf), 0);
	snprintf(d, sizeof(d), "%s/a", e->dir);
	assert_int_equal(mkdir(d, 0700), 0);
	snprintf(d, sizeof(d), "%s/b", e->dir);
	assert_int_equal(mkdir(d, 0700), 0);
}

static enum pva_rc rdeliver(const struct testenv *e, const char *service, const char *phone,
			    enum pva_channel ch, const char *text,
			    struct pva_deliver_result *res)
{
	struct pva_deliver_req req = { .user = "alice", .service = service, .phone = phone,
				       .channel = ch, .code = "482913", .text = text };

	n_logs = 0;
	return pva_deliver(e->cfg, pva_config_service(e->cfg, service), &req, &lg, res);
}

/* Messages in spool directory sub ("a", "b"); the last one read into body. */
static size_t spooled(const struct testenv *e, const char *sub, char *body, size_t len)
{
	char d[PATH_MAX + 8], f[2 * PATH_MAX];
	struct dirent *de;
	size_t n = 0, got;
	DIR *dp;
	FILE *fp;

	snprintf(d, sizeof(d), "%s/%s", e->dir, sub);
	dp = opendir(d);
	assert_non_null(dp);
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		if (body == NULL)
			continue;
		snprintf(f, sizeof(f), "%s/%s", d, de->d_name);
		fp = fopen(f, "r");
		assert_non_null(fp);
		got = fread(body, 1, len - 1, fp);
		body[got] = '\0';
		fclose(fp);
	}
	closedir(dp);
	return n;
}

static void test_route_by_prefix(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;

	(void)state;
	rsetup(&e);
	/* +86 2...: the "+86" route */
	assert_int_equal(rdeliver(&e, "routed", "+8623812345678", PVA_CH_SMS, NULL, &res), PVA_OK);
	assert_string_equal(res.route, "+86");
	assert_string_equal(res.provider, "a");
	assert_int_equal(res.attempts, 1);
	assert_non_null(strstr(logs[0], "provider=a outcome=sent"));
	assert_non_null(strstr(logs[0], "route=+86 elapsed_ms="));
	/* +86 13...: the longer "+8613" route, busy then b */
	assert_int_equal(rdeliver(&e, "routed", "+8613812345678", PVA_CH_SMS, NULL, &res), PVA_OK);
	assert_string_equal(res.route, "+8613");
	assert_int_equal(res.attempts, 2);
	assert_string_equal(res.attempt[0].provider, "busy");
	assert_int_equal(res.attempt[0].status, PVA_SEND_TEMPORARY);
	assert_int_equal(res.attempt[0].channel, PVA_CH_SMS);
	assert_string_equal(res.attempt[0].request_id, "");
	assert_string_equal(res.attempt[1].provider, "b");
	assert_int_equal(res.attempt[1].status, PVA_SEND_SENT);
	assert_memory_equal(res.attempt[1].request_id, "privauth-", 9);
	assert_true(res.attempt[1].elapsed_ms < 5000);
	assert_clean_logs();
	/* anything else: the "+" route */
	assert_int_equal(rdeliver(&e, "routed", "+447700900123", PVA_CH_SMS, NULL, &res), PVA_OK);
	assert_string_equal(res.route, "+");
	assert_string_equal(res.provider, "b");
	assert_int_equal(spooled(&e, "a", NULL, 0), 1);
	assert_int_equal(spooled(&e, "b", NULL, 0), 2);
	testenv_teardown(&e);
}

static void test_voice_uses_voice_list(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;
	char body[1024];

	(void)state;
	rsetup(&e);
	assert_int_equal(rdeliver(&e, "routed", "+8613812345678", PVA_CH_VOICE, NULL, &res), PVA_OK);
	assert_int_equal(res.attempts, 1);  /* busy is not on the voice list */
	assert_int_equal(res.channel, PVA_CH_VOICE);
	assert_int_equal(spooled(&e, "b", body, sizeof(body)), 1);
	assert_non_null(strstr(body, "Voicecall: yes"));
	assert_non_null(strstr(body, "4, 8, 2, 9, 1, 3"));
	testenv_teardown(&e);
}

static void test_voice_fallback(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;
	char body[1024];

	(void)state;
	rsetup(&e);
	assert_int_equal(rdeliver(&e, "fallback", "+8613812345678", PVA_CH_SMS, NULL, &res),
			 PVA_OK);
	assert_int_equal(res.fell_back, 1);
	assert_int_equal(res.maybe_sent, 0);
	assert_int_equal(res.channel, PVA_CH_VOICE);
	assert_string_equal(res.provider, "a");
	/* sms: fail, busy; then voice: fail, a (fail is tried once per channel) */
	assert_int_equal(res.attempts, 4);
	assert_int_equal(res.attempt[0].channel, PVA_CH_SMS);
	assert_int_equal(res.attempt[0].status, PVA_SEND_PERMANENT);
	assert_string_equal(res.attempt[0].detail, "command exited 1");
	assert_int_equal(res.attempt[1].status, PVA_SEND_TEMPORARY);
	assert_string_equal(res.attempt[2].provider, "fail");
	assert_int_equal(res.attempt[2].channel, PVA_CH_VOICE);
	assert_int_equal(res.attempt[3].status, PVA_SEND_SENT);
	assert_non_null(strstr(logs[3], "channel=voice"));
	/* the call reads the voice text, digit by digit */
	assert_int_equal(spooled(&e, "a", body, sizeof(body)), 1);
	assert_non_null(strstr(body, "Voicecall: yes"));
	assert_non_null(strstr(body, "4, 8, 2, 9, 1, 3"));
	assert_clean_logs();
	/* asked for voice: no "fallback", just the voice list */
	assert_int_equal(rdeliver(&e, "fallback", "+8613812345678", PVA_CH_VOICE, NULL, &res),
			 PVA_OK);
	assert_int_equal(res.fell_back, 0);
	assert_int_equal(res.attempts, 2);
	testenv_teardown(&e);
}

static void test_no_fallback_unless_enabled(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;

	(void)state;
	rsetup(&e);
	assert_int_equal(rdeliver(&e, "nofallback", "+8613812345678", PVA_CH_SMS, NULL, &res),
			 PVA_ERR_DELIVERY);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(res.fell_back, 0);
	assert_int_equal(res.channel, PVA_CH_SMS);
	assert_int_equal(spooled(&e, "a", NULL, 0), 0);
	testenv_teardown(&e);
}

/* An ambiguous SMS may still arrive: no call on top, and the result says so. */
static void test_no_fallback_after_ambiguous(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;

	(void)state;
	rsetup(&e);
	assert_int_equal(rdeliver(&e, "ambiguous", "+8613812345678", PVA_CH_SMS, NULL, &res),
			 PVA_ERR_DELIVERY);
	assert_int_equal(res.attempts, 2);
	assert_int_equal(res.attempt[0].status, PVA_SEND_AMBIGUOUS);
	assert_int_equal(res.attempt[1].status, PVA_SEND_PERMANENT);
	assert_int_equal(res.maybe_sent, 1);
	assert_int_equal(res.fell_back, 0);
	assert_int_equal(spooled(&e, "a", NULL, 0), 0);
	testenv_teardown(&e);
}

static void test_no_route(void **state)
{
	struct testenv e;
	struct pva_deliver_result res;

	(void)state;
	rsetup(&e);
	assert_int_equal(rdeliver(&e, "partial", "+447700900123", PVA_CH_SMS, NULL, &res),
			 PVA_ERR_DELIVERY);
	assert_int_equal(res.attempts, 0);
	assert_int_equal(res.maybe_sent, 0);
	assert_int_equal(n_logs, 1);
	assert_non_null(strstr(logs[0], "outcome=permanent detail=\"no route for this number\""));
	assert_int_equal(spooled(&e, "a", NULL, 0) + spooled(&e, "b", NULL, 0), 0);
	testenv_teardown(&e);
}

/* A fixed text (send-test) goes out as is, on every channel. */
static void test_fixed_text(void **state)
{
	static const char text[] = "pam_privauth test message for alice on h: no action needed.";
	struct testenv e;
	struct pva_deliver_result res;
	char body[1024];

	(void)state;
	rsetup(&e);
	assert_int_equal(rdeliver(&e, "fallback", "+8613812345678", PVA_CH_SMS, text, &res),
			 PVA_OK);
	assert_int_equal(spooled(&e, "a", body, sizeof(body)), 1);
	assert_non_null(strstr(body, "\n\npam_privauth test message for alice on h: no action needed.\n"));
	assert_null(strstr(body, "482913"));
	testenv_teardown(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failover_in_order),
		cmocka_unit_test(test_all_fail),
		cmocka_unit_test(test_deadline_bounds_all_attempts),
		cmocka_unit_test(test_route_by_prefix),
		cmocka_unit_test(test_voice_uses_voice_list),
		cmocka_unit_test(test_voice_fallback),
		cmocka_unit_test(test_no_fallback_unless_enabled),
		cmocka_unit_test(test_no_fallback_after_ambiguous),
		cmocka_unit_test(test_no_route),
		cmocka_unit_test(test_fixed_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
