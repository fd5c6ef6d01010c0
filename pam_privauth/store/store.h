/* store.h - the on-disk layout under state_dir.
 *
 *   state_dir/                   0700 root
 *   state_dir/state/<u>          per-user login state record
 *   state_dir/phones/<u>         the admin-controlled phone directory
 *   state_dir/locks/<u>          lock file of <u>'s state (flock; kept)
 *   state_dir/limits/            send histories shared between users
 *                                (store/counters.h), created on first use
 *
 * <u> is pva_secfile_name(user), so a lookup is one open() whatever the
 * number of users.  Lock files live in their own directory so that no
 * user name (say "alice.lock") can map onto another user's lock file.
 * A write killed half-way may leave a ".tmp.<u>.<hex>" file beside the
 * record; it is never read (and a copy under another name fails its MAC).
 *
 * Records are text: "v=1\n", then "key=value\n" lines, then a final
 * "mac=<64 hex>\n" line, a BLAKE2b-256 keyed with the host key's MAC
 * subkey over a domain string, the sub-directory, the user name and the
 * body.  A truncated, edited or unparsable record, or one copied to
 * another user's or directory's file, is PVA_ERR_CORRUPT and the caller
 * fails closed.
 */
#ifndef PVA_STORE_H
#define PVA_STORE_H

#include <limits.h>
#include <stddef.h>
#include <time.h>

#include "core/hostkey.h"
#include "core/rc.h"
#include "delivery/provider.h"

#define PVA_USER_MAX 129   /* user names up to 128 bytes */

#define PVA_STORE_REC_MAX 65536             /* larger records are corrupt */
#define PVA_STORE_TIME_MAX 253402300799LL   /* 9999-12-31: larger is corrupt */

struct pva_store {
	char dir[PATH_MAX];               /* state_dir */
	const struct pva_hostkey *key;    /* borrowed; outlives the store */
};

/* Check/create state_dir and its three sub-directories (root, 0700).
 * If create is zero, missing directories are PVA_ERR_NOTFOUND. */
enum pva_rc pva_store_open(struct pva_store *st, const char *state_dir,
			   const struct pva_hostkey *key, int create) PVA_WUR;

/* Path of user's file in sub-directory sub ("state", "phones", "locks")
 * with optional suffix.  PVA_ERR_INVAL for a
 * user name that is empty, over 128 bytes or holds control characters. */
enum pva_rc pva_store_path(const struct pva_store *st, const char *sub,
			   const char *user, const char *suffix, char *out,
			   size_t outlen) PVA_WUR;

/* MAC-sealed record text: out = body + "mac=<hex>\n" (NUL-terminated,
 * *outused bytes without the NUL).  The MAC binds sub and user, so the
 * record verifies only as user's record in sub.  body must be empty or end
 * in '\n' and must not overlap out. */
enum pva_rc pva_store_seal(const struct pva_store *st, const char *sub,
			   const char *user, const char *body, char *out,
			   size_t outlen, size_t *outused) PVA_WUR;

/* Verify the final "mac=" line of a sealed record of user in sub; on
 * success *bodylen is the length of the part it covers.  PVA_ERR_CORRUPT
 * otherwise (comparison in constant time). */
enum pva_rc pva_store_unseal(const struct pva_store *st, const char *sub,
			     const char *user, const char *rec, size_t len,
			     size_t *bodylen) PVA_WUR;

/* Read and verify user's record in sub.  *body (plain malloc, NUL-
 * terminated, *len bytes) is the verified body; the caller wipes and frees
 * it.  PVA_ERR_NOTFOUND when there is no record, PVA_ERR_PERM when the
 * file is not root-owned 0600, PVA_ERR_CORRUPT when it fails its check. */
enum pva_rc pva_store_read(const struct pva_store *st, const char *sub,
			   const char *user, char **body, size_t *len) PVA_WUR;

/* Seal body as user's record in sub and atomically replace the file. */
enum pva_rc pva_store_write(const struct pva_store *st, const char *sub,
			    const char *user, const char *body) PVA_WUR;

