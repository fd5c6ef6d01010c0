/* i18n.c - per-thread message language over gettext. */
#include "core/i18n.h"

#include <libintl.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#define PVA_DEFAULT_LOCALE_DIR_I18N "/usr/share/locale"

static const char *const lang_names[PVA_N_LANGS] = { "en", "zh_CN" };
/* The locales that carry each language's LC_MESSAGES (tried in order). */
static const char *const zh_locales[] = { "zh_CN.UTF-8", "zh_CN.utf8", NULL };

const char *pva_lang_name(enum pva_lang lang)
{
	return (unsigned)lang < PVA_N_LANGS ? lang_names[lang] : "en";
}

static int chinese(const char *v)
{
	return v != NULL && (strncasecmp(v, "zh", 2) == 0);
}

enum pva_lang pva_lang_choose(const struct pva_settings *s, const char *user_pref,
			      const char *env_locale)
{
	if (s->language >= 0 && s->language < PVA_N_LANGS)
		return (enum pva_lang)s->language;
	if (user_pref != NULL && user_pref[0] != '\0')
		return chinese(user_pref) ? PVA_LANG_ZH_CN : PVA_LANG_EN;
	/* LANGUAGE may be a list ("zh_CN:en"): its first entry decides */
	return chinese(env_locale) ? PVA_LANG_ZH_CN : PVA_LANG_EN;
}

static pthread_mutex_t bind_lock = PTHREAD_MUTEX_INITIALIZER;
static int bound;

/* The catalog directory is fixed by the first configuration seen in this
 * process: bindtextdomain() is process-wide. */
static void bind_domain(const char *dir)
{
	pthread_mutex_lock(&bind_lock);
	if (!bound) {
		bindtextdomain(PVA_TEXTDOMAIN, dir);
		bind_textdomain_codeset(PVA_TEXTDOMAIN, "UTF-8");
		bound = 1;
	}
	pthread_mutex_unlock(&bind_lock);
}

void pva_i18n_begin(struct pva_i18n *t, const struct pva_config *cfg, enum pva_lang lang)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->lang = PVA_LANG_EN;
	if (lang != PVA_LANG_ZH_CN)
		return;
	bind_domain(cfg != NULL ? cfg->locale_dir : PVA_DEFAULT_LOCALE_DIR_I18N);
	/* Only LC_MESSAGES changes: the other categories stay the thread's
	 * (or the process's) own, so the host's conversation function keeps
	 * its LC_CTYPE while it prints the prompts. */
	for (i = 0; zh_locales[i] != NULL && t->loc == (locale_t)0; i++) {
		locale_t base = duplocale(uselocale((locale_t)0));

		if (base == (locale_t)0)
			break;
		t->loc = newlocale(LC_MESSAGES_MASK, zh_locales[i], base);
		if (t->loc == (locale_t)0)
			freelocale(base); /* a failed newlocale leaves base alone */
	}
	if (t->loc == (locale_t)0)
		return; /* no Chinese locale on this system: English */
	t->old = uselocale(t->loc);
	t->lang = PVA_LANG_ZH_CN;
}

void pva_i18n_end(struct pva_i18n *t)
{
	if (t->loc != (locale_t)0) {
		uselocale(t->old);
		freelocale(t->loc);
		t->loc = (locale_t)0;
	}
	t->lang = PVA_LANG_EN;
}

const char *pva_tr(const char *msgid)
{
	return dgettext(PVA_TEXTDOMAIN, msgid);
}
