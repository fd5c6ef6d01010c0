/* cli.h - privauthctl verbs, each a small function over the library. */
#ifndef PVA_CLI_H
#define PVA_CLI_H

#include "core/config.h"
#include "core/hostkey.h"
#include "store/store.h"

struct pva_cli {
	const char *conf;
	struct pva_config *cfg;
	struct pva_hostkey *key;
	struct pva_store store;
};

/* Run the verb in argv[0]; returns the process exit status. */
int pva_cli_dispatch(struct pva_cli *cli, int argc, char **argv);

#endif
