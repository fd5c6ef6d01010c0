/* config.c - load privauth.conf into validated, per-service settings. */
#include "core/config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "core/cfgread.h"
#include "core/config_privacy.h"
#include "core/config_sms.h"
#include "core/secfile.h"
#include "policy/zxcvbn.h"
#include "delivery/message.h"
#include "delivery/route.h"

static const char *const top_keys[] = {
	"state_dir", "host_key", "hostname", "secrets_file", "decoy_country",
	"providers", "defaults",
	"services", "locale_dir", "smtp", NULL
};

static const char *const service_keys[] = {
	"code_length", "code_ttl", "max_attempts", "resend_cooldown",
	"max_sends_per_hour", "lockout_after", "lockout_time", "lockout_max",
	"delivery_timeout", "channels", "failmode", "unenrolled", "providers",
	"message", "voice_message", "routes", "voice_fallback", "allowed_prefixes",
	"max_sends_per_day", "number_max_per_hour", "number_max_per_day",
	"host_max_sends_per_hour",
	/* password policy (policy/policy.h) */
	"policy", "min_length", "max_length", "min_classes", "require_upper",
	"require_lower", "require_digit", "require_other", "max_repeat",
	"max_sequence", "check_user", "min_old_diff", "blocklist", "blocklist_file",
	"min_guesses_log10", "enforce_for_root", "warn_only", "retry",
	/* privacy, bypass, reminders, language (core/config_privacy.h) */
	"language", "message_zh_CN", "voice_message_zh_CN", "require_consent",
	"privacy_notice", "privacy_notice_zh_CN", "privacy_notice_file",
	"privacy_notice_file_zh_CN", "exempt_groups", "trusted_networks",
	"grace_hours", "backup_codes", "remind_after_days", "remind_every_days",
	"remind_via", "remind_message", "remind_message_zh_CN", NULL
};

static const char *const presets[] = { "default", "nist-800-63b", NULL };

static const char *const failmodes[] = { "secure", "safe", NULL };
static const char *const unenrolled_modes[] = { "deny", "allow", NULL };
static const char *const channel_names[] = { "sms", "voice", NULL };

static void builtin_defaults(struct pva_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->code_length = 6;
	s->code_ttl = 300;
	s->max_attempts = 3;
	s->resend_cooldown = 30;
	s->max_sends_per_hour = 5;
	s->lockout_after = 5;
	s->lockout_time = 900;
	s->lockout_max = 86400;
	s->delivery_timeout = 10;
	/* max_sends_per_day and the number's caps: 0 = unset, see resolve_caps */
	s->host_max_sends_per_hour = 200;
	s->channels[0] = PVA_CH_SMS;
	s->n_channels = 1;
	s->failmode = PVA_FAILMODE_SECURE;
	s->unenrolled = PVA_UNENROLLED_DENY;
	snprintf(s->message, sizeof(s->message), "%s", PVA_DEFAULT_MESSAGE);
	snprintf(s->voice_message, sizeof(s->voice_message), "%s",
		 PVA_DEFAULT_VOICE_MESSAGE);
	pva_policy_defaults(&s->policy, PVA_PRESET_DEFAULT);
	pva_config_privacy_defaults(s);
}

