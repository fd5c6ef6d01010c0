/* test_http.c - the libcurl layer: URL rules, encoding, config helpers,
 * status mapping and real exchanges with an in-process loopback server
 * (plain http to 127.0.0.1, which the layer allows for tests). */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sodium.h>

#include "core/secrets.h"
#include "delivery/http.h"
#include "../lib/loopsrv.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void srv_start(struct loopsrv *s)
{
	assert_int_equal(loopsrv_start(s), 0);
}

static void srv_stop(struct loopsrv *s)
{
	loopsrv_stop(s);
}

static void opts_default(struct pva_http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 3000;
	o->total_timeout_ms = 8000;
}

/* One POST to the server at path with `reply`; fills *resp. */
static enum pva_rc post(struct loopsrv *s, const char *scheme, struct pva_http_opts *o,
			unsigned deadline, struct pva_http_resp *resp)
{
	static const char *const hdrs[] = { "Content-Type: application/x-www-form-urlencoded",
					    "X-Test: yes", NULL };
	char url[128];
	struct pva_http_req req = { "POST", url, hdrs, "To=%2B4915112345678&Body=hello",
				    30, "ACuser", "tok:en", };

	snprintf(url, sizeof(url), "%s://127.0.0.1:%d/2010-04-01/Messages.json", scheme,
		 s->port);
	return pva_http_do(o, &req, deadline, resp);
}

/* ---- URL rules ---- */

static void test_check_url(void **state)
{
	static const char *const good[] = {
		"https://api.twilio.com", "https://api.twilio.com/2010-04-01/x?y=1",
		"HTTPS://rest.nexmo.com:443/sms/json", "http://127.0.0.1:8080/x",
		"http://127.9.9.9/", "http://localhost:99", "http://[::1]:8443/a",
		"https://[2001:db8::1]/", NULL };
	static const char *const bad[] = {
		"http://api.twilio.com/", "ftp://127.0.0.1/", "https://", "http://",
		"https://user:pw@api.example.com/", "http://127.0.0.1.evil.example/",
		"http://[::2]/", "https://a b/", "https://a\\b@c/", "http://128.0.0.1/",
		"//127.0.0.1/", "https://[::1/", "file:///etc/passwd", "", NULL };
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		if (pva_http_check_url(good[i], why, sizeof(why)) != PVA_OK)
			fail_msg("refused %s: %s", good[i], why);
	for (i = 0; bad[i]; i++) {
		why[0] = '\0';
		if (pva_http_check_url(bad[i], why, sizeof(why)) == PVA_OK)
			fail_msg("accepted %s", bad[i]);
		assert_true(why[0] != '\0');
	}
	assert_int_not_equal(pva_http_check_url("http://example.com", why, sizeof(why)), PVA_OK);
	assert_non_null(strstr(why, "loopback"));
	assert_int_not_equal(pva_http_check_url(NULL, NULL, 0), PVA_OK);
}

/* ---- encoding ---- */

