/* config_sms.c - SMS segment warnings for the configured templates.
 *
 * The worst case rendered for each template:
 *   {code}      the service's code_length digits (a 10-digit code only
 *               where code_length = 10: that is the longest this service
 *               can send);
 *   {service}   the service's own name; for `defaults`, which serve every
 *               PAM service without a group of its own, the longest name
 *               of the services group, but at least 12 characters (as
 *               "gdm-password"), since any PAM service may use them;
 *   {host}      the hostname as configured (or gethostname());
 *   {ttl_min}, {validity}   from the service's code_ttl, in the
 *               template's language;
 *   reminders:  {user} 32 characters, {days} 5 digits, {date} 10
 *               characters ("2026-12-31").
 * A service that inherits a template from the defaults is only warned
 * about when it needs more segments there than the defaults do.
 */
#include "core/config_sms.h"

#include <stdio.h>
#include <string.h>

#include "core/cfgread.h"
#include "core/config_privacy.h"
#include "delivery/message.h"
#include "delivery/segment.h"

#define MIN_SERVICE_NAME 12

enum tmpl { T_MESSAGE, T_MESSAGE_ZH, T_REMIND, T_REMIND_ZH, T_N };

static const char *const keys[T_N] = { "message", "message_zh_CN", "remind_message",
				      "remind_message_zh_CN" };

/* Reminder templates: {user} {host} {days} {date}, single pass. */
static void render_remind(const char *tmpl, const char *host, char *out, size_t len)
{
	static const char user[] = "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu";
	static const struct {
		const char *name;
		const char *value;
	} vars[] = { { "{user}", user }, { "{days}", "99999" }, { "{date}", "2026-12-31" },
		     { "{host}", NULL } };
	size_t pos = 0, i;
	const char *p;

	for (p = tmpl; *p && pos + 1 < len; ) {
		const char *v = NULL;
		size_t n = 1;

		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
			if (strncmp(p, vars[i].name, strlen(vars[i].name)) == 0) {
				v = vars[i].value ? vars[i].value : host;
				n = strlen(vars[i].name);
				break;
			}
		if (v == NULL) {
			out[pos++] = *p;
		} else {
			size_t vl = strlen(v);
			if (vl > len - 1 - pos)
				vl = len - 1 - pos;
			memcpy(out + pos, v, vl);
			pos += vl;
		}
		p += n;
	}
	out[pos] = '\0';
}

/* The segments template t of s needs (0: not used, or not countable). */
static unsigned segments(const struct pva_config *cfg, const struct pva_settings *s,
			 const char *service, enum tmpl t, struct pva_sms_count *c)
{
	static const char digits[] = "0123456789";
	char out[PVA_MESSAGE_MAX];
	struct pva_message_vars v = { digits + (10 - s->code_length), service,
				      cfg->hostname, s->code_ttl, PVA_CH_SMS };

	switch (t) {
	case T_MESSAGE:
	case T_MESSAGE_ZH:
		/* a template the service's fixed language never uses */
		if (s->language == (t == T_MESSAGE ? PVA_LANG_ZH_CN : PVA_LANG_EN))
			return 0;
		if (pva_message_render_lang(t == T_MESSAGE ? s->message : s->message_zh, &v,
					    t == T_MESSAGE ? PVA_LANG_EN : PVA_LANG_ZH_CN,
					    out, sizeof(out)) != PVA_OK)
			return 0; /* check_fits reports it */
		break;
	default: {
		const char *r = s->remind_message[t == T_REMIND ? PVA_LANG_EN : PVA_LANG_ZH_CN];
		if (r[0] == '\0' || s->remind_via != PVA_REMIND_SMS)
			return 0;
		render_remind(r, cfg->hostname, out, sizeof(out));
		break;
	}
	}
	if (pva_sms_count(out, c) != PVA_OK)
		return 0;
	return c->segments;
}

static void warn(struct pva_config *cfg, const config_setting_t *grp, enum tmpl t,
		 const char *what, const struct pva_sms_count *c)
{
	const config_setting_t *k = grp ? config_setting_get_member(grp, keys[t]) : NULL;
	unsigned line = pva_cfg_line(k ? k : grp);
	int gsm = c->encoding == PVA_SMS_GSM7;

	pva_config_warn(cfg, "%s:%u: %s: warning: %s%s needs %u SMS segments "
			"(%zu %s > %d)", cfg->path, line, keys[t], what,
			k ? "" : " (inherited)", c->segments, c->units,
			gsm ? "GSM-7 characters" : "UCS-2 characters",
			gsm ? PVA_SMS_GSM7_SINGLE : PVA_SMS_UCS2_SINGLE);
}

void pva_config_sms_warnings(const config_setting_t *root, struct pva_config *cfg)
{
	const config_setting_t *defs = config_setting_get_member(root, "defaults");
	const config_setting_t *svcs = config_setting_get_member(root, "services");
	char longest[PVA_NAME_MAX], what[PVA_NAME_MAX + 32];
	unsigned base[T_N];
	struct pva_sms_count c;
	size_t i, n = MIN_SERVICE_NAME;
	int t;

	for (i = 0; i < cfg->n_services; i++)
		if (strlen(cfg->services[i].service) > n)
			n = strlen(cfg->services[i].service);
	memset(longest, 's', n);
	longest[n] = '\0';
	for (t = 0; t < T_N; t++) {
		base[t] = segments(cfg, &cfg->defaults, longest, (enum tmpl)t, &c);
		if (base[t] > 1)
			warn(cfg, defs, (enum tmpl)t, "the defaults' text", &c);
	}
	for (i = 0; i < cfg->n_services; i++) {
		const struct pva_settings *s = &cfg->services[i];
		const config_setting_t *g = svcs ? config_setting_get_member(svcs, s->service) :
					    NULL;

		snprintf(what, sizeof(what), "the text of service %s", s->service);
		for (t = 0; t < T_N; t++) {
			unsigned k = segments(cfg, s, s->service, (enum tmpl)t, &c);
			int own = g != NULL && config_setting_get_member(g, keys[t]) != NULL;

			if (k > 1 && (own || k > base[t]))
				warn(cfg, g, (enum tmpl)t, what, &c);
		}
	}
}
