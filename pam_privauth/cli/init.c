/* init.c - privauthctl init: create the state directory and the host key
 * when they are missing (package install scripts, first setup).  Running
 * it again changes nothing: an existing key is checked, never replaced. */
#include <stdio.h>

#include "cli/cli.h"

int pva_cli_init(struct pva_cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return 2;
	if (pva_cli_open_store(cli, 1) != 0)
		return 1;
	printf("host key: %s\nstate directory: %s\n", cli->cfg->host_key,
	       cli->cfg->state_dir);
	return 0;
}
