/* test_tencent.c - the "tencent" provider: config checks, the signed JSON
 * requests it builds (SendSms, SendCodeVoice) and how answers are judged,
 * against a one-shot loopback HTTP server.  The signature of each
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
#include <json-c/json.h>

#include "delivery/sign.h"
#include "delivery/tencent.h"
#include "../lib/loopsrv.h"
#include "../lib/provfx.h"

#define SECRET_ID "AKIDexampleSecretId0123"
#define SECRET_KEY "tencentS3cretKeyValue"
#define SECRETS "tc = { secret_id = \"" SECRET_ID "\"; secret_key = \"" SECRET_KEY "\"; };\n"
#define SMS_KEYS "sdk_app_id = \"1400006666\"; template_id = \"449739\";"
#define ALL_KEYS SMS_KEYS " sign_name = \"Privauth\"; voice_sdk_app_id = \"1400000001\";"
#define SMS_OK "{\"Response\":{\"SendStatusSet\":[{\"SerialNo\":\"5000:1045710669157053657849499619\"," \
	"\"PhoneNumber\":\"+4915112345678\",\"Fee\":1,\"Code\":\"Ok\",\"Message\":\"send success\"}]," \
	"\"RequestId\":\"a0aabda6-cf91-4f3e-a81f-9198114a2279\"}}"

static int setup(void **state)
{
	return provfx_srv_setup(state, SECRETS);
}

static void make(struct provfx_srv *f, const char *extra)
{
	provfx_srv_make(f, &pva_provider_tencent, "tc = { type = \"tencent\";", "", extra);
}

static const struct provfx_type tc = { make, ALL_KEYS, SECRET_KEY };

/* Recompute TC3 from the received request; assert it matches. */
static void assert_signed(const struct loopsrv *s, const char *service)
{
	char ct[64], host[64], action[32], ts[24], auth[PVA_SIGN_AUTH_MAX], want[PVA_SIGN_AUTH_MAX];
	const char *body = loopsrv_body(s);
	struct pva_tc3_req r = { "POST", "", provfx_hdr(s, "content-type", ct, sizeof(ct)),
				 provfx_hdr(s, "host", host, sizeof(host)),
				 provfx_hdr(s, "x-tc-action", action, sizeof(action)), service, 0,
				 body, strlen(body) };

	r.timestamp = strtoll(provfx_hdr(s, "x-tc-timestamp", ts, sizeof(ts)), NULL, 10);
	assert_true(r.timestamp > time(NULL) - 60 && r.timestamp <= time(NULL));
	assert_string_equal(ct, "application/json; charset=utf-8");
	assert_int_equal(pva_sign_tc3(&r, SECRET_ID, SECRET_KEY, want, sizeof(want), NULL), PVA_OK);
	assert_string_equal(provfx_hdr(s, "authorization", auth, sizeof(auth)), want);
	assert_non_null(strstr(auth, "SignedHeaders=content-type;host;x-tc-action, "));
}

/* Member `key` of the received JSON body, as JSON text. */
static void assert_member(const struct loopsrv *s, const char *key, const char *want)
{
	struct json_object *o = json_tokener_parse(loopsrv_body(s)), *v = NULL;
	const char *text;

	assert_non_null(o);
	if (want == NULL) {
		assert_false(json_object_object_get_ex(o, key, &v));
	} else {
		assert_true(json_object_object_get_ex(o, key, &v));
		text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		if (strcmp(text, want) != 0)
			fail_msg("%s is %s, want %s", key, text, want);
	}
	json_object_put(o);
}

static void expect_config_error(struct provfx_srv *f, const char *group, const char *what)
{
	provfx_expect_config_error(&f->p, &pva_provider_tencent, group, what, SECRET_KEY);
}

