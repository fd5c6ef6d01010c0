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

/* Load the configuration, host key and store (verbs.c); 0 on success,
 * otherwise the error was printed and 1 is the exit status. */
int pva_cli_open_store(struct pva_cli *cli, int create);

/* send-test USER [--channel sms|voice] [--service NAME] (sendtest.c). */
int pva_cli_send_test(struct pva_cli *cli, int argc, char **argv);

/* check-password [--user USER] [--service NAME] [--batch] (checkpw.c):
 * 0 accepted, 1 refused or error, 2 bad arguments. */
int pva_cli_check_password(struct pva_cli *cli, int argc, char **argv);

/* init (init.c): create the state directory and host key if missing. */
int pva_cli_init(struct pva_cli *cli, int argc, char **argv);

/* remind [--dry-run] [--service NAME] (remind.c): password reminders to
 * every enrolled user who is due; 0 when every send succeeded. */
int pva_cli_remind(struct pva_cli *cli, int argc, char **argv);

/* privacy_verbs.c: consent show|revoke USER, backup-codes USER [--count],
 * export USER [--full], forget USER, purge [--dry-run]. */
int pva_cli_consent(struct pva_cli *cli, int argc, char **argv);
int pva_cli_backup_codes(struct pva_cli *cli, int argc, char **argv);
int pva_cli_export(struct pva_cli *cli, int argc, char **argv);
int pva_cli_forget(struct pva_cli *cli, int argc, char **argv);
int pva_cli_purge(struct pva_cli *cli, int argc, char **argv);

#endif
