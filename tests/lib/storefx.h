/* storefx.h - TEST ONLY: a store fixture for cmocka unit tests of the
 * store/ files.
 *
 * A temp directory /tmp/pva-<tag>-XXXXXX with a store opened (created)
 * in <root>/sd under a fresh random host key.
 */
#ifndef PVA_STOREFX_H
#define PVA_STOREFX_H

#include <stddef.h>

#include "core/hostkey.h"
#include "store/store.h"

struct storefx {
	char root[64];
	struct pva_hostkey *key;
	struct pva_store st;
};

/* cmocka setup: allocate a storefx into *state.  0 on success. */
int storefx_setup(void **state, const char *tag);

/* cmocka teardown: remove the directory tree, free the key. */
int storefx_teardown(void **state);

/* Replace the file at path with a new one (0600) holding data; a failure
 * fails the test. */
void storefx_put_raw(const char *path, const char *data, size_t len);

#endif
