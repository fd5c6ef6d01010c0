/* deliver.h - send one code to one phone through a service's providers.
 *
 * The login flow calls only this.  It renders the message for the channel,
 * then tries the service's providers in order within the service's
 * delivery deadline: a rate-limited, temporary, permanent or ambiguous
 * failure moves on to the next provider (never repeats the same one), and
 * the first `sent` ends it.  Each attempt is logged with the provider's
 * request id, never the code or the full number.
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
};

struct pva_deliver_result {
	enum pva_send_status status;   /* of the last attempt */
	char provider[PVA_NAME_MAX];   /* provider that sent it (or last tried) */
	unsigned attempts;
	int maybe_sent;                /* some attempt was ambiguous: the code
					* may reach the phone after all */
};

/* PVA_OK when a provider accepted the message, PVA_ERR_DELIVERY when none
 * did (or none can use the channel), PVA_ERR_INVAL on a template overflow. */
enum pva_rc pva_deliver(const struct pva_config *cfg, const struct pva_settings *s,
			const struct pva_deliver_req *req, const struct pva_log *lg,
			struct pva_deliver_result *out) PVA_WUR;

#endif
