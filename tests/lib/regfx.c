/* regfx.c - TEST ONLY: registry unit-test fixture (see regfx.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "regfx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void *regfx_new(size_t size, const char *tag)
{
	struct regfx *f;

	if (size < sizeof(*f))
		return NULL;
	f = calloc(1, size);
	if (f == NULL)
		return NULL;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pva-%s-XXXXXX", tag);
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

void regfx_drop(struct regfx *f)
{
	pva_provider_destroy(&f->p);
	if (f->have_cfg)
		config_destroy(&f->cfg);
	f->have_cfg = 0;
}

int regfx_teardown(void **state)
{
	struct regfx *f = *state;
	char cmd[128];

	regfx_drop(f);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cleanup of %s failed\n", f->dir);
	free(f);
	return 0;
}

void regfx_parse(struct regfx *f, const char *text)
{
	regfx_drop(f);
	config_init(&f->cfg);
	f->have_cfg = 1;
	if (!config_read_string(&f->cfg, text))
		fail_msg("libconfig: %s line %d", config_error_text(&f->cfg),
			 config_error_line(&f->cfg));
}

enum pva_rc regfx_create(struct regfx *f, const char *file, const config_setting_t *grp)
{
	struct pva_cfgread rd = { file, f->err, sizeof(f->err), 0, NULL };

	f->err[0] = '\0';
	return pva_provider_create(&rd, grp, &f->p);
}
