/* config.h - privauth.conf: host settings, per-service settings, providers.
 *
 * The file (libconfig syntax) has global keys, a `providers` group of named
 * providers, a `defaults` group of per-service keys and a `services` group
 * whose sub-group named after a PAM service overrides any default key.
 * Loading validates everything (all services, all providers) and resolves
 * each service to one immutable struct pva_settings.  Any error names
 * file:line and the key.  The file must be a root-owned regular file, not
 * group/world-writable; @include is refused.
 */
#ifndef PVA_CONFIG_H
#define PVA_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "core/rc.h"
#include "core/secrets.h"
#include "delivery/provider.h"
#include "policy/policy.h"

#define PVA_DEFAULT_CONF "/etc/privauth/privauth.conf"
#define PVA_DEFAULT_STATE_DIR "/var/lib/privauth"
#define PVA_DEFAULT_SPOOL_DIR "/var/spool/sms/outgoing"
#define PVA_CONF_MAX_BYTES (1024 * 1024)
#define PVA_MAX_ROUTE 8       /* providers per list */
#define PVA_MAX_ROUTES 16     /* prefix routes per service */
#define PVA_MAX_PREFIXES 16   /* allowed_prefixes entries */
#define PVA_PREFIX_MAX 17     /* '+', up to 15 digits, NUL */
/* Upper bounds of the caps (the user's record keeps PVA_MAX_SENDS send
 * times; the shared records count per minute, see store/counters.h). */
#define PVA_CAP_USER_DAY_MAX 250
#define PVA_CAP_NUMBER_DAY_MAX 1000
#define PVA_CAP_HOST_HOUR_MAX 100000
#define PVA_TEMPLATE_MAX 480
#define PVA_NAME_MAX 64

enum pva_failmode { PVA_FAILMODE_SECURE = 0, PVA_FAILMODE_SAFE = 1 };
enum pva_unenrolled { PVA_UNENROLLED_DENY = 0, PVA_UNENROLLED_ALLOW = 1 };

/* Numbers starting with `prefix` ("+" alone matches every number) are
 * sent through these providers, in order, per channel. */
struct pva_route {
	char prefix[PVA_PREFIX_MAX];
	const struct pva_provider *sms[PVA_MAX_ROUTE];
	size_t n_sms;
	const struct pva_provider *voice[PVA_MAX_ROUTE];
	size_t n_voice;
};

/* Everything that may differ per PAM service. */
struct pva_settings {
	char service[PVA_NAME_MAX];   /* "" for the defaults */
	unsigned code_length;         /* 6..10 digits */
	unsigned code_ttl;            /* seconds */
	unsigned max_attempts;        /* wrong entries per code */
	unsigned resend_cooldown;     /* seconds between sends */
	unsigned max_sends_per_hour;  /* per user */
	unsigned lockout_after;       /* failed codes in a row */
	unsigned lockout_time;        /* first lockout, seconds; doubles */
	unsigned lockout_max;         /* cap of the doubling, seconds */
	unsigned delivery_timeout;    /* seconds for all delivery attempts */
	enum pva_channel channels[2]; /* allowed channels, first = default */
	size_t n_channels;
	enum pva_failmode failmode;
	enum pva_unenrolled unenrolled;
	const struct pva_provider *providers[PVA_MAX_ROUTE]; /* ordered */
	size_t n_providers;
	char message[PVA_TEMPLATE_MAX];       /* SMS text template */
	char voice_message[PVA_TEMPLATE_MAX]; /* text read out by a call */
	/* Routing (delivery/route.h): with n_routes == 0 `providers` serves
	 * every number; otherwise the longest matching prefix decides. */
	struct pva_route routes[PVA_MAX_ROUTES];
	size_t n_routes;
	int voice_fallback;           /* SMS all failed: try a voice call */
	/* Fraud and cost limits, checked before a code is issued. */
	char allowed_prefixes[PVA_MAX_PREFIXES][PVA_PREFIX_MAX];
	size_t n_allowed;
	unsigned max_sends_per_day;   /* per user, any 24 hours */
	unsigned number_max_per_hour; /* per destination number, all users */
	unsigned number_max_per_day;
	unsigned host_max_sends_per_hour; /* this host, all users and services */
	/* Password policy for pam_sm_chauthtok: pva_policy_defaults() of the
	 * `policy` preset, then the single keys. */
	struct pva_policy policy;
};

struct pva_config {
	char path[PATH_MAX];
	char state_dir[PATH_MAX];
	char host_key[PATH_MAX];
	char hostname[PVA_NAME_MAX];
	char secrets_file[PATH_MAX];    /* "" = none */
	char decoy_country[4];          /* calling code of decoy numbers, "86" */
	struct pva_secrets *secrets;    /* loaded from secrets_file; SECRET */
	struct pva_settings defaults;
	struct pva_settings *services;  /* each = defaults + its overrides */
	size_t n_services;
	struct pva_provider *providers;
	size_t n_providers;
};

/* Load and validate path.  On error *out is NULL and err holds
 * "FILE:LINE: KEY: problem".  PVA_ERR_PERM for unsafe ownership/mode,
 * PVA_ERR_NOTFOUND for a missing file, PVA_ERR_CONFIG otherwise. */
enum pva_rc pva_config_load(const char *path, struct pva_config **out,
			    char *err, size_t errlen) PVA_WUR;

/* Parse configuration text (no file checks); `name` is used in messages. */
enum pva_rc pva_config_parse(const char *text, const char *name,
			     struct pva_config **out, char *err,
			     size_t errlen) PVA_WUR;

/* The settings of service (the defaults when it has no group); never NULL. */
const struct pva_settings *pva_config_service(const struct pva_config *cfg,
					      const char *service);

/* Print the effective settings for service as "key = value" lines. */
void pva_config_dump(const struct pva_config *cfg,
		     const struct pva_settings *s, FILE *fp);

/* Free; NULL is fine. */
void pva_config_free(struct pva_config *cfg);

#endif
