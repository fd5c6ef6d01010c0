/* config_privacy.h - reading the privacy keys of privauth.conf.
 *
 * Per service (defaults / services.NAME):
 *   language            "auto" (the user's), "en", "zh_CN"
 *   message_zh_CN, voice_message_zh_CN   Chinese code templates
 *   require_consent     show the privacy notice, record "yes" (default true)
 *   privacy_notice[_zh_CN] | privacy_notice_file[_zh_CN]
 *                       the notice; placeholders {recipients} {phone}
 *                       {host} {service}; unset = the built-in text
 *   exempt_groups       group glob patterns; a "!pattern" match always wins
 *   trusted_networks    CIDR list for PAM_RHOST, IPv4 and IPv6
 *   grace_hours         no new code for N hours after a good one (0 = off)
 *   backup_codes        accept backup codes at the code prompt (true)
 *   remind_after_days   password age that triggers reminders (0 = off)
 *   remind_every_days   at most one reminder per N days (7)
 *   remind_via          "sms" or "email"
 *   remind_message[_zh_CN]  {user} {host} {days} {date}; unset = built-in
 * Global:
 *   locale_dir          gettext catalogs (/usr/share/locale)
 *   smtp = { url; from; to; ca_file; timeout; }  (secrets: smtp.username,
 *                       smtp.password)
 */
#ifndef PVA_CONFIG_PRIVACY_H
#define PVA_CONFIG_PRIVACY_H

#include <stddef.h>

#include "core/cfgread.h"
#include "core/config.h"

#define PVA_DEFAULT_LOCALE_DIR "/usr/share/locale"

#define PVA_DEFAULT_MESSAGE_ZH \
	"{code} 是您在 {host} 登录 {service} 的验证码，{validity}内有效。" \
	"请勿告诉任何人。"
#define PVA_DEFAULT_VOICE_MESSAGE_ZH \
	"您在 {host} 登录 {service} 的验证码是：{code}。再说一遍，验证码是：{code}。"

/* Defaults of the per-service keys above. */
void pva_config_privacy_defaults(struct pva_settings *s);

/* Apply the per-service privacy keys of grp to s. */
enum pva_rc pva_config_read_privacy(struct pva_cfgread *rd, const config_setting_t *grp,
				    struct pva_settings *s) PVA_WUR;

/* locale_dir and the smtp group (after secrets are loaded). */
enum pva_rc pva_config_read_globals_privacy(struct pva_cfgread *rd,
					    const config_setting_t *root,
					    struct pva_config *cfg) PVA_WUR;

/* A code template key (message, voice_message, ..._zh_CN): a string that
 * pva_message_check() accepts. */
enum pva_rc pva_config_read_template(struct pva_cfgread *rd, const config_setting_t *grp,
				     const char *key, char *out, size_t outlen) PVA_WUR;

/* PVA_OK when every {name} in text is one of allowed (NULL-terminated). */
enum pva_rc pva_placeholders_check(const char *text, const char *const *allowed,
				   char *why, size_t whylen) PVA_WUR;

/* base, or base + "_zh_CN": the key of a per-language setting. */
int pva_lang_suffix_key(const char *base, enum pva_lang lang, char *out, size_t outlen);

/* Parse "ADDR[/BITS]": PVA_ERR_INVAL when unparsable, PVA_ERR_LIMIT when
 * bits are set beyond the prefix length. */
enum pva_rc pva_cidr_parse(const char *text, struct pva_cidr *out) PVA_WUR;

/* Record a non-fatal finding (kept up to PVA_MAX_WARNINGS). */
void pva_config_warn(struct pva_config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
