/* generic.c - the "http" provider: a templated request for any gateway. */
#include "delivery/generic.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/phone.h"
#include "delivery/http.h"

#define OK_STATUS_MAX 8
#define PATH_MAX_LEN PVA_HTTP_JSON_PATH_MAX

enum encoding { ENC_FORM, ENC_JSON, ENC_QUERY };
enum auth { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct field {
	char *name;
	char *tmpl;
};

struct generic {
	struct pva_http_opts opts;
	char url[PVA_GENERIC_TEMPLATE_MAX];    /* template */
	int get;
	enum encoding enc;
	struct field fields[PVA_GENERIC_FIELDS_MAX];
	size_t n_fields;
	char *headers[PVA_GENERIC_HEADERS_MAX + 3]; /* + Content-Type, Accept, NULL */
	size_t n_headers;
	enum auth auth;
	char *user, *password, *token;         /* sodium memory; SECRET */
	long ok_status[OK_STATUS_MAX];
	size_t n_ok;
	char json_path[PATH_MAX_LEN];
	char json_value[PATH_MAX_LEN];
	char prefix[PATH_MAX_LEN];
	char id_path[PATH_MAX_LEN];
	int voice;                             /* "voice" listed in channels */
};

static const char *const generic_keys[] = {
	PVA_HTTP_COMMON_KEYS, "method", "encoding", "fields", "headers", "auth",
	"success_status", "success_json", "success_prefix", "request_id_json", NULL
};
static const char *const methods[] = { "POST", "GET", NULL };
static const char *const encodings[] = { "form", "json", "query", NULL };
static const char *const auths[] = { "none", "basic", "bearer", NULL };
/* In the order of enum ph. */
static const char *const placeholders[] = {
	"phone", "phone_digits", "code", "message", "ttl", "service", "host", "channel",
	"user", "password", "token", NULL
};
enum ph {
	PH_PHONE, PH_DIGITS, PH_CODE, PH_MESSAGE, PH_TTL, PH_SERVICE, PH_HOST, PH_CHANNEL,
	PH_USER, PH_PASSWORD, PH_TOKEN
};
static const char *const reserved_headers[] = {
	"Authorization", "Content-Type", "Content-Length", "Host", "Expect",
	"Transfer-Encoding", "Connection", NULL
};

/* ---- placeholders ---- */

/* Length of the name of a "{name}" placeholder at s, or 0. */
static size_t ph_len(const char *s)
{
	size_t n = 0;

	if (s[0] != '{')
		return 0;
	for (s++; (*s >= 'a' && *s <= 'z') || *s == '_'; s++)
		n++;
	return (n > 0 && *s == '}') ? n : 0;
}

/* Index of the placeholder name (n bytes) in placeholders[], or -1. */
static int ph_index(const char *name, size_t n)
{
	int i;

	for (i = 0; placeholders[i] != NULL; i++)
		if (strlen(placeholders[i]) == n && strncmp(placeholders[i], name, n) == 0)
			return i;
	return -1;
}

static const char *ph_value(const struct generic *g, int idx, const struct pva_message *msg,
			    char *num, size_t numlen)
{
	switch ((enum ph)idx) {
	case PH_USER: return g->user ? g->user : "";  /* loaded when used */
	case PH_PASSWORD: return g->password ? g->password : "";
	case PH_TOKEN: return g->token ? g->token : "";
	case PH_PHONE: return msg->phone;
	case PH_DIGITS: return msg->phone + 1;
	case PH_CODE: return msg->code;
	case PH_MESSAGE: return msg->text;
	case PH_TTL: snprintf(num, numlen, "%u", msg->ttl); return num;
	case PH_SERVICE: return msg->service ? msg->service : "";
	case PH_HOST: return msg->host ? msg->host : "";
	case PH_CHANNEL: break;
	}
	return pva_channel_name(msg->channel);
}

/* How expand() escapes: nothing (JSON values, json-c escapes them), the
 * values only (the url template: its literal text is URL syntax), or
 * everything (a form or query value). */
enum esc { ESC_NONE, ESC_VALUES, ESC_ALL };

/* Append tmpl with placeholders expanded once.  SECRET: b may now hold
 * the code. */
static void expand(struct pva_http_buf *b, const struct generic *g, const char *tmpl,
		   const struct pva_message *msg, enum esc pct)
{
	char num[16], lit[2] = "";
	size_t n;
	int idx;

	while (*tmpl) {
		n = ph_len(tmpl);
		idx = n ? ph_index(tmpl + 1, n) : -1;
		if (idx < 0) {
			lit[0] = *tmpl++;
			if (pct == ESC_ALL)
				pva_http_buf_pct(b, lit);
			else
				pva_http_buf_put(b, lit, 1);
			continue;
		}
		if (pct)
			pva_http_buf_pct(b, ph_value(g, idx, msg, num, sizeof(num)));
		else
			pva_http_buf_puts(b, ph_value(g, idx, msg, num, sizeof(num)));
		tmpl += n + 2;
	}
}

static enum pva_rc check_tmpl(struct pva_cfgread *rd, const config_setting_t *s,
			      const char *key, const char *tmpl)
{
	size_t i, n;

	for (i = 0; tmpl[i]; i++) {
		n = ph_len(tmpl + i);
		if (n == 0)
			continue;
		if (ph_index(tmpl + i + 1, n) < 0)
			return pva_cfg_fail(rd, s, key,
					    "unknown placeholder {%.*s} (valid: {phone}, {phone_digits}, {code}, {message}, {ttl}, {service}, {host}, {channel})",
					    (int)(n > 40 ? 40 : n), tmpl + i + 1);
		i += n + 1;
	}
	return PVA_OK;
}

/* Does the url or a field template use placeholder idx? */
static int uses(const struct generic *g, int idx)
{
	const char *t;
	size_t i, n;

	for (i = 0; i <= g->n_fields; i++) {
		t = i < g->n_fields ? g->fields[i].tmpl : g->url;
		for (; *t; t++)
			if ((n = ph_len(t)) != 0 && ph_index(t + 1, n) == idx)
				return 1;
	}
	return 0;
}

/* ---- configuration ---- */

static enum pva_rc read_url(struct pva_cfgread *rd, const config_setting_t *grp,
			    struct generic *g)
{
	const config_setting_t *s = config_setting_get_member(grp, "url");
	struct pva_message dummy = { "+10000000000", PVA_CH_SMS, "x", "0", 1, "x", "x", 0 };
	struct pva_http_buf b = { 0 };
	const char *host;
	char why[128];
	enum pva_rc rc;