static void test_config_errors(void **state)
{
	struct provfx_srv *f = *state;

	expect_config_error(f, "tc = { type = \"tencent\"; };", "sdk_app_id: missing");
	expect_config_error(f, "tc = { type = \"tencent\"; sdk_app_id = \"1\"; };",
			    "template_id: missing");
	expect_config_error(f, "tc = { type = \"tencent\"; " SMS_KEYS " };",
			    "voice_sdk_app_id: missing");
	expect_config_error(f, "tc = { type = \"tencent\";\n sdk_app_id = \"14x\"; "
			    "template_id = \"1\"; channels = [\"sms\"]; };",
			    "test.conf:3: sdk_app_id: expected digits only");
	expect_config_error(f, "tc = { type = \"tencent\"; " ALL_KEYS " region = \"AP Beijing\"; };",
			    "region:");
	expect_config_error(f, "tc = { type = \"tencent\"; " ALL_KEYS " voice_play_times = 4; };",
			    "voice_play_times");
	expect_config_error(f, "tc = { type = \"tencent\"; " ALL_KEYS " colour = 1; };",
			    "colour: unknown key");
	expect_config_error(f, "tc = { type = \"tencent\"; " ALL_KEYS
			    " url = \"https://sms.tencentcloudapi.com/v2\"; };", "no path");
	expect_config_error(f, "other = { type = \"tencent\"; " ALL_KEYS " };",
			    "missing credential: secrets_file has no other.secret_id");
	assert_int_equal(provfx_create(&f->p, &pva_provider_tencent,
		"tc = { type = \"tencent\"; " SMS_KEYS " channels = [\"sms\"]; };"), PVA_OK);
	assert_int_equal(provfx_create(&f->p, &pva_provider_tencent,
		"tc = { type = \"tencent\"; voice_sdk_app_id = \"1\"; channels = [\"voice\"]; };"),
		PVA_OK);
}

