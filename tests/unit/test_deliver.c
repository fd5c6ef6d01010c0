/* test_deliver.c - provider order, failover, deadline and log hygiene. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	struct pva_deliver_req req = { "alice", service, "+8613812345678", PVA_CH_SMS, "482913" };

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
		assert_non_null(strstr(logs[i], "phone=\"+86 138****5678\""));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failover_in_order),
		cmocka_unit_test(test_all_fail),
		cmocka_unit_test(test_deadline_bounds_all_attempts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
