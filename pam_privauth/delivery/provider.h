/* provider.h - the small interface every delivery provider implements.
 *
 * A provider type (spool, command, and later twilio, vonage, aliyun,
 * tencent, http) is a `struct pva_provider_ops` listed in registry.c.
 * At configuration load each named provider is created from its libconfig
 * group; the login flow only ever calls pva_provider_send() through
 * delivery/deliver.h and never looks inside a provider.
 */
#ifndef PVA_PROVIDER_H
#define PVA_PROVIDER_H

#include <stddef.h>

#include <libconfig.h>

#include "core/cfgread.h"
#include "core/log.h"
#include "core/rc.h"

enum pva_channel {
	PVA_CH_SMS = 1,
	PVA_CH_VOICE = 2,
};

const char *pva_channel_name(enum pva_channel ch);

/* How one attempt to send ended. */
enum pva_send_status {
	PVA_SEND_SENT = 0,      /* the provider accepted the message */
	PVA_SEND_RATE_LIMITED,  /* refused for now: try another provider */
	PVA_SEND_TEMPORARY,     /* failed before it left: safe to retry */
	PVA_SEND_PERMANENT,     /* will never work (bad number, bad credentials) */
	PVA_SEND_AMBIGUOUS,     /* may or may not have been sent (timeout after send) */
};

const char *pva_send_status_name(enum pva_send_status st);

/* One outgoing message.  SECRET: text and code contain the one-time code;
 * providers must not log, copy into argv/URLs/environment, or keep them. */
struct pva_message {
	const char *phone;       /* E.164 with '+' */
	enum pva_channel channel;
	const char *text;        /* the full text as the phone shows/reads it */
	const char *code;        /* the bare code, for template-based gateways */
	unsigned ttl;            /* code validity in seconds */
	const char *service;     /* PAM service */
	const char *host;        /* host name as shown to the user */
	unsigned timeout_ms;     /* what is left of the delivery deadline */
};

struct pva_send_result {
	enum pva_send_status status;
	char request_id[96];     /* provider's id for the message, if any */
	char detail[160];        /* short, non-secret reason for the log */
};

struct pva_provider_ops {
	const char *type;        /* the config `type` value */
	unsigned channels;       /* PVA_CH_* bits this type can deliver */
	unsigned default_channels; /* without a `channels` key; 0 = all of the above */
	/* Parse the provider's group (type already checked) into *priv.
	 * Report errors through pva_cfg_fail(). */
	enum pva_rc (*create)(struct pva_cfgread *rd, const config_setting_t *grp,
			      void **priv);
	enum pva_rc (*send)(const void *priv, const struct pva_message *msg,
			    const struct pva_log *lg, struct pva_send_result *res);
	void (*destroy)(void *priv);
};

/* A configured, named provider instance. */
struct pva_provider {
	char name[64];
	const struct pva_provider_ops *ops;
	unsigned channels;       /* channels this instance may be used for */
	void *priv;
	/* Who receives the number, for the privacy notice (privacy/notice.h):
	 * the optional keys `company` and `country` (ISO 3166 alpha-2, "" =
	 * unknown or not applicable), with per-type defaults. */
	char company[64];
	char country[3];
};

/* The provider type named `type`, or NULL. */
const struct pva_provider_ops *pva_provider_lookup(const char *type);

/* Create a provider from group grp (its name is the group name). */
enum pva_rc pva_provider_create(struct pva_cfgread *rd,
				const config_setting_t *grp,
				struct pva_provider *out) PVA_WUR;

/* Send msg through p.  Always fills *res. */
enum pva_rc pva_provider_send(const struct pva_provider *p,
			      const struct pva_message *msg,
			      const struct pva_log *lg,
			      struct pva_send_result *res);

void pva_provider_destroy(struct pva_provider *p);

#endif
