/* backup.h - single-use backup codes for a lost phone.
 *
 *   state_dir/backup/<u>   sealed record, created on first use:
 *       "v=1\n", "created=<time>\n", then "h=<64 hex>\n" per unused code
 *
 * A code is 10 characters from a 31-letter alphabet without 0/o/1/l/i
 * (about 49 bits), shown as "xxxxx-xxxxx"; entry ignores case, blanks and
 * dashes.  Only keyed BLAKE2b-256 hashes (host key's code subkey, own
 * domain, user bound in) are stored; comparison is constant-time over all
 * stored hashes; a used code is removed in the same transaction.
 * Generating replaces every earlier code.  Locked like the state record.
 */
#ifndef PVA_BACKUP_H
#define PVA_BACKUP_H

#include <time.h>

#include "core/hostkey.h"
#include "core/rc.h"
#include "store/store.h"

#define PVA_BACKUP_SUB "backup"
#define PVA_BACKUP_N 10
#define PVA_BACKUP_CHARS 10
#define PVA_BACKUP_TEXT 12   /* "xxxxx-xxxxx" + NUL */

/* Make PVA_BACKUP_N new codes for user (replacing any), store their
 * hashes.  SECRET: the caller shows them once and wipes codes. */
enum pva_rc pva_backup_generate(const struct pva_store *st, const struct pva_hostkey *key,
				const char *user, time_t now,
				char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT]) PVA_WUR;

/* Non-zero when answer has the shape of a backup code (so the login
 * flow tries it as one rather than as a login code). */
int pva_backup_shape(const char *answer);

/* Try answer: *accepted = 1 and the code removed when it is one of user's
 * unused codes; *left = the unused codes now. */
enum pva_rc pva_backup_use(const struct pva_store *st, const struct pva_hostkey *key,
			   const char *user, const char *answer, time_t now,
			   int *accepted, unsigned *left) PVA_WUR;

/* Unused codes of user (0 when none were made) and when they were made. */
enum pva_rc pva_backup_count(const struct pva_store *st, const char *user,
			     unsigned *left, time_t *created) PVA_WUR;

/* Remove user's record (PVA_OK if there was none). */
enum pva_rc pva_backup_forget(const struct pva_store *st, const char *user) PVA_WUR;

#endif
