/* test_aliyun.c - the "aliyun" provider: config checks, the signed
 * requests it builds (SendSms, SingleCallByTts) and how answers are
 * judged, against a one-shot loopback HTTP server.  The signature of each
 * received request is recomputed from what arrived on the wire. */
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
#include <time.h>

#include <cmocka.h>

#include "delivery/aliyun.h"
#include "delivery/sign.h"
#include "../lib/loopsrv.h"
#include "../lib/provfx.h"

#define KEY_ID "LTAI5tExampleKeyId01"
#define KEY_SECRET "s3cretAliyunKeyValue"
#define SECRETS "ali = { access_key_id = \"" KEY_ID "\"; access_key_secret = \"" KEY_SECRET "\"; };\n"
#define SMS_KEYS "sign_name = \"Privauth\"; template_code = \"SMS_154950909\";"
#define ALL_KEYS SMS_KEYS " tts_code = \"TTS_10001\";"

static int setup(void **state)
{
	return provfx_srv_setup(state, SECRETS);
}

static void make(struct provfx_srv *f, const char *extra)
{
	provfx_srv_make(f, &pva_provider_aliyun, "ali = { type = \"aliyun\";", "", extra);
}

static const struct provfx_type ali = { make, ALL_KEYS, KEY_SECRET };