static void test_buf_encoding(void **state)
{
	struct pva_http_buf b = { 0 };
	char big[3000];
	size_t n;

	(void)state;
	pva_http_buf_pct(&b, "a b+c/\xc3\xa4~-._&=%");
	assert_string_equal(b.p, "a%20b%2Bc%2F%C3%A4~-._%26%3D%25");
	pva_http_buf_wipe(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	pva_http_buf_form(&b, "To", "+4915112345678");
	pva_http_buf_form(&b, "Body", "code 123456\nline");
	assert_string_equal(b.p, "To=%2B4915112345678&Body=code%20123456%0Aline");
	assert_int_equal(b.len, strlen(b.p));
	n = b.len;
	/* growth keeps the content */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pva_http_buf_puts(&b, big);
	assert_int_equal(b.len, n + sizeof(big) - 1);
	assert_memory_equal(b.p, "To=%2B4915112345678&Body=code%20123456%0Aline", n);
	assert_int_equal(b.p[b.len], '\0');
	assert_int_equal(b.failed, 0);
	pva_http_buf_wipe(&b);
	pva_http_buf_put(&b, "", 0);
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	pva_http_buf_wipe(&b);
}

static void test_buf_limit(void **state)
{
	struct pva_http_buf b = { 0 };
	char *chunk = malloc(64 * 1024 + 1);
	int i;

	(void)state;
	assert_non_null(chunk);
	memset(chunk, 'y', 64 * 1024);
	chunk[64 * 1024] = '\0';
	for (i = 0; i < 5; i++)
		pva_http_buf_puts(&b, chunk);
	assert_int_equal(b.failed, 1);
	assert_true(b.len <= 256 * 1024);
	pva_http_buf_wipe(&b);
	free(chunk);
}

static void test_scrub(void **state)
{
	char a[] = "The 'To' number +49 151 1234-5678 is not valid (21211).";
	char b[] = "code 493817\tok 12345 +1";
	char c[] = "(555) 123-4567, 2024-01-02";
	char d[] = "";

	(void)state;
	pva_http_scrub(a);
	assert_string_equal(a, "The 'To' number * is not valid (21211).");
	pva_http_scrub(b);
	assert_string_equal(b, "code * ok 12345 +1");
	pva_http_scrub(c);
	assert_string_equal(c, "(*, *");
	pva_http_scrub(d);
	assert_string_equal(d, "");
}

static void test_json(void **state)
{
	struct pva_http_resp r;
	struct json_object *o;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.body = (char *)"{\"sid\":\"SM1\",\"code\":21211,\"ok\":true,\"n\":null,\"l\":[1]}";
	r.body_len = strlen(r.body);
	o = pva_http_json(&r);
	assert_non_null(o);
	assert_string_equal(pva_http_json_str(o, "sid"), "SM1");
	assert_string_equal(pva_http_json_str(o, "code"), "21211");
	assert_string_equal(pva_http_json_str(o, "ok"), "true");
	assert_null(pva_http_json_str(o, "n"));
	assert_null(pva_http_json_str(o, "l"));
	assert_null(pva_http_json_str(o, "missing"));
	json_object_put(o);
	r.body = (char *)"[1,2]";
	r.body_len = 5;
	assert_null(pva_http_json(&r));
	r.body = (char *)"{\"a\":";
	r.body_len = 5;
	assert_null(pva_http_json(&r));
	r.body = (char *)"<html>";
	r.body_len = 6;
	assert_null(pva_http_json(&r));
	r.body = NULL;
	r.body_len = 0;
	assert_null(pva_http_json(&r));
	assert_null(pva_http_json_str(NULL, "x"));
}

/* ---- classification ---- */

static void test_classify(void **state)
{
	struct pva_http_resp r;
	struct pva_send_result res;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.transport = PVA_HTTP_DONE;
	r.status = 201;
	assert_int_equal(pva_http_classify(&r, 1), PVA_SEND_SENT);
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_PERMANENT);
	r.status = 429;
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_RATE_LIMITED);
	r.status = 500;
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_TEMPORARY);
	r.status = 503;
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_TEMPORARY);
	r.status = 400;
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_PERMANENT);
	r.status = 401;
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_PERMANENT);
	r.transport = PVA_HTTP_NOT_SENT;
	assert_int_equal(pva_http_classify(&r, 1), PVA_SEND_TEMPORARY);
	r.transport = PVA_HTTP_AMBIGUOUS;
	assert_int_equal(pva_http_classify(&r, 1), PVA_SEND_AMBIGUOUS);
	r.transport = PVA_HTTP_REFUSED;
	assert_int_equal(pva_http_classify(&r, 1), PVA_SEND_PERMANENT);

	memset(&res, 0, sizeof(res));
	r.transport = PVA_HTTP_DONE;
	r.status = 429;
	r.retry_after = 30;
	snprintf(r.error, sizeof(r.error), "HTTP 429");
	pva_http_fail(&res, &r, "twilio");
	assert_int_equal(res.status, PVA_SEND_RATE_LIMITED);
	assert_string_equal(res.detail, "twilio: HTTP 429, retry after 30 s");
	pva_http_resp_free(NULL);
}

