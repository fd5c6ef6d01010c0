/* aliyun.c - the "aliyun" provider (Alibaba Cloud Dysmsapi SendSms and
 * Dyvmsapi SingleCallByTts, ACS3-HMAC-SHA256 signed); see aliyun.h. */
#include "delivery/aliyun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/phone.h"
#include "delivery/http.h"
#include "delivery/sign.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
#define N_SIGNED 7
#define HDR_LINE (PVA_SIGN_AUTH_MAX + 32)

struct aliyun {
	char sms_url[PVA_HTTP_URL_MAX];
	char voice_url[PVA_HTTP_URL_MAX];
	struct pva_http_opts opts;
	char sign_name[128];
	char template_code[64];
	char tts_code[64];
	char show_number[24];
	int in_query;     /* params_in = "query": parameters in the URL */
	char *key_id;     /* sodium memory */
	char *secret;     /* SECRET: AccessKey secret */
};

static const char *const aliyun_keys[] = {
	PVA_HTTP_COMMON_KEYS, "voice_url", "sign_name", "template_code", "tts_code",
	"called_show_number", "params_in", NULL
};

static const char *const params_in_names[] = { "body", "query", NULL };

/* ---- configuration ---- */

static int chars_ok(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return 0;
	return 1;
}

/* A required-when-wanted word key (template codes). */
static enum pva_rc read_code_key(struct pva_cfgread *rd, const config_setting_t *grp,
				 const char *key, int wanted, const char *why,
				 char *out, size_t outlen)
{
	const config_setting_t *s = config_setting_get_member(grp, key);

	if (pva_cfg_string(rd, grp, key, 0, out, outlen) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (s == NULL && wanted)
		return pva_cfg_fail(rd, grp, key, "missing; %s", why);
	if (!chars_ok(out, "_-"))
		return pva_cfg_fail(rd, s, key, "expected a template code like \"SMS_154950909\"");
	return PVA_OK;
}

static enum pva_rc read_templates(struct pva_cfgread *rd, const config_setting_t *grp,
				  struct aliyun *a)
{
	int sms = pva_sign_cfg_wants(grp, "sms"), voice = pva_sign_cfg_wants(grp, "voice");
	const config_setting_t *s = config_setting_get_member(grp, "sign_name");

	if (pva_cfg_string(rd, grp, "sign_name", 0, a->sign_name, sizeof(a->sign_name)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (s == NULL && sms)
		return pva_cfg_fail(rd, grp, "sign_name",
				    "missing; SMS needs the approved signature name (or set channels = [\"voice\"])");
	if (read_code_key(rd, grp, "template_code", sms,
			  "SMS needs a template using ${code} (or set channels = [\"voice\"])",
			  a->template_code, sizeof(a->template_code)) != PVA_OK ||
	    read_code_key(rd, grp, "tts_code", voice,
			  "voice needs a TTS template using ${code} (or set channels = [\"sms\"])",
			  a->tts_code, sizeof(a->tts_code)) != PVA_OK ||
	    pva_cfg_string(rd, grp, "called_show_number", 0, a->show_number,
			   sizeof(a->show_number)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (!chars_ok(a->show_number, ""))
		return pva_cfg_fail(rd, config_setting_get_member(grp, "called_show_number"),
				    "called_show_number", "expected digits only");
	return pva_cfg_enum(rd, grp, "params_in", params_in_names, &a->in_query);
}

static void aliyun_destroy(void *priv)
{
	struct aliyun *a = priv;

	if (a == NULL)
		return;
	pva_http_secret_free(a->key_id);
	pva_http_secret_free(a->secret);
	free(a);
}

static enum pva_rc aliyun_create(struct pva_cfgread *rd, const config_setting_t *grp,
				 void **priv)
{
	struct aliyun *a = calloc(1, sizeof(*a));
	enum pva_rc rc = PVA_ERR_NOMEM;

	*priv = NULL;
	if (a == NULL)
		goto out;
	rc = pva_cfg_known_keys(rd, grp, aliyun_keys);
	if (rc == PVA_OK)
		rc = pva_sign_cfg_endpoints(rd, grp, PVA_ALIYUN_SMS_URL, PVA_ALIYUN_VOICE_URL,
					    a->sms_url, a->voice_url, sizeof(a->sms_url));
	if (rc == PVA_OK)
		rc = pva_http_opts_parse(rd, grp, &a->opts);
	if (rc == PVA_OK)
		rc = read_templates(rd, grp, a);
	if (rc == PVA_OK)
		rc = pva_http_cfg_secret(rd, grp, "access_key_id", &a->key_id);
	if (rc == PVA_OK && (!chars_ok(a->key_id, "_-.") || strlen(a->key_id) > 128))
		rc = pva_cfg_fail(rd, grp, "access_key_id",
				  "the secrets file's access_key_id must be letters and digits (LTAI...)");
	if (rc == PVA_OK)
		rc = pva_http_cfg_secret(rd, grp, "access_key_secret", &a->secret);
	if (rc != PVA_OK)
		goto out;
	*priv = a;
	a = NULL;
out:
	aliyun_destroy(a);
	return rc;
}

/* ---- request ---- */

/* Mainland China numbers go without +86, others as country code + number. */
static const char *dial_number(const char *e164)
{
	return strncmp(e164, "+86", 3) == 0 ? e164 + 3 : e164 + 1;
}

/* {"code":"..."} through json-c.  SECRET: the form gets the code. */
static void put_code_param(struct pva_http_buf *form, const char *name, const char *code)
{
	struct json_object *o = json_object_new_object();
	struct json_object *v = json_object_new_string(code);
	const char *text = NULL;

	if (o == NULL || v == NULL || json_object_object_add(o, "code", v) != 0) {
		json_object_put(v);
		form->failed = 1;
		goto out;
	}
	v = NULL;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (text == NULL)
		form->failed = 1;
	else
		pva_http_buf_form(form, name, text);
	pva_sign_wipe_str(text);
	pva_sign_wipe_str(json_object_get_string(json_object_object_get(o, "code")));
out:
	json_object_put(o);
}

/* The parameters in alphabetical order, so that the same text is the
 * canonical query string in query mode.  SECRET: *form holds the code. */
static void build_form(const struct aliyun *a, const struct pva_message *msg,
		       struct pva_http_buf *form)
{
	if (msg->channel == PVA_CH_VOICE) {
		pva_http_buf_form(form, "CalledNumber", dial_number(msg->phone));
		if (a->show_number[0] != '\0')
			pva_http_buf_form(form, "CalledShowNumber", a->show_number);
		pva_http_buf_form(form, "TtsCode", a->tts_code);
		put_code_param(form, "TtsParam", msg->code);
		return;
	}
	pva_http_buf_form(form, "PhoneNumbers", dial_number(msg->phone));
	pva_http_buf_form(form, "SignName", a->sign_name);
	pva_http_buf_form(form, "TemplateCode", a->template_code);
	put_code_param(form, "TemplateParam", msg->code);
}

/* The request headers: the signed ones, Accept and Authorization. */
struct acs_headers {
	char host[PVA_HTTP_URL_MAX];
	char date[32];
	char nonce[40];
	char sha[PVA_SIGN_HEX_LEN];
	char auth[PVA_SIGN_AUTH_MAX];
	char lines[N_SIGNED + 2][HDR_LINE];
	const char *list[N_SIGNED + 3];
};

/* In query mode the parameters are the canonical query string (they are
 * built in sorted order) and the body is empty; content-type is sent and
 * signed either way (curl would add it to any POST). */
static enum pva_rc sign_request(const struct aliyun *a, const char *url, const char *action,
				const struct pva_http_buf *form, time_t now,
				struct acs_headers *h)
{
	struct pva_sign_header sh[N_SIGNED] = {
		{ "host", h->host }, { "x-acs-action", action },
		{ "x-acs-version", PVA_ALIYUN_VERSION }, { "x-acs-date", h->date },
		{ "x-acs-signature-nonce", h->nonce }, { "x-acs-content-sha256", h->sha },
		{ "content-type", FORM_TYPE },
	};
	size_t i;
	struct pva_acs3_req r = { "POST", "/", a->in_query ? form->p : "", sh, N_SIGNED,
				  a->in_query ? "" : form->p, a->in_query ? 0 : form->len };

	if (pva_sign_url_host(url, h->host, sizeof(h->host)) != 0 ||
	    pva_sign_iso_date(now, h->date, sizeof(h->date)) != PVA_OK)
		return PVA_ERR_INVAL;
	pva_sign_nonce(h->nonce, sizeof(h->nonce));
	pva_sign_sha256_hex(r.payload, r.payload_len, h->sha);
	if (pva_sign_acs3(&r, a->key_id, a->secret, h->auth, sizeof(h->auth), NULL) != PVA_OK)
		return PVA_ERR_INVAL;
	for (i = 0; i < N_SIGNED; i++) {
		snprintf(h->lines[i], HDR_LINE, "%s: %s", sh[i].name, sh[i].value);
		h->list[i] = h->lines[i];
	}
	snprintf(h->lines[i], HDR_LINE, "Accept: application/json");
	h->list[i] = h->lines[i];
	i++;
	snprintf(h->lines[i], HDR_LINE, "Authorization: %s", h->auth);
	h->list[i] = h->lines[i];
	h->list[i + 1] = NULL;
	return PVA_OK;
}

/* ---- answer ---- */

static enum pva_send_status classify(const struct pva_http_resp *resp, const char *code)
{
	if (code != NULL) {
		if (strcmp(code, "isv.BUSINESS_LIMIT_CONTROL") == 0 ||
		    strcmp(code, "isv.DAY_LIMIT_CONTROL") == 0 ||
		    strncmp(code, "Throttling", 10) == 0)
			return PVA_SEND_RATE_LIMITED;
		if (strcmp(code, "ServiceUnavailable") == 0 ||
		    strncmp(code, "InternalError", 13) == 0 ||
		    strcmp(code, "isp.SYSTEM_ERROR") == 0)
			return PVA_SEND_TEMPORARY;
		if (strncmp(code, "isv.", 4) == 0)
			return PVA_SEND_PERMANENT;
	}
	/* a 2xx we cannot read: the message may well be on its way */
	if (resp->status >= 200 && resp->status < 300)
		return code == NULL ? PVA_SEND_AMBIGUOUS : PVA_SEND_PERMANENT;
	return pva_http_classify(resp, 0);
}

static void judge(enum pva_rc hrc, const struct pva_http_resp *resp, enum pva_channel ch,
		  struct pva_send_result *res)
{
	struct json_object *o = NULL;
	const char *code, *text, *id;

	if (hrc != PVA_OK) {
		pva_http_fail(res, resp, "aliyun");
		return;
	}
	o = pva_http_json(resp);
	code = pva_http_json_str(o, "Code");
	text = pva_http_json_str(o, "Message");
	if (resp->status == 200 && code != NULL && strcmp(code, "OK") == 0) {
		id = pva_http_json_str(o, ch == PVA_CH_VOICE ? "CallId" : "BizId");
		res->status = PVA_SEND_SENT;
		pva_http_request_id(res, id ? id : pva_http_json_str(o, "RequestId"));
		snprintf(res->detail, sizeof(res->detail), "aliyun: OK");
		goto out;
	}
	res->status = classify(resp, code);
	snprintf(res->detail, sizeof(res->detail), "aliyun: HTTP %ld code %.40s: %.80s",
		 resp->status, code ? code : "-", text ? text : "(no message)");
	pva_http_scrub(res->detail);
	if (resp->retry_after > 0) {
		size_t n = strlen(res->detail);
		snprintf(res->detail + n, sizeof(res->detail) - n, ", retry after %u s",
			 resp->retry_after);
	}
out:
	json_object_put(o);
}

static void fail(struct pva_send_result *res, enum pva_send_status st, const char *why)
{
	res->status = st;
	snprintf(res->detail, sizeof(res->detail), "aliyun: %s", why);
}

/* SECRET: *full gets the code in query mode. */
static void build_url(const struct aliyun *a, const char *base,
		      const struct pva_http_buf *form, struct pva_http_buf *full)
{
	pva_http_buf_puts(full, base);
	pva_http_buf_puts(full, "/");
	if (a->in_query) {
		pva_http_buf_puts(full, "?");
		pva_http_buf_puts(full, form->p ? form->p : "");
	}
}

static enum pva_rc aliyun_send(const void *priv, const struct pva_message *msg,
			       const struct pva_log *lg, struct pva_send_result *res)
{
	const struct aliyun *a = priv;
	int voice = msg->channel == PVA_CH_VOICE;
	const char *url = voice ? a->voice_url : a->sms_url;
	struct pva_http_buf form = { 0 }, full = { 0 };
	struct pva_http_resp resp;
	struct pva_http_req req;
	struct acs_headers *h = calloc(1, sizeof(*h));

	(void)lg;
	memset(&resp, 0, sizeof(resp));
	if (pva_phone_validate(msg->phone) != PVA_OK || msg->code == NULL) {
		fail(res, PVA_SEND_PERMANENT, "invalid phone number or code");
		goto out;
	}
	build_form(a, msg, &form);
	build_url(a, url, &form, &full);
	if (h == NULL || form.failed || full.failed) {
		fail(res, PVA_SEND_TEMPORARY, "out of memory");
		goto out;
	}
	if (sign_request(a, url, voice ? "SingleCallByTts" : "SendSms", &form, time(NULL),
			 h) != PVA_OK) {
		fail(res, PVA_SEND_PERMANENT, "cannot sign the request");
		goto out;
	}
	req = (struct pva_http_req){ "POST", full.p, h->list, a->in_query ? "" : form.p,
				     a->in_query ? 0 : form.len, NULL, NULL };
	judge(pva_http_do(&a->opts, &req, msg->timeout_ms, &resp), &resp, msg->channel, res);
out:
	pva_http_resp_free(&resp);
	pva_http_buf_wipe(&form);
	pva_http_buf_wipe(&full);
	free(h);
	return res->status == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY;
}

const struct pva_provider_ops pva_provider_aliyun = {
	.type = "aliyun",
	.channels = PVA_CH_SMS | PVA_CH_VOICE,
	.create = aliyun_create,
	.send = aliyun_send,
	.destroy = aliyun_destroy,
};
