/* state.h - per-user login state: pending codes, send history, lockout.
 *
 * Concurrency: callers take pva_state_lock() around load-modify-save and
 * release it before talking to the user or a provider.
 * Crash safety: pva_state_save() writes temp, fsync, rename, fsync dir.
 * Minimisation: save drops expired codes and sends older than a day
 * (the per-day cap needs them; older records holding only the last hour
 * load unchanged: the format is the same "v=1").
 * The record holds only keyed hashes of codes, never a code.
 */
#ifndef PVA_STATE_H
#define PVA_STATE_H

#include <stddef.h>
#include <time.h>

#include "delivery/provider.h"
#include "store/store.h"

#define PVA_MAX_PENDING 8      /* services with a pending code at once */
#define PVA_MAX_SENDS 256      /* send timestamps kept: >= every per-user cap */
#define PVA_HASH_BYTES 32
#define PVA_SEND_HOUR 3600
#define PVA_SEND_DAY 86400
#define PVA_SEND_WINDOW PVA_SEND_DAY /* how long sends are kept */
#define PVA_SERVICE_MAX 64

struct pva_pending {
	char service[PVA_SERVICE_MAX];
	unsigned char hash[PVA_HASH_BYTES]; /* keyed hash of the code */
	time_t issued;      /* when this code was created */
	time_t expires;     /* dies at this time */
	time_t last_sent;   /* last delivery (resend cooldown) */
	unsigned attempts;  /* wrong entries so far, carried across resends */
	enum pva_channel channel;
};

struct pva_state {
	char user[PVA_USER_MAX];
	unsigned fails;          /* codes failed in a row */
	unsigned lockouts;       /* lockouts so far, for the doubling */
	time_t locked_until;     /* 0 when not locked */
	size_t n_sends;
	time_t sends[PVA_MAX_SENDS];  /* oldest first */
	size_t n_pending;
	struct pva_pending pending[PVA_MAX_PENDING];
};

/* Take user's exclusive lock (waits up to timeout_ms); *fd is the lock. */
enum pva_rc pva_state_lock(const struct pva_store *st, const char *user,
			   unsigned timeout_ms, int *fd) PVA_WUR;
void pva_state_unlock(int fd);

/* Load user's record; a missing record is an empty state (PVA_OK). */
enum pva_rc pva_state_load(const struct pva_store *st, const char *user,
			   struct pva_state *out) PVA_WUR;

/* Purge (see pva_state_purge) and atomically write the record. */
enum pva_rc pva_state_save(const struct pva_store *st, struct pva_state *s,
			   time_t now) PVA_WUR;

/* Remove user's record (PVA_OK if there was none). */
enum pva_rc pva_state_delete(const struct pva_store *st, const char *user) PVA_WUR;

/* Drop expired pending codes and sends older than PVA_SEND_WINDOW. */
void pva_state_purge(struct pva_state *s, time_t now);

/* Pending code of service, or NULL. */
struct pva_pending *pva_state_pending(struct pva_state *s, const char *service);

/* Remove the pending code of service, if any. */
void pva_state_drop_pending(struct pva_state *s, const char *service);

/* Add (or replace) the pending code of service; PVA_ERR_LIMIT when full. */
enum pva_rc pva_state_put_pending(struct pva_state *s,
				  const struct pva_pending *p) PVA_WUR;

/* Record a send at now (oldest entry dropped when full). */
void pva_state_add_send(struct pva_state *s, time_t now);

/* Sends within the last hour before now. */
size_t pva_state_sends_last_hour(const struct pva_state *s, time_t now);

/* Sends within the last `window` seconds before now. */
size_t pva_state_sends_within(const struct pva_state *s, time_t now, time_t window);

/* Text form (unsealed body) and parser, exposed for tests and fuzzing. */
enum pva_rc pva_state_format(const struct pva_state *s, char *buf, size_t len) PVA_WUR;
enum pva_rc pva_state_parse(const char *body, size_t len, struct pva_state *out) PVA_WUR;

#endif
