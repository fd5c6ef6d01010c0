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
		"  check-config [--service NAME]   validate, print effective settings\n"
		"  user set USER --phone +E164|- [--channel sms|voice]\n"
		"                                  (\"-\": read the number from stdin)\n"
		"  user show USER                  enrolment, number masked\n"
		"  user del USER                   remove the number\n"
		"  status USER                     pending code, attempts, sends, lockout\n"
		"  reset USER                      clear failures and lockout\n"
		"  send-test USER [--channel sms|voice] [--service NAME]\n"
		"                                  send a test message through the route\n"
		"                                  of USER's number, print every attempt\n"
		"                                  (counts against the send limits)\n"
		"  check-password [--user USER] [--service NAME] [--batch]\n"
		"                                  check passwords from stdin against the\n"
		"                                  policy: \"accepted\" or every reason\n"
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
