/* deliver.c - render a code message and hand it to the first provider
 * that accepts it, within the service's delivery deadline. */
#include "delivery/deliver.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/phone.h"
#include "delivery/message.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_attempt(const struct pva_log *lg, const struct pva_deliver_req *req,
			const struct pva_provider *p,
			const struct pva_send_result *res)
{
	char mask[PVA_PHONE_MASK_MAX];

	pva_phone_mask(req->phone, mask, sizeof(mask));
	pva_log_event(lg, res->status == PVA_SEND_SENT ? LOG_INFO : LOG_WARNING,
		      "delivery", "user", req->user, "service", req->service,
		      "channel", pva_channel_name(req->channel), "phone", mask,
		      "provider", p->name, "outcome", pva_send_status_name(res->status),
		      "request_id", res->request_id[0] ? res->request_id : NULL,
		      "detail", res->detail[0] ? res->detail : NULL, (char *)NULL);
}

enum pva_rc pva_deliver(const struct pva_config *cfg, const struct pva_settings *s,
			const struct pva_deliver_req *req, const struct pva_log *lg,
			struct pva_deliver_result *out)
{
	struct pva_message_vars vars = { req->code, req->service, cfg->hostname,
					 s->code_ttl, req->channel };
	char text[PVA_MESSAGE_MAX];
	long long deadline = now_ms() + (long long)s->delivery_timeout * 1000;
	enum pva_rc rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->status = PVA_SEND_PERMANENT;
	rc = pva_message_render(req->channel == PVA_CH_VOICE ? s->voice_message :
				s->message, &vars, text, sizeof(text));
	if (rc != PVA_OK)
		goto out;
	rc = PVA_ERR_DELIVERY;
	for (i = 0; i < s->n_providers; i++) {
		const struct pva_provider *p = s->providers[i];
		long long left = deadline - now_ms();
		struct pva_message msg = { req->phone, req->channel, text, req->code,
					   s->code_ttl, req->service, cfg->hostname, 0 };
		struct pva_send_result res;

		if (!(p->channels & (unsigned)req->channel))
			continue;
		if (left <= 0)
			break;
		msg.timeout_ms = (unsigned)left;
		out->attempts++;
		snprintf(out->provider, sizeof(out->provider), "%s", p->name);
		rc = pva_provider_send(p, &msg, lg, &res);
		out->status = res.status;
		out->maybe_sent |= res.status == PVA_SEND_AMBIGUOUS;
		log_attempt(lg, req, p, &res);
		if (res.status == PVA_SEND_SENT) {
			rc = PVA_OK;
			break;
		}
		rc = PVA_ERR_DELIVERY;
	}
out:
	sodium_memzero(text, sizeof(text));
	return rc;
}
