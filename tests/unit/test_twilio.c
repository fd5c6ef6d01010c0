/* test_twilio.c - the "twilio" provider: config checks, the requests it
 * builds (SMS form, voice TwiML, Basic auth) and how answers are judged,
 * against a one-shot loopback HTTP server. */
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

#include "delivery/twilio.h"
#include "../lib/loopsrv.h"
#include "../lib/provfx.h"

#define SID "AC0123456789abcdef0123456789abcdef"
#define SECRETS "tw = { account_sid = \"" SID "\"; auth_token = \"tok3n\"; };\n"
#define SMS_TEXT "493817 is your login code for sshd on box, valid 5 min."

static int setup(void **state)
{
	return provfx_srv_setup(state, SECRETS);
}

/* Provider "tw" pointing at the loopback server, plus `extra` keys. */
static void make(struct provfx_srv *f, const char *extra)
{
	provfx_srv_make(f, &pva_provider_twilio, "tw = { type = \"twilio\";", "", extra);
}

/* Serve one reply, send one message, return the send result. */
static enum pva_rc exchange(struct provfx_srv *f, const char *extra, int status, const char *hdrs,
			    const char *body, enum pva_channel ch, const char *text,
			    struct pva_send_result *res)
{
	struct pva_message m;

	provfx_msg(&m, ch, text);
	return provfx_srv_exchange(f, make, extra, status, hdrs, body, &m, res);
}

static void expect_config_error(struct provfx_srv *f, const char *group, const char *what)
{
	provfx_expect_config_error(&f->p, &pva_provider_twilio, group, what, "tok3n");
}

static void test_config_errors(void **state)
{
	struct provfx_srv *f = *state;

	expect_config_error(f, "tw = { type = \"twilio\"; };", "from: missing");
	expect_config_error(f, "tw = { type = \"twilio\"; from = \"+15005550006\"; colour = 1; };",
			    "colour: unknown key");
	expect_config_error(f, "tw = { type = \"twilio\";\n from = \"+1500\"; };",
			    "test.conf:3: from: expected an E.164");
	expect_config_error(f, "tw = { type = \"twilio\"; messaging_service_sid = \"MG123\"; };",
			    "voice calls need from");
	expect_config_error(f, "tw = { type = \"twilio\"; from = \"Company\"; };",
			    "voice calls need from");
	expect_config_error(f, "tw = { type = \"twilio\"; from = \"+15005550006\"; url = \"http://api.twilio.com\"; };",
			    "url:");
	expect_config_error(f, "tw = { type = \"twilio\"; from = \"+15005550006\"; voice_language = \"en\\\"US\"; };",
			    "voice_language");
	expect_config_error(f, "other = { type = \"twilio\"; from = \"+15005550006\"; };",
			    "missing credential: secrets_file has no other.account_sid");
	/* SMS only with a messaging service or an alphanumeric sender is fine */
	assert_int_equal(provfx_create(&f->p, &pva_provider_twilio,
		"tw = { type = \"twilio\"; messaging_service_sid = \"MGabc\"; channels = [\"sms\"]; };"),
		PVA_OK);
	assert_int_equal(provfx_create(&f->p, &pva_provider_twilio,
		"tw = { type = \"twilio\"; from = \"Company\"; channels = [\"sms\"]; };"), PVA_OK);
}

