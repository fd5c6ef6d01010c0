/* storefx.c - TEST ONLY: store unit-test fixture (see storefx.h). */
#define _GNU_SOURCE
#include "storefx.h"

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#pragma GCC diagnostic ignored "-Wformat-truncation"

int storefx_setup(void **state, const char *tag)
{
	struct storefx *f = calloc(1, sizeof(*f));
	unsigned char raw[PVA_KEY_BYTES];
	char dir[128];

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/pva-%s-XXXXXX", tag);
	if (mkdtemp(f->root) == NULL)
		goto fail;
	snprintf(dir, sizeof(dir), "%s/sd", f->root);
	randombytes_buf(raw, sizeof(raw));
	if (pva_hostkey_from_bytes(raw, &f->key) != PVA_OK ||
	    pva_store_open(&f->st, dir, f->key, 1) != PVA_OK)
		goto fail;
	*state = f;
	return 0;
fail:
	pva_hostkey_free(f->key);
	free(f);
	return -1;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int storefx_teardown(void **state)
{
	struct storefx *f = *state;

	nftw(f->root, rm_one, 64, FTW_DEPTH | FTW_PHYS);
	pva_hostkey_free(f->key);
	free(f);
	return 0;
}

void storefx_put_raw(const char *path, const char *data, size_t len)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}
