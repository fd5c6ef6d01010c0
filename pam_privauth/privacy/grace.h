/* grace.h - no new code for grace_hours after a successful one from the
 * same remote host, per user and service.
 *
 *   state_dir/grace/<u>   sealed record, created on first use:
 *       "v=1\n"
 *       "g=<service> <32 hex> <time>\n"   one line per service and host
 *
 * The host is stored only as a keyed BLAKE2b-128 (host key's MAC subkey,
 * own domain string, user and service bound in) of PAM_RHOST; "" (a
 * console login) is a host like any other.  Entries older than the
 * service's grace are dropped on every write; at most PVA_MAX_GRACE are
 * kept (the oldest goes).  Written under the user's state lock:
 * pva_grace_record takes it itself, so call it without holding it.
 */
#ifndef PVA_GRACE_H
#define PVA_GRACE_H

#include <time.h>

#include "core/hostkey.h"
#include "core/rc.h"
#include "store/store.h"

#define PVA_GRACE_SUB "grace"
#define PVA_MAX_GRACE 32

/* *granted = 1 when user logged in to service from rhost (NULL = "")
 * with a code less than hours ago.  hours == 0: never. */
enum pva_rc pva_grace_check(const struct pva_store *st, const struct pva_hostkey *key,
			    const char *user, const char *service, const char *rhost,
			    unsigned hours, time_t now, int *granted) PVA_WUR;

/* Note a successful code login now (hours == 0: nothing is written). */
enum pva_rc pva_grace_record(const struct pva_store *st, const struct pva_hostkey *key,
			     const char *user, const char *service, const char *rhost,
			     unsigned hours, time_t now) PVA_WUR;

/* Entries of user (for export): *n of them, the newest time in *latest. */
enum pva_rc pva_grace_count(const struct pva_store *st, const char *user, size_t *n,
			    time_t *latest) PVA_WUR;

/* Outcome of a prune (privacy/rights.c purge). */
enum pva_prune {
	PVA_PRUNE_NONE = 0,   /* there was no record */
	PVA_PRUNE_KEPT,       /* nothing to drop */
	PVA_PRUNE_TRIMMED,    /* some entries dropped, the record rewritten */
	PVA_PRUNE_REMOVED,    /* nothing left: the record removed */
};

/* Drop user's entries (any service) older than keep seconds before now;
 * remove the record when none is left.  The caller holds the user's
 * state lock.  dry_run: only tell (*result) what would be done. */
enum pva_rc pva_grace_prune(const struct pva_store *st, const char *user, time_t keep,
			    time_t now, int dry_run, int *result) PVA_WUR;

/* Remove user's record (PVA_OK if there was none). */
enum pva_rc pva_grace_forget(const struct pva_store *st, const char *user) PVA_WUR;

#endif
