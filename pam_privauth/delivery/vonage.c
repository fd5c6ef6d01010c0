/* vonage.c - the "vonage" provider (SMS through Vonage's SMS API). */
#include "delivery/vonage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/phone.h"
#include "delivery/http.h"

struct vonage {
	char url[PVA_HTTP_URL_MAX];
	struct pva_http_opts opts;
	char from[32];
	char *key;     /* sodium memory */
	char *secret;  /* SECRET */
};

static const char *const vonage_keys[] = { PVA_HTTP_COMMON_KEYS, "from", NULL };

static const char *const form_headers[] = {
	"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", NULL
};

/* Non-ASCII code points of the GSM 03.38 default alphabet and extension table. */
static const uint16_t gsm_extra[] = {
	0x00a1, 0x00a3, 0x00a4, 0x00a5, 0x00a7, 0x00bf, 0x00c4, 0x00c5, 0x00c6, 0x00c7,
	0x00c9, 0x00d1, 0x00d6, 0x00d8, 0x00dc, 0x00df, 0x00e0, 0x00e4, 0x00e5, 0x00e6,
	0x00e8, 0x00e9, 0x00ec, 0x00f1, 0x00f2, 0x00f6, 0x00f8, 0x00f9, 0x00fc, 0x0393,
	0x0394, 0x0398, 0x039b, 0x039e, 0x03a0, 0x03a3, 0x03a6, 0x03a8, 0x03a9, 0x20ac,
};

/* ---- GSM 03.38 ---- */

/* Decode one UTF-8 sequence at s; its length, 0 when invalid. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, *cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, *cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, *cp = s[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3fu);
	}
	return n;
}

static int gsm_char(uint32_t cp)
{
	size_t i;

	if (cp == '\n' || cp == '\r' || cp == '\f')
		return 1;
	if (cp < 0x80)
		return cp >= 0x20 && cp < 0x7f && cp != '`';
	for (i = 0; i < sizeof(gsm_extra) / sizeof(gsm_extra[0]); i++)
		if (gsm_extra[i] == cp)
			return 1;
	return 0;
}

int pva_vonage_is_gsm7(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	uint32_t cp = 0;
	size_t n;

	while (*p) {
		n = utf8_next(p, &cp);
		if (n == 0 || !gsm_char(cp))
			return 0;
		p += n;
	}
	return 1;
}

/* ---- configuration ---- */

static enum pva_rc read_from(struct pva_cfgread *rd, const config_setting_t *grp,
			     struct vonage *v)
{
	const config_setting_t *s = config_setting_get_member(grp, "from");
	const char *p;

	if (s == NULL)
		return pva_cfg_fail(rd, grp, "from",
				    "missing; set from = \"+...\" (a Vonage number) or an alphanumeric sender ID");
	if (pva_cfg_string(rd, grp, "from", 0, v->from, sizeof(v->from)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (v->from[0] == '+') {
		if (pva_phone_validate(v->from) != PVA_OK)
			return pva_cfg_fail(rd, s, "from", "\"%s\" is not an E.164 number", v->from);
		char digits[sizeof(v->from)];

		snprintf(digits, sizeof(digits), "%s", v->from + 1); /* Vonage wants digits */
		memcpy(v->from, digits, sizeof(v->from));
		return PVA_OK;
	}
	for (p = v->from; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == ' '))
			break;
	if (*p != '\0' || strlen(v->from) > 11)
		return pva_cfg_fail(rd, s, "from",
				    "expected an E.164 number (+...) or an alphanumeric sender ID of up to 11 characters");
	return PVA_OK;
}

static void vonage_destroy(void *priv)
{
	struct vonage *v = priv;

	if (v == NULL)
		return;
	pva_http_secret_free(v->key);
	pva_http_secret_free(v->secret);
	free(v);
}

static enum pva_rc vonage_create(struct pva_cfgread *rd, const config_setting_t *grp,
				 void **priv)
{
	struct vonage *v = calloc(1, sizeof(*v));
	enum pva_rc rc = PVA_ERR_NOMEM;

	*priv = NULL;
	if (v == NULL)
		goto out;
	rc = pva_cfg_known_keys(rd, grp, vonage_keys);
	if (rc == PVA_OK)
		rc = pva_http_cfg_url(rd, grp, PVA_VONAGE_URL_DEFAULT, v->url, sizeof(v->url));
	if (rc == PVA_OK)
		rc = pva_http_opts_parse(rd, grp, &v->opts);
	if (rc == PVA_OK)
		rc = read_from(rd, grp, v);
	if (rc == PVA_OK)
		rc = pva_http_cfg_secret(rd, grp, "api_key", &v->key);
	if (rc == PVA_OK)
		rc = pva_http_cfg_secret(rd, grp, "api_secret", &v->secret);
	if (rc != PVA_OK)
		goto out;
	*priv = v;
	v = NULL;
out:
	vonage_destroy(v);
	return rc;
}

/* ---- answer ---- */

static enum pva_send_status status_class(const char *st)
{
	long n;
	char *end = NULL;

