/* config_dump.c - print effective settings, like `sshd -T`. */
#include "core/config.h"

static void dump_list_channels(const struct pva_settings *s, FILE *fp)
{
	size_t i;

	fprintf(fp, "channels = [");
	for (i = 0; i < s->n_channels; i++)
		fprintf(fp, "%s\"%s\"", i ? ", " : "", pva_channel_name(s->channels[i]));
	fprintf(fp, "];\n");
}

static void dump_list_providers(const struct pva_settings *s, FILE *fp)
{
	size_t i;

	fprintf(fp, "providers = [");
	for (i = 0; i < s->n_providers; i++)
		fprintf(fp, "%s\"%s\"", i ? ", " : "", s->providers[i]->name);
	fprintf(fp, "];\n");
}

static void dump_names(const char *key, const struct pva_provider *const *p, size_t n,
		       FILE *fp)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(fp, " %s = [", key);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s\"%s\"", i ? ", " : "", p[i]->name);
	fprintf(fp, "];");
}

static void dump_routing(const struct pva_settings *s, FILE *fp)
{
	size_t i;

	fprintf(fp, "routes = (");
	for (i = 0; i < s->n_routes; i++) {
		const struct pva_route *r = &s->routes[i];
		fprintf(fp, "%s\n  { prefix = \"%s\";", i ? "," : "", r->prefix);
		dump_names("sms", r->sms, r->n_sms, fp);
		dump_names("voice", r->voice, r->n_voice, fp);
		fprintf(fp, " }");
	}
	fprintf(fp, "%s);%s\n", s->n_routes ? "\n" : "",
		s->n_routes ? "" : "  # none: providers serve every number");
	fprintf(fp, "voice_fallback = %s;\nallowed_prefixes = [",
		s->voice_fallback ? "true" : "false");
	for (i = 0; i < s->n_allowed; i++)
		fprintf(fp, "%s\"%s\"", i ? ", " : "", s->allowed_prefixes[i]);
	fprintf(fp, "];\nmax_sends_per_day = %u;\nnumber_max_per_hour = %u;\n"
		"number_max_per_day = %u;\nhost_max_sends_per_hour = %u;\n",
		s->max_sends_per_day, s->number_max_per_hour, s->number_max_per_day,
		s->host_max_sends_per_hour);
}

static const char *tf(int v)
{
	return v ? "true" : "false";
}

static void dump_policy(const struct pva_policy *p, FILE *fp)
{
	fprintf(fp, "policy = \"%s\";\nmin_length = %u;\nmax_length = %u;\n"
		"min_classes = %u;\nrequire_upper = %s;\nrequire_lower = %s;\n"
		"require_digit = %s;\nrequire_other = %s;\nmax_repeat = %u;\n"
		"max_sequence = %u;\ncheck_user = %s;\nmin_old_diff = %u;\n",
		p->preset == PVA_PRESET_NIST ? "nist-800-63b" : "default",
		p->min_length, p->max_length, p->min_classes, tf(p->require_upper),
		tf(p->require_lower), tf(p->require_digit), tf(p->require_other),
		p->max_repeat, p->max_sequence, tf(p->check_user), p->min_old_diff);
	fprintf(fp, "blocklist = %s;\nblocklist_file = \"%s\";\n"
		"min_guesses_log10 = %u;\nenforce_for_root = %s;\nwarn_only = %s;\n"
		"retry = %u;\n", tf(p->blocklist), p->blocklist_file,
		p->min_guesses_log10, tf(p->enforce_for_root), tf(p->warn_only),
		p->retry);
}

void pva_config_dump(const struct pva_config *cfg, const struct pva_settings *s,
		     FILE *fp)
{
	size_t i;

	fprintf(fp, "# %s, service %s\n", cfg->path, s->service[0] ? s->service :
		"(defaults)");
	fprintf(fp, "state_dir = \"%s\";\nhost_key = \"%s\";\nhostname = \"%s\";\n",
		cfg->state_dir, cfg->host_key, cfg->hostname);
	fprintf(fp, "secrets_file = \"%s\";\ndecoy_country = \"%s\";\n",
		cfg->secrets_file, cfg->decoy_country);
	fprintf(fp, "code_length = %u;\ncode_ttl = %u;\nmax_attempts = %u;\n"
		"resend_cooldown = %u;\nmax_sends_per_hour = %u;\nlockout_after = %u;\n"
		"lockout_time = %u;\nlockout_max = %u;\ndelivery_timeout = %u;\n",
		s->code_length, s->code_ttl, s->max_attempts, s->resend_cooldown,
		s->max_sends_per_hour, s->lockout_after, s->lockout_time,
		s->lockout_max, s->delivery_timeout);
	dump_list_channels(s, fp);
	fprintf(fp, "failmode = \"%s\";\nunenrolled = \"%s\";\n",
		s->failmode == PVA_FAILMODE_SAFE ? "safe" : "secure",
		s->unenrolled == PVA_UNENROLLED_ALLOW ? "allow" : "deny");
	dump_list_providers(s, fp);
	dump_routing(s, fp);
	fprintf(fp, "message = \"%s\";\nvoice_message = \"%s\";\n", s->message,
		s->voice_message);
	dump_policy(&s->policy, fp);
	for (i = 0; i < cfg->n_providers; i++)
		fprintf(fp, "# provider %s: type %s\n", cfg->providers[i].name,
			cfg->providers[i].ops->type);
}
