/* code.c - generate, hash and verify one-time codes. */
#include "otp/code.h"

#include <string.h>

#include <sodium.h>

#include "core/hostkey.h"

enum pva_rc pva_code_generate(size_t len, char *out, size_t outlen)
{
	size_t i;

	if (len < PVA_CODE_MIN || len > PVA_CODE_MAX || outlen < len + 1)
		return PVA_ERR_INVAL;
	if (sodium_init() < 0)
		return PVA_ERR_IO;
	for (i = 0; i < len; i++)
		out[i] = (char)('0' + randombytes_uniform(10));
	out[len] = '\0';
	return PVA_OK;
}

enum pva_rc pva_code_hash(const unsigned char *key, const char *user,
			  const char *service, const char *code,
			  unsigned char out[PVA_CODE_HASH_BYTES])
{
	static const char domain[] = "pam_privauth code v1";
	crypto_generichash_state st;

	if (crypto_generichash_init(&st, key, PVA_KEY_BYTES, PVA_CODE_HASH_BYTES) != 0)
		return PVA_ERR_IO;
	/* each field is NUL-terminated, so no two tuples hash alike */
	crypto_generichash_update(&st, (const unsigned char *)domain, sizeof(domain));
	crypto_generichash_update(&st, (const unsigned char *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const unsigned char *)service, strlen(service) + 1);
	crypto_generichash_update(&st, (const unsigned char *)code, strlen(code) + 1);
	crypto_generichash_final(&st, out, PVA_CODE_HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
	return PVA_OK;
}

enum pva_rc pva_code_verify(const unsigned char *key, const char *user,
			    const char *service, const char *answer,
			    const unsigned char stored[PVA_CODE_HASH_BYTES])
{
	unsigned char h[PVA_CODE_HASH_BYTES];
	enum pva_rc rc;

	rc = pva_code_hash(key, user, service, answer, h);
	if (rc == PVA_OK)
		rc = crypto_verify_32(h, stored) == 0 ? PVA_OK : PVA_DENIED;
	sodium_memzero(h, sizeof(h));
	return rc;
}
