/* secrets.h - provider credentials, kept out of the main configuration.
 *
 * The main config names the file with the top-level key `secrets_file`.
 * The file (libconfig syntax, root-owned, mode 0600 or stricter: refused
 * otherwise) holds one group per provider name:
 *
 *     twilio_main = { account_sid = "AC..."; auth_token = "..."; };
 *     tencent_cn  = { secret_id = "AKID..."; secret_key = "..."; };
 *
 * SECRET: values live in sodium_malloc'd memory and are wiped by
 * pva_secrets_free().  Never log them or put them in argv or URLs.
 */
#ifndef PVA_SECRETS_H
#define PVA_SECRETS_H

#include <stddef.h>

#include "core/rc.h"

struct pva_secrets;

/* Load path.  Errors name file:line and key in err.  PVA_ERR_PERM when the
 * file is not root-owned 0600. */
enum pva_rc pva_secrets_load(const char *path, struct pva_secrets **out,
			     char *err, size_t errlen) PVA_WUR;

/* The value of provider.key, or NULL.  Borrowed: valid until free. */
const char *pva_secrets_get(const struct pva_secrets *s, const char *provider,
			    const char *key);

void pva_secrets_free(struct pva_secrets *s);

#endif
