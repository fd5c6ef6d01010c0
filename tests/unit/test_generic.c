/* test_generic.c - the "http" provider: config checks, placeholder
 * expansion and escaping for url/query/form/json, auth, and success rules,
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
#include <json-c/json.h>

#include "delivery/generic.h"
#include "../lib/loopsrv.h"
#include "core/config.h"
#include "../lib/provfx.h"

#define SECRETS "gw = { token = \"t0k&n\"; user = \"u\"; password = \"p:w\"; };\n"
#define TEXT "Code 493817 & \"more\" {code} é"

static int setup(void **state)
{
	return provfx_srv_setup(state, SECRETS);
}

/* `cfg` is the group body; "%P" in it becomes the server's port. */
static void make(struct provfx_srv *f, const char *cfg)
{
	char port[16], *at, body_cfg[1536];

	snprintf(port, sizeof(port), "%d", f->s.port);
	snprintf(body_cfg, sizeof(body_cfg), "%s", cfg);
	while ((at = strstr(body_cfg, "%P")) != NULL) {
		memmove(at + strlen(port), at + 2, strlen(at + 2) + 1);
		memcpy(at, port, strlen(port));
	}
	snprintf(f->group, sizeof(f->group), "gw = { type = \"http\"; %s };", body_cfg);
	provfx_srv_create(f, &pva_provider_http);
}

static enum pva_rc exchange(struct provfx_srv *f, const char *cfg, int status, const char *body,
			    enum pva_channel ch, struct pva_send_result *res)
{
	struct pva_message m;

	provfx_msg(&m, ch, TEXT);
	return provfx_srv_exchange(f, make, cfg, status, "", body, &m, res);
}

static void expect_config_error(struct provfx_srv *f, const char *body, const char *what)
{
	snprintf(f->group, sizeof(f->group), "gw = { type = \"http\"; %s };", body);
	provfx_expect_config_error(&f->p, &pva_provider_http, f->group, what, "t0k");
}

static void test_config(void **state)
{
	struct provfx_srv *f = *state;

	expect_config_error(f, "", "url: missing");
	expect_config_error(f, "url = \"http://sms.example.com/send\";", "loopback");
	expect_config_error(f, "url = \"https://{host}.example.com/send\";", "host name");
	expect_config_error(f, "url = \"https://gw/{pin}\";", "unknown placeholder {pin}");
	expect_config_error(f, "url = \"https://gw/\"; fields = { to = \"{phone\"; t = \"{cod}\"; };",
			    "t: unknown placeholder {cod}");
	expect_config_error(f, "url = \"https://gw/\"; method = \"PUT\";", "method");
	expect_config_error(f, "url = \"https://gw/\"; method = \"GET\"; encoding = \"json\";",
			    "GET request has no body");
	expect_config_error(f, "url = \"https://gw/\"; headers = { Authorization = \"Basic x\"; };",
			    "use auth =");
	expect_config_error(f, "url = \"https://gw/\"; headers = { content-type = \"a/b\"; };",
			    "set by the module");
	expect_config_error(f, "url = \"https://gw/\"; success_status = [200, 404];",
			    "success_status: expected statuses in 200..299");
	expect_config_error(f, "url = \"https://gw/\"; success_json = \"status\";", "path=value");
	expect_config_error(f, "url = \"https://gw/\"; auth = \"digest\";", "auth");
	snprintf(f->group, sizeof(f->group),
		 "other = { type = \"http\"; url = \"https://gw/\"; auth = \"bearer\"; };");
	assert_int_equal(provfx_create(&f->p, &pva_provider_http, f->group), PVA_ERR_CONFIG);
	assert_non_null(strstr(f->p.err, "secrets_file has no other.token"));
	snprintf(f->group, sizeof(f->group),
		 "gw = { type = \"http\"; url = \"https://gw/send?x={service}\"; auth = \"basic\";"
		 " fields = { to = \"{phone}\"; }; headers = { X-Api-Version = \"2\"; }; };");
	assert_int_equal(provfx_create(&f->p, &pva_provider_http, f->group), PVA_OK);
}

