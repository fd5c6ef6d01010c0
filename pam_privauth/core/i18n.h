/* i18n.h - English and Simplified Chinese for prompts and messages.
 *
 * Prompts and messages to the user are gettext msgids (English) in the
 * text domain "pam_privauth", translated by catalogs compiled from po/
 * and installed under locale_dir/<lang>/LC_MESSAGES/pam_privauth.mo.
 * A PAM module must not change the host process's locale: between
 * pva_i18n_begin() and pva_i18n_end() only the calling thread's
 * LC_MESSAGES is switched (newlocale + uselocale), then restored.
 * Without the zh_CN.UTF-8 locale on the system the text stays English.
 *
 * The language: the service's `language` when not "auto"; otherwise the
 * user's preference from the phone directory, then the LANGUAGE/LC_ALL/
 * LC_MESSAGES/LANG value of the PAM environment or the process
 * environment ("zh*" is Chinese), else English.
 */
#ifndef PVA_I18N_H
#define PVA_I18N_H

#include <locale.h>

#include "core/config.h"

#define PVA_TEXTDOMAIN "pam_privauth"

/* Mark a string for translation without translating it. */
#define N_(s) (s)

struct pva_i18n {
	enum pva_lang lang;
	locale_t loc;   /* (locale_t)0 when nothing was switched */
	locale_t old;
};

/* "en" / "zh_CN". */
const char *pva_lang_name(enum pva_lang lang);

/* The language to use (see above).  user_pref: "" or NULL when unknown;
 * env_locale: a LANG-style value or NULL. */
enum pva_lang pva_lang_choose(const struct pva_settings *s, const char *user_pref,
			      const char *env_locale);

/* Switch this thread's messages to lang (binding the text domain to
 * cfg->locale_dir).  Always succeeds; falls back to English. */
void pva_i18n_begin(struct pva_i18n *t, const struct pva_config *cfg, enum pva_lang lang);
void pva_i18n_end(struct pva_i18n *t);

/* The translation of msgid in the current thread's language. */
const char *pva_tr(const char *msgid) __attribute__((format_arg(1)));
#define _(s) pva_tr(s)

#endif