	if (s == NULL)
		return pva_cfg_fail(rd, grp, "url", "missing; the gateway's https:// URL");
	if (pva_cfg_string(rd, grp, "url", 0, g->url, sizeof(g->url)) != PVA_OK ||
	    check_tmpl(rd, s, "url", g->url) != PVA_OK)
		return PVA_ERR_CONFIG;
	host = strstr(g->url, "://");
	if (host != NULL && strcspn(host + 3, "/?#") > strcspn(host + 3, "{"))
		return pva_cfg_fail(rd, s, "url", "placeholders are not allowed in the host name");
	expand(&b, g, g->url, &dummy, ESC_VALUES);
	rc = b.failed ? PVA_ERR_NOMEM : pva_http_check_url(b.p, why, sizeof(why));
	pva_http_buf_wipe(&b);
	if (rc == PVA_ERR_INVAL)
		return pva_cfg_fail(rd, s, "url", "\"%.80s\" %s", g->url, why);
	return rc;
}

static enum pva_rc read_method(struct pva_cfgread *rd, const config_setting_t *grp,
			       struct generic *g)
{
	int m = 0, e;

	if (pva_cfg_enum(rd, grp, "method", methods, &m) != PVA_OK)
		return PVA_ERR_CONFIG;
	g->get = m == 1;
	e = g->get ? ENC_QUERY : ENC_FORM;
	if (pva_cfg_enum(rd, grp, "encoding", encodings, &e) != PVA_OK)
		return PVA_ERR_CONFIG;
	g->enc = (enum encoding)e;
	if (g->get && g->enc != ENC_QUERY)
		return pva_cfg_fail(rd, config_setting_get_member(grp, "encoding"), "encoding",
				    "a GET request has no body; use encoding = \"query\"");
	return PVA_OK;
}

static enum pva_rc read_fields(struct pva_cfgread *rd, const config_setting_t *grp,
			       struct generic *g)
{
	const config_setting_t *f = config_setting_get_member(grp, "fields");
	int i, n;

