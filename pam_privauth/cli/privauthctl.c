/* privauthctl - administer pam_privauth: configuration check, the phone
 * directory, login state.  Shares the library with the module. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: privauthctl [--conf PATH] COMMAND [ARGS]\n"
		"\n"
		"  init                            create the state directory and host\n"
		"                                  key if missing (never replaces a key)\n"
		"  check-config [--service NAME]   validate, print effective settings\n"
		"  user set USER --phone +E164|- [--channel sms|voice] [--lang en|zh_CN]\n"
		"                                  (\"-\": read the number from stdin;\n"
		"                                  without --phone: change channel or\n"
		"                                  language; --lang auto: no preference)\n"
		"  user show USER                  enrolment, number masked\n"
		"  user del USER                   remove the number\n"
		"  status USER                     pending code, attempts, sends, lockout\n"
		"  reset USER                      clear failures and lockout\n"
		"  send-test USER [--channel sms|voice] [--service NAME] [--lang en|zh_CN]\n"
		"                                  send a test message through the route\n"
		"                                  of USER's number, print every attempt\n"
		"                                  (counts against the send limits)\n"
		"  check-password [--user USER] [--service NAME] [--batch]\n"
		"                                  check passwords from stdin against the\n"
		"                                  policy: \"accepted\" or every reason\n"
		"  remind [--dry-run] [--service NAME]\n"
		"                                  remind enrolled users whose password\n"
		"                                  is remind_after_days old (sms or\n"
		"                                  email); --dry-run: list, send nothing\n"
		"  consent show USER               agreements to the privacy notice\n"
		"  consent revoke USER             forget them (asked again at login)\n"
		"  backup-codes USER [--count]     print 10 new single-use codes (the\n"
		"                                  old ones stop working); --count: left\n"
		"  export USER [--full]            everything stored about USER as JSON\n"
		"                                  (number masked unless --full)\n"
		"  forget USER                     erase number, state, consent, grace,\n"
		"                                  backup codes, reminder and lock file\n"
		"  purge [--dry-run]               drop what has outlived its use, for\n"
		"                                  every user (daily, from a timer)\n"
		"\n"
		"Default configuration: %s\n", PVA_DEFAULT_CONF);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pva_cli cli;
	int c;

	memset(&cli, 0, sizeof(cli));
	cli.conf = PVA_DEFAULT_CONF;
	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		if (c == 'c') {
			cli.conf = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "privauthctl: libsodium failed to initialise\n");
		return 1;
	}
	return pva_cli_dispatch(&cli, argc - optind, argv + optind);
}