/* ---- configuration helpers ---- */

struct cfx {
	config_t cfg;
	char err[512];
	char dir[64];
	struct pva_secrets *sec;
	struct pva_cfgread rd;
};

static const config_setting_t *parse(struct cfx *c, const char *text)
{
	const config_setting_t *g;

	config_init(&c->cfg);
	if (!config_read_string(&c->cfg, text))
		fail_msg("libconfig: %s", config_error_text(&c->cfg));
	g = config_lookup(&c->cfg, "p");
	assert_non_null(g);
	memset(&c->rd, 0, sizeof(c->rd));
	c->rd.file = "t.conf";
	c->rd.err = c->err;
	c->rd.errlen = sizeof(c->err);
	c->rd.secrets = c->sec;
	c->err[0] = '\0';
	return g;
}

static void expect_opts_error(const char *text, const char *what)
{
	struct cfx c;
	struct pva_http_opts o;

	memset(&c, 0, sizeof(c));
	assert_int_equal(pva_http_opts_parse(&c.rd, parse(&c, text), &o), PVA_ERR_CONFIG);
	if (strstr(c.err, what) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", c.err, what);
	config_destroy(&c.cfg);
}

static void test_opts_parse(void **state)
{
	struct cfx c;
	struct pva_http_opts o;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(pva_http_opts_parse(&c.rd, parse(&c, "p = { type = \"x\"; };"), &o),
			 PVA_OK);
	assert_int_equal(o.connect_timeout_ms, 3000);
	assert_int_equal(o.total_timeout_ms, 8000);
	assert_string_equal(o.ca_file, "");
	assert_string_equal(o.proxy, "");
	config_destroy(&c.cfg);

	assert_int_equal(pva_http_opts_parse(&c.rd, parse(&c,
		"p = { ca_file = \"/etc/ca.pem\"; pinned_pubkey = \"sha256//AAAA\";\n"
		"proxy = \"http://10.0.0.1:3128\"; connect_timeout_ms = 500; timeout_ms = 2000; };"),
		&o), PVA_OK);
	assert_string_equal(o.ca_file, "/etc/ca.pem");
	assert_string_equal(o.pinned_pubkey, "sha256//AAAA");
	assert_string_equal(o.proxy, "http://10.0.0.1:3128");
	assert_int_equal(o.connect_timeout_ms, 500);
	assert_int_equal(o.total_timeout_ms, 2000);
	config_destroy(&c.cfg);

	expect_opts_error("p = { ca_file = \"ca.pem\"; };", "t.conf:1: ca_file: must be an absolute");
	expect_opts_error("p = {\n connect_timeout_ms = 5000; timeout_ms = 1000; };",
			  "t.conf:2: connect_timeout_ms: must not exceed");
	expect_opts_error("p = { timeout_ms = 10; };", "timeout_ms: 10 is out of range");
	expect_opts_error("p = { pinned_pubkey = \"md5//x\"; };", "pinned_pubkey");
	expect_opts_error("p = { proxy = \"10.0.0.1:3128\"; };", "proxy: expected");
}

static void test_cfg_url(void **state)
{
	struct cfx c;
	char url[PVA_HTTP_URL_MAX];

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(pva_http_cfg_url(&c.rd, parse(&c, "p = { };"), "https://api.twilio.com",
					  url, sizeof(url)), PVA_OK);
	assert_string_equal(url, "https://api.twilio.com");
	config_destroy(&c.cfg);
	assert_int_equal(pva_http_cfg_url(&c.rd, parse(&c, "p = { url = \"https://127.0.0.1:4443//\"; };"),
					  "https://api.twilio.com", url, sizeof(url)), PVA_OK);
	assert_string_equal(url, "https://127.0.0.1:4443");
	config_destroy(&c.cfg);
	assert_int_equal(pva_http_cfg_url(&c.rd, parse(&c, "p = {\n url = \"http://sms.example.com/\"; };"),
					  "https://x", url, sizeof(url)), PVA_ERR_CONFIG);
	assert_non_null(strstr(c.err, "t.conf:2: url:"));
	assert_non_null(strstr(c.err, "loopback"));
	config_destroy(&c.cfg);
}

static void test_cfg_secret(void **state)
{
	struct cfx c;
	const config_setting_t *g;
	char path[128], err[256];
	char *v = NULL;
	FILE *f;

	(void)state;
	memset(&c, 0, sizeof(c));
	/* no secrets file at all */
	assert_int_equal(pva_http_cfg_secret(&c.rd, parse(&c, "p = { };"), "auth_token", &v),
			 PVA_ERR_CONFIG);
	assert_null(v);
	assert_non_null(strstr(c.err, "secrets_file"));
	assert_non_null(strstr(c.err, "auth_token"));
	config_destroy(&c.cfg);

	snprintf(c.dir, sizeof(c.dir), "/tmp/pva-http-XXXXXX");
	assert_non_null(mkdtemp(c.dir));
	snprintf(path, sizeof(path), "%s/secrets", c.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("p = { auth_token = \"s3cr3t\"; };\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(pva_secrets_load(path, &c.sec, err, sizeof(err)), PVA_OK);
	g = parse(&c, "p = { };");
	assert_int_equal(pva_http_cfg_secret(&c.rd, g, "auth_token", &v), PVA_OK);
	assert_string_equal(v, "s3cr3t");
	pva_http_secret_free(v);
	v = NULL;
	assert_int_equal(pva_http_cfg_secret(&c.rd, g, "account_sid", &v), PVA_ERR_CONFIG);
	assert_null(v);
	assert_non_null(strstr(c.err, "p.account_sid"));
	assert_null(strstr(c.err, "s3cr3t"));
	pva_http_secret_free(NULL);
	config_destroy(&c.cfg);
	pva_secrets_free(c.sec);
	unlink(path);
	rmdir(c.dir);
}

/* ---- exchanges ---- */

static void test_do_success(void **state)
{
	struct loopsrv s = { .reply = "HTTP/1.1 201 Created\r\nContent-Length: 15\r\n"
				  "Connection: close\r\n\r\n{\"sid\":\"SM123\"}" };
	struct pva_http_opts o;
	struct pva_http_resp r;

	(void)state;
	opts_default(&o);
	setenv("http_proxy", "http://127.0.0.1:1", 1); /* must be ignored */
	setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
	srv_start(&s);
	assert_int_equal(post(&s, "http", &o, 5000, &r), PVA_OK);
	srv_stop(&s);
	unsetenv("http_proxy");
	unsetenv("HTTPS_PROXY");
	assert_int_equal(r.transport, PVA_HTTP_DONE);
	assert_int_equal(r.status, 201);
	assert_string_equal(r.body, "{\"sid\":\"SM123\"}");
	assert_int_equal(r.body_len, 15);
	assert_int_equal(r.retry_after, 0);
	assert_non_null(strstr(s.got, "POST /2010-04-01/Messages.json HTTP/1.1\r\n"));
	/* base64("ACuser:tok:en") */
	assert_non_null(strstr(s.got, "\r\nAuthorization: Basic QUN1c2VyOnRvazplbg==\r\n"));
	assert_non_null(strstr(s.got, "\r\nX-Test: yes\r\n"));
	assert_null(strcasestr(s.got, "Expect:"));
	assert_non_null(strstr(s.got, "\r\n\r\nTo=%2B4915112345678&Body=hello"));
	assert_int_equal(pva_http_classify(&r, r.status == 201), PVA_SEND_SENT);
	pva_http_resp_free(&r);
	assert_null(r.body);
}

static void test_do_get_no_body(void **state)
{
	struct loopsrv s = { .reply = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n" };
	struct pva_http_opts o;
	struct pva_http_resp r;
	char url[96];
	struct pva_http_req req = { "GET", url, NULL, NULL, 0, NULL, NULL };

	(void)state;
	opts_default(&o);
	srv_start(&s);
	snprintf(url, sizeof(url), "http://localhost:%d/send?to=1", s.port);
	assert_int_equal(pva_http_do(&o, &req, 5000, &r), PVA_OK);
	srv_stop(&s);
	assert_int_equal(r.status, 204);
	assert_non_null(r.body);
	assert_string_equal(r.body, "");
	assert_non_null(strstr(s.got, "GET /send?to=1 HTTP/1.1\r\n"));
	assert_null(strstr(s.got, "Authorization"));
	pva_http_resp_free(&r);
}

static void test_do_429_retry_after(void **state)
{
	struct loopsrv s = { .reply = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
				  "Content-Length: 2\r\nConnection: close\r\n\r\n{}" };
	struct pva_http_opts o;
	struct pva_http_resp r;

	(void)state;
	opts_default(&o);
	srv_start(&s);
	assert_int_equal(post(&s, "http", &o, 5000, &r), PVA_OK);
	srv_stop(&s);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after, 7);
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_RATE_LIMITED);
	pva_http_resp_free(&r);
}

static void test_do_redirect_refused(void **state)
{
	struct loopsrv s = { .reply = "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\n"
				  "Content-Length: 0\r\nConnection: close\r\n\r\n" };
	struct pva_http_opts o;
	struct pva_http_resp r;

	(void)state;
	opts_default(&o);
	srv_start(&s);
	assert_int_equal(post(&s, "http", &o, 5000, &r), PVA_ERR_DELIVERY);
	srv_stop(&s);
	assert_int_equal(r.transport, PVA_HTTP_REFUSED);
	assert_int_equal(r.status, 302);
	assert_non_null(strstr(r.error, "redirect refused"));
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_PERMANENT);
	pva_http_resp_free(&r);
}

static void test_do_body_too_large(void **state)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n"
				   "Connection: close\r\n\r\n";
	size_t n = sizeof(head) - 1 + 70000;
	char *reply = malloc(n);
	struct loopsrv s;
	struct pva_http_opts o;
	struct pva_http_resp r;

	(void)state;
	assert_non_null(reply);
	memcpy(reply, head, sizeof(head) - 1);
	memset(reply + sizeof(head) - 1, 'z', 70000);
	memset(&s, 0, sizeof(s));
	s.reply = reply;
	s.reply_len = n;
	opts_default(&o);
	srv_start(&s);
	assert_int_equal(post(&s, "http", &o, 5000, &r), PVA_ERR_DELIVERY);
	srv_stop(&s);
	assert_int_equal(r.transport, PVA_HTTP_REFUSED);
	assert_non_null(strstr(r.error, "too large"));
	assert_null(r.body);
	pva_http_resp_free(&r);
	free(reply);
}

