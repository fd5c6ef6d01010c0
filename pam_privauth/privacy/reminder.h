/* reminder.h - whether a user is due a password reminder, and its texts.
 *
 * Over privacy/remind.h (password age from shadow, the record of the last
 * reminder).  A user is due when the service's remind_after_days is not 0
 * and the password is at least that many days old; privauthctl remind
 * also waits remind_every_days between two reminders of one user.  The
 * PAM module only looks at the age (it shows a note at every login while
 * the password is old and records nothing).
 *
 * Texts:
 *   - the note at login (pva_reminder_notice): a gettext msgid, in the
 *     language of the calling thread (core/i18n.h);
 *   - the SMS or mail body (pva_reminder_text): the service's
 *     remind_message for the language, or the built-in text of that
 *     language; {user} {host} {days} {date} expanded in one pass;
 *   - the mail subject (pva_reminder_subject), per language.
 */
#ifndef PVA_REMINDER_H
#define PVA_REMINDER_H

#include <stddef.h>
#include <time.h>

#include "core/config.h"
#include "store/store.h"

#define PVA_REMIND_TEXT_MAX 640   /* = PVA_MESSAGE_MAX: fits an SMS send */

#define PVA_DEFAULT_REMIND_MESSAGE \
	"Hello {user}, your password on {host} was last changed {days} days ago " \
	"({date}). Please change it soon with passwd."
#define PVA_DEFAULT_REMIND_MESSAGE_ZH \
	"{user}，您好：您在 {host} 上的密码已有 {days} 天未更改（上次更改：{date}）。" \
	"请尽快用 passwd 命令更改密码。"
#define PVA_REMIND_SUBJECT "Password reminder for {user} on {host}"
#define PVA_REMIND_SUBJECT_ZH "{host} 密码更改提醒（{user}）"

struct pva_remind_age {
	unsigned days;      /* whole days since the change */
	time_t changed;     /* midnight UTC of the day of the change */
	char date[16];      /* that day, "YYYY-MM-DD" */
};

enum pva_remind_decision {
	PVA_REMIND_OFF = 0,   /* remind_after_days = 0 */
	PVA_REMIND_NO_AGE,    /* no account, no shadow entry or no date */
	PVA_REMIND_YOUNG,     /* the password is younger than remind_after_days */
	PVA_REMIND_RECENT,    /* reminded less than remind_every_days ago */
	PVA_REMIND_DUE,
};

/* "off", "no_age", "young", "recent", "due". */
const char *pva_remind_decision_name(enum pva_remind_decision d);

/* The age test alone (the PAM module): *d is OFF, NO_AGE, YOUNG or DUE;
 * *a holds the age when known.  Errors only for a failing user database
 * (PVA_ERR_IO) or a bad name (PVA_ERR_INVAL). */
enum pva_rc pva_reminder_check_age(const struct pva_settings *s, const char *user,
				   time_t now, struct pva_remind_age *a,
				   enum pva_remind_decision *d) PVA_WUR;

/* The age test, then the last reminder (privauthctl remind): DUE only when
 * not reminded within remind_every_days (*last: when, 0 = never).  A
 * corrupt reminder record is PVA_ERR_CORRUPT (no reminder is sent). */
enum pva_rc pva_reminder_decide(const struct pva_settings *s, const struct pva_store *st,
				const char *user, time_t now, struct pva_remind_age *a,
				time_t *last, enum pva_remind_decision *d) PVA_WUR;

/* The note shown at login, in the current thread's language:
 * "Your password was last changed N days ago (YYYY-MM-DD). Please change
 * it soon with passwd."  PVA_ERR_INVAL when it does not fit. */
enum pva_rc pva_reminder_notice(const struct pva_remind_age *a, char *out,
				size_t outlen) PVA_WUR;

/* The reminder's body in lang.  PVA_ERR_INVAL when it does not fit. */
enum pva_rc pva_reminder_text(const struct pva_settings *s, enum pva_lang lang,
			      const char *user, const char *host,
			      const struct pva_remind_age *a, char *out,
			      size_t outlen) PVA_WUR;

/* The user's language preference from the phone directory ("en",
 * "zh_CN"), "" when unknown: not enrolled, no store yet, or any error
 * (the reminder then follows the service and the environment). */
void pva_reminder_user_pref(const struct pva_config *cfg, const char *user, char *out,
			    size_t outlen);

/* The mail subject in lang. */
enum pva_rc pva_reminder_subject(enum pva_lang lang, const char *user, const char *host,
				 const struct pva_remind_age *a, char *out,
				 size_t outlen) PVA_WUR;

#endif
