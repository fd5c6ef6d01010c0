/* test_route.c - prefix validation, longest-prefix routing, the providers
 * fallback when no routes are set, and allowed destinations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/route.h"

static const char *conf =
	"providers = {\n"
	"  p1 = { type = \"spool\"; dir = \"/nonexistent/1\"; };\n"
	"  p2 = { type = \"spool\"; dir = \"/nonexistent/2\"; };\n"
	"  p3 = { type = \"spool\"; dir = \"/nonexistent/3\"; };\n"
	"  smsonly = { type = \"spool\"; dir = \"/nonexistent/4\"; channels = [\"sms\"]; };\n"
	"};\n"
	"defaults = { providers = [\"smsonly\", \"p3\"]; };\n"
	"services = {\n"
	"  routed = {\n"
	"    channels = [\"sms\", \"voice\"];\n"
	"    allowed_prefixes = [\"+86\", \"+852\", \"+44\"];\n"
	"    routes = ( { prefix = \"+86\"; sms = [\"p1\", \"p2\"]; voice = [\"p1\"]; },\n"
	"               { prefix = \"+861\"; sms = [\"p2\"]; voice = [\"p2\"]; },\n"
	"               { prefix = \"+8\"; sms = [\"p3\"]; voice = [\"p3\"]; },\n"
	"               { prefix = \"+\"; sms = [\"p3\", \"p1\"]; voice = [\"p3\"]; } );\n"
	"  };\n"
	"  partial = {\n"
	"    allowed_prefixes = [\"+86\"];\n"
	"    routes = ( { prefix = \"+86\"; sms = [\"p1\"]; } );\n"
	"  };\n"
	"};\n";

static struct pva_config *load(void)
{
	struct pva_config *cfg = NULL;
	char err[512];

	if (pva_config_parse(conf, "t.conf", &cfg, err, sizeof(err)) != PVA_OK)
		fail_msg("config: %s", err);
	return cfg;
}

static void test_prefix_check(void **state)
{
	static const char *const good[] = { "+", "+8", "+86", "+123456789012345", NULL };
	static const char *const bad[] = { "", "86", "++86", "+8 6", "+86a", "+-1",
					   "+1234567890123456", " +86", NULL };
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		assert_int_equal(pva_route_prefix_check(good[i]), PVA_OK);
	for (i = 0; bad[i]; i++)
		if (pva_route_prefix_check(bad[i]) != PVA_ERR_INVAL)
			fail_msg("prefix \"%s\" accepted", bad[i]);
	assert_int_equal(pva_route_prefix_check(NULL), PVA_ERR_INVAL);
	assert_true(pva_route_prefix_match("+", "+8613812345678"));
	assert_true(pva_route_prefix_match("+86", "+8613812345678"));
	assert_false(pva_route_prefix_match("+86", "+8513812345678"));
	assert_false(pva_route_prefix_match("+8613", "+86"));
	assert_false(pva_route_prefix_match("", "+86"));
	assert_false(pva_route_prefix_match("+", NULL));
}

static void assert_list(const struct pva_settings *s, const char *phone, enum pva_channel ch,
			const char *want_prefix, const char *want)
{
	const struct pva_provider *const *list;
	const char *prefix;
	char got[128] = "";
	size_t n, i;

	assert_int_equal(pva_route_select(s, phone, ch, &list, &n, &prefix), PVA_OK);
	for (i = 0; i < n; i++) {
		strcat(got, i ? "," : "");
		strcat(got, list[i]->name);
	}
	if (strcmp(prefix, want_prefix) != 0 || strcmp(got, want) != 0)
		fail_msg("%s %s: route \"%s\" [%s], want \"%s\" [%s]", phone,
			 pva_channel_name(ch), prefix, got, want_prefix, want);
}

static void test_longest_prefix_wins(void **state)
{
	struct pva_config *cfg = load();
	const struct pva_settings *s = pva_config_service(cfg, "routed");

	(void)state;
	assert_int_equal(s->n_routes, 4);
	/* +861... matches "+", "+8", "+86" and "+861": the longest wins,
	 * whatever the order in the file */
	assert_list(s, "+8613812345678", PVA_CH_SMS, "+861", "p2");
	assert_list(s, "+8623812345678", PVA_CH_SMS, "+86", "p1,p2");
	assert_list(s, "+8623812345678", PVA_CH_VOICE, "+86", "p1");
	assert_list(s, "+85212345678", PVA_CH_SMS, "+8", "p3");
	/* everything else: the "+" route */
	assert_list(s, "+447700900123", PVA_CH_SMS, "+", "p3,p1");
	assert_list(s, "+447700900123", PVA_CH_VOICE, "+", "p3");
	assert_string_equal(pva_route_find(s, "+8613812345678")->prefix, "+861");
	pva_config_free(cfg);
}

static void test_no_routes_uses_providers(void **state)
{
	struct pva_config *cfg = load();
	const struct pva_settings *s = pva_config_service(cfg, "other");

	(void)state;
	assert_int_equal(s->n_routes, 0);
	assert_null(pva_route_find(s, "+8613812345678"));
	/* the whole providers list, for every number and channel (the caller
	 * skips providers that cannot use the channel) */
	assert_list(s, "+8613812345678", PVA_CH_SMS, "", "smsonly,p3");
	assert_list(s, "+447700900123", PVA_CH_VOICE, "", "smsonly,p3");
	pva_config_free(cfg);
}

static void test_unmatched_number(void **state)
{
	struct pva_config *cfg = load();
	const struct pva_settings *s = pva_config_service(cfg, "partial");
	const struct pva_provider *const *list = NULL;
	const char *prefix = NULL;
	size_t n = 99;

	(void)state;
	assert_int_equal(pva_route_select(s, "+447700900123", PVA_CH_SMS, &list, &n, &prefix),
			 PVA_ERR_NOTFOUND);
	assert_null(list);
	assert_int_equal(n, 0);
	assert_string_equal(prefix, "");
	assert_list(s, "+8613812345678", PVA_CH_SMS, "+86", "p1");
	/* a route without voice providers gives an empty voice list */
	assert_list(s, "+8613812345678", PVA_CH_VOICE, "+86", "");
	pva_config_free(cfg);
}

static void test_allowed(void **state)
{
	struct pva_config *cfg = load();
	const struct pva_settings *routed = pva_config_service(cfg, "routed");
	const struct pva_settings *def = pva_config_service(cfg, "other");

	(void)state;
	assert_true(pva_route_allowed(routed, "+8613812345678"));
	assert_true(pva_route_allowed(routed, "+85212345678"));
	assert_true(pva_route_allowed(routed, "+447700900123"));
	assert_false(pva_route_allowed(routed, "+85312345678"));
	assert_false(pva_route_allowed(routed, "+15551234567"));
	assert_false(pva_route_allowed(routed, NULL));
	/* the default: only the decoy_country's calling code, "+86" */
	assert_int_equal(def->n_allowed, 1);
	assert_string_equal(def->allowed_prefixes[0], "+86");
	assert_true(pva_route_allowed(def, "+8613812345678"));
	assert_false(pva_route_allowed(def, "+447700900123"));
	pva_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_check),
		cmocka_unit_test(test_longest_prefix_wins),
		cmocka_unit_test(test_no_routes_uses_providers),
		cmocka_unit_test(test_unmatched_number),
		cmocka_unit_test(test_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