static void test_sms_request(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	char v[64];

	assert_int_equal(provfx_type_exchange(f, &tc, 200, "", SMS_OK, PVA_CH_SMS, &res), PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_string_equal(res.request_id, "5000:1045710669157053657849499619");
	assert_non_null(strstr(f->s.got, "POST / HTTP/1.1\r\n"));
	assert_string_equal(provfx_hdr(&f->s, "x-tc-action", v, sizeof(v)), "SendSms");
	assert_string_equal(provfx_hdr(&f->s, "x-tc-version", v, sizeof(v)), "2021-01-11");
	assert_string_equal(provfx_hdr(&f->s, "x-tc-region", v, sizeof(v)), "ap-guangzhou");
	assert_signed(&f->s, "sms");
	assert_member(&f->s, "PhoneNumberSet", "[\"+4915112345678\"]");
	assert_member(&f->s, "TemplateParamSet", "[\"493817\"]");
	assert_member(&f->s, "SmsSdkAppId", "\"1400006666\"");
	assert_member(&f->s, "TemplateId", "\"449739\"");
	assert_member(&f->s, "SignName", "\"Privauth\"");
	assert_null(memmem(f->s.got, (size_t)(loopsrv_body(&f->s) - f->s.got), "493817", 6));
}

static void test_sms_no_sign_region(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;
	char v[64];

	provfx_msg(&m, PVA_CH_SMS, "x");
	assert_int_equal(provfx_type_send(f, &tc,
					  SMS_KEYS " channels = [\"sms\"]; region = \"ap-singapore\";",
					  200, "", "{\"Response\":{\"SendStatusSet\":[{\"Code\":\"Ok\"}],"
					  "\"RequestId\":\"req-1\"}}", &m, &res), PVA_OK);
	assert_string_equal(res.request_id, "req-1");
	assert_string_equal(provfx_hdr(&f->s, "x-tc-region", v, sizeof(v)), "ap-singapore");
	assert_member(&f->s, "SignName", NULL);
	assert_signed(&f->s, "sms");
}

static void test_voice_request(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;
	char v[64];

	provfx_msg(&m, PVA_CH_VOICE, "4, 9, 3, 8, 1, 7");
	m.phone = "+8613812345678";
	assert_int_equal(provfx_type_send(f, &tc, ALL_KEYS " voice_play_times = 3;", 200, "",
					  "{\"Response\":{\"SendStatus\":{\"CallId\":\"d0e03a3b-5e98-4d2a\","
					  "\"SessionContext\":\"\"},\"RequestId\":\"r-2\"}}", &m, &res),
			 PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_string_equal(res.request_id, "d0e03a3b-5e98-4d2a");
	assert_string_equal(provfx_hdr(&f->s, "x-tc-action", v, sizeof(v)), "SendCodeVoice");
	assert_string_equal(provfx_hdr(&f->s, "x-tc-version", v, sizeof(v)), "2020-09-02");
	assert_signed(&f->s, "vms");
	assert_member(&f->s, "CodeMessage", "\"493817\"");
	assert_member(&f->s, "CalledNumber", "\"+8613812345678\"");
	assert_member(&f->s, "VoiceSdkAppid", "\"1400000001\"");
	assert_member(&f->s, "PlayTimes", "3");
}

struct answer {
	int status;
	const char *hdrs;
	const char *body;
	enum pva_channel ch;
	enum pva_send_status want;
	const char *detail;
};

#define ERR(code, text) "{\"Response\":{\"Error\":{\"Code\":\"" code "\",\"Message\":\"" text \
	"\"},\"RequestId\":\"r\"}}"
#define SET(code, text) "{\"Response\":{\"SendStatusSet\":[{\"Code\":\"" code "\",\"Message\":\"" \
	text "\"}],\"RequestId\":\"r\"}}"

static void test_answers(void **state)
{
	static const struct answer a[] = {
		{ 200, "", ERR("AuthFailure.SignatureFailure", "The provided credentials could not be validated."),
		  PVA_CH_SMS, PVA_SEND_PERMANENT, "tencent: AuthFailure.SignatureFailure: The provided" },
		{ 200, "", ERR("LimitExceeded.PhoneNumberDailyLimit", "daily limit"), PVA_CH_SMS,
		  PVA_SEND_RATE_LIMITED, "LimitExceeded.PhoneNumberDailyLimit" },
		{ 200, "", ERR("RequestLimitExceeded", "too frequent"), PVA_CH_SMS,
		  PVA_SEND_RATE_LIMITED, "RequestLimitExceeded" },
		{ 200, "", ERR("InternalError.Timeout", "x"), PVA_CH_SMS, PVA_SEND_TEMPORARY,
		  "InternalError.Timeout" },
		{ 200, "", SET("LimitExceeded.PhoneNumberThirtySecondLimit", "30 s"), PVA_CH_SMS,
		  PVA_SEND_RATE_LIMITED, "ThirtySecondLimit" },
		{ 200, "", SET("InvalidParameterValue.IncorrectPhoneNumber", "bad +4915112345678"),
		  PVA_CH_SMS, PVA_SEND_PERMANENT, "IncorrectPhoneNumber: bad *" },
		{ 200, "", "{\"Response\":{\"SendStatusSet\":[{\"Code\":\"Ok\"},{\"Code\":\"FailedOperation.x\"}]}}",
		  PVA_CH_SMS, PVA_SEND_PERMANENT, "FailedOperation.x" },
		{ 200, "", "{\"Response\":{\"SendStatusSet\":[],\"RequestId\":\"r\"}}", PVA_CH_SMS,
		  PVA_SEND_AMBIGUOUS, "no SendStatusSet" },
		{ 200, "", "garbage", PVA_CH_SMS, PVA_SEND_AMBIGUOUS, "tencent: " },
		{ 503, "", "<html/>", PVA_CH_SMS, PVA_SEND_TEMPORARY, "tencent: HTTP 503" },
		{ 429, "Retry-After: 7\r\n", "{}", PVA_CH_SMS, PVA_SEND_RATE_LIMITED,
		  "HTTP 429, retry after 7 s" },
		{ 429, "", ERR("RequestLimitExceeded", "x"), PVA_CH_VOICE, PVA_SEND_RATE_LIMITED,
		  "tencent: HTTP 429 RequestLimitExceeded" },
		{ 502, "", ERR("InternalError", "x"), PVA_CH_SMS, PVA_SEND_TEMPORARY,
		  "tencent: HTTP 502 InternalError" },
		{ 404, "", "{}", PVA_CH_SMS, PVA_SEND_PERMANENT, "HTTP 404" },
		{ 200, "", ERR("FailedOperation.InsufficientBalance", "x"), PVA_CH_VOICE,
		  PVA_SEND_PERMANENT, "InsufficientBalance" },
		{ 200, "", "{\"Response\":{\"RequestId\":\"r\"}}", PVA_CH_VOICE, PVA_SEND_AMBIGUOUS,
		  "no CallId" },
		{ 200, "", SMS_OK, PVA_CH_SMS, PVA_SEND_SENT, "tencent: Ok" },
	};
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	size_t i;

	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		enum pva_rc rc = provfx_type_exchange(f, &tc, a[i].status, a[i].hdrs, a[i].body,
						      a[i].ch, &res);

		provfx_check_answer(i, rc, &res, a[i].want, a[i].detail);
	}
}

static void test_transport(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;

	provfx_msg(&m, PVA_CH_VOICE, "x");
	provfx_srv_unreachable(f, make, ALL_KEYS, &m, "tencent: ", "8613812345678", &res);
	provfx_type_late(f, &tc, SMS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_errors, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_sms_request, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_sms_no_sign_region, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_voice_request, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_answers, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_transport, setup, provfx_srv_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
