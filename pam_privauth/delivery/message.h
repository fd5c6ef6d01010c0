/* message.h - the text a phone shows (SMS) or a call reads out (voice).
 *
 * Templates may use {code}, {service}, {host}, {ttl_min} (minutes, rounded
 * up) and {validity} ("5 min", or "45 s" under a minute).  Expansion is
 * single-pass: a substituted value is never expanded again.  For voice,
 * {code} becomes the digits one by one ("1, 2, 3, 4, 5, 6") so text-to-
 * speech reads digits, not a number.
 *
 * With lang PVA_LANG_ZH_CN, {validity} reads "5 分钟" / "45 秒".
 *
 * SECRET: the rendered text contains the code; wipe it after use.
 */
#ifndef PVA_MESSAGE_H
#define PVA_MESSAGE_H

#include <stddef.h>

#include "core/config.h"
#include "core/rc.h"
#include "delivery/provider.h"

#define PVA_MESSAGE_MAX 640

#define PVA_DEFAULT_MESSAGE \
	"{code} is your login code for {service} on {host}, valid {validity}. " \
	"Never share it: nobody will ever ask you for it."
#define PVA_DEFAULT_VOICE_MESSAGE \
	"Your login code for {service} on {host} is: {code}. " \
	"Again, your code is: {code}. Never share it."

struct pva_message_vars {
	const char *code;     /* SECRET */
	const char *service;
	const char *host;
	unsigned ttl;         /* seconds; {ttl_min} rounds up */
	enum pva_channel channel;
};

/* PVA_OK when tmpl uses only known placeholders, has no stray braces and
 * contains {code}; otherwise PVA_ERR_CONFIG with a reason in why. */
enum pva_rc pva_message_check(const char *tmpl, char *why, size_t whylen) PVA_WUR;

/* Render tmpl into out.  PVA_ERR_INVAL when it does not fit. */
enum pva_rc pva_message_render(const char *tmpl, const struct pva_message_vars *v,
			       char *out, size_t outlen) PVA_WUR;

/* The same with {validity} in lang (pva_message_render: English). */
enum pva_rc pva_message_render_lang(const char *tmpl, const struct pva_message_vars *v,
				    enum pva_lang lang, char *out, size_t outlen) PVA_WUR;

#endif