static int valid_name(const char *n)
{
	size_t i, len = strlen(n);

	if (len == 0 || len >= PVA_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static const struct pva_provider *find_provider(const struct pva_config *cfg,
						const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_providers; i++)
		if (strcmp(cfg->providers[i].name, name) == 0)
			return &cfg->providers[i];
	return NULL;
}

static enum pva_rc read_channels(struct pva_cfgread *rd, const config_setting_t *grp,
				 struct pva_settings *s)
{
	const config_setting_t *list;
	int i, n, idx;

	if (pva_cfg_strlist(rd, grp, "channels", 2, &list) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (list == NULL)
		return PVA_OK;
	n = config_setting_length(list);
	if (n == 0)
		return pva_cfg_fail(rd, list, "channels", "needs at least one channel");
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(list, i);
		for (idx = 0; channel_names[idx]; idx++)
			if (strcmp(v, channel_names[idx]) == 0)
				break;
		if (channel_names[idx] == NULL)
			return pva_cfg_fail(rd, list, "channels",
					    "\"%.40s\" is not \"sms\" or \"voice\"", v);
		s->channels[i] = idx == 0 ? PVA_CH_SMS : PVA_CH_VOICE;
		if (i == 1 && s->channels[0] == s->channels[1])
			return pva_cfg_fail(rd, list, "channels", "\"%s\" listed twice", v);
	}
	s->n_channels = (size_t)n;
	return PVA_OK;
}

static enum pva_rc read_providers(struct pva_cfgread *rd, const config_setting_t *grp,
				  const struct pva_config *cfg, struct pva_settings *s)
{
	const config_setting_t *list;
	int i, n;

	if (pva_cfg_strlist(rd, grp, "providers", PVA_MAX_ROUTE, &list) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (list == NULL)
		return PVA_OK;
	n = config_setting_length(list);
	if (n == 0)
		return pva_cfg_fail(rd, list, "providers", "needs at least one provider");
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(list, i);
		const struct pva_provider *p = find_provider(cfg, v);
		if (p == NULL)
			return pva_cfg_fail(rd, list, "providers",
					    "no provider named \"%.40s\" in the providers group", v);
		s->providers[i] = p;
	}
	s->n_providers = (size_t)n;
	return PVA_OK;
}

static enum pva_rc read_numbers(struct pva_cfgread *rd, const config_setting_t *grp,
				struct pva_settings *s)
{
	if (pva_cfg_uint(rd, grp, "code_length", 6, 10, &s->code_length) ||
	    pva_cfg_uint(rd, grp, "code_ttl", 10, 3600, &s->code_ttl) ||
	    pva_cfg_uint(rd, grp, "max_attempts", 1, 10, &s->max_attempts) ||
	    pva_cfg_uint(rd, grp, "resend_cooldown", 0, 3600, &s->resend_cooldown) ||
	    pva_cfg_uint(rd, grp, "max_sends_per_hour", 1, 100, &s->max_sends_per_hour) ||
	    pva_cfg_uint(rd, grp, "lockout_after", 1, 100, &s->lockout_after) ||
	    pva_cfg_uint(rd, grp, "lockout_time", 0, 86400, &s->lockout_time) ||
	    pva_cfg_uint(rd, grp, "lockout_max", 60, 604800, &s->lockout_max) ||
	    pva_cfg_uint(rd, grp, "delivery_timeout", 1, 60, &s->delivery_timeout) ||
	    pva_cfg_uint(rd, grp, "max_sends_per_day", 1, PVA_CAP_USER_DAY_MAX,
			 &s->max_sends_per_day) ||
	    pva_cfg_uint(rd, grp, "number_max_per_hour", 1, 100, &s->number_max_per_hour) ||
	    pva_cfg_uint(rd, grp, "number_max_per_day", 1, PVA_CAP_NUMBER_DAY_MAX,
			 &s->number_max_per_day) ||
	    pva_cfg_uint(rd, grp, "host_max_sends_per_hour", 1, PVA_CAP_HOST_HOUR_MAX,
			 &s->host_max_sends_per_hour))
		return PVA_ERR_CONFIG;
	return PVA_OK;
}

/* The password policy keys of grp: `policy` first (it resets every policy
 * key to the preset), then the single keys on top. */
static enum pva_rc read_policy(struct pva_cfgread *rd, const config_setting_t *grp,
			       struct pva_policy *p)
{
	const config_setting_t *f = config_setting_get_member(grp, "blocklist_file");
	int preset = -1;

	if (pva_cfg_enum(rd, grp, "policy", presets, &preset))
		return PVA_ERR_CONFIG;
	if (preset >= 0)
		pva_policy_defaults(p, (enum pva_pw_preset)preset);
	if (pva_cfg_uint(rd, grp, "min_length", 1, PVA_PW_INPUT_MAX, &p->min_length) ||
	    pva_cfg_uint(rd, grp, "max_length", 64, PVA_PW_INPUT_MAX, &p->max_length) ||
	    pva_cfg_uint(rd, grp, "min_classes", 0, 4, &p->min_classes) ||
	    pva_cfg_bool(rd, grp, "require_upper", &p->require_upper) ||
	    pva_cfg_bool(rd, grp, "require_lower", &p->require_lower) ||
	    pva_cfg_bool(rd, grp, "require_digit", &p->require_digit) ||
	    pva_cfg_bool(rd, grp, "require_other", &p->require_other) ||
	    pva_cfg_uint(rd, grp, "max_repeat", 0, 64, &p->max_repeat) ||
	    pva_cfg_uint(rd, grp, "max_sequence", 0, 64, &p->max_sequence) ||
	    pva_cfg_bool(rd, grp, "check_user", &p->check_user) ||
	    pva_cfg_uint(rd, grp, "min_old_diff", 0, 64, &p->min_old_diff) ||
	    pva_cfg_bool(rd, grp, "blocklist", &p->blocklist) ||
	    pva_cfg_string(rd, grp, "blocklist_file", 0, p->blocklist_file,
			   sizeof(p->blocklist_file)) ||
	    pva_cfg_uint(rd, grp, "min_guesses_log10", 0, 20, &p->min_guesses_log10) ||
	    pva_cfg_bool(rd, grp, "enforce_for_root", &p->enforce_for_root) ||
	    pva_cfg_bool(rd, grp, "warn_only", &p->warn_only) ||
	    pva_cfg_uint(rd, grp, "retry", 1, 10, &p->retry))
		return PVA_ERR_CONFIG;
	if (f != NULL && p->blocklist_file[0] != '/')
		return pva_cfg_fail(rd, f, "blocklist_file", "must be an absolute path");
	if (p->min_guesses_log10 > 0 && !pva_zxcvbn_available())
		return pva_cfg_fail(rd, config_setting_get_member(grp, "min_guesses_log10"),
				    "min_guesses_log10", "this build has no zxcvbn (install "
				    "libzxcvbn-dev and rebuild), so the estimate cannot be checked");
	return PVA_OK;
}

/* Apply the per-service keys of grp on top of s. */
static enum pva_rc apply_settings(struct pva_cfgread *rd, const config_setting_t *grp,
				  const struct pva_config *cfg, struct pva_settings *s)
{
	int fm = (int)s->failmode, un = (int)s->unenrolled, vf = s->voice_fallback;

	if (grp == NULL)
		return PVA_OK;
	if (!config_setting_is_group(grp))
		return pva_cfg_fail(rd, grp, config_setting_name(grp),
				    "expected a group { ... }");
	if (pva_cfg_known_keys(rd, grp, service_keys) || read_numbers(rd, grp, s) ||
	    pva_cfg_enum(rd, grp, "failmode", failmodes, &fm) ||
	    pva_cfg_enum(rd, grp, "unenrolled", unenrolled_modes, &un) ||
	    pva_cfg_bool(rd, grp, "voice_fallback", &vf) ||
	    read_policy(rd, grp, &s->policy) ||
	    read_channels(rd, grp, s) || read_providers(rd, grp, cfg, s) ||
	    pva_route_read(rd, grp, cfg, s) ||
	    pva_config_read_template(rd, grp, "message", s->message, sizeof(s->message)) ||
	    pva_config_read_template(rd, grp, "voice_message", s->voice_message,
			  sizeof(s->voice_message)) ||
	    pva_config_read_privacy(rd, grp, s))
		return PVA_ERR_CONFIG;
	s->failmode = (enum pva_failmode)fm;
	s->unenrolled = (enum pva_unenrolled)un;
	s->voice_fallback = vf;
	return PVA_OK;
}

/* The longest text a template can produce (10-digit code, 63-character
 * service name) must fit the message buffer: checked here, not at login. */
static enum pva_rc check_fits(struct pva_cfgread *rd, const config_setting_t *grp,
			      const struct pva_config *cfg, const struct pva_settings *s)
{
	static const char svc[] = "sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss";
	struct pva_message_vars v = { "0123456789", svc, cfg->hostname, s->code_ttl, PVA_CH_SMS };
	char out[PVA_MESSAGE_MAX];

	if (pva_message_render(s->message, &v, out, sizeof(out)) != PVA_OK)
		return pva_cfg_fail(rd, grp, "message", "can expand beyond %d bytes",
				    PVA_MESSAGE_MAX - 1);
	v.channel = PVA_CH_VOICE;
	if (pva_message_render(s->voice_message, &v, out, sizeof(out)) != PVA_OK)
		return pva_cfg_fail(rd, grp, "voice_message", "can expand beyond %d bytes",
				    PVA_MESSAGE_MAX - 1);
	if (pva_message_render_lang(s->voice_message_zh, &v, PVA_LANG_ZH_CN, out,
				    sizeof(out)) != PVA_OK)
		return pva_cfg_fail(rd, grp, "voice_message_zh_CN", "can expand beyond %d "
				    "bytes", PVA_MESSAGE_MAX - 1);
	v.channel = PVA_CH_SMS;
	if (pva_message_render_lang(s->message_zh, &v, PVA_LANG_ZH_CN, out,
				    sizeof(out)) != PVA_OK)
		return pva_cfg_fail(rd, grp, "message_zh_CN", "can expand beyond %d bytes",
				    PVA_MESSAGE_MAX - 1);
	return PVA_OK;
}

/* Cross-key checks on a resolved service. */
static enum pva_rc check_settings(struct pva_cfgread *rd, const config_setting_t *grp,
				  const struct pva_config *cfg, const struct pva_settings *s)
{
	const char *what = s->service[0] ? s->service : "defaults";
	size_t i, c;

	if (check_fits(rd, grp, cfg, s) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (s->lockout_max < s->lockout_time)
		return pva_cfg_fail(rd, grp, "lockout_max",
				    "%u is below lockout_time %u (service %s)",
				    s->lockout_max, s->lockout_time, what);
	if (s->policy.min_length > s->policy.max_length)
		return pva_cfg_fail(rd, grp, "min_length",
				    "%u is above max_length %u (service %s)",
				    s->policy.min_length, s->policy.max_length, what);
	if (s->voice_fallback && !(s->n_channels == 2 || s->channels[0] == PVA_CH_VOICE))
		return pva_cfg_fail(rd, grp, "voice_fallback",
				    "needs \"voice\" in channels (service %s)", what);
	if (s->n_routes > 0)
		return pva_route_check(rd, grp, s);
	for (c = 0; c < s->n_channels; c++) {
		for (i = 0; i < s->n_providers; i++)
			if (s->providers[i]->channels & (unsigned)s->channels[c])
				break;
		if (i == s->n_providers)
			return pva_cfg_fail(rd, grp, "providers",
					    "no listed provider can deliver by %s (service %s)",
					    pva_channel_name(s->channels[c]), what);
	}
	return PVA_OK;
}

/* The embedded default: a provider "spool" writing to the smstools spool,
 * added to the tree when the file does not define one itself. */
static enum pva_rc add_default_spool(config_t *c)
{
	config_setting_t *root = config_root_setting(c);
	config_setting_t *provs = config_setting_get_member(root, "providers");
	config_setting_t *sp, *t;

	if (provs == NULL)
		provs = config_setting_add(root, "providers", CONFIG_TYPE_GROUP);
	if (provs == NULL || !config_setting_is_group(provs))
		return PVA_OK; /* reported as a type error later */
	if (config_setting_get_member(provs, "spool") != NULL)
		return PVA_OK;
	sp = config_setting_add(provs, "spool", CONFIG_TYPE_GROUP);
	t = sp ? config_setting_add(sp, "type", CONFIG_TYPE_STRING) : NULL;
	if (t == NULL || !config_setting_set_string(t, "spool"))
		return PVA_ERR_NOMEM;
	return PVA_OK;
}

static enum pva_rc load_providers(struct pva_cfgread *rd, const config_setting_t *root,
				  struct pva_config *cfg)
{
	const config_setting_t *provs = config_setting_get_member(root, "providers");
	int i, n;

	if (!config_setting_is_group(provs))
		return pva_cfg_fail(rd, provs, "providers",
				    "expected a group of named providers { name = { type = ...; }; }");
	n = config_setting_length(provs);
	cfg->providers = calloc((size_t)n, sizeof(*cfg->providers));
	if (cfg->providers == NULL)
		return PVA_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(provs, (unsigned)i);
		if (!config_setting_is_group(g))
			return pva_cfg_fail(rd, g, config_setting_name(g),
					    "a provider must be a group { type = ...; }");
		if (pva_provider_create(rd, g, &cfg->providers[i]) != PVA_OK)
			return rd->failed ? PVA_ERR_CONFIG :
			       pva_cfg_fail(rd, g, config_setting_name(g),
					    "provider could not be created");
		cfg->n_providers++;
	}
	return PVA_OK;
}

/* Credentials for the providers, from their own root-only file. */
static enum pva_rc load_secrets(struct pva_cfgread *rd, const config_setting_t *root,
				struct pva_config *cfg)
{
	const config_setting_t *s = config_setting_get_member(root, "secrets_file");
	char why[384];

	if (cfg->secrets_file[0] == '\0')
		return PVA_OK;
	if (cfg->secrets_file[0] != '/')
		return pva_cfg_fail(rd, s, "secrets_file", "must be an absolute path");
	if (pva_secrets_load(cfg->secrets_file, &cfg->secrets, why, sizeof(why)) != PVA_OK)
		return pva_cfg_fail(rd, s, "secrets_file", "%s", why);
	rd->secrets = cfg->secrets;
	return PVA_OK;
}

static enum pva_rc load_globals(struct pva_cfgread *rd, const config_setting_t *root,
				struct pva_config *cfg)
{
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", PVA_DEFAULT_STATE_DIR);
	snprintf(cfg->decoy_country, sizeof(cfg->decoy_country), "86");
	if (gethostname(cfg->hostname, sizeof(cfg->hostname)) != 0)
		snprintf(cfg->hostname, sizeof(cfg->hostname), "localhost");
	cfg->hostname[sizeof(cfg->hostname) - 1] = '\0';
	if (pva_cfg_known_keys(rd, root, top_keys) ||
	    pva_cfg_string(rd, root, "state_dir", 0, cfg->state_dir, sizeof(cfg->state_dir)) ||
	    pva_cfg_string(rd, root, "host_key", 0, cfg->host_key, sizeof(cfg->host_key)) ||
	    pva_cfg_string(rd, root, "hostname", 0, cfg->hostname, sizeof(cfg->hostname)) ||
	    pva_cfg_string(rd, root, "secrets_file", 0, cfg->secrets_file,
			   sizeof(cfg->secrets_file)) ||
	    pva_cfg_string(rd, root, "decoy_country", 0, cfg->decoy_country,
			   sizeof(cfg->decoy_country)))
		return PVA_ERR_CONFIG;
	if (strspn(cfg->decoy_country, "0123456789") != strlen(cfg->decoy_country) ||
	    cfg->decoy_country[0] == '0')
		return pva_cfg_fail(rd, config_setting_get_member(root, "decoy_country"),
				    "decoy_country", "expected a calling code such as \"86\" or \"1\"");
	if (cfg->state_dir[0] != '/')
		return pva_cfg_fail(rd, config_setting_get_member(root, "state_dir"),
				    "state_dir", "must be an absolute path");
	if (cfg->host_key[0] == '\0')
		snprintf(cfg->host_key, sizeof(cfg->host_key), "%.*s/host.key",
			 PATH_MAX - 10, cfg->state_dir);
	else if (cfg->host_key[0] != '/')
		return pva_cfg_fail(rd, config_setting_get_member(root, "host_key"),
				    "host_key", "must be an absolute path");
	if (load_secrets(rd, root, cfg) != PVA_OK)
		return PVA_ERR_CONFIG;
	return pva_config_read_globals_privacy(rd, root, cfg);
}

/* Caps left unset follow the user's, once every service is built (so an
 * inherited value stays "unset"): max_sends_per_day is 20, or
 * max_sends_per_hour when larger; a number's caps equal the user's. */
static void resolve_caps(struct pva_settings *s)
{
	if (s->max_sends_per_day == 0)
		s->max_sends_per_day = s->max_sends_per_hour > 20 ? s->max_sends_per_hour : 20;
	if (s->number_max_per_hour == 0)
		s->number_max_per_hour = s->max_sends_per_hour;
	if (s->number_max_per_day == 0)
		s->number_max_per_day = s->max_sends_per_day;
}

static void resolve_all(struct pva_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_services; i++)
		resolve_caps(&cfg->services[i]);
	resolve_caps(&cfg->defaults);
}