static void test_sms_request(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	const char *b;

	assert_int_equal(exchange(f, "from = \"+15005550006\";", 201, "",
				  "{\"sid\":\"SM0123456789abcdef\",\"status\":\"queued\",\"body\":\"" SMS_TEXT "\"}",
				  PVA_CH_SMS, SMS_TEXT, &res), PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_string_equal(res.request_id, "SM0123456789abcdef");
	assert_non_null(strstr(f->s.got, "POST /2010-04-01/Accounts/" SID "/Messages.json HTTP/1.1\r\n"));
	/* base64("AC0123456789abcdef0123456789abcdef:tok3n") */
	assert_non_null(strstr(f->s.got, "\r\nAuthorization: Basic "
			       "QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp0b2szbg==\r\n"));
	assert_non_null(strstr(f->s.got, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
	b = loopsrv_body(&f->s);
	assert_string_equal(b, "To=%2B4915112345678&From=%2B15005550006&Body=493817%20is%20your"
			    "%20login%20code%20for%20sshd%20on%20box%2C%20valid%205%20min."
			    "&ValidityPeriod=300");
	assert_null(strstr(res.detail, "493817"));
}

static void test_sms_messaging_service(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	assert_int_equal(exchange(f, "messaging_service_sid = \"MG00ff\"; channels = [\"sms\"];",
				  201, "", "{\"sid\":\"SMx\"}", PVA_CH_SMS, "code 493817", &res),
			 PVA_OK);
	assert_non_null(strstr(loopsrv_body(&f->s), "&MessagingServiceSid=MG00ff&Body="));
	assert_null(strstr(loopsrv_body(&f->s), "From="));
}

static void test_validity_clamped(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;

	provfx_msg(&m, PVA_CH_SMS, "code 493817");
	m.ttl = 86400;
	assert_int_equal(provfx_srv_exchange(f, make, "from = \"+15005550006\";", 201, "", "{}",
					     &m, &res), PVA_OK);
	assert_non_null(strstr(loopsrv_body(&f->s), "&ValidityPeriod=36000"));
	assert_string_equal(res.request_id, "");
}

static void test_voice_twiml(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	const char *b;

	assert_int_equal(exchange(f, "from = \"+15005550006\"; voice_language = \"cmn-CN\";"
				  " voice = \"Polly.Zhiyu\";", 201, "", "{\"sid\":\"CA42\"}",
				  PVA_CH_VOICE, "Code <for> A&B: 4, 9, 3, 8, 1, 7.", &res), PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_string_equal(res.request_id, "CA42");
	assert_non_null(strstr(f->s.got, "POST /2010-04-01/Accounts/" SID "/Calls.json HTTP/1.1\r\n"));
	b = loopsrv_body(&f->s);
	assert_non_null(strstr(b, "To=%2B4915112345678&From=%2B15005550006&Twiml="));
	assert_null(strstr(b, "Body="));
	assert_null(strstr(b, "ValidityPeriod"));
	/* <Say language="cmn-CN" voice="Polly.Zhiyu">Code &lt;for&gt; A&amp;B: 4, 9, ...</Say>, twice */
	assert_non_null(strstr(b, "%3CSay%20language%3D%22cmn-CN%22%20voice%3D%22Polly.Zhiyu%22%3E"
			       "Code%20%26lt%3Bfor%26gt%3B%20A%26amp%3BB%3A%204%2C%209%2C%203%2C%208"
			       "%2C%201%2C%207.%3C%2FSay%3E%3CPause%20length%3D%221%22%2F%3E%3CSay"));
	assert_non_null(strstr(b, "%3C%2FSay%3E%3C%2FResponse%3E"));
}

static void test_error_detail(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	assert_int_equal(exchange(f, "from = \"+15005550006\";", 400, "",
				  "{\"code\": 21211, \"message\": \"The 'To' number +4915112345678 is not a valid phone number.\", \"status\": 400}",
				  PVA_CH_SMS, "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_non_null(strstr(res.detail, "HTTP 400 code 21211"));
	assert_non_null(strstr(res.detail, "The 'To' number * is not"));
	assert_null(strstr(res.detail, "15112345678"));
}

static void test_rate_limits(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	assert_int_equal(exchange(f, "from = \"+15005550006\";", 429, "Retry-After: 5\r\n",
				  "{\"code\": 20429, \"message\": \"Too Many Requests\"}",
				  PVA_CH_SMS, "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_RATE_LIMITED);
	assert_non_null(strstr(res.detail, "20429"));
	assert_non_null(strstr(res.detail, "Too Many Requests, retry after 5 s"));
	assert_int_equal(exchange(f, "from = \"+15005550006\";", 400, "",
				  "{\"code\": 14107, \"message\": \"SMS send rate limit exceeded\"}",
				  PVA_CH_SMS, "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_RATE_LIMITED);
	assert_int_equal(exchange(f, "from = \"+15005550006\";", 503, "", "<html>busy</html>",
				  PVA_CH_SMS, "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_TEMPORARY);
	assert_non_null(strstr(res.detail, "HTTP 503 code -: (no message)"));
	assert_int_equal(exchange(f, "from = \"+15005550006\";", 200, "", "{\"sid\":\"SM1\"}",
				  PVA_CH_SMS, "code 493817", &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT); /* only 201 is success */
}

static void test_unreachable(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;

	provfx_msg(&m, PVA_CH_SMS, "code 493817");
	provfx_srv_unreachable(f, make, "from = \"+15005550006\";", &m, "twilio: ", "+49 151", &res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_errors, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_sms_request, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_sms_messaging_service, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_validity_clamped, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_voice_twiml, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_error_detail, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_rate_limits, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, setup, provfx_srv_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
