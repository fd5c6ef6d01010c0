/* counters.h - send histories shared between users: per destination
 * number and per host, for the fraud and cost limits.
 *
 *   state_dir/limits/              0700 root, created on first use
 *   state_dir/limits/host          this host's sends (all users, services)
 *   state_dir/limits/n-<64 hex>    sends to one phone number
 *   state_dir/limits/<name>.lock   flock of each record (kept)
 *
 * A number's record is named by a keyed BLAKE2b-256 of its E.164 form
 * under the host key's MAC subkey (with its own domain string), so the
 * plain number is stored nowhere but the phone directory, and the name
 * cannot be computed without the host key.
 *
 * Sends are kept per calendar minute: a slot holds the time of the latest
 * send of its minute and how many there were, so a day of history is at
 * most 1440 slots whatever the volume.  A slot counts until its latest
 * send leaves the window: a cap may free up to a minute late, never early.
 *
 * Records are sealed like the others (store.h): "v=1\n", "name=<name>\n",
 * "sends=<last>:<count>,...\n" (oldest first), then the MAC line binding
 * the sub-directory and the name.  A bad record is PVA_ERR_CORRUPT and the
 * caller refuses to send.
 *
 * Locking: callers that also hold a user's state lock take it first, then
 * a number's, then the host's; never held while a provider is called.
 */
#ifndef PVA_COUNTERS_H
#define PVA_COUNTERS_H

#include <stddef.h>
#include <time.h>

#include "core/rc.h"
#include "store/store.h"

#define PVA_COUNTER_SLOTS 1500    /* minutes kept: a day and some slack */
#define PVA_COUNTER_SLOT_MAX 1000000 /* sends in one slot */
#define PVA_COUNTER_NAME_MAX 72   /* "n-" + 64 hex + NUL, or "host" */
#define PVA_COUNTER_HOST "host"

struct pva_counter_slot {
	time_t last;      /* latest send of its minute */
	unsigned n;       /* sends in that minute, >= 1 */
};

struct pva_counter {
	char name[PVA_COUNTER_NAME_MAX];
	size_t n;
	struct pva_counter_slot slot[PVA_COUNTER_SLOTS]; /* oldest first */
};

/* The record name of phone ("n-<hex>"); PVA_ERR_INVAL for a number that
 * is not E.164 or when out holds fewer than PVA_COUNTER_NAME_MAX bytes. */
enum pva_rc pva_counter_number_name(const struct pva_store *st, const char *phone,
				    char *out, size_t outlen) PVA_WUR;

/* Exclusive lock of the record `name` (creates state_dir/limits). */
enum pva_rc pva_counter_lock(const struct pva_store *st, const char *name,
			     unsigned timeout_ms, int *fd) PVA_WUR;
void pva_counter_unlock(int fd);

/* Load record `name`; a missing record is an empty history (PVA_OK). */
enum pva_rc pva_counter_load(const struct pva_store *st, const char *name,
			     struct pva_counter *out) PVA_WUR;

/* Drop sends older than `keep` seconds and atomically write the record. */
enum pva_rc pva_counter_save(const struct pva_store *st, struct pva_counter *c,
			     time_t now, time_t keep) PVA_WUR;

/* Record a send at now (when full, the oldest slot goes). */
void pva_counter_add(struct pva_counter *c, time_t now);

/* Sends in the window (now - window, now] (later ones count too: the
 * clock went back). */
unsigned long pva_counter_within(const struct pva_counter *c, time_t now, time_t window);

/* When the window will hold fewer than limit sends: now when it does. */
time_t pva_counter_free_at(const struct pva_counter *c, time_t now, time_t window,
			   unsigned limit);

/* Text form (unsealed body) and parser, exposed for tests and fuzzing. */
enum pva_rc pva_counter_format(const struct pva_counter *c, char *buf,
			       size_t len) PVA_WUR;
enum pva_rc pva_counter_parse(const char *body, size_t len,
			      struct pva_counter *out) PVA_WUR;

#endif
