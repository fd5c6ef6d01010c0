/* testenv.h - temporary directories and configurations for unit tests. */
#ifndef PVA_TESTENV_H
#define PVA_TESTENV_H

#include <limits.h>
#include <stddef.h>

#include "core/config.h"

struct testenv {
	char dir[PATH_MAX];     /* temp root */
	char state[PATH_MAX];   /* dir/state */
	char spool[PATH_MAX];   /* dir/spool */
	char conf[PATH_MAX];    /* dir/privauth.conf */
	struct pva_config *cfg;
};

/* Make the dirs, write a config of globals + `extra` (a libconfig text
 * with providers/defaults/services; "%SPOOL%" and "%DIR%" are replaced)
 * and load it.  Returns 0 on success. */
int testenv_setup(struct testenv *e, const char *extra);
void testenv_teardown(struct testenv *e);

/* Write text to path with mode; returns 0 on success. */
int testenv_write(const char *path, const char *text, unsigned mode);

/* The code in the newest spool file (first run of 6..10 digits after the
 * blank line); nth = 0 newest, 1 the one before.  Returns 0 on success. */
int testenv_spool_code(const struct testenv *e, size_t nth, char *code, size_t len);

/* Number of messages in the spool. */
size_t testenv_spool_count(const struct testenv *e);

#endif