static enum pva_rc load_services(struct pva_cfgread *rd, const config_setting_t *root,
				 struct pva_config *cfg)
{
	const config_setting_t *defs = config_setting_get_member(root, "defaults");
	const config_setting_t *svcs = config_setting_get_member(root, "services");
	int i, n;

	builtin_defaults(&cfg->defaults);
	/* deny by default outside the host's usual country */
	snprintf(cfg->defaults.allowed_prefixes[0], PVA_PREFIX_MAX, "+%s",
		 cfg->decoy_country);
	cfg->defaults.n_allowed = 1;
	cfg->defaults.providers[0] = find_provider(cfg, "spool");
	cfg->defaults.n_providers = cfg->defaults.providers[0] ? 1 : 0;
	if (apply_settings(rd, defs, cfg, &cfg->defaults) ||
	    check_settings(rd, defs ? defs : root, cfg, &cfg->defaults))
		return PVA_ERR_CONFIG;
	if (svcs == NULL)
		return PVA_OK;
	if (!config_setting_is_group(svcs))
		return pva_cfg_fail(rd, svcs, "services", "expected a group of services");
	n = config_setting_length(svcs);
	cfg->services = calloc((size_t)n + 1, sizeof(*cfg->services));
	if (cfg->services == NULL)
		return PVA_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(svcs, (unsigned)i);
		struct pva_settings *s = &cfg->services[i];
		const char *name = config_setting_name(g);

