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

struct pva_forget_stats {
	unsigned files;   /* records removed */
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

#endif
