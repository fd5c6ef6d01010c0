/* config_dump.c - print effective settings, like `sshd -T`. */
#include "core/config.h"

#include <arpa/inet.h>
#include <sys/socket.h>

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

/* A quoted string value, with '"', '\\' and newlines escaped; at most
 * max characters (UTF-8 code points, 0 = all), then "...". */
static void dump_str(FILE *fp, const char *key, const char *v, size_t max)
{
	size_t chars = 0;

	fprintf(fp, "%s = \"", key);
	for (; *v; v++) {
		if (((unsigned char)*v & 0xc0) != 0x80 && max && chars++ == max) {
			fputs("...", fp);
			break;
		}
		if (*v == '"' || *v == '\\')
			fprintf(fp, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", fp);
		else if (*v == '\t')
			fputs("\\t", fp);
		else
			fputc(*v, fp);
	}
	fputs("\";\n", fp);
}

static void dump_privacy(const struct pva_settings *s, FILE *fp)
{
	static const char *const langs[] = { "en", "zh_CN" };
	char addr[INET6_ADDRSTRLEN];
	size_t i;

	fprintf(fp, "language = \"%s\";\n", s->language == PVA_LANG_AUTO ? "auto" :
		langs[s->language == PVA_LANG_ZH_CN]);
	dump_str(fp, "message_zh_CN", s->message_zh, 0);
	dump_str(fp, "voice_message_zh_CN", s->voice_message_zh, 0);
	fprintf(fp, "require_consent = %s;\n", tf(s->require_consent));
	for (i = 0; i < PVA_N_LANGS; i++) {
		const char *key = i ? "privacy_notice_zh_CN" : "privacy_notice";
		if (s->notice[i][0])
			dump_str(fp, key, s->notice[i], 60);
		else
			fprintf(fp, "%s = \"\";  # the built-in text\n", key);
	}
	fprintf(fp, "exempt_groups = [");
	for (i = 0; i < s->n_exempt; i++)
		fprintf(fp, "%s\"%s\"", i ? ", " : "", s->exempt_groups[i]);
	fprintf(fp, "];\ntrusted_networks = [");
	for (i = 0; i < s->n_trusted; i++) {
		const struct pva_cidr *c = &s->trusted[i];
		if (inet_ntop(c->family, c->addr, addr, sizeof(addr)) == NULL)
			snprintf(addr, sizeof(addr), "?");
		fprintf(fp, "%s\"%s/%u\"", i ? ", " : "", addr, c->bits);
	}
	fprintf(fp, "];\ngrace_hours = %u;\nbackup_codes = %s;\n"
		"remind_after_days = %u;\nremind_every_days = %u;\nremind_via = \"%s\";\n",
		s->grace_hours, tf(s->backup_codes), s->remind_after_days,
		s->remind_every_days, s->remind_via == PVA_REMIND_EMAIL ? "email" : "sms");
	for (i = 0; i < PVA_N_LANGS; i++) {
		const char *key = i ? "remind_message_zh_CN" : "remind_message";
		if (s->remind_message[i][0])
			dump_str(fp, key, s->remind_message[i], 0);
		else
			fprintf(fp, "%s = \"\";  # the built-in text\n", key);
	}
}

static void dump_globals_privacy(const struct pva_config *cfg, FILE *fp)
{
	const struct pva_smtp_conf *m = &cfg->smtp;

	fprintf(fp, "locale_dir = \"%s\";\n", cfg->locale_dir);
	if (m->url[0] == '\0') {
		fprintf(fp, "# smtp: none (no mail reminders)\n");
		return;
	}
	fprintf(fp, "smtp = { url = \"%s\"; from = \"%s\"; to = \"%s\"; ca_file = \"%s\"; "
		"timeout = %u; };  # credentials: %s\n", m->url, m->from, m->to, m->ca_file,
		m->timeout, m->username ? "from secrets_file" : "none");
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
	dump_globals_privacy(cfg, fp);
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
	dump_privacy(s, fp);
	for (i = 0; i < cfg->n_providers; i++)
		fprintf(fp, "# provider %s: type %s\n", cfg->providers[i].name,
			cfg->providers[i].ops->type);
}
