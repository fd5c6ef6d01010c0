/* regfx.h - TEST ONLY: a fixture for cmocka unit tests that create
 * providers through the registry (pva_provider_create).
 *
 * A temp directory, a parsed libconfig text and one struct pva_provider.
 * A test file may embed struct regfx as the FIRST member of a larger
 * fixture (regfx_new takes the size) so that regfx_teardown frees it.
 */
#ifndef PVA_REGFX_H
#define PVA_REGFX_H

#include <stddef.h>

#include <libconfig.h>

#include "delivery/provider.h"

struct regfx {
	char dir[64];          /* the temp dir */
	char err[512];         /* the config error, if any */
	config_t cfg;
	int have_cfg;
	struct pva_provider p;
};

/* Allocate `size` zeroed bytes (at least a struct regfx, which starts
 * them) and make the directory /tmp/pva-<tag>-XXXXXX.  NULL on failure. */
void *regfx_new(size_t size, const char *tag);

/* Destroy the provider and the parsed configuration, if any. */
void regfx_drop(struct regfx *f);

/* cmocka teardown: drop, remove the directory, free the fixture. */
int regfx_teardown(void **state);

/* Drop, then parse text into f->cfg; a parse error fails the test. */
void regfx_parse(struct regfx *f, const char *text);

/* Clear f->err and create f->p from grp, with errors reported against
 * file name `file`.  Returns create()'s result. */
enum pva_rc regfx_create(struct regfx *f, const char *file, const config_setting_t *grp);

#endif
