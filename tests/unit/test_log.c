/* test_log.c - key=value formatting and sanitising. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

static void fmt(char *out, size_t len, const char *event, ...)
{
	va_list ap;

	va_start(ap, event);
	pva_log_vformat(out, len, event, ap);
	va_end(ap);
}

static void test_plain(void **state)
{
	char buf[256];

	(void)state;
	fmt(buf, sizeof(buf), "code_sent", "user", "alice", "service", "sshd", (char *)NULL);
	assert_string_equal(buf, "event=code_sent user=alice service=sshd");
}

static void test_quoting_and_control_chars(void **state)
{
	char buf[256];

	(void)state;
	fmt(buf, sizeof(buf), "x", "phone", "+86 *******5678", "user", "a\nevent=forged\r",
	    "q", "say \"hi\" \\", "empty", "", "skip", NULL, "after", "1", (char *)NULL);
	assert_string_equal(buf, "event=x phone=\"+86 *******5678\" user=\"aevent=forged\" "
			    "q=\"say \\\"hi\\\" \\\\\" empty=\"\" after=1");

}

static void test_null_value_skipped(void **state)
{
	char buf[256];

	(void)state;
	fmt(buf, sizeof(buf), "x", "a", NULL, "b", "2", (char *)NULL);
	assert_string_equal(buf, "event=x b=2");
}

static void test_truncation(void **state)
{
	char buf[16];

	(void)state;
	fmt(buf, sizeof(buf), "event_name_long", "k", "vvvvvvvvvvvvvvvv", (char *)NULL);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

static char captured[PVA_LOG_LINE_MAX];
static int captured_prio;

static void sink(void *ud, int prio, const char *line)
{
	(void)ud;
	captured_prio = prio;
	snprintf(captured, sizeof(captured), "%s", line);
}

static void test_sink_and_debug(void **state)
{
	struct pva_log lg = { sink, NULL, 0 };

	(void)state;
	captured[0] = '\0';
	pva_log_event(&lg, LOG_DEBUG, "dbg", (char *)NULL);
	assert_string_equal(captured, "");
	lg.debug = 1;
	pva_log_event(&lg, LOG_DEBUG, "dbg", (char *)NULL);
	assert_string_equal(captured, "event=dbg");
	pva_log_event(&lg, LOG_ERR, "e", "k", "v", (char *)NULL);
	assert_int_equal(captured_prio, LOG_ERR);
	pva_log_event(NULL, LOG_ERR, "e", (char *)NULL); /* no crash */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quoting_and_control_chars),
		cmocka_unit_test(test_null_value_skipped),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_sink_and_debug),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
