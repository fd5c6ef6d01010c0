/* store.h - the on-disk layout under state_dir.
 *
 *   state_dir/            0700 root
 *   state_dir/state/      per-user login state records and their lock files
 *   state_dir/phones/     the admin-controlled phone directory
 *
 * One file per user in each, named by pva_secfile_name(user), so a lookup
 * is one open() whatever the number of users.  Records are text, versioned,
 * and authenticated with the host key's MAC subkey: a truncated, edited or
 * unparsable record is PVA_ERR_CORRUPT and the caller fails closed.
 */
#ifndef PVA_STORE_H
#define PVA_STORE_H

#include <limits.h>

#include "core/hostkey.h"
#include "core/rc.h"

#define PVA_USER_MAX 129   /* user names up to 128 bytes */

struct pva_store {
	char dir[PATH_MAX];               /* state_dir */
	const struct pva_hostkey *key;    /* borrowed; outlives the store */
};

/* Check/create state_dir and its two sub-directories (root, 0700).
 * If create is zero, missing directories are PVA_ERR_NOTFOUND. */
enum pva_rc pva_store_open(struct pva_store *st, const char *state_dir,
			   const struct pva_hostkey *key, int create) PVA_WUR;

/* Path of user's file in sub-directory sub ("state", "phones") with
 * optional suffix (".lock"). */
enum pva_rc pva_store_path(const struct pva_store *st, const char *sub,
			   const char *user, const char *suffix, char *out,
			   size_t outlen) PVA_WUR;

/* MAC-sealed record text: append "mac=<hex>\n" over body[0..len). */
enum pva_rc pva_store_seal(const struct pva_store *st, const char *body,
			   char *out, size_t outlen, size_t *outused) PVA_WUR;

/* Verify the final "mac=" line of a sealed record; on success *bodylen is
 * the length of the part it covers.  PVA_ERR_CORRUPT otherwise. */
enum pva_rc pva_store_unseal(const struct pva_store *st, const char *rec,
			     size_t len, size_t *bodylen) PVA_WUR;

#endif
