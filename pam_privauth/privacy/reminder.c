/* reminder.c - the reminder decision and texts (privacy/reminder.h). */
#include "privacy/reminder.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/hostkey.h"
#include "core/i18n.h"
#include "privacy/remind.h"
#include "store/phones.h"

#define DAY 86400LL

const char *pva_remind_decision_name(enum pva_remind_decision d)
{
	switch (d) {
	case PVA_REMIND_OFF: return "off";
	case PVA_REMIND_NO_AGE: return "no_age";
	case PVA_REMIND_YOUNG: return "young";
	case PVA_REMIND_RECENT: return "recent";
	case PVA_REMIND_DUE: return "due";
	}
	return "?";
}

static void day_string(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    snprintf(out, outlen, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday) >= (int)outlen)
		snprintf(out, outlen, "?");
}

enum pva_rc pva_reminder_check_age(const struct pva_settings *s, const char *user,
				   time_t now, struct pva_remind_age *a,
				   enum pva_remind_decision *d)
{
	enum pva_rc rc;

	memset(a, 0, sizeof(*a));
	*d = PVA_REMIND_OFF;
	if (s->remind_after_days == 0)
		return PVA_OK;
	rc = pva_password_age(user, now, &a->days, &a->changed);
	if (rc == PVA_ERR_NOTFOUND) {
		*d = PVA_REMIND_NO_AGE;
		return PVA_OK;
	}
	if (rc != PVA_OK)
		return rc;
	day_string(a->changed, a->date, sizeof(a->date));
	*d = a->days >= s->remind_after_days ? PVA_REMIND_DUE : PVA_REMIND_YOUNG;
	return PVA_OK;
}

enum pva_rc pva_reminder_decide(const struct pva_settings *s, const struct pva_store *st,
				const char *user, time_t now, struct pva_remind_age *a,
				time_t *last, enum pva_remind_decision *d)
{
	enum pva_rc rc;

	*last = 0;
	rc = pva_reminder_check_age(s, user, now, a, d);
	if (rc != PVA_OK || *d != PVA_REMIND_DUE)
		return rc;
	rc = pva_remind_last(st, user, last);
	if (rc != PVA_OK)
		return rc;
	/* a reminder "in the future" (the clock went back) also counts as recent */
	if (*last != 0 && (long long)now - (long long)*last < (long long)s->remind_every_days * DAY)
		*d = PVA_REMIND_RECENT;
	return PVA_OK;
}

enum pva_rc pva_reminder_notice(const struct pva_remind_age *a, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, _("Your password was last changed %u days ago (%s). "
					"Please change it soon with passwd."),
			 a->days, a->date);

	return n < 0 || (size_t)n >= outlen ? PVA_ERR_INVAL : PVA_OK;
}

/* Single-pass expansion of {user} {host} {days} {date}; anything else is
 * copied as is (the configuration allowed only these). */
static enum pva_rc expand(const char *tmpl, const char *user, const char *host,
			  const struct pva_remind_age *a, char *out, size_t outlen)
{
	char days[16];
	size_t pos = 0, n;

	snprintf(days, sizeof(days), "%u", a->days);
	if (outlen == 0)
		return PVA_ERR_INVAL;
	while (*tmpl) {
		const char *v = NULL;

		if (strncmp(tmpl, "{user}", 6) == 0)
			v = user;
		else if (strncmp(tmpl, "{host}", 6) == 0)
			v = host;
		else if (strncmp(tmpl, "{days}", 6) == 0)
			v = days;
		else if (strncmp(tmpl, "{date}", 6) == 0)
			v = a->date;
		if (v != NULL) {
			tmpl += 6;
			n = strlen(v);
		} else {
			v = tmpl++;
			n = 1;
		}
		if (pos + n >= outlen) {
			out[0] = '\0';
			return PVA_ERR_INVAL;
		}
		memcpy(out + pos, v, n);
		pos += n;
	}
	out[pos] = '\0';
	return PVA_OK;
}

enum pva_rc pva_reminder_text(const struct pva_settings *s, enum pva_lang lang,
			      const char *user, const char *host,
			      const struct pva_remind_age *a, char *out, size_t outlen)
{
	const char *tmpl;

	if ((unsigned)lang >= PVA_N_LANGS)
		lang = PVA_LANG_EN;
	tmpl = s->remind_message[lang];
	if (tmpl[0] == '\0')
		tmpl = lang == PVA_LANG_ZH_CN ? PVA_DEFAULT_REMIND_MESSAGE_ZH :
		       PVA_DEFAULT_REMIND_MESSAGE;
	return expand(tmpl, user, host, a, out, outlen);
}

enum pva_rc pva_reminder_subject(enum pva_lang lang, const char *user, const char *host,
				 const struct pva_remind_age *a, char *out, size_t outlen)
{
	return expand(lang == PVA_LANG_ZH_CN ? PVA_REMIND_SUBJECT_ZH : PVA_REMIND_SUBJECT,
		      user, host, a, out, outlen);
}

void pva_reminder_user_pref(const struct pva_config *cfg, const char *user, char *out,
			    size_t outlen)
{
	struct pva_hostkey *key = NULL;
	struct pva_phone_rec rec;
	struct pva_store st;

	if (outlen == 0)
		return;
	out[0] = '\0';
	memset(&rec, 0, sizeof(rec));
	if (pva_hostkey_load(cfg->host_key, 0, &key) == PVA_OK &&
	    pva_store_open(&st, cfg->state_dir, key, 0) == PVA_OK &&
	    pva_phones_get(&st, user, &rec) == PVA_OK)
		snprintf(out, outlen, "%s", rec.lang);
	sodium_memzero(&rec, sizeof(rec));
	pva_hostkey_free(key);
}