		*s = cfg->defaults;
		if (name == NULL || !valid_name(name))
			return pva_cfg_fail(rd, g, name ? name : "?",
					    "invalid service name");
		snprintf(s->service, sizeof(s->service), "%s", name);
		if (apply_settings(rd, g, cfg, s) || check_settings(rd, g, cfg, s))
			return PVA_ERR_CONFIG;
		cfg->n_services++;
	}
	return PVA_OK;
}

enum pva_rc pva_config_parse(const char *text, const char *name,
			     struct pva_config **out, char *err, size_t errlen)
{
	struct pva_cfgread rd = { name, err, errlen, 0, NULL };
	struct pva_config *cfg = NULL;
	config_t c;
	enum pva_rc rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	config_init(&c);
	if (!config_read_string(&c, text)) {
		snprintf(err, errlen, "%s:%d: syntax: %s", name, config_error_line(&c),
			 config_error_text(&c));
		rc = PVA_ERR_CONFIG;
		goto out;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		rc = PVA_ERR_NOMEM;
		goto out;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	rc = add_default_spool(&c);
	if (rc == PVA_OK)
		rc = load_globals(&rd, config_root_setting(&c), cfg);
	if (rc == PVA_OK)
		rc = load_providers(&rd, config_root_setting(&c), cfg);
	if (rc == PVA_OK)
		rc = load_services(&rd, config_root_setting(&c), cfg);
	if (rc == PVA_OK) {
		resolve_all(cfg);
		pva_config_sms_warnings(config_root_setting(&c), cfg);
	}
out:
	config_destroy(&c);
	if (rc != PVA_OK) {
		pva_config_free(cfg);
		cfg = NULL;
	}
	*out = cfg;
	return rc;
}

/* libconfig would silently read files named by @include, bypassing the
 * ownership checks; refuse the directive outright. */
static int find_include(const char *text)
{
	const char *p = text;
	int line = 1;

	while (*p) {
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "@include", 8) == 0)
			return line;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
		line++;
	}
	return 0;
}