	if (f == NULL)
		return PVA_OK;
	if (!config_setting_is_group(f))
		return pva_cfg_fail(rd, f, "fields", "expected a group { name = \"template\"; }");
	n = config_setting_length(f);
	if (n > PVA_GENERIC_FIELDS_MAX)
		return pva_cfg_fail(rd, f, "fields", "at most %d fields", PVA_GENERIC_FIELDS_MAX);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(f, (unsigned)i);
		const char *name = config_setting_name(e);
		char tmpl[PVA_GENERIC_TEMPLATE_MAX] = "";

		if (pva_cfg_string(rd, f, name, 0, tmpl, sizeof(tmpl)) != PVA_OK ||
		    check_tmpl(rd, e, name, tmpl) != PVA_OK)
			return PVA_ERR_CONFIG;
		g->fields[i].name = strdup(name);
		g->fields[i].tmpl = strdup(tmpl);
		g->n_fields = (size_t)i + 1;
		if (g->fields[i].name == NULL || g->fields[i].tmpl == NULL)
			return PVA_ERR_NOMEM;
	}
	return PVA_OK;
}

static int reserved(const char *name)
{
	size_t i;

	for (i = 0; reserved_headers[i] != NULL; i++)
		if (strcasecmp(name, reserved_headers[i]) == 0)
			return 1;
	return 0;
}

static enum pva_rc add_header(struct generic *g, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *h = malloc(n);

	if (h == NULL)
		return PVA_ERR_NOMEM;
	snprintf(h, n, "%s: %s", name, value);
	g->headers[g->n_headers++] = h;
	return PVA_OK;
}

static enum pva_rc read_headers(struct pva_cfgread *rd, const config_setting_t *grp,
				struct generic *g)
{
	const config_setting_t *h = config_setting_get_member(grp, "headers");
	int i, n = h ? config_setting_length(h) : 0;

	if (h != NULL && !config_setting_is_group(h))
		return pva_cfg_fail(rd, h, "headers", "expected a group { Name = \"value\"; }");
	if (n > PVA_GENERIC_HEADERS_MAX)
		return pva_cfg_fail(rd, h, "headers", "at most %d headers", PVA_GENERIC_HEADERS_MAX);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(h, (unsigned)i);
		const char *name = config_setting_name(e);
		char value[PVA_GENERIC_TEMPLATE_MAX] = "";

		if (pva_cfg_string(rd, h, name, 0, value, sizeof(value)) != PVA_OK)
			return PVA_ERR_CONFIG;
		if (reserved(name))
			return pva_cfg_fail(rd, e, name, "this header is set by the module%s",
					    strcasecmp(name, "Authorization") == 0 ?
					    "; use auth = \"basic\" or \"bearer\" with the secrets file" : "");
		if (add_header(g, name, value) != PVA_OK)
			return PVA_ERR_NOMEM;
	}
	if (g->enc != ENC_QUERY && add_header(g, "Content-Type", g->enc == ENC_JSON ?
			"application/json" : "application/x-www-form-urlencoded") != PVA_OK)
		return PVA_ERR_NOMEM;
	return PVA_OK;
}

static enum pva_rc read_auth(struct pva_cfgread *rd, const config_setting_t *grp,
			     struct generic *g)
{
	int a = AUTH_NONE;

