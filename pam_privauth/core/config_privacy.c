/* config_privacy.c - the configuration keys of the privacy features:
 * language, Chinese templates, privacy notice and consent, bypass rules,
 * password reminders, and the global locale_dir and smtp group. */
#include "core/config_privacy.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/secfile.h"
#include "delivery/message.h"

static const char *const languages[] = { "auto", "en", "zh_CN", NULL };
static const char *const remind_vias[] = { "sms", "email", NULL };
static const char *const smtp_keys[] = { "url", "from", "to", "ca_file", "timeout", NULL };

/* Placeholders a notice and a reminder may use. */
static const char *const notice_vars[] = { "recipients", "phone", "host", "service", NULL };
static const char *const remind_vars[] = { "user", "host", "days", "date", NULL };

void pva_config_privacy_defaults(struct pva_settings *s)
{
	s->language = PVA_LANG_AUTO;
	snprintf(s->message_zh, sizeof(s->message_zh), "%s", PVA_DEFAULT_MESSAGE_ZH);
	snprintf(s->voice_message_zh, sizeof(s->voice_message_zh), "%s",
		 PVA_DEFAULT_VOICE_MESSAGE_ZH);
	s->require_consent = 1;
	s->backup_codes = 1;
	s->remind_after_days = 0;
	s->remind_every_days = 7;
	s->remind_via = PVA_REMIND_SMS;
}

enum pva_rc pva_placeholders_check(const char *text, const char *const *allowed,
				   char *why, size_t whylen)
{
	const char *p = text;

	while ((p = strpbrk(p, "{}")) != NULL) {
		const char *e;
		size_t i, n;

		if (*p == '}') {
			snprintf(why, whylen, "stray '}' (write placeholders as {name})");
			return PVA_ERR_CONFIG;
		}
		e = strchr(p + 1, '}');
		if (e == NULL) {
			snprintf(why, whylen, "'{' without '}'");
			return PVA_ERR_CONFIG;
		}
		n = (size_t)(e - p - 1);
		for (i = 0; allowed[i]; i++)
			if (strlen(allowed[i]) == n && strncmp(allowed[i], p + 1, n) == 0)
				break;
		if (allowed[i] == NULL) {
			char list[160] = "";
			for (i = 0; allowed[i]; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list),
					 "%s{%s}", i ? ", " : "", allowed[i]);
			snprintf(why, whylen, "unknown placeholder {%.*s} (known: %s)",
				 n > 40 ? 40 : (int)n, p + 1, list);
			return PVA_ERR_CONFIG;
		}
		p = e + 1;
	}
	return PVA_OK;
}

int pva_lang_suffix_key(const char *base, enum pva_lang lang, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s%s", base, lang == PVA_LANG_ZH_CN ? "_zh_CN" : "");

	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* privacy_notice[_zh_CN] (text) or privacy_notice_file[_zh_CN] (a root-
 * owned file, not group/world writable), not both. */
static enum pva_rc read_notice(struct pva_cfgread *rd, const config_setting_t *grp,
			       enum pva_lang lang, char *out, size_t outlen)
{
	char key[48], fkey[48], path[PATH_MAX] = "", why[200];
	const config_setting_t *t, *f;
	char *text = NULL;
	size_t len = 0;
	enum pva_rc rc;

	if (pva_lang_suffix_key("privacy_notice", lang, key, sizeof(key)) ||
	    pva_lang_suffix_key("privacy_notice_file", lang, fkey, sizeof(fkey)))
		return PVA_ERR_INVAL;
	t = config_setting_get_member(grp, key);
	f = config_setting_get_member(grp, fkey);
	if (t != NULL && f != NULL)
		return pva_cfg_fail(rd, f, fkey, "set either %s or %s, not both", key, fkey);
	if (t != NULL) {
		if (pva_cfg_string(rd, grp, key, 1, out, outlen) != PVA_OK)
			return PVA_ERR_CONFIG;
		if (pva_placeholders_check(out, notice_vars, why, sizeof(why)) != PVA_OK)
			return pva_cfg_fail(rd, t, key, "%s", why);
		return PVA_OK;
	}
	if (f == NULL)
		return PVA_OK;
	if (pva_cfg_string(rd, grp, fkey, 0, path, sizeof(path)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (path[0] != '/')
		return pva_cfg_fail(rd, f, fkey, "must be an absolute path");
	rc = pva_secfile_read(path, PVA_SECFILE_NOWRITE, outlen - 1, &text, &len);
	if (rc != PVA_OK)
		return pva_cfg_fail(rd, f, fkey, "%s: %s%s", path, pva_rc_str(rc),
				    rc == PVA_ERR_PERM ? " (must be a regular file owned by "
				    "root, not group or world writable)" : rc == PVA_ERR_INVAL ?
				    " (too long)" : "");
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (len == 0 || strlen(text) != len) {
		free(text);
		return pva_cfg_fail(rd, f, fkey, "%s: empty or holds a NUL byte", path);
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			free(text);
			return pva_cfg_fail(rd, f, fkey, "%s: contains control characters", path);
		}
	}
	memcpy(out, text, len + 1);
	free(text);
	if (pva_placeholders_check(out, notice_vars, why, sizeof(why)) != PVA_OK)
		return pva_cfg_fail(rd, f, fkey, "%s: %s", path, why);
	return PVA_OK;
}

/* "203.0.113.0/24", "2001:db8::/32", or a single address. */
enum pva_rc pva_cidr_parse(const char *text, struct pva_cidr *out)
{
	char buf[64], *slash;
	unsigned long bits;
	unsigned maxbits, i;
	char *end;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(buf))
		return PVA_ERR_INVAL;
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		maxbits = 128;
	} else {
		return PVA_ERR_INVAL;
	}
	bits = maxbits;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return PVA_ERR_INVAL;
		bits = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || bits > maxbits || (slash[1] == '0' && slash[2] != '\0'))
			return PVA_ERR_INVAL;
	}
	out->bits = (unsigned)bits;
	/* host bits must be zero: "10.0.0.1/8" is a typo more often than not */
	for (i = 0; i < maxbits / 8; i++) {
		unsigned keep = out->bits >= (i + 1) * 8 ? 8 :
				out->bits <= i * 8 ? 0 : out->bits - i * 8;
		unsigned char mask = (unsigned char)(keep == 0 ? 0 : 0xff << (8 - keep));
		if (out->addr[i] & (unsigned char)~mask)
			return PVA_ERR_LIMIT;
	}
	return PVA_OK;
}

