/* hostkey.h - the root-only host key and the subkeys derived from it.
 *
 * The host key file holds 32 random bytes (root, 0600).  It is created on
 * first use if missing (atomically; concurrent creators agree on one key).
 * Two independent subkeys are derived with crypto_kdf: one keys the hash
 * of one-time codes, one authenticates stored records.
 *
 * SECRET: both subkeys live in sodium_malloc'd memory, wiped and freed by
 * pva_hostkey_free().
 */
#ifndef PVA_HOSTKEY_H
#define PVA_HOSTKEY_H

#include "core/rc.h"

#define PVA_KEY_BYTES 32

struct pva_hostkey {
	unsigned char *code_key;  /* keys the hash of codes */
	unsigned char *mac_key;   /* authenticates state and phone records */
};

/* Load path (creating it when create is non-zero and it is missing) into
 * a new *out.  PVA_ERR_PERM if the file is not root-owned 0600,
 * PVA_ERR_CORRUPT if it does not hold exactly 32 bytes. */
enum pva_rc pva_hostkey_load(const char *path, int create,
			     struct pva_hostkey **out) PVA_WUR;

/* Derive a key pair from 32 raw bytes (tests, fuzzers). */
enum pva_rc pva_hostkey_from_bytes(const unsigned char raw[PVA_KEY_BYTES],
				   struct pva_hostkey **out) PVA_WUR;

/* Wipe and free; NULL is fine. */
void pva_hostkey_free(struct pva_hostkey *k);

#endif
