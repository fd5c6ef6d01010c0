/* consent.h - the user's agreement to the privacy notice, per service.
 *
 *   state_dir/consent/<u>   sealed record (store.h), created on first use:
 *       "v=1\n"
 *       "c=<service> <version> <time>\n"   one line per service agreed to
 *
 * <version> is pva_notice_version() of the notice the user agreed to, so a
 * changed notice (text, translation or the list of recipients) is asked
 * again.  Written under the user's state lock (pva_state_lock), never held
 * while the user types.  A corrupt record is PVA_ERR_CORRUPT: fail closed.
 */
#ifndef PVA_CONSENT_H
#define PVA_CONSENT_H

#include <time.h>

#include "core/rc.h"
#include "store/state.h"
#include "store/store.h"

#define PVA_CONSENT_SUB "consent"
#define PVA_MAX_CONSENTS 32
#define PVA_NOTICE_VERSION_MAX 17   /* 16 hex digits + NUL */

struct pva_consent_entry {
	char service[PVA_SERVICE_MAX];
	char version[PVA_NOTICE_VERSION_MAX];
	time_t when;
};

struct pva_consent {
	size_t n;
	struct pva_consent_entry e[PVA_MAX_CONSENTS];
};

/* Load user's consents; none recorded is an empty set (PVA_OK). */
enum pva_rc pva_consent_load(const struct pva_store *st, const char *user,
			     struct pva_consent *out) PVA_WUR;

/* The entry of service, or NULL. */
const struct pva_consent_entry *pva_consent_find(const struct pva_consent *c,
						 const char *service);

/* Record (or replace) the agreement of user to `version` for service at
 * now: lock, load, put, save, unlock. */
enum pva_rc pva_consent_record(const struct pva_store *st, const char *user,
			       const char *service, const char *version,
			       time_t now) PVA_WUR;

/* Forget every consent of user (PVA_OK if there was none). */
enum pva_rc pva_consent_revoke(const struct pva_store *st, const char *user) PVA_WUR;

#endif