	if (pva_cfg_enum(rd, grp, "auth", auths, &a) != PVA_OK)
		return PVA_ERR_CONFIG;
	g->auth = (enum auth)a;
	if (((g->auth == AUTH_BASIC || uses(g, PH_USER)) &&
	     pva_http_cfg_secret(rd, grp, "user", &g->user) != PVA_OK) ||
	    ((g->auth == AUTH_BASIC || uses(g, PH_PASSWORD)) &&
	     pva_http_cfg_secret(rd, grp, "password", &g->password) != PVA_OK) ||
	    ((g->auth == AUTH_BEARER || uses(g, PH_TOKEN)) &&
	     pva_http_cfg_secret(rd, grp, "token", &g->token) != PVA_OK))
		return PVA_ERR_CONFIG;
	if (g->token != NULL && strpbrk(g->token, "\r\n") != NULL)
		return pva_cfg_fail(rd, grp, "token", "the secrets file's token has a line break");
	return PVA_OK;
}

static enum pva_rc read_ok_status(struct pva_cfgread *rd, const config_setting_t *grp,
				  struct generic *g)
{
	const config_setting_t *l = config_setting_get_member(grp, "success_status");
	int i, n;

	g->ok_status[0] = 200;
	g->ok_status[1] = 201;
	g->ok_status[2] = 202;
	g->n_ok = 3;
	if (l == NULL)
		return PVA_OK;
	n = config_setting_length(l);
	if (!(config_setting_is_array(l) || config_setting_is_list(l)) || n < 1 ||
	    n > OK_STATUS_MAX)
		return pva_cfg_fail(rd, l, "success_status", "expected a list of 1..%d HTTP statuses",
				    OK_STATUS_MAX);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		long long v = config_setting_get_int64(e);

		if (config_setting_type(e) != CONFIG_TYPE_INT || v < 200 || v > 299)
			return pva_cfg_fail(rd, e, "success_status", "expected statuses in 200..299");
		g->ok_status[i] = (long)v;
	}
	g->n_ok = (size_t)n;
	return PVA_OK;
}

static enum pva_rc read_success(struct pva_cfgread *rd, const config_setting_t *grp,
				struct generic *g)
{
	char sj[2 * PATH_MAX_LEN] = "";
	char *eq;

	if (read_ok_status(rd, grp, g) != PVA_OK ||
	    pva_cfg_string(rd, grp, "success_json", 0, sj, sizeof(sj)) != PVA_OK ||
	    pva_cfg_string(rd, grp, "success_prefix", 0, g->prefix, sizeof(g->prefix)) != PVA_OK ||
	    pva_cfg_string(rd, grp, "request_id_json", 0, g->id_path, sizeof(g->id_path)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (sj[0] == '\0')
		return PVA_OK;
	eq = strchr(sj, '=');
	if (eq == NULL || eq == sj || (size_t)(eq - sj) >= sizeof(g->json_path) ||
	    strlen(eq + 1) >= sizeof(g->json_value))
		return pva_cfg_fail(rd, config_setting_get_member(grp, "success_json"),
				    "success_json", "expected \"path=value\", e.g. \"status=0\"");
	*eq = '\0';
	memcpy(g->json_path, sj, (size_t)(eq - sj) + 1);        /* lengths checked above */
	memcpy(g->json_value, eq + 1, strlen(eq + 1) + 1);
	return PVA_OK;
}

static void generic_destroy(void *priv)
{
	struct generic *g = priv;
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n_fields; i++) {
		free(g->fields[i].name);
		free(g->fields[i].tmpl);
	}
	for (i = 0; i < g->n_headers; i++)
		free(g->headers[i]);
	pva_http_secret_free(g->user);
	pva_http_secret_free(g->password);
	pva_http_secret_free(g->token);
	free(g);
}

static enum pva_rc generic_create(struct pva_cfgread *rd, const config_setting_t *grp,
				  void **priv)
{
	struct generic *g = calloc(1, sizeof(*g));
	enum pva_rc rc = PVA_ERR_NOMEM;

	*priv = NULL;
	if (g == NULL)
		goto out;
	rc = pva_cfg_known_keys(rd, grp, generic_keys);
	if (rc == PVA_OK)
		rc = read_method(rd, grp, g);
	if (rc == PVA_OK)
		rc = read_url(rd, grp, g);
	if (rc == PVA_OK)
		rc = pva_http_opts_parse(rd, grp, &g->opts);
	if (rc == PVA_OK)
		rc = read_fields(rd, grp, g);
	if (rc == PVA_OK)
		rc = read_headers(rd, grp, g);
	if (rc == PVA_OK)
		rc = read_auth(rd, grp, g);
	if (rc == PVA_OK)
		rc = read_success(rd, grp, g);
	if (rc != PVA_OK)
		goto out;
	g->voice = pva_http_cfg_lists(grp, "channels", "voice", 0);
	*priv = g;
	g = NULL;
out:
	generic_destroy(g);
	return rc;
}

/* ---- request ---- */

/* name=value&... with values expanded and percent-encoded. SECRET. */
static void build_pairs(const struct generic *g, const struct pva_message *msg,
			struct pva_http_buf *b, int first)
{
	size_t i;