/* Remove user's record in sub (PVA_OK if there was none). */
enum pva_rc pva_store_remove(const struct pva_store *st, const char *sub,
			     const char *user) PVA_WUR;

/* Take an exclusive flock on the file sub/<name><suffix> (created 0600
 * when missing, kept afterwards), waiting up to timeout_ms (0: one try):
 * PVA_ERR_BUSY when it stays taken.  Once locked, the file is checked to
 * still be the one at its path (dev and inode); if it was unlinked or
 * replaced meanwhile (purge removes unused lock files while holding
 * them) it is reopened and locked again.  *fd is the lock, released by
 * pva_store_unlock(). */
enum pva_rc pva_store_lock(const struct pva_store *st, const char *sub,
			   const char *name, const char *suffix, unsigned timeout_ms,
			   int *fd) PVA_WUR;
void pva_store_unlock(int fd);

/* Send histories: arrays of times, oldest first, at most max entries.
 * Add now (in time order; the oldest entry goes when full). */
void pva_times_add(time_t *t, size_t *n, size_t max, time_t now);

/* Entries inside the window (now - window, now]. */
size_t pva_times_within(const time_t *t, size_t n, time_t now, time_t window);

/* When the window will hold fewer than limit entries (no later sends
 * assumed): now when it already does. */
time_t pva_times_free_at(const time_t *t, size_t n, time_t now, time_t window,
			 unsigned limit);

/* Drop the entries older than the window. */
void pva_times_purge(time_t *t, size_t *n, time_t now, time_t window);

/* Parse "t1,t2,..." (canonical decimal times, at most max) into t, *n;
 * the empty string is no entry.  PVA_ERR_CORRUPT otherwise. */
enum pva_rc pva_times_parse(const char *s, size_t len, time_t *t, size_t *n,
			    size_t max) PVA_WUR;

/* Helpers for the record parsers (state.c, phones.c, counters.c). */

/* One "key=value" line; key and val point into the body, not terminated. */
struct pva_store_line {
	const char *key;
	size_t keylen;
	const char *val;
	size_t vallen;
};

/* The line at body[*pos..len), *pos advanced past it.  PVA_ERR_NOTFOUND
 * at the end, PVA_ERR_CORRUPT for a line without '\n', without '=', with
 * a key outside [a-z_] or with a NUL or control character. */
enum pva_rc pva_store_next_line(const char *body, size_t len, size_t *pos,
				struct pva_store_line *ln) PVA_WUR;

/* Append printf output to buf (len bytes) at *pos: the record writers'
 * builder.  PVA_ERR_INVAL when it does not fit. */
enum pva_rc pva_store_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5))) PVA_WUR;

/* One known key of a record and its flag bit. */
struct pva_store_key {
	const char *key;
	unsigned bit;
};

/* The bit of ln's key among keys[0..n), added to *seen; 0 when the key is
 * unknown or was seen before (the record is then corrupt). */
unsigned pva_store_key_bit(const struct pva_store_line *ln, const struct pva_store_key *keys,
			   size_t n, unsigned *seen);

/* Non-zero when ln is key=val exactly (val NULL: any value). */
int pva_store_line_is(const struct pva_store_line *ln, const char *key,
		      const char *val);

/* A canonical decimal number (no sign, no leading zero) of at most max.
 * PVA_ERR_CORRUPT otherwise. */
enum pva_rc pva_store_num(const char *s, size_t len, unsigned long long max,
			  unsigned long long *out) PVA_WUR;

/* Stored names of channels: "sms", "voice"; NULL for anything else. */
const char *pva_store_channel_str(enum pva_channel ch);
enum pva_rc pva_store_channel_parse(const char *s, size_t len,
				    enum pva_channel *out) PVA_WUR;

/* PVA_OK for a user name of 1..128 bytes without control characters. */
enum pva_rc pva_store_user_check(const char *user, size_t len) PVA_WUR;

#endif