enum pva_rc pva_config_load(const char *path, struct pva_config **out,
			    char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	enum pva_rc rc;
	int line;

	*out = NULL;
	rc = pva_secfile_read(path, PVA_SECFILE_NOWRITE, PVA_CONF_MAX_BYTES, &text, &len);
	if (rc != PVA_OK) {
		snprintf(err, errlen, "%s:0: (file): %s%s", path, pva_rc_str(rc),
			 rc == PVA_ERR_PERM ? " (must be a regular file owned by root, "
			 "not group or world writable)" : rc == PVA_ERR_INVAL ?
			 " (larger than 1 MiB)" : "");
		return rc;
	}
	if (strlen(text) != len) {
		snprintf(err, errlen, "%s:0: (file): contains a NUL byte", path);
		rc = PVA_ERR_CONFIG;
	} else if ((line = find_include(text)) != 0) {
		snprintf(err, errlen, "%s:%d: @include: not supported; keep the "
			 "configuration in one root-owned file", path, line);
		rc = PVA_ERR_CONFIG;
	} else {
		rc = pva_config_parse(text, path, out, err, errlen);
	}
	free(text);
	return rc;
}

const struct pva_settings *pva_config_service(const struct pva_config *cfg,
					      const char *service)
{
	size_t i;

	for (i = 0; service && i < cfg->n_services; i++)
		if (strcasecmp(cfg->services[i].service, service) == 0)
			return &cfg->services[i];
	return &cfg->defaults;
}

void pva_config_free(struct pva_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_providers; i++)
		pva_provider_destroy(&cfg->providers[i]);
	free(cfg->providers);
	free(cfg->services);
	pva_secrets_free(cfg->secrets);
	free(cfg);
}