	if (st == NULL)
		return PVA_SEND_PERMANENT;
	n = strtol(st, &end, 10);
	if (end == st || *end != '\0')
		return PVA_SEND_PERMANENT;
	switch (n) {
	case 0:
		return PVA_SEND_SENT;
	case 1:  /* Throttled */
	case 10: /* Too Many Existing Binds */
		return PVA_SEND_RATE_LIMITED;
	case 5:  /* Internal Error */
		return PVA_SEND_TEMPORARY;
	default: /* 2, 3 parameters; 4 credentials; 6 unroutable; 7, 8 barred;
		  * 9 no credit; 11 no HTTP; 12 too long; 14 signature;
		  * 15 illegal sender; 22 network code; 29 not whitelisted ... */
		return PVA_SEND_PERMANENT;
	}
}

/* Judge messages[]: all "0" = sent; a failure after a success = ambiguous. */
static void judge_messages(struct json_object *msgs, struct pva_send_result *res)
{
	size_t i, n = json_object_array_length(msgs);
	struct json_object *m0 = json_object_array_get_idx(msgs, 0);

	res->status = PVA_SEND_SENT;
	pva_http_request_id(res, pva_http_json_str(m0, "message-id"));
	snprintf(res->detail, sizeof(res->detail), "vonage: status 0");
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i);
		const char *st = pva_http_json_str(m, "status");
		const char *text = pva_http_json_str(m, "error-text");
		enum pva_send_status cls = status_class(st);

		if (cls == PVA_SEND_SENT)
			continue;
		res->status = i > 0 ? PVA_SEND_AMBIGUOUS : cls;
		snprintf(res->detail, sizeof(res->detail), "vonage: part %zu status %.8s: %.100s",
			 i + 1, st ? st : "-", text ? text : "(no error-text)");
		pva_http_scrub(res->detail);
		return;
	}
}

static void judge(enum pva_rc hrc, const struct pva_http_resp *resp,
		  struct pva_send_result *res)
{
	struct json_object *o = NULL, *msgs = NULL;

	if (hrc != PVA_OK || resp->status != 200) {
		pva_http_fail(res, resp, "vonage");
		return;
	}
	o = pva_http_json(resp);
	if (o == NULL || !json_object_object_get_ex(o, "messages", &msgs) ||
	    !json_object_is_type(msgs, json_type_array) || json_object_array_length(msgs) == 0) {
		/* HTTP 200 without a readable answer: it may have been queued */
		res->status = PVA_SEND_AMBIGUOUS;
		snprintf(res->detail, sizeof(res->detail), "vonage: HTTP 200 without messages[]");
		goto out;
	}
	judge_messages(msgs, res);
out:
	json_object_put(o);
}

/* ---- request ---- */

/* SECRET: *body holds the code and the api_secret. */
static void build_body(const struct vonage *v, const struct pva_message *msg,
		       struct pva_http_buf *body)
{
	pva_http_buf_form(body, "api_key", v->key);
	pva_http_buf_form(body, "api_secret", v->secret);
	pva_http_buf_form(body, "from", v->from);
	pva_http_buf_form(body, "to", msg->phone + 1);
	pva_http_buf_form(body, "text", msg->text);
	pva_http_buf_form(body, "type", pva_vonage_is_gsm7(msg->text) ? "text" : "unicode");
}

static enum pva_rc vonage_send(const void *priv, const struct pva_message *msg,
			       const struct pva_log *lg, struct pva_send_result *res)
{
	const struct vonage *v = priv;
	struct pva_http_buf url = { 0 }, body = { 0 };
	struct pva_http_resp resp;
	struct pva_http_req req;

	(void)lg;
	memset(&resp, 0, sizeof(resp));
	if (msg->channel != PVA_CH_SMS || pva_phone_validate(msg->phone) != PVA_OK) {
		res->status = PVA_SEND_PERMANENT;
		snprintf(res->detail, sizeof(res->detail), "vonage: %s",
			 msg->channel != PVA_CH_SMS ? "SMS only" : "invalid phone number");
		goto out;
	}
	pva_http_buf_puts(&url, v->url);
	pva_http_buf_puts(&url, "/sms/json");
	build_body(v, msg, &body);
	if (url.failed || body.failed) {
		res->status = PVA_SEND_TEMPORARY;
		snprintf(res->detail, sizeof(res->detail), "vonage: out of memory");
		goto out;
	}
	req = (struct pva_http_req){ "POST", url.p, form_headers, body.p, body.len, NULL, NULL };
	judge(pva_http_do(&v->opts, &req, msg->timeout_ms, &resp), &resp, res);
out:
	pva_http_resp_free(&resp);
	pva_http_buf_wipe(&url);
	pva_http_buf_wipe(&body);
	return res->status == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY;
}

const struct pva_provider_ops pva_provider_vonage = {
	.type = "vonage",
	.channels = PVA_CH_SMS,
	.create = vonage_create,
	.send = vonage_send,
	.destroy = vonage_destroy,
};