/* The server reads the request, then stalls: sent, answer lost. */
static void test_do_timeout_after_send(void **state)
{
	struct loopsrv s = { .reply = NULL, .delay_ms = 1500 };
	struct pva_http_opts o;
	struct pva_http_resp r;
	int64_t t0;

	(void)state;
	opts_default(&o); /* 8 s total: the 400 ms deadline must win */
	srv_start(&s);
	t0 = mono_ms();
	assert_int_equal(post(&s, "http", &o, 400, &r), PVA_ERR_DELIVERY);
	assert_true(mono_ms() - t0 < 1200);
	srv_stop(&s);
	assert_int_equal(r.transport, PVA_HTTP_AMBIGUOUS);
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_AMBIGUOUS);
	assert_non_null(strstr(s.got, "Body=hello"));
	pva_http_resp_free(&r);
}

/* The server reads the request and hangs up without an answer. */
static void test_do_closed_after_send(void **state)
{
	struct loopsrv s = { .reply = NULL };
	struct pva_http_opts o;
	struct pva_http_resp r;

	(void)state;
	opts_default(&o);
	srv_start(&s);
	assert_int_equal(post(&s, "http", &o, 5000, &r), PVA_ERR_DELIVERY);
	srv_stop(&s);
	assert_int_equal(r.transport, PVA_HTTP_AMBIGUOUS);
	pva_http_resp_free(&r);
}

