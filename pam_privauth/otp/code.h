/* code.h - one-time codes: generation, keyed hash, constant-time check.
 *
 * SECRET: a code buffer must be wiped with sodium_memzero after use.  Only
 * the keyed hash is ever stored; it binds the code to user and service so
 * a code issued for one can never be accepted for the other.
 */
#ifndef PVA_CODE_H
#define PVA_CODE_H

#include <stddef.h>

#include "core/rc.h"

#define PVA_CODE_MIN 6
#define PVA_CODE_MAX 10
#define PVA_CODE_HASH_BYTES 32

/* Fill out (len+1 bytes) with len uniformly random decimal digits
 * (randombytes_uniform: no modulo bias) and a NUL. */
enum pva_rc pva_code_generate(size_t len, char *out, size_t outlen) PVA_WUR;

/* Keyed BLAKE2b-256 of (user, service, code) with the host's code key. */
enum pva_rc pva_code_hash(const unsigned char *key, const char *user,
			  const char *service, const char *code,
			  unsigned char out[PVA_CODE_HASH_BYTES]) PVA_WUR;

/* PVA_OK when `answer` hashes to `stored` (constant-time comparison),
 * PVA_DENIED otherwise.  Answers of the wrong shape are hashed too, so
 * timing does not reveal the expected length. */
enum pva_rc pva_code_verify(const unsigned char *key, const char *user,
			    const char *service, const char *answer,
			    const unsigned char stored[PVA_CODE_HASH_BYTES]) PVA_WUR;

#endif