static enum pva_rc read_groups(struct pva_cfgread *rd, const config_setting_t *grp,
			       struct pva_settings *s)
{
	const config_setting_t *list;
	int i, n;

	if (pva_cfg_strlist(rd, grp, "exempt_groups", PVA_MAX_GROUP_PATTERNS, &list) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (list == NULL)
		return PVA_OK;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(list, i);
		size_t len = strlen(v);
		if (len >= PVA_NAME_MAX || strcmp(v, "!") == 0)
			return pva_cfg_fail(rd, list, "exempt_groups",
					    "\"%.40s\": a group name or glob pattern of 1 to %d "
					    "characters, optionally after '!'", v, PVA_NAME_MAX - 2);
		if (strpbrk(v, " \t:,") != NULL)
			return pva_cfg_fail(rd, list, "exempt_groups",
					    "\"%.40s\": group patterns hold no blanks, ':' or ','", v);
		snprintf(s->exempt_groups[i], PVA_NAME_MAX, "%s", v);
	}
	s->n_exempt = (size_t)n;
	return PVA_OK;
}

static enum pva_rc read_networks(struct pva_cfgread *rd, const config_setting_t *grp,
				 struct pva_settings *s)
{
	const config_setting_t *list;
	int i, n;

	if (pva_cfg_strlist(rd, grp, "trusted_networks", PVA_MAX_NETWORKS, &list) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (list == NULL)
		return PVA_OK;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(list, i);
		enum pva_rc rc = pva_cidr_parse(v, &s->trusted[i]);
		if (rc == PVA_ERR_LIMIT)
			return pva_cfg_fail(rd, list, "trusted_networks",
					    "\"%.50s\": address has bits set beyond the prefix "
					    "length", v);
		if (rc != PVA_OK)
			return pva_cfg_fail(rd, list, "trusted_networks",
					    "\"%.50s\" is not an IPv4 or IPv6 address or "
					    "ADDRESS/BITS network", v);
	}
	s->n_trusted = (size_t)n;
	return PVA_OK;
}