	for (i = 0; i < g->n_fields; i++) {
		if (!first || i > 0)
			pva_http_buf_put(b, "&", 1);
		pva_http_buf_pct(b, g->fields[i].name);
		pva_http_buf_put(b, "=", 1);
		expand(b, g, g->fields[i].tmpl, msg, ESC_ALL);
	}
}

/* Wipe json-c's copies of the values and its serialisation, then free. */
static void json_wipe_put(struct json_object *o, const struct generic *g)
{
	struct json_object *v;
	size_t i;

	for (i = 0; i < g->n_fields; i++)
		if (json_object_object_get_ex(o, g->fields[i].name, &v))
			sodium_memzero((void *)(uintptr_t)json_object_get_string(v),
				       (size_t)json_object_get_string_len(v));
	json_object_put(o);
}

/* One JSON object of string fields. SECRET. */
static void build_json(const struct generic *g, const struct pva_message *msg,
		       struct pva_http_buf *b)
{
	struct json_object *o = json_object_new_object(), *v;
	struct pva_http_buf val = { 0 };
	const char *text;
	size_t i, len = 0;

	for (i = 0; o != NULL && i < g->n_fields && !b->failed; i++) {
		val.len = 0;
		pva_http_buf_put(&val, "", 0);
		expand(&val, g, g->fields[i].tmpl, msg, ESC_NONE);
		v = val.failed ? NULL : json_object_new_string_len(val.p, (int)val.len);
		if (v == NULL || json_object_object_add(o, g->fields[i].name, v) != 0) {
			json_object_put(v);
			b->failed = 1;
		}
		sodium_memzero(val.p, val.len);
	}
	text = o ? json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE, &len) : NULL;
	if (text == NULL)
		b->failed = 1;
	else
		pva_http_buf_put(b, text, len);
	if (text != NULL)
		sodium_memzero((void *)(uintptr_t)text, len);
	pva_http_buf_wipe(&val);
	if (o != NULL)
		json_wipe_put(o, g);
}

static void build_request(const struct generic *g, const struct pva_message *msg,
			  struct pva_http_buf *url, struct pva_http_buf *body)
{
	expand(url, g, g->url, msg, ESC_VALUES);
	if (g->enc == ENC_QUERY && g->n_fields > 0) {
		pva_http_buf_put(url, url->p && strchr(url->p, '?') ? "&" : "?", 1);
		build_pairs(g, msg, url, 1);
	} else if (g->enc == ENC_FORM) {
		build_pairs(g, msg, body, 1);
	} else if (g->enc == ENC_JSON) {
		build_json(g, msg, body);
	}
	if (body->p == NULL && !g->get)
		pva_http_buf_put(body, "", 0);
}

/* ---- answer ---- */

static int status_ok(const struct generic *g, long status)
{
	size_t i;

	for (i = 0; i < g->n_ok; i++)
		if (g->ok_status[i] == status)
			return 1;
	return 0;
}

/* The answer is a success by status; now the body's verdict. */
static void judge_body(const struct generic *g, const struct pva_http_resp *resp,
		       struct pva_send_result *res)
{
	struct json_object *o = pva_http_json(resp);
	const char *v = g->json_path[0] ? pva_http_json_path(o, g->json_path) : NULL;