/* Recompute ACS3 from the received headers and body; assert it matches. */
static void assert_signed(const struct loopsrv *s)
{
	static const char *const names[] = { "host", "x-acs-action", "x-acs-version",
		"x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "content-type" };
	char vals[7][128], auth[PVA_SIGN_AUTH_MAX], want[PVA_SIGN_AUTH_MAX];
	char sha[PVA_SIGN_HEX_LEN];
	struct pva_sign_header h[7];
	const char *body = loopsrv_body(s);
	struct pva_acs3_req r = { "POST", "/", "", h, 7, body, strlen(body) };
	size_t i;

	for (i = 0; i < 7; i++) {
		h[i].name = names[i];
		h[i].value = provfx_hdr(s, names[i], vals[i], sizeof(vals[i]));
		assert_true(vals[i][0] != '\0');
	}
	pva_sign_sha256_hex(body, strlen(body), sha);
	assert_string_equal(vals[5], sha);
	assert_int_equal(pva_sign_acs3(&r, KEY_ID, KEY_SECRET, want, sizeof(want), NULL), PVA_OK);
	assert_string_equal(provfx_hdr(s, "authorization", auth, sizeof(auth)), want);
	assert_non_null(strstr(auth, "SignedHeaders=content-type;host;x-acs-action;"
				     "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
				     "x-acs-version,"));
}

static void expect_config_error(struct provfx_srv *f, const char *group, const char *what)
{
	provfx_expect_config_error(&f->p, &pva_provider_aliyun, group, what, KEY_SECRET);
}

static void test_config_errors(void **state)
{
	struct provfx_srv *f = *state;

	expect_config_error(f, "ali = { type = \"aliyun\"; };", "sign_name: missing");
	expect_config_error(f, "ali = { type = \"aliyun\"; sign_name = \"X\"; };",
			    "template_code: missing");
	expect_config_error(f, "ali = { type = \"aliyun\"; " SMS_KEYS " };", "tts_code: missing");
	expect_config_error(f, "ali = { type = \"aliyun\"; " ALL_KEYS " colour = 1; };",
			    "colour: unknown key");
	expect_config_error(f, "ali = { type = \"aliyun\";\n template_code = \"SMS 1\"; "
			    "channels = [\"sms\"]; sign_name = \"X\"; };",
			    "test.conf:3: template_code: expected a template code");
	expect_config_error(f, "ali = { type = \"aliyun\"; " ALL_KEYS
			    " called_show_number = \"+86571\"; };", "called_show_number");
	expect_config_error(f, "ali = { type = \"aliyun\"; " ALL_KEYS
			    " url = \"http://dysmsapi.aliyuncs.com\"; };", "url:");
	expect_config_error(f, "ali = { type = \"aliyun\"; " ALL_KEYS
			    " url = \"https://gw.example.com/sms\"; };", "no path");
	expect_config_error(f, "ali = { type = \"aliyun\"; " ALL_KEYS
			    " voice_url = \"https://u:p@gw.example.com\"; };", "voice_url:");
	expect_config_error(f, "other = { type = \"aliyun\"; " ALL_KEYS " };",
			    "missing credential: secrets_file has no other.access_key_id");
	assert_int_equal(provfx_create(&f->p, &pva_provider_aliyun,
		"ali = { type = \"aliyun\"; " SMS_KEYS " channels = [\"sms\"]; };"), PVA_OK);
	assert_int_equal(provfx_create(&f->p, &pva_provider_aliyun,
		"ali = { type = \"aliyun\"; tts_code = \"TTS_1\"; channels = [\"voice\"]; };"), PVA_OK);
	assert_int_equal(provfx_create(&f->p, &pva_provider_aliyun,
		"ali = { type = \"aliyun\"; " ALL_KEYS " url = \"https://dysmsapi.ap-southeast-1.aliyuncs.com/\"; };"),
		PVA_OK);
}

static void test_sms_request(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	char v[128], now[32];

	assert_int_equal(provfx_type_exchange(f, &ali, 200, "",
					      "{\"Message\":\"OK\",\"RequestId\":\"F655A8D5-B967-440B\","
					      "\"Code\":\"OK\",\"BizId\":\"900619746936498440^0\"}",
					      PVA_CH_SMS, &res), PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_string_equal(res.request_id, "9006197469364984400");
	assert_non_null(strstr(f->s.got, "POST / HTTP/1.1\r\n"));
	assert_string_equal(provfx_hdr(&f->s, "x-acs-action", v, sizeof(v)), "SendSms");
	assert_string_equal(provfx_hdr(&f->s, "x-acs-version", v, sizeof(v)), "2017-05-25");
	assert_string_equal(provfx_hdr(&f->s, "content-type", v, sizeof(v)),
			    "application/x-www-form-urlencoded");
	assert_int_equal(strlen(provfx_hdr(&f->s, "x-acs-signature-nonce", v, sizeof(v))), 32);
	assert_int_equal(pva_sign_iso_date(time(NULL), now, sizeof(now)), PVA_OK);
	assert_memory_equal(provfx_hdr(&f->s, "x-acs-date", v, sizeof(v)), now, 15); /* same hour */
	snprintf(now, sizeof(now), "127.0.0.1:%d", f->s.port);
	assert_string_equal(provfx_hdr(&f->s, "host", v, sizeof(v)), now);
	assert_string_equal(loopsrv_body(&f->s),
			    "PhoneNumbers=4915112345678&SignName=Privauth&TemplateCode=SMS_154950909"
			    "&TemplateParam=%7B%22code%22%3A%22493817%22%7D");
	assert_signed(&f->s);
	/* the code is in the body only */
	assert_null(memmem(f->s.got, (size_t)(loopsrv_body(&f->s) - f->s.got), "493817", 6));
}

static void test_sms_china_number(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;

	provfx_msg(&m, PVA_CH_SMS, "x");
	m.phone = "+8613812345678";
	assert_int_equal(provfx_type_send(f, &ali, "sign_name = \"阿里云\"; template_code = \"SMS_1\";"
					  " channels = [\"sms\"];", 200, "",
					  "{\"Code\":\"OK\",\"RequestId\":\"R-1\"}", &m, &res), PVA_OK);
	assert_string_equal(res.request_id, "R-1");
	assert_string_equal(loopsrv_body(&f->s),
			    "PhoneNumbers=13812345678&SignName=%E9%98%BF%E9%87%8C%E4%BA%91"
			    "&TemplateCode=SMS_1&TemplateParam=%7B%22code%22%3A%22493817%22%7D");
	assert_signed(&f->s);
}

static void test_voice_request(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;
	char v[64];

	provfx_msg(&m, PVA_CH_VOICE, "4, 9, 3, 8, 1, 7");
	m.phone = "+8613812345678";
	assert_int_equal(provfx_type_send(f, &ali, ALL_KEYS " called_show_number = \"057188773344\";",
					  200, "", "{\"RequestId\":\"R-2\",\"CallId\":\"116012854210^10281378\","
					  "\"Code\":\"OK\",\"Message\":\"OK\"}", &m, &res), PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_string_equal(res.request_id, "11601285421010281378");
	assert_string_equal(provfx_hdr(&f->s, "x-acs-action", v, sizeof(v)), "SingleCallByTts");
	assert_string_equal(loopsrv_body(&f->s),
			    "CalledNumber=13812345678&CalledShowNumber=057188773344&TtsCode=TTS_10001"
			    "&TtsParam=%7B%22code%22%3A%22493817%22%7D");
	assert_signed(&f->s);
}

/* Without `url`, voice goes to voice_url (here the loopback server) and
 * SMS would go to the real default. */
static void test_voice_url(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;

	f->s.reply = loopsrv_reply(f->reply, sizeof(f->reply), 200, "",
				   "{\"Code\":\"OK\",\"RequestId\":\"R-3\"}");
	assert_int_equal(loopsrv_start(&f->s), 0);
	snprintf(f->group, sizeof(f->group), "ali = { type = \"aliyun\"; " ALL_KEYS
		 " voice_url = \"http://127.0.0.1:%d\"; };", f->s.port);
	assert_int_equal(provfx_create(&f->p, &pva_provider_aliyun, f->group), PVA_OK);
	provfx_msg(&m, PVA_CH_VOICE, "x");
	assert_int_equal(provfx_send(&f->p, &m, &res), PVA_OK);
	loopsrv_stop(&f->s);
	assert_string_equal(res.request_id, "R-3");
	assert_signed(&f->s);
}

/* params_in = "query": the parameters are the signed query string and
 * the body is empty. */
static void test_params_in_query(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;
	char v[PVA_SIGN_AUTH_MAX], hv[7][128], want[PVA_SIGN_AUTH_MAX];
	static const char *const names[] = { "host", "x-acs-action", "x-acs-version",
		"x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "content-type" };
	struct pva_sign_header h[7];
	struct pva_acs3_req r = { "POST", "/", "CalledNumber=13812345678&TtsCode=TTS_10001"
				  "&TtsParam=%7B%22code%22%3A%22493817%22%7D", h, 7, "", 0 };
	size_t i;

	provfx_msg(&m, PVA_CH_VOICE, "x");
	m.phone = "+8613812345678";
	assert_int_equal(provfx_type_send(f, &ali, ALL_KEYS " params_in = \"query\";", 200, "",
					  "{\"Code\":\"OK\",\"CallId\":\"c1\"}", &m, &res), PVA_OK);
	assert_non_null(strstr(f->s.got, "POST /?CalledNumber=13812345678&TtsCode=TTS_10001"
				       "&TtsParam=%7B%22code%22%3A%22493817%22%7D HTTP/1.1\r\n"));
	assert_string_equal(loopsrv_body(&f->s), "");
	for (i = 0; i < 7; i++) {
		h[i].name = names[i];
		h[i].value = provfx_hdr(&f->s, names[i], hv[i], sizeof(hv[i]));
		assert_true(hv[i][0] != '\0');
	}
	assert_string_equal(hv[5], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(pva_sign_acs3(&r, KEY_ID, KEY_SECRET, want, sizeof(want), NULL), PVA_OK);
	assert_string_equal(provfx_hdr(&f->s, "authorization", v, sizeof(v)), want);
	expect_config_error(f, "ali = { type = \"aliyun\"; " ALL_KEYS " params_in = \"url\"; };",
				"params_in");
}

struct answer {
	int status;
	const char *hdrs;
	const char *body;
	enum pva_send_status want;
	const char *detail;
};

static void test_answers(void **state)
{
	static const struct answer a[] = {
		{ 200, "", "{\"Code\":\"isv.BUSINESS_LIMIT_CONTROL\",\"Message\":\"触发小时级流控Permits:5\"}",
		  PVA_SEND_RATE_LIMITED, "code isv.BUSINESS_LIMIT_CONTROL" },
		{ 200, "", "{\"Code\":\"isv.DAY_LIMIT_CONTROL\",\"Message\":\"day\"}",
		  PVA_SEND_RATE_LIMITED, "isv.DAY_LIMIT_CONTROL" },
		{ 400, "", "{\"Code\":\"Throttling.User\",\"Message\":\"Request was denied due to user flow control.\"}",
		  PVA_SEND_RATE_LIMITED, "HTTP 400 code Throttling.User" },
		{ 429, "Retry-After: 7\r\n", "{\"error\":\"429\"}", PVA_SEND_RATE_LIMITED,
		  "retry after 7 s" },
		{ 200, "", "{\"Code\":\"isv.MOBILE_NUMBER_ILLEGAL\",\"Message\":\"invalid number 4915112345678\"}",
		  PVA_SEND_PERMANENT, "invalid number *" },
		{ 200, "", "{\"Code\":\"isv.AMOUNT_NOT_ENOUGH\"}", PVA_SEND_PERMANENT, "(no message)" },
		{ 200, "", "{\"Code\":\"isp.SYSTEM_ERROR\",\"Message\":\"x\"}", PVA_SEND_TEMPORARY,
		  "isp.SYSTEM_ERROR" },
		{ 503, "", "<html>busy</html>", PVA_SEND_TEMPORARY, "HTTP 503 code -" },
		{ 500, "", "{\"Code\":\"InternalError\",\"Message\":\"x\"}", PVA_SEND_TEMPORARY,
		  "InternalError" },
		{ 404, "", "{\"Code\":\"InvalidAccessKeyId.NotFound\",\"Message\":\"Specified access key is not found.\"}",
		  PVA_SEND_PERMANENT, "InvalidAccessKeyId.NotFound" },
		{ 400, "", "{\"Code\":\"SignatureDoesNotMatch\",\"Message\":\"Specified signature does not match our calculation.\"}",
		  PVA_SEND_PERMANENT, "SignatureDoesNotMatch" },
		{ 200, "", "not json", PVA_SEND_AMBIGUOUS, "HTTP 200 code -" },
		{ 200, "", "{\"Code\":\"OK\"}", PVA_SEND_SENT, "aliyun: OK" },
	};
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	size_t i;

	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		enum pva_rc rc = provfx_type_exchange(f, &ali, a[i].status, a[i].hdrs, a[i].body,
						      PVA_CH_SMS, &res);

		provfx_check_answer(i, rc, &res, a[i].want, a[i].detail);
	}
}

static void test_transport(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;

	provfx_msg(&m, PVA_CH_SMS, "x");
	provfx_srv_unreachable(f, make, ALL_KEYS, &m, "aliyun: ", "+49 151", &res);
	assert_non_null(strstr(res.detail, "invalid phone"));
	/* the answer comes after the deadline: the message may be out */
	provfx_type_late(f, &ali, "{\"Code\":\"OK\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_errors, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_sms_request, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_sms_china_number, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_voice_request, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_voice_url, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_params_in_query, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_answers, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_transport, setup, provfx_srv_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
