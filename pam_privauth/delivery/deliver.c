/* deliver.c - render a code message and hand it to the first provider of
 * the number's route that accepts it, within the service's delivery
 * deadline; SMS may fall back to a voice call. */
#include "delivery/deliver.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/phone.h"
#include "delivery/message.h"
#include "delivery/route.h"

/* One delivery in progress. */
struct run {
	const struct pva_config *cfg;
	const struct pva_settings *s;
	const struct pva_deliver_req *req;
	const struct pva_log *lg;
	struct pva_deliver_result *out;
	long long deadline;            /* CLOCK_MONOTONIC ms */
	char mask[PVA_PHONE_MASK_MAX];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_attempt(const struct run *d, const struct pva_deliver_attempt *a)
{
	char ms[24];

	snprintf(ms, sizeof(ms), "%u", a->elapsed_ms);
	pva_log_event(d->lg, a->status == PVA_SEND_SENT ? LOG_INFO : LOG_WARNING,
		      "delivery", "user", d->req->user, "service", d->req->service,
		      "channel", pva_channel_name(a->channel), "phone", d->mask,
		      "provider", a->provider, "outcome", pva_send_status_name(a->status),
		      "request_id", a->request_id[0] ? a->request_id : NULL,
		      "detail", a->detail[0] ? a->detail : NULL,
		      "route", d->out->route[0] ? d->out->route : NULL,
		      "elapsed_ms", ms, (char *)NULL);
}

/* The text for channel ch: the service's template, or the request's own. */
static enum pva_rc render(const struct run *d, enum pva_channel ch, char *text,
			  size_t len)
{
	struct pva_message_vars vars = { d->req->code, d->req->service, d->cfg->hostname,
					 d->s->code_ttl, ch };
	int zh = d->req->lang == PVA_LANG_ZH_CN;
	int n;

	if (d->req->text == NULL)
		return pva_message_render_lang(ch == PVA_CH_VOICE ?
					       (zh ? d->s->voice_message_zh : d->s->voice_message) :
					       (zh ? d->s->message_zh : d->s->message),
					       &vars, d->req->lang, text, len);
	n = snprintf(text, len, "%s", d->req->text);
	return n < 0 || (size_t)n >= len ? PVA_ERR_INVAL : PVA_OK;
}

/* One provider call, recorded in d->out->attempt[]. */
static enum pva_rc attempt(struct run *d, const struct pva_provider *p,
			   enum pva_channel ch, const char *text, long long left)
{
	struct pva_deliver_result *out = d->out;
	struct pva_deliver_attempt *a = &out->attempt[out->attempts++];
	struct pva_message msg = { d->req->phone, ch, text, d->req->code, d->s->code_ttl,
				   d->req->service, d->cfg->hostname, (unsigned)left };
	struct pva_send_result res;
	long long t0 = now_ms();

	pva_provider_send(p, &msg, d->lg, &res);
	snprintf(a->provider, sizeof(a->provider), "%s", p->name);
	a->channel = ch;
	a->status = res.status;
	memcpy(a->request_id, res.request_id, sizeof(a->request_id));
	a->request_id[sizeof(a->request_id) - 1] = '\0';
	memcpy(a->detail, res.detail, sizeof(a->detail));
	a->detail[sizeof(a->detail) - 1] = '\0';
	a->elapsed_ms = (unsigned)(now_ms() - t0);
	snprintf(out->provider, sizeof(out->provider), "%s", p->name);
	out->status = res.status;
	out->channel = ch;
	out->maybe_sent |= res.status == PVA_SEND_AMBIGUOUS;
	log_attempt(d, a);
	return res.status == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY;
}

/* The providers of the number's route for ch, in order, each once. */
static enum pva_rc try_channel(struct run *d, enum pva_channel ch, const char *text)
{
	const struct pva_provider *const *list;
	const char *prefix;
	size_t n, i;

	if (pva_route_select(d->s, d->req->phone, ch, &list, &n, &prefix) != PVA_OK) {
		pva_log_event(d->lg, LOG_ERR, "delivery", "user", d->req->user,
			      "service", d->req->service, "channel", pva_channel_name(ch),
			      "phone", d->mask, "outcome", "permanent",
			      "detail", "no route for this number", (char *)NULL);
		return PVA_ERR_DELIVERY;
	}
	snprintf(d->out->route, sizeof(d->out->route), "%s", prefix);
	for (i = 0; i < n; i++) {
		long long left = d->deadline - now_ms();

		if (!(list[i]->channels & (unsigned)ch))
			continue;
		if (left <= 0 || d->out->attempts >= PVA_DELIVER_MAX_ATTEMPTS)
			break;
		if (attempt(d, list[i], ch, text, left) == PVA_OK)
			return PVA_OK;
	}
	return PVA_ERR_DELIVERY;
}

/* SMS failed everywhere: may a call follow?  Not after an ambiguous
 * attempt (the SMS may still arrive) nor past the deadline. */
static int may_fall_back(const struct run *d)
{
	size_t i;

	if (!d->s->voice_fallback || d->req->channel != PVA_CH_SMS ||
	    d->out->maybe_sent || d->deadline - now_ms() <= 0)
		return 0;
	for (i = 0; i < d->s->n_channels; i++)
		if (d->s->channels[i] == PVA_CH_VOICE)
			return 1;
	return 0;
}

enum pva_rc pva_deliver(const struct pva_config *cfg, const struct pva_settings *s,
			const struct pva_deliver_req *req, const struct pva_log *lg,
			struct pva_deliver_result *out)
{
	struct run d = { cfg, s, req, lg, out,
			 now_ms() + (long long)s->delivery_timeout * 1000, "" };
	char text[PVA_MESSAGE_MAX];
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	out->status = PVA_SEND_PERMANENT;
	out->channel = req->channel;
	pva_phone_mask(req->phone, d.mask, sizeof(d.mask));
	rc = render(&d, req->channel, text, sizeof(text));
	if (rc == PVA_OK)
		rc = try_channel(&d, req->channel, text);
	if (rc == PVA_ERR_DELIVERY && may_fall_back(&d)) {
		out->fell_back = 1;
		pva_log_event(lg, LOG_NOTICE, "delivery_fallback", "user", req->user,
			      "service", req->service, "phone", d.mask, "from", "sms",
			      "to", "voice", (char *)NULL);
		sodium_memzero(text, sizeof(text));
		rc = render(&d, PVA_CH_VOICE, text, sizeof(text));
		if (rc == PVA_OK)
			rc = try_channel(&d, PVA_CH_VOICE, text);
	}
	sodium_memzero(text, sizeof(text));
	return rc;
}
