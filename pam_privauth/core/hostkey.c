/* hostkey.c - load or create the host key, derive its subkeys. */
#include "core/hostkey.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/secfile.h"

static const char kdf_ctx[crypto_kdf_CONTEXTBYTES] = { 'p', 'r', 'i', 'v',
						       'a', 'u', 't', 'h' };

enum pva_rc pva_hostkey_from_bytes(const unsigned char raw[PVA_KEY_BYTES],
				   struct pva_hostkey **out)
{
	struct pva_hostkey *k;

	*out = NULL;
	if (sodium_init() < 0)
		return PVA_ERR_IO;
	k = sodium_malloc(sizeof(*k));
	if (k == NULL)
		return PVA_ERR_NOMEM;
	k->code_key = sodium_malloc(PVA_KEY_BYTES);
	k->mac_key = sodium_malloc(PVA_KEY_BYTES);
	if (k->code_key == NULL || k->mac_key == NULL) {
		pva_hostkey_free(k);
		return PVA_ERR_NOMEM;
	}
	crypto_kdf_derive_from_key(k->code_key, PVA_KEY_BYTES, 1, kdf_ctx, raw);
	crypto_kdf_derive_from_key(k->mac_key, PVA_KEY_BYTES, 2, kdf_ctx, raw);
	*out = k;
	return PVA_OK;
}

/* The default key lives in state_dir, which does not exist before the
 * first login: make a missing parent directory (root, 0700). */
static enum pva_rc ensure_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat sb;

	if (slash == NULL || slash == path || (size_t)(slash - path) >= sizeof(dir))
		return PVA_OK;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (stat(dir, &sb) == 0 || errno != ENOENT)
		return PVA_OK; /* an existing directory is used as it is */
	return pva_secdir_ensure(dir);
}

static enum pva_rc create_key(const char *path)
{
	unsigned char raw[PVA_KEY_BYTES];
	enum pva_rc rc;

	rc = ensure_parent(path);
	if (rc != PVA_OK)
		return rc;
	randombytes_buf(raw, sizeof(raw));
	rc = pva_secfile_create(path, raw, sizeof(raw), 0600);
	sodium_memzero(raw, sizeof(raw));
	return rc == PVA_ERR_BUSY ? PVA_OK : rc; /* someone else won the race */
}

enum pva_rc pva_hostkey_load(const char *path, int create, struct pva_hostkey **out)
{
	char *buf = NULL;
	size_t len = 0;
	enum pva_rc rc;

	*out = NULL;
	if (sodium_init() < 0)
		return PVA_ERR_IO;
	rc = pva_secfile_read(path, PVA_SECFILE_PRIVATE, 4096, &buf, &len);
	if (rc == PVA_ERR_NOTFOUND && create) {
		rc = create_key(path);
		if (rc == PVA_OK)
			rc = pva_secfile_read(path, PVA_SECFILE_PRIVATE, 4096, &buf, &len);
	}
	if (rc == PVA_ERR_INVAL) /* larger than the cap: not a key file */
		rc = PVA_ERR_CORRUPT;
	if (rc != PVA_OK)
		goto out;
	if (len != PVA_KEY_BYTES) {
		rc = PVA_ERR_CORRUPT;
		goto out;
	}
	rc = pva_hostkey_from_bytes((const unsigned char *)buf, out);
out:
	if (buf) {
		sodium_memzero(buf, len);
		free(buf);
	}
	return rc;
}

void pva_hostkey_free(struct pva_hostkey *k)
{
	if (k == NULL)
		return;
	sodium_free(k->code_key);
	sodium_free(k->mac_key);
	sodium_free(k);
}
