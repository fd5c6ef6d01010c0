/* tencent.c - the "tencent" provider (Tencent Cloud SMS SendSms and VMS
 * SendCodeVoice, TC3-HMAC-SHA256 signed); see tencent.h. */
#include "delivery/tencent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/phone.h"
#include "delivery/http.h"
#include "delivery/sign.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define N_HEADERS 7
#define HDR_LINE (PVA_SIGN_AUTH_MAX + 32)

struct tencent {
	char sms_url[PVA_HTTP_URL_MAX];
	char voice_url[PVA_HTTP_URL_MAX];
	struct pva_http_opts opts;
	char region[32];
	char sdk_app_id[24];
	char template_id[24];
	char sign_name[128];
	char voice_app_id[24];
	unsigned play_times;
	char *secret_id;   /* sodium memory */
	char *secret_key;  /* SECRET */
};

static const char *const tencent_keys[] = {
	PVA_HTTP_COMMON_KEYS, "voice_url", "region", "sdk_app_id", "template_id", "sign_name",
	"voice_sdk_app_id", "voice_play_times", NULL
};

/* ---- configuration ---- */

static int chars_ok(const char *s, const char *set)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || strchr(set, *s) != NULL))
			return 0;
	return 1;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"

/* A numeric id key, required when wanted. */
static enum pva_rc read_id(struct pva_cfgread *rd, const config_setting_t *grp,
			   const char *key, int wanted, const char *why, char *out, size_t outlen)
{
	const config_setting_t *s = config_setting_get_member(grp, key);

	if (pva_cfg_string(rd, grp, key, 0, out, outlen) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (s == NULL && wanted)
		return pva_cfg_fail(rd, grp, key, "missing; %s", why);
	if (!chars_ok(out, ""))
		return pva_cfg_fail(rd, s, key, "expected digits only, as shown in the console");
	return PVA_OK;
}

static enum pva_rc read_settings(struct pva_cfgread *rd, const config_setting_t *grp,
				 struct tencent *t)
{
	int sms = pva_sign_cfg_wants(grp, "sms"), voice = pva_sign_cfg_wants(grp, "voice");

	snprintf(t->region, sizeof(t->region), PVA_TENCENT_REGION_DEFAULT);
	t->play_times = 2;
	if (read_id(rd, grp, "sdk_app_id", sms,
		    "SMS needs the SmsSdkAppId (or set channels = [\"voice\"])",
		    t->sdk_app_id, sizeof(t->sdk_app_id)) != PVA_OK ||
	    read_id(rd, grp, "template_id", sms,
		    "SMS needs a template whose {1} is the code (or set channels = [\"voice\"])",
		    t->template_id, sizeof(t->template_id)) != PVA_OK ||
	    read_id(rd, grp, "voice_sdk_app_id", voice,
		    "voice needs the VMS VoiceSdkAppid (or set channels = [\"sms\"])",
		    t->voice_app_id, sizeof(t->voice_app_id)) != PVA_OK ||
	    pva_cfg_string(rd, grp, "sign_name", 0, t->sign_name, sizeof(t->sign_name)) != PVA_OK ||
	    pva_cfg_string(rd, grp, "region", 0, t->region, sizeof(t->region)) != PVA_OK ||
	    pva_cfg_uint(rd, grp, "voice_play_times", 1, 3, &t->play_times) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (!chars_ok(t->region, LOWER "-"))
		return pva_cfg_fail(rd, config_setting_get_member(grp, "region"), "region",
				    "expected a region like \"ap-guangzhou\"");
	return PVA_OK;
}

static void tencent_destroy(void *priv)
{
	struct tencent *t = priv;

	if (t == NULL)
		return;
	pva_http_secret_free(t->secret_id);
	pva_http_secret_free(t->secret_key);
	free(t);
}

static enum pva_rc tencent_create(struct pva_cfgread *rd, const config_setting_t *grp,
				  void **priv)
{
	struct tencent *t = calloc(1, sizeof(*t));
	enum pva_rc rc = PVA_ERR_NOMEM;

	*priv = NULL;
	if (t == NULL)
		goto out;
	rc = pva_cfg_known_keys(rd, grp, tencent_keys);
	if (rc == PVA_OK)
		rc = pva_sign_cfg_endpoints(rd, grp, PVA_TENCENT_SMS_URL, PVA_TENCENT_VOICE_URL,
					    t->sms_url, t->voice_url, sizeof(t->sms_url));
	if (rc == PVA_OK)
		rc = pva_http_opts_parse(rd, grp, &t->opts);
	if (rc == PVA_OK)
		rc = read_settings(rd, grp, t);
	if (rc == PVA_OK)
		rc = pva_http_cfg_secret(rd, grp, "secret_id", &t->secret_id);
	if (rc == PVA_OK && (!chars_ok(t->secret_id, LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-") ||
			     strlen(t->secret_id) > 128))
		rc = pva_cfg_fail(rd, grp, "secret_id",
				  "the secrets file's secret_id must be letters and digits (AKID...)");
	if (rc == PVA_OK)
		rc = pva_http_cfg_secret(rd, grp, "secret_key", &t->secret_key);
	if (rc != PVA_OK)
		goto out;
	*priv = t;
	t = NULL;
out:
	tencent_destroy(t);
	return rc;
}

/* ---- request ---- */

/* o[key] = v, or o[key] = [v] when in_array.  *made = the string object. */
static int add_str(struct json_object *o, const char *key, const char *v, int in_array,
		   struct json_object **made)
{
	struct json_object *s = json_object_new_string(v), *a = NULL;

	if (s == NULL)
		return -1;
	if (in_array && ((a = json_object_new_array()) == NULL ||
			 json_object_array_add(a, s) != 0)) {
		json_object_put(a);
		json_object_put(s);
		return -1;
	}
	if (json_object_object_add(o, key, a ? a : s) != 0) {
		json_object_put(a ? a : s);
		return -1;
	}
	if (made != NULL)
		*made = s;
	return 0;
}

/* The request object; *code = the string object holding the code. */
static struct json_object *build_json(const struct tencent *t, const struct pva_message *msg,
				      struct json_object **code)
{
	struct json_object *o = json_object_new_object();
	int bad;

	if (o == NULL)
		return NULL;
	if (msg->channel == PVA_CH_VOICE) {
		bad = add_str(o, "CodeMessage", msg->code, 0, code) ||
		      add_str(o, "CalledNumber", msg->phone, 0, NULL) ||
		      add_str(o, "VoiceSdkAppid", t->voice_app_id, 0, NULL) ||
		      json_object_object_add(o, "PlayTimes",
					     json_object_new_int((int)t->play_times)) != 0;
	} else {
		bad = add_str(o, "PhoneNumberSet", msg->phone, 1, NULL) ||
		      add_str(o, "SmsSdkAppId", t->sdk_app_id, 0, NULL) ||
		      add_str(o, "TemplateId", t->template_id, 0, NULL) ||
		      add_str(o, "TemplateParamSet", msg->code, 1, code) ||
		      (t->sign_name[0] != '\0' && add_str(o, "SignName", t->sign_name, 0, NULL));
	}
	if (bad) {
		if (*code != NULL)
			pva_sign_wipe_str(json_object_get_string(*code));
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* SECRET: *body holds the code. */
static void build_body(const struct tencent *t, const struct pva_message *msg,
		       struct pva_http_buf *body)
{
	struct json_object *code = NULL;
	struct json_object *o = build_json(t, msg, &code);
	const char *text = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;

	if (text == NULL)
		body->failed = 1;
	else
		pva_http_buf_puts(body, text);
	pva_sign_wipe_str(text);
	if (code != NULL)
		pva_sign_wipe_str(json_object_get_string(code));
	json_object_put(o);
}

struct tc_headers {
	char host[PVA_HTTP_URL_MAX];
	char auth[PVA_SIGN_AUTH_MAX];
	char lines[N_HEADERS][HDR_LINE];
	const char *list[N_HEADERS + 1];
};

static enum pva_rc sign_request(const struct tencent *t, const char *url, int voice,
				const struct pva_http_buf *body, time_t now,
				struct tc_headers *h)
{
	const char *action = voice ? "SendCodeVoice" : "SendSms";
	struct pva_tc3_req r = { "POST", "", JSON_TYPE, h->host, action, voice ? "vms" : "sms",
				 (long long)now, body->p, body->len };
	size_t i = 0;

	if (pva_sign_url_host(url, h->host, sizeof(h->host)) != 0 ||
	    pva_sign_tc3(&r, t->secret_id, t->secret_key, h->auth, sizeof(h->auth),
			 NULL) != PVA_OK)
		return PVA_ERR_INVAL;
	snprintf(h->lines[i++], HDR_LINE, "Host: %s", h->host);
	snprintf(h->lines[i++], HDR_LINE, "Content-Type: %s", JSON_TYPE);
	snprintf(h->lines[i++], HDR_LINE, "X-TC-Action: %s", action);
	snprintf(h->lines[i++], HDR_LINE, "X-TC-Version: %s",
		 voice ? PVA_TENCENT_VMS_VERSION : PVA_TENCENT_SMS_VERSION);
	snprintf(h->lines[i++], HDR_LINE, "X-TC-Timestamp: %lld", (long long)now);
	snprintf(h->lines[i++], HDR_LINE, "X-TC-Region: %s", t->region);
	snprintf(h->lines[i++], HDR_LINE, "Authorization: %s", h->auth);
	for (i = 0; i < N_HEADERS; i++)
		h->list[i] = h->lines[i];
	h->list[N_HEADERS] = NULL;
	return PVA_OK;
}

/* ---- answer ---- */

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static enum pva_send_status classify_code(const char *code)
{
	if (strncmp(code, "LimitExceeded", 13) == 0 ||
	    strncmp(code, "RequestLimitExceeded", 20) == 0)
		return PVA_SEND_RATE_LIMITED;
	if (strncmp(code, "InternalError", 13) == 0)
		return PVA_SEND_TEMPORARY;
	return PVA_SEND_PERMANENT;
}

static void set_error(struct pva_send_result *res, struct json_object *err)
{
	const char *code = pva_http_json_str(err, "Code");
	const char *text = pva_http_json_str(err, "Message");

	res->status = code ? classify_code(code) : PVA_SEND_AMBIGUOUS;
	snprintf(res->detail, sizeof(res->detail), "tencent: %.48s: %.100s",
		 code ? code : "(no code)", text ? text : "(no message)");
	pva_http_scrub(res->detail);
}

static void set_sent(struct pva_send_result *res, const char *id, struct json_object *r)
{
	res->status = PVA_SEND_SENT;
	pva_http_request_id(res, id ? id : pva_http_json_str(r, "RequestId"));
	snprintf(res->detail, sizeof(res->detail), "tencent: Ok");
}

/* SendStatusSet: sent only when every entry says "Ok". */
static void judge_sms(struct json_object *r, struct pva_send_result *res)
{
	struct json_object *set = member(r, "SendStatusSet");
	size_t i, n;

	n = json_object_is_type(set, json_type_array) ? json_object_array_length(set) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(set, i);
		const char *code = pva_http_json_str(e, "Code");

		if (code == NULL || strcmp(code, "Ok") != 0) {
			set_error(res, e);
			return;
		}
	}
	if (n == 0) {
		res->status = PVA_SEND_AMBIGUOUS;
		snprintf(res->detail, sizeof(res->detail), "tencent: no SendStatusSet in the answer");
		return;
	}
	set_sent(res, pva_http_json_str(json_object_array_get_idx(set, 0), "SerialNo"), r);
}

/* Not HTTP 200 (Tencent answers API errors inside a 200): classified by
 * the HTTP status, with the error code when the body has one. */
static void judge_http(const struct pva_http_resp *resp, struct json_object *err,
		       struct pva_send_result *res)
{
	const char *code = pva_http_json_str(err, "Code");
	size_t n;

	res->status = pva_http_classify(resp, 0);
	snprintf(res->detail, sizeof(res->detail), "tencent: HTTP %ld%s%.48s", resp->status,
		 code ? " " : "", code ? code : "");
	n = strlen(res->detail);
	if (resp->retry_after > 0)
		snprintf(res->detail + n, sizeof(res->detail) - n, ", retry after %u s",
			 resp->retry_after);
}

static void judge(enum pva_rc hrc, const struct pva_http_resp *resp, int voice,
		  struct pva_send_result *res)
{
	struct json_object *o = NULL, *r, *err;
	const char *call;

	if (hrc != PVA_OK) {
		pva_http_fail(res, resp, "tencent");
		return;
	}
	o = pva_http_json(resp);
	r = member(o, "Response");
	err = member(r, "Error");
	call = pva_http_json_str(member(r, "SendStatus"), "CallId");
	if (resp->status != 200)
		judge_http(resp, err, res);
	else if (err != NULL)
		set_error(res, err);
	else if (!voice)
		judge_sms(r, res);
	else if (call != NULL)
		set_sent(res, call, r);
	else {
		res->status = PVA_SEND_AMBIGUOUS;
		snprintf(res->detail, sizeof(res->detail), "tencent: no CallId in the answer");
	}
	pva_http_scrub(res->detail);
	json_object_put(o);
}

static void fail(struct pva_send_result *res, enum pva_send_status st, const char *why)
{
	res->status = st;
	snprintf(res->detail, sizeof(res->detail), "tencent: %s", why);
}

static enum pva_rc tencent_send(const void *priv, const struct pva_message *msg,
				const struct pva_log *lg, struct pva_send_result *res)
{
	const struct tencent *t = priv;
	int voice = msg->channel == PVA_CH_VOICE;
	const char *url = voice ? t->voice_url : t->sms_url;
	struct pva_http_buf body = { 0 }, full = { 0 };
	struct pva_http_resp resp;
	struct pva_http_req req;
	struct tc_headers *h = calloc(1, sizeof(*h));

	(void)lg;
	memset(&resp, 0, sizeof(resp));
	if (pva_phone_validate(msg->phone) != PVA_OK || msg->code == NULL) {
		fail(res, PVA_SEND_PERMANENT, "invalid phone number or code");
		goto out;
	}
	build_body(t, msg, &body);
	pva_http_buf_puts(&full, url);
	pva_http_buf_puts(&full, "/");
	if (h == NULL || body.failed || full.failed) {
		fail(res, PVA_SEND_TEMPORARY, "out of memory");
		goto out;
	}
	if (sign_request(t, url, voice, &body, time(NULL), h) != PVA_OK) {
		fail(res, PVA_SEND_PERMANENT, "cannot sign the request");
		goto out;
	}
	req = (struct pva_http_req){ "POST", full.p, h->list, body.p, body.len, NULL, NULL };
	judge(pva_http_do(&t->opts, &req, msg->timeout_ms, &resp), &resp, voice, res);
out:
	pva_http_resp_free(&resp);
	pva_http_buf_wipe(&body);
	pva_http_buf_wipe(&full);
	free(h);
	return res->status == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY;
}

const struct pva_provider_ops pva_provider_tencent = {
	.type = "tencent",
	.channels = PVA_CH_SMS | PVA_CH_VOICE,
	.create = tencent_create,
	.send = tencent_send,
	.destroy = tencent_destroy,
};