static void test_form_post_bearer(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	assert_int_equal(exchange(f, "url = \"http://127.0.0.1:%P/send/{service}?h={host}\";"
				  " auth = \"bearer\"; headers = { X-Api-Version = \"2\"; };"
				  " fields = { to = \"{phone}\"; text = \"{message}\"; ttl = \"{ttl}\";"
				  " d = \"{phone_digits}:{channel}\"; };", 200, "{}", PVA_CH_SMS, &res),
			 PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_non_null(strstr(f->s.got, "POST /send/sshd?h=box HTTP/1.1\r\n"));
	assert_non_null(strstr(f->s.got, "\r\nAuthorization: Bearer t0k&n\r\n"));
	assert_non_null(strstr(f->s.got, "\r\nX-Api-Version: 2\r\n"));
	assert_non_null(strstr(f->s.got, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
	/* single pass: the text's literal "{code}" stays as it is */
	assert_string_equal(loopsrv_body(&f->s),
			    "to=%2B4915112345678&text=Code%20493817%20%26%20%22more%22%20%7Bcode%7D"
			    "%20%C3%A9&ttl=300&d=4915112345678%3Asms");
}

static void test_json_basic(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct json_object *o, *v;

	assert_int_equal(exchange(f, "url = \"http://127.0.0.1:%P/api\"; encoding = \"json\";"
				  " auth = \"basic\"; fields = { to = \"{phone}\"; msg = \"{message}\";"
				  " code = \"{code}\"; };", 201, "{\"id\":\"r-1\"}", PVA_CH_SMS, &res),
			 PVA_OK);
	assert_non_null(strstr(f->s.got, "\r\nAuthorization: Basic dTpwOnc=\r\n")); /* u:p:w */
	assert_non_null(strstr(f->s.got, "\r\nContent-Type: application/json\r\n"));
	o = json_tokener_parse(loopsrv_body(&f->s));
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "msg", &v));
	assert_string_equal(json_object_get_string(v), TEXT);
	assert_true(json_object_object_get_ex(o, "to", &v));
	assert_string_equal(json_object_get_string(v), "+4915112345678");
	assert_true(json_object_object_get_ex(o, "code", &v));
	assert_string_equal(json_object_get_string(v), "493817");
	json_object_put(o);
	assert_string_equal(res.request_id, ""); /* no request_id_json */
}

static void test_get_query(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	assert_int_equal(exchange(f, "url = \"http://127.0.0.1:%P/cgi-bin/sendsms?username=u\";"
				  " method = \"GET\"; success_prefix = \"0: Accepted\";"
				  " fields = { to = \"{phone}\"; text = \"{message}\"; };",
				  202, "0: Accepted for delivery", PVA_CH_SMS, &res), PVA_OK);
	assert_non_null(strstr(f->s.got, "GET /cgi-bin/sendsms?username=u&to=%2B4915112345678"
			       "&text=Code%20493817%20%26%20%22more%22%20%7Bcode%7D%20%C3%A9 HTTP/1.1\r\n"));
	assert_null(strstr(f->s.got, "Content-Type"));
	assert_string_equal(loopsrv_body(&f->s), "");
	/* the prefix does not match */
	assert_int_equal(exchange(f, "url = \"http://127.0.0.1:%P/s\"; method = \"GET\";"
				  " success_prefix = \"0: Accepted\"; fields = { to = \"{phone}\"; };",
				  202, "3: Queued for later delivery", PVA_CH_SMS, &res),
			 PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_non_null(strstr(res.detail, "success_prefix"));
}

/* Kannel style: credentials from the secrets file as query fields. */
static void test_secret_placeholders(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;

	assert_int_equal(exchange(f, "url = \"http://127.0.0.1:%P/cgi-bin/sendsms\"; method = \"GET\";"
				  " fields = { username = \"{user}\"; password = \"{password}\";"
				  " to = \"{phone_digits}\"; text = \"{message}\"; };",
				  202, "0: Accepted for delivery", PVA_CH_SMS, &res), PVA_OK);
	assert_non_null(strstr(f->s.got, "GET /cgi-bin/sendsms?username=u&password=p%3Aw&to=4915112345678&"));
	assert_null(strstr(f->s.got, "Authorization"));
	assert_int_equal(exchange(f, "url = \"http://127.0.0.1:%P/a\"; encoding = \"json\";"
				  " fields = { key = \"{token}\"; to = \"{phone}\"; };", 200, "{}",
				  PVA_CH_SMS, &res), PVA_OK);
	assert_non_null(strstr(loopsrv_body(&f->s), "\"key\":\"t0k&n\""));
	/* a placeholder whose credential is missing is a config error */
	snprintf(f->group, sizeof(f->group),
		 "other = { type = \"http\"; url = \"https://gw/\"; fields = { p = \"{password}\"; }; };");
	assert_int_equal(provfx_create(&f->p, &pva_provider_http, f->group), PVA_ERR_CONFIG);
	assert_non_null(strstr(f->p.err, "secrets_file has no other.password"));
}

static void test_success_json(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	const char *cfg = "url = \"http://127.0.0.1:%P/\"; encoding = \"json\";"
			  " success_json = \"messages.0.status=0\";"
			  " request_id_json = \"messages.0.id\"; fields = { to = \"{phone}\"; };";

	assert_int_equal(exchange(f, cfg, 200, "{\"messages\":[{\"status\":\"0\",\"id\":\"m-77\"}]}",
				  PVA_CH_SMS, &res), PVA_OK);
	assert_string_equal(res.request_id, "m-77");
	assert_int_equal(exchange(f, cfg, 200, "{\"messages\":[{\"status\":0}]}", PVA_CH_SMS, &res),
			 PVA_OK); /* a number prints the same */
	assert_int_equal(exchange(f, cfg, 200, "{\"messages\":[{\"status\":\"4915112345678\"}]}",
				  PVA_CH_SMS, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_non_null(strstr(res.detail, "messages.0.status is \"*\""));
	assert_int_equal(exchange(f, cfg, 200, "not json", PVA_CH_SMS, &res), PVA_ERR_DELIVERY);
	assert_non_null(strstr(res.detail, "is absent"));
}

static void test_statuses(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	const char *cfg = "url = \"http://127.0.0.1:%P/\"; success_status = [200];"
			  " fields = { to = \"{phone}\"; };";

	assert_int_equal(exchange(f, cfg, 202, "", PVA_CH_SMS, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_int_equal(exchange(f, cfg, 429, "", PVA_CH_SMS, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_RATE_LIMITED);
	assert_int_equal(exchange(f, cfg, 502, "", PVA_CH_SMS, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_TEMPORARY);
	assert_int_equal(exchange(f, cfg, 403, "", PVA_CH_SMS, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_non_null(strstr(res.detail, "HTTP 403"));
}

static void test_voice_opt_in(void **state)
{
	struct provfx_srv *f = *state;
	struct pva_send_result res;
	struct pva_message m;

	snprintf(f->group, sizeof(f->group),
		 "gw = { type = \"http\"; url = \"https://gw/\"; fields = { to = \"{phone}\"; }; };");
	assert_int_equal(provfx_create(&f->p, &pva_provider_http, f->group), PVA_OK);
	provfx_msg(&m, PVA_CH_VOICE, "1, 2, 3");
	assert_int_equal(provfx_send(&f->p, &m, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_non_null(strstr(res.detail, "voice"));
	assert_int_equal(exchange(f, "url = \"http://127.0.0.1:%P/\"; channels = [\"sms\", \"voice\"];"
				  " fields = { to = \"{phone}\"; kind = \"{channel}\"; };", 200, "",
				  PVA_CH_VOICE, &res), PVA_OK);
	assert_non_null(strstr(loopsrv_body(&f->s), "&kind=voice"));
}

/* Without `channels`, an http provider is SMS-only for the configuration
 * check too: a voice service cannot be routed to it. */
static void test_default_channels_sms_only(void **state)
{
	struct pva_config *cfg = NULL;
	char err[512];

	(void)state;
	assert_int_equal(pva_config_parse(
		"providers = { gw = { type = \"http\"; url = \"https://gw/\"; "
		"fields = { to = \"{phone}\"; }; }; };\n"
		"defaults = { providers = [\"gw\"]; channels = [\"sms\", \"voice\"]; };\n",
		"t.conf", &cfg, err, sizeof(err)), PVA_ERR_CONFIG);
	assert_non_null(strstr(err, "no listed provider can deliver by voice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_form_post_bearer, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_json_basic, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_get_query, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_secret_placeholders, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_success_json, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_statuses, setup, provfx_srv_teardown),
		cmocka_unit_test_setup_teardown(test_voice_opt_in, setup, provfx_srv_teardown),
		cmocka_unit_test(test_default_channels_sms_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
