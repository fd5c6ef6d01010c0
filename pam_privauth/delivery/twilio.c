/* twilio.c - the "twilio" provider (SMS and voice through Twilio's REST API). */
#include "delivery/twilio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/phone.h"
#include "delivery/http.h"

struct twilio {
	char url[PVA_HTTP_URL_MAX];
	struct pva_http_opts opts;
	char from[32];
	char msid[64];
	char language[32];
	char voice[64];
	char *sid;    /* AccountSid, sodium memory */
	char *token;  /* SECRET: AuthToken */
};

static const char *const twilio_keys[] = {
	PVA_HTTP_COMMON_KEYS, "from", "messaging_service_sid", "voice_language", "voice", NULL
};

static const char *const form_headers[] = {
	"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", NULL
};

/* ---- configuration ---- */

static int word_ok(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return 0;
	return 1;
}

static enum pva_rc read_sender(struct pva_cfgread *rd, const config_setting_t *grp,
			       struct twilio *t)
{
	const config_setting_t *f = config_setting_get_member(grp, "from");
	const config_setting_t *m = config_setting_get_member(grp, "messaging_service_sid");

	if (pva_cfg_string(rd, grp, "from", 0, t->from, sizeof(t->from)) != PVA_OK ||
	    pva_cfg_string(rd, grp, "messaging_service_sid", 0, t->msid, sizeof(t->msid)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (f == NULL && m == NULL)
		return pva_cfg_fail(rd, grp, "from",
				    "missing; set from = \"+1...\" (a Twilio number) or messaging_service_sid");
	if (t->from[0] == '+' ? pva_phone_validate(t->from) != PVA_OK :
	    (f != NULL && (!word_ok(t->from, " ") || strlen(t->from) > 11)))
		return pva_cfg_fail(rd, f, "from",
				    "expected an E.164 number (+...) or an alphanumeric sender ID of up to 11 characters");
	if (m != NULL && (strncmp(t->msid, "MG", 2) != 0 || !word_ok(t->msid, "")))
		return pva_cfg_fail(rd, m, "messaging_service_sid", "expected \"MG\" and 32 hex digits");
	/* voice is on unless channels leaves it out */
	if (pva_http_cfg_lists(grp, "channels", "voice", 1) && t->from[0] != '+')
		return pva_cfg_fail(rd, f ? f : grp, "from",
				    "voice calls need from = a Twilio phone number (+...); or set channels = [\"sms\"]");
	return PVA_OK;
}

static enum pva_rc read_voice(struct pva_cfgread *rd, const config_setting_t *grp,
			      struct twilio *t)
{
	snprintf(t->language, sizeof(t->language), "en-US");
	if (pva_cfg_string(rd, grp, "voice_language", 0, t->language, sizeof(t->language)) != PVA_OK ||
	    pva_cfg_string(rd, grp, "voice", 0, t->voice, sizeof(t->voice)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (!word_ok(t->language, "-"))
		return pva_cfg_fail(rd, config_setting_get_member(grp, "voice_language"),
				    "voice_language", "expected a language tag like \"en-US\" or \"cmn-CN\"");
	if (!word_ok(t->voice, ".-_"))
		return pva_cfg_fail(rd, config_setting_get_member(grp, "voice"), "voice",
				    "expected a voice name like \"Polly.Joanna\"");
	return PVA_OK;
}

static void twilio_destroy(void *priv)
{
	struct twilio *t = priv;

	if (t == NULL)
		return;
	pva_http_secret_free(t->sid);
	pva_http_secret_free(t->token);
	free(t);
}

static enum pva_rc twilio_create(struct pva_cfgread *rd, const config_setting_t *grp,
				 void **priv)
{
	struct twilio *t = calloc(1, sizeof(*t));
	enum pva_rc rc = PVA_ERR_NOMEM;

	*priv = NULL;
	if (t == NULL)
		goto out;
	rc = pva_cfg_known_keys(rd, grp, twilio_keys);
	if (rc == PVA_OK)
		rc = pva_http_cfg_url(rd, grp, PVA_TWILIO_URL_DEFAULT, t->url, sizeof(t->url));
	if (rc == PVA_OK)
		rc = pva_http_opts_parse(rd, grp, &t->opts);
	if (rc == PVA_OK)
		rc = read_sender(rd, grp, t);
	if (rc == PVA_OK)
		rc = read_voice(rd, grp, t);
	if (rc == PVA_OK)
		rc = pva_http_cfg_secret(rd, grp, "account_sid", &t->sid);
	if (rc == PVA_OK && !word_ok(t->sid, ""))
		rc = pva_cfg_fail(rd, grp, "account_sid", "the secrets file's account_sid must be letters and digits (AC...)");
	if (rc == PVA_OK)
		rc = pva_http_cfg_secret(rd, grp, "auth_token", &t->token);
	if (rc != PVA_OK)
		goto out;
	*priv = t;
	t = NULL;
out:
	twilio_destroy(t);
	return rc;
}

/* ---- request ---- */

/* text with & < > " ' as XML entities and control characters as spaces. */
static void xml_escape(struct pva_http_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': pva_http_buf_puts(b, "&amp;"); break;
		case '<': pva_http_buf_puts(b, "&lt;"); break;
		case '>': pva_http_buf_puts(b, "&gt;"); break;
		case '"': pva_http_buf_puts(b, "&quot;"); break;
		case '\'': pva_http_buf_puts(b, "&apos;"); break;
		default:
			pva_http_buf_put(b, (unsigned char)*s < 0x20 ? " " : s, 1);
		}
	}
}

static void say(struct pva_http_buf *b, const struct twilio *t, const char *text)
{
	pva_http_buf_puts(b, "<Say language=\"");
	pva_http_buf_puts(b, t->language);
	if (t->voice[0] != '\0') {
		pva_http_buf_puts(b, "\" voice=\"");
		pva_http_buf_puts(b, t->voice);
	}
	pva_http_buf_puts(b, "\">");
	xml_escape(b, text);
	pva_http_buf_puts(b, "</Say>");
}

/* SECRET: *b holds the code. */
static void build_twiml(struct pva_http_buf *b, const struct twilio *t, const char *text)
{
	pva_http_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
	say(b, t, text);
	pva_http_buf_puts(b, "<Pause length=\"1\"/>");
	say(b, t, text);
	pva_http_buf_puts(b, "</Response>");
}

/* SECRET: *body holds the code. */
static void build_body(const struct twilio *t, const struct pva_message *msg,
		       struct pva_http_buf *body)
{
	struct pva_http_buf twiml = { 0 };
	char validity[16];
	unsigned ttl = msg->ttl;

	pva_http_buf_form(body, "To", msg->phone);
	if (msg->channel == PVA_CH_VOICE || t->msid[0] == '\0')
		pva_http_buf_form(body, "From", t->from);
	else
		pva_http_buf_form(body, "MessagingServiceSid", t->msid);
	if (msg->channel == PVA_CH_VOICE) {
		build_twiml(&twiml, t, msg->text);
		pva_http_buf_form(body, "Twiml", twiml.failed ? "" : twiml.p);
		body->failed |= twiml.failed;
		pva_http_buf_wipe(&twiml);
		return;
	}
	pva_http_buf_form(body, "Body", msg->text);
	if (ttl < 1)
		ttl = 1;
	if (ttl > PVA_TWILIO_VALIDITY_MAX)
		ttl = PVA_TWILIO_VALIDITY_MAX;
	snprintf(validity, sizeof(validity), "%u", ttl);
	pva_http_buf_form(body, "ValidityPeriod", validity);
}

static void build_url(const struct twilio *t, enum pva_channel ch, struct pva_http_buf *url)
{
	pva_http_buf_puts(url, t->url);
	pva_http_buf_puts(url, "/2010-04-01/Accounts/");
	pva_http_buf_pct(url, t->sid);
	pva_http_buf_puts(url, ch == PVA_CH_VOICE ? "/Calls.json" : "/Messages.json");
}

/* ---- answer ---- */

static int rate_code(const char *code)
{
	return code != NULL && (strcmp(code, "20429") == 0 || strcmp(code, "14107") == 0);
}

static void judge(enum pva_rc hrc, const struct pva_http_resp *resp,
		  struct pva_send_result *res)
{
	struct json_object *o = NULL;
	const char *code, *text;
	size_t n;

	if (hrc != PVA_OK) {
		pva_http_fail(res, resp, "twilio");
		return;
	}
	o = pva_http_json(resp);
	if (resp->status == 201) {
		res->status = PVA_SEND_SENT;
		pva_http_request_id(res, pva_http_json_str(o, "sid"));
		snprintf(res->detail, sizeof(res->detail), "twilio: HTTP 201");
		goto out;
	}
	res->status = pva_http_classify(resp, 0);
	code = pva_http_json_str(o, "code");
	text = pva_http_json_str(o, "message");
	if (rate_code(code))
		res->status = PVA_SEND_RATE_LIMITED;
	snprintf(res->detail, sizeof(res->detail), "twilio: HTTP %ld code %.12s: %.90s%s",
		 resp->status, code ? code : "-", text ? text : "(no message)",
		 resp->retry_after ? ", retry after" : "");
	pva_http_scrub(res->detail);
	n = strlen(res->detail);
	if (resp->retry_after) /* after the scrub: a number of seconds, not a phone */
		snprintf(res->detail + n, sizeof(res->detail) - n, " %u s", resp->retry_after);
out:
	json_object_put(o);
}

static enum pva_rc twilio_send(const void *priv, const struct pva_message *msg,
			       const struct pva_log *lg, struct pva_send_result *res)
{
	const struct twilio *t = priv;
	struct pva_http_buf url = { 0 }, body = { 0 };
	struct pva_http_resp resp;
	struct pva_http_req req;

	(void)lg;
	memset(&resp, 0, sizeof(resp));
	if (pva_phone_validate(msg->phone) != PVA_OK) {
		res->status = PVA_SEND_PERMANENT;
		snprintf(res->detail, sizeof(res->detail), "twilio: invalid phone number");
		goto out;
	}
	build_url(t, msg->channel, &url);
	build_body(t, msg, &body);
	if (url.failed || body.failed) {
		res->status = PVA_SEND_TEMPORARY;
		snprintf(res->detail, sizeof(res->detail), "twilio: out of memory");
		goto out;
	}
	req = (struct pva_http_req){ "POST", url.p, form_headers, body.p, body.len,
				     t->sid, t->token };
	judge(pva_http_do(&t->opts, &req, msg->timeout_ms, &resp), &resp, res);
out:
	pva_http_resp_free(&resp);
	pva_http_buf_wipe(&url);
	pva_http_buf_wipe(&body);
	return res->status == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY;
}

const struct pva_provider_ops pva_provider_twilio = {
	.type = "twilio",
	.channels = PVA_CH_SMS | PVA_CH_VOICE,
	.create = twilio_create,
	.send = twilio_send,
	.destroy = twilio_destroy,
};