	res->status = PVA_SEND_SENT;
	snprintf(res->detail, sizeof(res->detail), "http: HTTP %ld", resp->status);
	if (g->json_path[0] != '\0' && (v == NULL || strcmp(v, g->json_value) != 0)) {
		res->status = PVA_SEND_PERMANENT;
		snprintf(res->detail, sizeof(res->detail), "http: HTTP %ld but %.40s is %s%.60s%s",
			 resp->status, g->json_path, v ? "\"" : "", v ? v : "absent",
			 v ? "\"" : "");
		pva_http_scrub(res->detail);
	} else if (g->prefix[0] != '\0' &&
		   strncmp(resp->body ? resp->body : "", g->prefix, strlen(g->prefix)) != 0) {
		res->status = PVA_SEND_PERMANENT;
		snprintf(res->detail, sizeof(res->detail),
			 "http: HTTP %ld but the body does not start with success_prefix",
			 resp->status);
	}
	if (res->status == PVA_SEND_SENT && g->id_path[0] != '\0')
		pva_http_request_id(res, pva_http_json_path(o, g->id_path));
	json_object_put(o);
}

static void judge(const struct generic *g, enum pva_rc hrc, const struct pva_http_resp *resp,
		  struct pva_send_result *res)
{
	if (hrc != PVA_OK || !status_ok(g, resp->status)) {
		pva_http_fail(res, resp, "http");
		return;
	}
	judge_body(g, resp, res);
}

/* ---- send ---- */

static enum pva_send_status precheck(const struct generic *g, const struct pva_message *msg,
				     struct pva_send_result *res)
{
	if (msg->channel == PVA_CH_VOICE && !g->voice) {
		snprintf(res->detail, sizeof(res->detail),
			 "http: voice is not listed in this provider's channels");
		return PVA_SEND_PERMANENT;
	}
	if (pva_phone_validate(msg->phone) != PVA_OK) {
		snprintf(res->detail, sizeof(res->detail), "http: invalid phone number");
		return PVA_SEND_PERMANENT;
	}
	return PVA_SEND_SENT;
}

static enum pva_rc generic_send(const void *priv, const struct pva_message *msg,
				const struct pva_log *lg, struct pva_send_result *res)
{
	const struct generic *g = priv;
	struct pva_http_buf url = { 0 }, body = { 0 }, bearer = { 0 };
	const char *hdrs[PVA_GENERIC_HEADERS_MAX + 4];
	struct pva_http_resp resp;
	struct pva_http_req req;
	size_t i;

	(void)lg;
	memset(&resp, 0, sizeof(resp));
	res->status = precheck(g, msg, res);
	if (res->status != PVA_SEND_SENT)
		goto out;
	for (i = 0; i < g->n_headers; i++)
		hdrs[i] = g->headers[i];
	hdrs[i++] = "Accept: application/json, text/plain, */*";
	if (g->auth == AUTH_BEARER) {
		pva_http_buf_puts(&bearer, "Authorization: Bearer ");
		pva_http_buf_puts(&bearer, g->token);
		hdrs[i++] = bearer.p;
	}
	hdrs[i] = NULL;
	build_request(g, msg, &url, &body);
	if (url.failed || body.failed || bearer.failed) {
		res->status = PVA_SEND_TEMPORARY;
		snprintf(res->detail, sizeof(res->detail), "http: out of memory");
		goto out;
	}
	req = (struct pva_http_req){ g->get ? "GET" : "POST", url.p, hdrs, body.p, body.len,
				     g->auth == AUTH_BASIC ? g->user : NULL, g->password };
	judge(g, pva_http_do(&g->opts, &req, msg->timeout_ms, &resp), &resp, res);
out:
	pva_http_resp_free(&resp);
	pva_http_buf_wipe(&url);
	pva_http_buf_wipe(&body);
	pva_http_buf_wipe(&bearer);
	return res->status == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY;
}

const struct pva_provider_ops pva_provider_http = {
	.type = "http",
	.channels = PVA_CH_SMS | PVA_CH_VOICE,
	.default_channels = PVA_CH_SMS, /* voice only when listed */
	.create = generic_create,
	.send = generic_send,
	.destroy = generic_destroy,
};
