/* test_vonage.c - the "vonage" provider: GSM-7 detection, config checks,
 * the form it posts and how messages[].status is judged, against a
 * one-shot loopback HTTP server. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "delivery/vonage.h"
#include "../lib/loopsrv.h"
#include "../lib/provfx.h"

#define SECRETS "vg = { api_key = \"k3y\"; api_secret = \"s3cr&t\"; };\n"
#define OK_BODY "{\"message-count\":\"1\",\"messages\":[{\"to\":\"4915112345678\"," \
		"\"message-id\":\"0C000000217B7F02\",\"status\":\"0\"}]}"

static int setup(void **state)
{
	return provfx_srv_setup(state, SECRETS);
}

/* `extra` is the sender (from). */
static void make(struct provfx_srv *f, const char *extra)
{
	char from[128];

	snprintf(from, sizeof(from), "from = \"%s\";", extra);
	provfx_srv_make(f, &pva_provider_vonage, "vg = { type = \"vonage\";", "/", from);
}

static enum pva_rc exchange(struct provfx_srv *f, const char *from, int status, const char *body,
			    const char *text, struct pva_send_result *res)
{
	struct pva_message m;

	provfx_msg(&m, PVA_CH_SMS, text);
	return provfx_srv_exchange(f, make, from, status, "", body, &m, res);
}

static void test_gsm7(void **state)
{
	(void)state;
	assert_true(pva_vonage_is_gsm7("493817 is your code for sshd on box, valid 5 min."));
	assert_true(pva_vonage_is_gsm7("Ihr Code: 493817. Gültig 5 min. Größe ß é à Ñ €[]{}~^|\\\n"));
	assert_true(pva_vonage_is_gsm7("ΔΦΓΛΩΠΨΣΘΞ £¥¤§¿¡"));
	assert_true(pva_vonage_is_gsm7(""));
	assert_false(pva_vonage_is_gsm7("您的登录验证码是 493817"));
	assert_false(pva_vonage_is_gsm7("code `493817`"));
	assert_false(pva_vonage_is_gsm7("tab\there"));
	assert_false(pva_vonage_is_gsm7("emoji \xf0\x9f\x94\x91"));
	assert_false(pva_vonage_is_gsm7("bad \xc3"));
	assert_false(pva_vonage_is_gsm7("bad \xc3(x"));
	assert_false(pva_vonage_is_gsm7("\xff"));
	assert_false(pva_vonage_is_gsm7("ê")); /* not in GSM 03.38 */
}

static void expect_config_error(struct provfx_srv *f, const char *group, const char *what)
{
	provfx_expect_config_error(&f->p, &pva_provider_vonage, group, what, "s3cr");
}

static void test_config(void **state)
{
	struct provfx_srv *f = *state;

	expect_config_error(f, "vg = { type = \"vonage\"; };", "from: missing");
	expect_config_error(f, "vg = { type = \"vonage\"; from = \"Twelve chars\"; };", "from: expected");
	expect_config_error(f, "vg = { type = \"vonage\"; from = \"+12\"; };", "not an E.164");
	expect_config_error(f, "vg = { type = \"vonage\"; from = \"Acme\"; voice = \"x\"; };",
			    "voice: unknown key");
	expect_config_error(f, "other = { type = \"vonage\"; from = \"Acme\"; };",
			    "secrets_file has no other.api_key");
	expect_config_error(f, "vg = { type = \"vonage\"; from = \"Acme\"; timeout_ms = 1; };",
			    "timeout_ms");
	assert_int_equal(provfx_create(&f->p, &pva_provider_vonage,
				       "vg = { type = \"vonage\"; from = \"Acme Login\"; };"), PVA_OK);
}

static void test_request_text(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	assert_int_equal(exchange(f, "+447700900001", 200, OK_BODY, "Code 493817 (5 min)", &res),
			 PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_string_equal(res.request_id, "0C000000217B7F02");
	assert_non_null(strstr(f->s.got, "POST /sms/json HTTP/1.1\r\n"));
	assert_null(strstr(f->s.got, "Authorization:"));
	assert_string_equal(loopsrv_body(&f->s),
			    "api_key=k3y&api_secret=s3cr%26t&from=447700900001&to=4915112345678"
			    "&text=Code%20493817%20%285%20min%29&type=text");
	assert_null(strstr(res.detail, "493817"));
}

static void test_request_unicode(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	assert_int_equal(exchange(f, "Acme", 200, OK_BODY, "验证码 493817", &res), PVA_OK);
	assert_non_null(strstr(loopsrv_body(&f->s),
			       "&from=Acme&to=4915112345678&text=%E9%AA%8C%E8%AF%81%E7%A0%81%20493817"
			       "&type=unicode"));
}

static void test_statuses(void **state)
{
	static const struct {
		const char *st;
		enum pva_send_status want;
	} cases[] = {
		{ "1", PVA_SEND_RATE_LIMITED }, { "10", PVA_SEND_RATE_LIMITED },
		{ "5", PVA_SEND_TEMPORARY }, { "2", PVA_SEND_PERMANENT },
		{ "4", PVA_SEND_PERMANENT }, { "9", PVA_SEND_PERMANENT },
		{ "15", PVA_SEND_PERMANENT }, { "x", PVA_SEND_PERMANENT },
	};
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	char body[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"message-count\":\"1\",\"messages\":[{\"status\":\"%s\","
			 "\"error-text\":\"Bad number 4915112345678\"}]}", cases[i].st);
		assert_int_equal(exchange(f, "Acme", 200, body, "code 493817", &res),
				 PVA_ERR_DELIVERY);
		if (res.status != cases[i].want)
			fail_msg("status %s: got %d, want %d", cases[i].st, res.status,
				 cases[i].want);
		assert_non_null(strstr(res.detail, "Bad number *"));
		assert_null(strstr(res.detail, "4915112345678"));
	}
}

static void test_http_level(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	/* HTTP 200 but no messages[] */
	assert_int_equal(exchange(f, "Acme", 200, "{}", "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_AMBIGUOUS);
	/* a later part failed after the first went out */
	assert_int_equal(exchange(f, "Acme", 200, "{\"messages\":[{\"status\":\"0\",\"message-id\":\"A1\"},"
				  "{\"status\":\"1\"}]}", "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_AMBIGUOUS);
	assert_non_null(strstr(res.detail, "part 2 status 1"));
	/* status 0 in a non-200 answer is not success */
	assert_int_equal(exchange(f, "Acme", 500, OK_BODY, "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_TEMPORARY);
	assert_int_equal(exchange(f, "Acme", 429, "{}", "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_RATE_LIMITED);
	assert_int_equal(exchange(f, "Acme", 401, "{}", "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
}

static void test_voice_refused(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;

	assert_int_equal(provfx_create(&f->p, &pva_provider_vonage,
				       "vg = { type = \"vonage\"; from = \"Acme\"; };"), PVA_OK);
	provfx_msg(&m, PVA_CH_VOICE, "1, 2, 3");
	assert_int_equal(provfx_send(&f->p, &m, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_int_equal(pva_provider_vonage.channels, PVA_CH_SMS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm7),
		cmocka_unit_test_setup_teardown(test_config, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_request_text, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_request_unicode, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_statuses, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_http_level, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_voice_refused, setup, provfx_srv_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