static enum pva_rc read_remind_template(struct pva_cfgread *rd,
					const config_setting_t *grp, enum pva_lang lang,
					char *out, size_t outlen)
{
	char key[48], why[200];

	if (pva_lang_suffix_key("remind_message", lang, key, sizeof(key)))
		return PVA_ERR_INVAL;
	if (pva_cfg_string(rd, grp, key, 0, out, outlen) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (out[0] && pva_placeholders_check(out, remind_vars, why, sizeof(why)) != PVA_OK)
		return pva_cfg_fail(rd, config_setting_get_member(grp, key), key, "%s", why);
	return PVA_OK;
}

enum pva_rc pva_config_read_template(struct pva_cfgread *rd, const config_setting_t *grp,
				     const char *key, char *out, size_t outlen)
{
	char why[160];

	if (pva_cfg_string(rd, grp, key, 0, out, outlen) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (pva_message_check(out, why, sizeof(why)) != PVA_OK)
		return pva_cfg_fail(rd, config_setting_get_member(grp, key), key, "%s", why);
	return PVA_OK;
}

enum pva_rc pva_config_read_privacy(struct pva_cfgread *rd, const config_setting_t *grp,
				    struct pva_settings *s)
{
	int lang = s->language + 1, via = (int)s->remind_via;
	enum pva_lang l;

	if (pva_cfg_enum(rd, grp, "language", languages, &lang) ||
	    pva_config_read_template(rd, grp, "message_zh_CN", s->message_zh,
			       sizeof(s->message_zh)) ||
	    pva_config_read_template(rd, grp, "voice_message_zh_CN", s->voice_message_zh,
			       sizeof(s->voice_message_zh)) ||
	    pva_cfg_bool(rd, grp, "require_consent", &s->require_consent) ||
	    read_groups(rd, grp, s) || read_networks(rd, grp, s) ||
	    pva_cfg_uint(rd, grp, "grace_hours", 0, 720, &s->grace_hours) ||
	    pva_cfg_bool(rd, grp, "backup_codes", &s->backup_codes) ||
	    pva_cfg_uint(rd, grp, "remind_after_days", 0, 3650, &s->remind_after_days) ||
	    pva_cfg_uint(rd, grp, "remind_every_days", 1, 365, &s->remind_every_days) ||
	    pva_cfg_enum(rd, grp, "remind_via", remind_vias, &via))
		return PVA_ERR_CONFIG;
	for (l = PVA_LANG_EN; l < PVA_N_LANGS; l++)
		if (read_notice(rd, grp, l, s->notice[l], sizeof(s->notice[l])) ||
		    read_remind_template(rd, grp, l, s->remind_message[l],
					 sizeof(s->remind_message[l])))
			return PVA_ERR_CONFIG;
	s->language = lang - 1;
	s->remind_via = (enum pva_remind_via)via;
	return PVA_OK;
}

enum pva_rc pva_config_read_globals_privacy(struct pva_cfgread *rd,
					    const config_setting_t *root,
					    struct pva_config *cfg)
{
	const config_setting_t *g = config_setting_get_member(root, "smtp");
	struct pva_smtp_conf *m = &cfg->smtp;

	snprintf(cfg->locale_dir, sizeof(cfg->locale_dir), "%s", PVA_DEFAULT_LOCALE_DIR);
	if (pva_cfg_string(rd, root, "locale_dir", 0, cfg->locale_dir,
			   sizeof(cfg->locale_dir)))
		return PVA_ERR_CONFIG;
	if (cfg->locale_dir[0] != '/')
		return pva_cfg_fail(rd, config_setting_get_member(root, "locale_dir"),
				    "locale_dir", "must be an absolute path");
	m->timeout = 20;
	if (g == NULL)
		return PVA_OK;
	if (!config_setting_is_group(g))
		return pva_cfg_fail(rd, g, "smtp", "expected a group { url = ...; from = ...; }");
	if (pva_cfg_known_keys(rd, g, smtp_keys) ||
	    pva_cfg_string(rd, g, "url", 0, m->url, sizeof(m->url)) ||
	    pva_cfg_string(rd, g, "from", 0, m->from, sizeof(m->from)) ||
	    pva_cfg_string(rd, g, "to", 0, m->to, sizeof(m->to)) ||
	    pva_cfg_string(rd, g, "ca_file", 0, m->ca_file, sizeof(m->ca_file)) ||
	    pva_cfg_uint(rd, g, "timeout", 1, 120, &m->timeout))
		return PVA_ERR_CONFIG;
	if (strncmp(m->url, "smtp://", 7) != 0 && strncmp(m->url, "smtps://", 8) != 0)
		return pva_cfg_fail(rd, config_setting_get_member(g, "url"), "smtp.url",
				    "expected smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT]");
	if (m->from[0] == '\0' || strchr(m->from, '@') == NULL)
		return pva_cfg_fail(rd, g, "smtp.from", "needs a sender address user@domain");
	if (strstr(m->to, "{user}") == NULL || strchr(m->to, '@') == NULL)
		return pva_cfg_fail(rd, g, "smtp.to", "needs a recipient template such as "
				    "\"{user}@example.org\"");
	if (m->ca_file[0] != '\0' && m->ca_file[0] != '/')
		return pva_cfg_fail(rd, config_setting_get_member(g, "ca_file"),
				    "smtp.ca_file", "must be an absolute path");
	m->username = pva_secrets_get(cfg->secrets, "smtp", "username");
	m->password = pva_secrets_get(cfg->secrets, "smtp", "password");
	if ((m->username == NULL) != (m->password == NULL))
		return pva_cfg_fail(rd, g, "smtp", "secrets_file group \"smtp\" needs both "
				    "username and password, or neither");
	return PVA_OK;
}

void pva_config_warn(struct pva_config *cfg, const char *fmt, ...)
{
	va_list ap;

	if (cfg->n_warnings >= PVA_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(cfg->warnings[cfg->n_warnings], PVA_WARNING_MAX, fmt, ap);
	va_end(ap);
	cfg->n_warnings++;
}
