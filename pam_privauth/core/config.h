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

/* Languages of prompts, notices and message templates (core/i18n.h). */
enum pva_lang { PVA_LANG_EN = 0, PVA_LANG_ZH_CN = 1 };
#define PVA_N_LANGS 2
#define PVA_LANG_AUTO (-1)    /* pva_settings.language: follow the user */
#define PVA_NOTICE_MAX 2048   /* privacy notice text, bytes */
#define PVA_MAX_GROUP_PATTERNS 16
#define PVA_MAX_NETWORKS 32
#define PVA_MAX_WARNINGS 16
#define PVA_WARNING_MAX 320

enum pva_failmode { PVA_FAILMODE_SECURE = 0, PVA_FAILMODE_SAFE = 1 };
enum pva_remind_via { PVA_REMIND_SMS = 0, PVA_REMIND_EMAIL = 1 };

/* One trusted_networks entry: addr/bits, family AF_INET or AF_INET6
 * (addr holds 4 or 16 bytes, host bits zero). */
struct pva_cidr {
	int family;
	unsigned char addr[16];
	unsigned bits;
};
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

	/* Language (core/i18n.h): PVA_LANG_AUTO or an enum pva_lang.  The
	 * English templates are message/voice_message above; these are the
	 * Simplified Chinese ones (built-in defaults unless configured). */
	int language;
	char message_zh[PVA_TEMPLATE_MAX];
	char voice_message_zh[PVA_TEMPLATE_MAX];

	/* Privacy notice and consent (privacy/notice.h): the notice text per
	 * language ("" = the built-in text), from privacy_notice[_zh_CN] or
	 * privacy_notice_file[_zh_CN] (read at load). */
	int require_consent;
	char notice[PVA_N_LANGS][PVA_NOTICE_MAX];

	/* Operator bypass rules (privacy/bypass.h). */
	char exempt_groups[PVA_MAX_GROUP_PATTERNS][PVA_NAME_MAX]; /* "!" = not */
	size_t n_exempt;
	struct pva_cidr trusted[PVA_MAX_NETWORKS];
	size_t n_trusted;
	unsigned grace_hours;         /* 0 = off */
	int backup_codes;             /* accept backup codes at the prompt */

	/* Password reminders (privacy/remind.h). */
	unsigned remind_after_days;   /* 0 = off */
	unsigned remind_every_days;
	enum pva_remind_via remind_via;
	char remind_message[PVA_N_LANGS][PVA_TEMPLATE_MAX]; /* "" = built-in */
};

/* Outgoing mail for reminders (delivery/smtp.h); url "" = no mail. */
struct pva_smtp_conf {
	char url[256];                /* smtp://host:port or smtps://host:port */
	char from[256];               /* envelope and From: address */
	char to[256];                 /* recipient template, "{user}@example.org" */
	char ca_file[PATH_MAX];       /* "" = the system store */
	unsigned timeout;             /* seconds for the whole exchange */
	/* Credentials (group "smtp" of secrets_file: username, password);
	 * NULL when absent.  SECRET, borrowed from pva_config.secrets. */
	const char *username;
	const char *password;
};

struct pva_config {
	char path[PATH_MAX];
	char state_dir[PATH_MAX];
	char host_key[PATH_MAX];
	char hostname[PVA_NAME_MAX];
	char secrets_file[PATH_MAX];    /* "" = none */
	char decoy_country[4];          /* calling code of decoy numbers, "86" */
	struct pva_secrets *secrets;    /* loaded from secrets_file; SECRET */
	char locale_dir[PATH_MAX];      /* gettext catalogs, /usr/share/locale */
	struct pva_smtp_conf smtp;
	/* Non-fatal findings of the load, "FILE:LINE: KEY: warning: ..."
	 * (privauthctl check-config prints them, the module logs them). */
	char warnings[PVA_MAX_WARNINGS][PVA_WARNING_MAX];
	size_t n_warnings;
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
