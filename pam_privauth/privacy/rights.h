/* rights.h - the user's rights over stored data, and minimisation.
 *
 * export: everything stored about a user as one JSON object: the phone
 * directory entry (number masked unless full), the login state (pending
 * codes as service/channel/times only, send times, lockout), consents,
 * grace entries (count and latest; hosts are stored only as keyed hashes),
 * backup codes (how many left), the last reminder, and which files hold
 * them.  forget: remove all of that, and the user's lock file.
 * purge: for every user and shared record, drop what has outlived its
 * use (expired codes, sends older than the longest window, grace entries
 * older than the longest grace, empty records, orphaned lock files and
 * temp files of interrupted writes).
 */
#ifndef PVA_RIGHTS_H
#define PVA_RIGHTS_H

#include <stdio.h>
#include <time.h>

#include "core/config.h"
#include "store/store.h"

enum pva_rc pva_export_json(const struct pva_config *cfg, const struct pva_store *st,
			    const char *user, int full, time_t now, FILE *out) PVA_WUR;

/* The sub-directories that hold a user's records, in the order export
 * and forget list them: phones, state, consent, grace, backup, remind. */
#define PVA_RIGHTS_NSUBS 6
extern const char *const pva_rights_subs[PVA_RIGHTS_NSUBS];

struct pva_forget_stats {
	unsigned files;   /* records removed */
	unsigned removed; /* bit i set: pva_rights_subs[i] held a record */
	int lock_removed; /* the lock file existed and was removed */
	unsigned temp;    /* leftover temp files of the user's records */
};

enum pva_rc pva_forget(const struct pva_store *st, const char *user,
		       struct pva_forget_stats *stats) PVA_WUR;

struct pva_purge_stats {
	unsigned records_kept, records_trimmed, records_removed;
	unsigned locks_removed, temp_removed, counters_removed;
	unsigned errors;
};

enum pva_rc pva_purge_all(const struct pva_config *cfg, const struct pva_store *st,
			  time_t now, struct pva_purge_stats *stats) PVA_WUR;

/* pva_purge_all, or with dry_run only count what it would do.  Details:
 * a state record is removed when it holds no pending code, no send in
 * the last day, no lockout and no failures; a send history (limits/)
 * when its every send is older than a day; grace entries older than the
 * longest grace_hours of any service; ".tmp.*" files older than 10
 * minutes in every sub-directory; the records in state/, consent/,
 * grace/ and remind/ of names that are not accounts (getpwnam_r finds
 * no entry; a lookup error keeps them); a lock file when its user (or
 * shared record) has no record left, unlinked while purge holds it
 * (pva_store_lock copes).  The phone directory is never touched.  A
 * record in use (lock taken) is left for the next run; a corrupt one is
 * counted in errors and left for the administrator. */
enum pva_rc pva_purge_run(const struct pva_config *cfg, const struct pva_store *st,
			  time_t now, int dry_run, struct pva_purge_stats *stats) PVA_WUR;

#endif
