/* deliver.h - send one code to one phone through a service's providers.
 *
 * The login flow calls only this.  It renders the message for the channel,
 * picks the providers for the number (delivery/route.h: the route with the
 * longest matching prefix, or the `providers` list), then tries them in
 * order within the service's delivery deadline: a rate-limited, temporary,
 * permanent or ambiguous failure moves on to the next provider (a provider
 * is never tried twice for one channel, so an ambiguous attempt is never
 * repeated where it may have gone through), and the first `sent` ends it.
 * With voice_fallback, when every SMS attempt failed and none was
 * ambiguous, the number's voice providers are tried next, within the same
 * deadline.  Each attempt is logged with the provider's request id, never
 * the code or the full number.
 */
#ifndef PVA_DELIVER_H
#define PVA_DELIVER_H

#include "core/config.h"
#include "core/log.h"
#include "delivery/provider.h"

struct pva_deliver_req {
	const char *user;
	const char *service;      /* PAM service (or the service= argument) */
	const char *phone;        /* E.164; PERSONAL DATA */
	enum pva_channel channel;
	const char *code;         /* SECRET */
	/* NULL: the service's message templates; otherwise sent as is on
	 * every channel (privauthctl send-test) */
	const char *text;
	/* Language of the templates: PVA_LANG_ZH_CN renders message_zh /
	 * voice_message_zh; zero (PVA_LANG_EN) the English ones. */
	enum pva_lang lang;
};

#define PVA_DELIVER_MAX_ATTEMPTS (2 * PVA_MAX_ROUTE)

/* One provider call. */
struct pva_deliver_attempt {
	char provider[PVA_NAME_MAX];
	enum pva_channel channel;
	enum pva_send_status status;
	char request_id[96];
	char detail[160];              /* non-secret */
	unsigned elapsed_ms;
};

struct pva_deliver_result {
	enum pva_send_status status;   /* of the last attempt */
	char provider[PVA_NAME_MAX];   /* provider that sent it (or last tried) */
	unsigned attempts;             /* entries in attempt[] */
	int maybe_sent;                /* some attempt was ambiguous: the code
					* may reach the phone after all */
	enum pva_channel channel;      /* of the last attempt (voice after a
					* fallback) */
	char route[PVA_PREFIX_MAX];    /* prefix of the route, "" = providers */
	int fell_back;                 /* voice_fallback was used */
	struct pva_deliver_attempt attempt[PVA_DELIVER_MAX_ATTEMPTS];
};

/* PVA_OK when a provider accepted the message, PVA_ERR_DELIVERY when none
 * did (or none can use the channel, or no route matches the number),
 * PVA_ERR_INVAL on a template overflow. */
enum pva_rc pva_deliver(const struct pva_config *cfg, const struct pva_settings *s,
			const struct pva_deliver_req *req, const struct pva_log *lg,
			struct pva_deliver_result *out) PVA_WUR;

#endif
