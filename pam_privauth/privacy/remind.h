/* remind.h - password age reminders.
 *
 *   state_dir/remind/<u>   sealed record: "v=1\n", "last=<time>\n" -- when
 *                          user was last reminded (privauthctl remind)
 *
 * The password's age comes from shadow (sp_lstchg, days since the epoch);
 * no age is known for an account without a shadow entry, with
 * sp_lstchg <= 0 (never set, or "must change": pam_unix handles that).
 */
#ifndef PVA_REMIND_H
#define PVA_REMIND_H

#include <time.h>

#include "core/config.h"
#include "store/store.h"

#define PVA_REMIND_SUB "remind"

/* Age in whole days of user's password at now.  PVA_ERR_NOTFOUND when
 * shadow has no usable date; *changed = the day of the change (time_t
 * of its midnight UTC). */
enum pva_rc pva_password_age(const char *user, time_t now, unsigned *days,
			     time_t *changed) PVA_WUR;

/* The arithmetic of pva_password_age for shadow's sp_lstchg (days since
 * the epoch): PVA_ERR_NOTFOUND when lstchg <= 0; a change later than now
 * is age 0.  Exposed for tests. */
enum pva_rc pva_password_age_days(long lstchg, time_t now, unsigned *days,
				  time_t *changed) PVA_WUR;

/* When user was last reminded (0 = never).  pva_remind_mark takes the
 * user's state lock itself. */
enum pva_rc pva_remind_last(const struct pva_store *st, const char *user,
			    time_t *last) PVA_WUR;
enum pva_rc pva_remind_mark(const struct pva_store *st, const char *user,
			    time_t now) PVA_WUR;
enum pva_rc pva_remind_forget(const struct pva_store *st, const char *user) PVA_WUR;

#endif