/* https to a server that accepts and never speaks: the TLS handshake
 * times out, nothing was sent. */
static void test_do_tls_stall_not_sent(void **state)
{
	struct loopsrv s = { .reply = NULL, .no_read = 1, .delay_ms = 1200 };
	struct pva_http_opts o;
	struct pva_http_resp r;

	(void)state;
	opts_default(&o);
	o.total_timeout_ms = 400;
	srv_start(&s);
	assert_int_equal(post(&s, "https", &o, 5000, &r), PVA_ERR_DELIVERY);
	srv_stop(&s);
	assert_int_equal(r.transport, PVA_HTTP_NOT_SENT);
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_TEMPORARY);
	pva_http_resp_free(&r);
}

/* https to a plain HTTP server: a TLS error, nothing was sent. */
static void test_do_tls_garbage_not_sent(void **state)
{
	struct loopsrv s = { .reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", .no_read = 1 };
	struct pva_http_opts o;
	struct pva_http_resp r;

	(void)state;
	opts_default(&o);
	srv_start(&s);
	assert_int_equal(post(&s, "https", &o, 5000, &r), PVA_ERR_DELIVERY);
	srv_stop(&s);
	assert_int_equal(r.transport, PVA_HTTP_NOT_SENT);
	pva_http_resp_free(&r);
}

static void test_do_refused_early(void **state)
{
	struct loopsrv s = { .port = 0 }, live = { .port = 0 };
	struct pva_http_opts o;
	struct pva_http_resp r;
	struct pva_http_req req = { "POST", "http://sms.example.com/x", NULL, "a", 1, NULL, NULL };
	struct pva_http_req put = { "PUT", "http://127.0.0.1:1/x", NULL, NULL, 0, NULL, NULL };

	(void)state;
	opts_default(&o);
	assert_int_equal(pva_http_do(&o, &req, 5000, &r), PVA_ERR_DELIVERY);
	assert_int_equal(r.transport, PVA_HTTP_REFUSED);
	assert_int_equal(pva_http_do(&o, &put, 5000, &r), PVA_ERR_DELIVERY);
	assert_int_equal(r.transport, PVA_HTTP_REFUSED);
	/* a closed port: connection refused, not sent */
	s.port = loopsrv_closed_port();
	assert_int_equal(post(&s, "http", &o, 5000, &r), PVA_ERR_DELIVERY);
	assert_int_equal(r.transport, PVA_HTTP_NOT_SENT);
	assert_int_equal(pva_http_classify(&r, 0), PVA_SEND_TEMPORARY);
	assert_non_null(strstr(r.error, "curl 7"));
	/* a configured proxy is used: unreachable, nothing reaches the server */
	live.reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	srv_start(&live);
	snprintf(o.proxy, sizeof(o.proxy), "http://127.0.0.1:%d", loopsrv_closed_port());
	assert_int_equal(post(&live, "http", &o, 5000, &r), PVA_ERR_DELIVERY);
	assert_int_equal(r.transport, PVA_HTTP_NOT_SENT);
	o.proxy[0] = '\0';
	assert_int_equal(post(&live, "http", &o, 5000, &r), PVA_OK); /* direct: reached */
	srv_stop(&live);
	pva_http_resp_free(&r);
	/* no time left */
	assert_int_equal(post(&s, "http", &o, 0, &r), PVA_ERR_DELIVERY);
	assert_int_equal(r.transport, PVA_HTTP_NOT_SENT);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_url),
		cmocka_unit_test(test_buf_encoding),
		cmocka_unit_test(test_buf_limit),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_opts_parse),
		cmocka_unit_test(test_cfg_url),
		cmocka_unit_test(test_cfg_secret),
		cmocka_unit_test(test_do_success),
		cmocka_unit_test(test_do_get_no_body),
		cmocka_unit_test(test_do_429_retry_after),
		cmocka_unit_test(test_do_redirect_refused),
		cmocka_unit_test(test_do_body_too_large),
		cmocka_unit_test(test_do_timeout_after_send),
		cmocka_unit_test(test_do_closed_after_send),
		cmocka_unit_test(test_do_tls_stall_not_sent),
		cmocka_unit_test(test_do_tls_garbage_not_sent),
		cmocka_unit_test(test_do_refused_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
