/* test_config.c - configuration parsing, validation and file checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "../lib/testenv.h"

static char err[512];

static struct pva_config *parse_ok(const char *text)
{
	struct pva_config *cfg = NULL;

	err[0] = '\0';
	if (pva_config_parse(text, "t.conf", &cfg, err, sizeof(err)) != PVA_OK)
		fail_msg("unexpected error: %s", err);
	return cfg;
}

/* The text must fail with an error naming want (e.g. "t.conf:3: code_ttl"). */
static void parse_bad(const char *text, const char *want)
{
	struct pva_config *cfg = NULL;
	enum pva_rc rc = pva_config_parse(text, "t.conf", &cfg, err, sizeof(err));

	assert_int_equal(rc, PVA_ERR_CONFIG);
	assert_null(cfg);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

static void test_defaults(void **state)
{
	struct pva_config *cfg = parse_ok("");
	const struct pva_settings *s = pva_config_service(cfg, "sshd");

	(void)state;
	assert_ptr_equal(s, &cfg->defaults);
	assert_int_equal(s->code_length, 6);
	assert_int_equal(s->code_ttl, 300);
	assert_int_equal(s->max_attempts, 3);
	assert_int_equal(s->resend_cooldown, 30);
	assert_int_equal(s->max_sends_per_hour, 5);
	assert_int_equal(s->lockout_after, 5);
	assert_int_equal(s->lockout_time, 900);
	assert_int_equal(s->n_channels, 1);
	assert_int_equal(s->channels[0], PVA_CH_SMS);
	assert_int_equal(s->failmode, PVA_FAILMODE_SECURE);
	assert_int_equal(s->unenrolled, PVA_UNENROLLED_DENY);
	assert_string_equal(cfg->state_dir, "/var/lib/privauth");
	assert_string_equal(cfg->host_key, "/var/lib/privauth/host.key");
	/* the embedded spool provider is the default route */
	assert_int_equal(s->n_providers, 1);
	assert_string_equal(s->providers[0]->name, "spool");
	assert_non_null(strstr(s->message, "{code}"));
	assert_non_null(strstr(s->message, "Never share"));
	pva_config_free(cfg);
}

static void test_service_override(void **state)
{
	struct pva_config *cfg = parse_ok(
		"defaults = { code_ttl = 120; max_attempts = 4; };\n"
		"services = { sshd = { code_ttl = 600; channels = [\"sms\", \"voice\"]; };\n"
		"             login = { failmode = \"safe\"; }; };\n");
	const struct pva_settings *sshd = pva_config_service(cfg, "sshd");
	const struct pva_settings *login = pva_config_service(cfg, "login");
	const struct pva_settings *other = pva_config_service(cfg, "sudo");

	(void)state;
	assert_string_equal(sshd->service, "sshd");
	assert_int_equal(sshd->code_ttl, 600);
	assert_int_equal(sshd->max_attempts, 4);      /* inherited */
	assert_int_equal(sshd->n_channels, 2);
	assert_int_equal(sshd->channels[1], PVA_CH_VOICE);
	assert_int_equal(login->code_ttl, 120);
	assert_int_equal(login->failmode, PVA_FAILMODE_SAFE);
	assert_int_equal(other->code_ttl, 120);
	assert_int_equal(other->failmode, PVA_FAILMODE_SECURE);
	pva_config_free(cfg);
}

static void test_globals(void **state)
{
	struct pva_config *cfg = parse_ok("state_dir = \"/srv/pa\";\nhostname = \"bastion\";\n");

	(void)state;
	assert_string_equal(cfg->state_dir, "/srv/pa");
	assert_string_equal(cfg->host_key, "/srv/pa/host.key");
	assert_string_equal(cfg->hostname, "bastion");
	pva_config_free(cfg);
}

static void test_errors_name_file_line_key(void **state)
{
	(void)state;
	parse_bad("a = 1;\nb = ;\n", "t.conf:2: syntax");
	parse_bad("\n\nbogus = 1;\n", "t.conf:3: bogus: unknown key");
	parse_bad("defaults = {\n  code_ttl = \"x\";\n};\n", "t.conf:2: code_ttl: expected an integer");
	parse_bad("defaults = {\n  code_length = 5;\n};\n", "t.conf:2: code_length: 5 is out of range 6..10");
	parse_bad("defaults = { code_length = 11; };\n", "code_length: 11 is out of range");
	parse_bad("defaults = { code_ttl = 9; };\n", "code_ttl: 9 is out of range 10..3600");
	parse_bad("defaults = { max_attempts = 0; };\n", "max_attempts: 0 is out of range");
	parse_bad("defaults = { max_sends_per_hour = 1000; };\n", "max_sends_per_hour");
	parse_bad("defaults = {\n\n failmode = \"open\";\n};\n",
		  "t.conf:3: failmode: \"open\" is not one of \"secure\", \"safe\"");
	parse_bad("defaults = { unenrolled = \"maybe\"; };\n", "unenrolled: \"maybe\" is not one of");
	parse_bad("defaults = { channels = [\"fax\"]; };\n", "channels: \"fax\" is not \"sms\" or \"voice\"");
	parse_bad("defaults = { channels = []; };\n", "channels: needs at least one");
	parse_bad("defaults = { channels = [\"sms\", \"sms\"]; };\n", "listed twice");
	parse_bad("defaults = { channels = \"sms\"; };\n", "channels: expected a list");
	parse_bad("defaults = { providers = [\"nope\"]; };\n", "providers: no provider named \"nope\"");
	parse_bad("defaults = { message = \"hello\"; };\n", "message: must contain {code}");
	parse_bad("defaults = { message = \"{code} {user}\"; };\n", "message: unknown placeholder");
	parse_bad("defaults = { message = \"{code} }\"; };\n", "message: stray '}'");
	parse_bad("defaults = { message = \"\"; };\n", "message: must not be empty");
	parse_bad("defaults = { lockout_time = 900; lockout_max = 600; };\n",
		  "lockout_max: 600 is below lockout_time 900");
	parse_bad("services = {\n sshd = {\n   colde_ttl = 5;\n };\n};\n",
		  "t.conf:3: colde_ttl: unknown key");
	parse_bad("services = { sshd = 5; };\n", "sshd: expected a group");
	parse_bad("services = 5;\n", "services: expected a group");
	parse_bad("state_dir = \"relative\";\n", "state_dir: must be an absolute path");
	parse_bad("host_key = \"k\";\n", "host_key: must be an absolute path");
	parse_bad("providers = { x = { type = \"carrier-pigeon\"; }; };\n", "type");
	parse_bad("providers = 3;\n", "providers: expected a group");
}

static void test_channel_needs_capable_provider(void **state)
{
	(void)state;
	parse_bad("providers = { smsonly = { type = \"spool\"; dir = \"/tmp\"; channels = [\"sms\"]; }; };\n"
		  "defaults = { providers = [\"smsonly\"]; channels = [\"sms\", \"voice\"]; };\n",
		  "providers: no listed provider can deliver by voice");
}

static void test_templates_must_fit_at_worst(void **state)
{
	char big[700];

	(void)state;
	/* 20 x {code} spoken as "0, 1, ... 9" (28 bytes) cannot fit 640 bytes */
	strcpy(big, "defaults = { voice_message = \"");
	for (int i = 0; i < 25; i++)
		strcat(big, "{code}");
	strcat(big, "\"; };\n");
	parse_bad(big, "voice_message: can expand beyond 639 bytes");
}

static void test_service_lookup_and_decoy_country(void **state)
{
	struct pva_config *cfg = parse_ok("decoy_country = \"44\";\n"
					  "services = { sshd = { code_ttl = 60; }; };\n");

	(void)state;
	assert_string_equal(cfg->decoy_country, "44");
	/* Linux-PAM lower-cases service names; a service= argument may not */
	assert_int_equal(pva_config_service(cfg, "SSHD")->code_ttl, 60);
	pva_config_free(cfg);
	parse_bad("decoy_country = \"+86\";\n", "decoy_country: expected a calling code");
	parse_bad("secrets_file = \"rel\";\n", "secrets_file: must be an absolute path");
	parse_bad("secrets_file = \"/nonexistent/secrets\";\n", "secrets_file: /nonexistent/secrets: not found");
}

/* The shipped, commented example must load as it is. */
static void test_shipped_example_loads(void **state)
{
	const char *src = getenv("PVA_SRCDIR");
	char path[PATH_MAX], *text;
	struct pva_config *cfg = NULL;
	FILE *fp;
	long n;

	(void)state;
	snprintf(path, sizeof(path), "%s/conf/privauth.conf", src ? src : ".");
	fp = fopen(path, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	if (pva_config_parse(text, path, &cfg, err, sizeof(err)) != PVA_OK)
		fail_msg("%s", err);
	assert_int_equal(pva_config_service(cfg, "passwd")->policy.min_length, 14);
	assert_int_equal(pva_config_service(cfg, "login")->code_ttl, 120);
	pva_config_free(cfg);
	free(text);
}

static void test_dump(void **state)
{
	struct pva_config *cfg = parse_ok("services = { sshd = { code_ttl = 600; }; };\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	pva_config_dump(cfg, pva_config_service(cfg, "sshd"), fp);
	fclose(fp);
	assert_non_null(strstr(buf, "code_ttl = 600;"));
	assert_non_null(strstr(buf, "providers = [\"spool\"];"));
	assert_non_null(strstr(buf, "failmode = \"secure\";"));
	free(buf);
	pva_config_free(cfg);
}

/* ---- routing and limits ---------------------------------------------- */

#define PROVS \
	"providers = {\n" \
	"  a = { type = \"spool\"; dir = \"/nonexistent/a\"; };\n" \
	"  b = { type = \"spool\"; dir = \"/nonexistent/b\"; };\n" \
	"  smsonly = { type = \"spool\"; dir = \"/nonexistent/c\"; channels = [\"sms\"]; };\n" \
	"};\n"

static void test_limit_defaults(void **state)
{
	struct pva_config *cfg = parse_ok("services = { sshd = { max_sends_per_hour = 50; };\n"
					  "  su = { max_sends_per_day = 7; number_max_per_hour = 2;\n"
					  "         number_max_per_day = 9; host_max_sends_per_hour = 30; };\n"
					  "};\n");
	const struct pva_settings *d = &cfg->defaults;
	const struct pva_settings *sshd = pva_config_service(cfg, "sshd");
	const struct pva_settings *su = pva_config_service(cfg, "su");

	(void)state;
	assert_int_equal(d->n_routes, 0);
	assert_int_equal(d->voice_fallback, 0);
	assert_int_equal(d->n_allowed, 1);
	assert_string_equal(d->allowed_prefixes[0], "+86");
	assert_int_equal(d->max_sends_per_day, 20);
	assert_int_equal(d->number_max_per_hour, 5);
	assert_int_equal(d->number_max_per_day, 20);
	assert_int_equal(d->host_max_sends_per_hour, 200);
	/* unset caps follow the user's hourly cap */
	assert_int_equal(sshd->max_sends_per_day, 50);
	assert_int_equal(sshd->number_max_per_hour, 50);
	assert_int_equal(sshd->number_max_per_day, 50);
	/* set ones are kept */
	assert_int_equal(su->max_sends_per_day, 7);
	assert_int_equal(su->number_max_per_hour, 2);
	assert_int_equal(su->number_max_per_day, 9);
	assert_int_equal(su->host_max_sends_per_hour, 30);
	pva_config_free(cfg);
	/* the default destination follows decoy_country */
	cfg = parse_ok("decoy_country = \"44\";\n");
	assert_string_equal(cfg->defaults.allowed_prefixes[0], "+44");
	pva_config_free(cfg);
}

static void test_routes_parse_and_inherit(void **state)
{
	struct pva_config *cfg = parse_ok(PROVS
		"defaults = { channels = [\"sms\", \"voice\"]; voice_fallback = true;\n"
		"  allowed_prefixes = [\"+86\", \"+44\"];\n"
		"  routes = ( { prefix = \"+86\"; sms = [\"smsonly\", \"a\"]; voice = [\"a\"]; },\n"
		"             { prefix = \"+\"; sms = [\"b\"]; voice = [\"b\", \"a\"]; } ); };\n"
		"services = { sshd = { code_ttl = 60; };\n"
		"  login = { providers = [\"b\"]; };\n"
		"  su = { routes = (); providers = [\"a\"]; };\n"
		"  sudo = { routes = []; }; };\n");
	const struct pva_settings *d = &cfg->defaults;

	(void)state;
	assert_int_equal(d->n_routes, 2);
	assert_string_equal(d->routes[0].prefix, "+86");
	assert_int_equal(d->routes[0].n_sms, 2);
	assert_string_equal(d->routes[0].sms[0]->name, "smsonly");
	assert_string_equal(d->routes[0].voice[0]->name, "a");
	assert_int_equal(d->routes[1].n_voice, 2);
	assert_int_equal(d->voice_fallback, 1);
	assert_int_equal(d->n_allowed, 2);
	/* inherited as is */
	assert_int_equal(pva_config_service(cfg, "sshd")->n_routes, 2);
	/* a service's own providers beat inherited routes; so does "()" */
	assert_int_equal(pva_config_service(cfg, "login")->n_routes, 0);
	assert_string_equal(pva_config_service(cfg, "login")->providers[0]->name, "b");
	assert_int_equal(pva_config_service(cfg, "su")->n_routes, 0);
	assert_int_equal(pva_config_service(cfg, "sudo")->n_routes, 0);
	pva_config_free(cfg);
}

static void test_routing_errors(void **state)
{
	char big[4096];
	int i;

	(void)state;
	parse_bad(PROVS "defaults = {\n  routes = ( { prefix = \"86\"; sms = [\"a\"]; } );\n};\n",
		  "t.conf:7: prefix: \"86\" is not \"+\" followed by up to 15 digits");
	parse_bad(PROVS "defaults = { routes = ( { prefix = \"+1234567890123456\"; sms = [\"a\"]; } ); };\n",
		  "t.conf:6: prefix: longer than 16 bytes");
	parse_bad(PROVS "defaults = {\n routes = (\n  { prefix = \"+\"; sms = [\"a\", \"nope\"]; } );\n};\n",
		  "t.conf:8: sms: no provider named \"nope\"");
	parse_bad(PROVS "defaults = { channels = [\"sms\", \"voice\"];\n"
		  "  routes = ( { prefix = \"+\"; sms = [\"a\"];\n"
		  "               voice = [\"smsonly\"]; } ); };\n",
		  "t.conf:8: voice: provider smsonly cannot deliver by voice");
	parse_bad(PROVS "defaults = { routes = ( { prefix = \"+\"; sms = [\"a\", \"a\"]; } ); };\n",
		  "sms: provider a listed twice");
	parse_bad(PROVS "defaults = { routes = ( { prefix = \"+\"; sms = [\"a\"]; },\n"
		  "  { prefix = \"+\"; sms = [\"b\"]; } ); };\n",
		  "t.conf:7: routes: prefix \"+\" listed twice");
	parse_bad(PROVS "defaults = { routes = ( { sms = [\"a\"]; } ); };\n",
		  "t.conf:6: prefix: missing");
	parse_bad(PROVS "defaults = { routes = ( { prefix = \"+\"; sms = [\"a\"]; fax = [\"b\"]; } ); };\n",
		  "fax: unknown key");
	parse_bad(PROVS "defaults = { routes = ( \"a\" ); };\n",
		  "routes: each route must be a group");
	parse_bad(PROVS "defaults = { routes = { prefix = \"+\"; }; };\n",
		  "routes: expected a list of groups");
	parse_bad(PROVS "defaults = { routes = ( { prefix = \"+\"; } ); };\n",
		  "routes: route \"+\" names no providers");
	parse_bad(PROVS "defaults = { routes = ( { prefix = \"+\"; sms = []; } ); };\n",
		  "sms: needs at least one provider");
	parse_bad(PROVS "defaults = {\n providers = [\"a\"];\n"
		  " routes = ( { prefix = \"+\"; sms = [\"a\"]; } ); };\n",
		  "t.conf:7: providers: set either providers or routes in one group, not both");
	parse_bad(PROVS "services = {\n sshd = { channels = [\"sms\", \"voice\"];\n"
		  "  routes = ( { prefix = \"+\"; sms = [\"a\"]; } ); }; };\n",
		  "t.conf:7: routes: route \"+\" has no voice providers but channels has \"voice\" "
		  "(service sshd)");
	parse_bad(PROVS "defaults = {\n allowed_prefixes = [\"+86\", \"+44\"];\n"
		  " routes = ( { prefix = \"+86\"; sms = [\"a\"]; } ); };\n",
		  "allowed_prefixes: \"+44\" has no route");
	parse_bad(PROVS "defaults = { allowed_prefixes = [\"+8\"];\n"
		  " routes = ( { prefix = \"+86\"; sms = [\"a\"]; } ); };\n",
		  "allowed_prefixes: \"+8\" has no route");
	parse_bad(PROVS "services = {\n sshd = {\n  voice_fallback = true; }; };\n",
		  "t.conf:7: voice_fallback: needs \"voice\" in channels (service sshd)");
	parse_bad("defaults = { voice_fallback = 1; };\n", "voice_fallback: expected true or false");
	parse_bad("defaults = {\n allowed_prefixes = [];\n};\n",
		  "t.conf:2: allowed_prefixes: needs at least one prefix");
	parse_bad("defaults = { allowed_prefixes = [\"+86\", \"0044\"]; };\n",
		  "allowed_prefixes: \"0044\" is not");
	parse_bad("defaults = { allowed_prefixes = [\"+86\", \"+86\"]; };\n",
		  "allowed_prefixes: \"+86\" listed twice");
	parse_bad("defaults = { max_sends_per_day = 251; };\n",
		  "max_sends_per_day: 251 is out of range 1..250");
	parse_bad("defaults = { number_max_per_hour = 0; };\n",
		  "number_max_per_hour: 0 is out of range 1..100");
	parse_bad("defaults = { number_max_per_day = 1001; };\n",
		  "number_max_per_day: 1001 is out of range 1..1000");
	parse_bad("defaults = { host_max_sends_per_hour = 100001; };\n",
		  "host_max_sends_per_hour: 100001 is out of range 1..100000");
	strcpy(big, PROVS "defaults = { routes = (");
	for (i = 0; i < PVA_MAX_ROUTES + 1; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big),
			 "%s{ prefix = \"+%d\"; sms = [\"a\"]; }", i ? "," : "", i + 10);
	strcat(big, "); };\n");
	parse_bad(big, "routes: at most 16 routes allowed");
}

static void test_dump_routing(void **state)
{
	struct pva_config *cfg = parse_ok(PROVS
		"defaults = { allowed_prefixes = [\"+86\", \"+44\"]; number_max_per_hour = 3;\n"
		"  routes = ( { prefix = \"+86\"; sms = [\"a\", \"b\"]; },\n"
		"             { prefix = \"+\"; sms = [\"b\"]; } ); };\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	pva_config_dump(cfg, &cfg->defaults, fp);
	fclose(fp);
	assert_non_null(strstr(buf, "routes = (\n  { prefix = \"+86\"; sms = [\"a\", \"b\"]; },\n"
				"  { prefix = \"+\"; sms = [\"b\"]; }\n);\n"));
	assert_non_null(strstr(buf, "voice_fallback = false;\n"));
	assert_non_null(strstr(buf, "allowed_prefixes = [\"+86\", \"+44\"];\n"));
	assert_non_null(strstr(buf, "max_sends_per_day = 20;\n"));
	assert_non_null(strstr(buf, "number_max_per_hour = 3;\n"));
	assert_non_null(strstr(buf, "number_max_per_day = 20;\n"));
	assert_non_null(strstr(buf, "host_max_sends_per_hour = 200;\n"));
	free(buf);
	pva_config_free(cfg);
}

/* Password policy keys (policy/policy.h): defaults, presets, overrides. */
static void test_policy_defaults(void **state)
{
	struct pva_config *cfg = parse_ok("services = { sshd = { code_ttl = 600; }; };\n");
	struct pva_policy want;

	(void)state;
	pva_policy_defaults(&want, PVA_PRESET_DEFAULT);
	assert_memory_equal(&cfg->defaults.policy, &want, sizeof(want));
	assert_memory_equal(&pva_config_service(cfg, "sshd")->policy, &want, sizeof(want));
	assert_int_equal(want.min_length, 12);
	assert_true(want.require_upper && want.require_lower && want.require_digit);
	pva_config_free(cfg);
}

static void test_policy_preset_first(void **state)
{
	/* the preset is applied before the other keys, wherever it is written */
	struct pva_config *cfg = parse_ok(
		"defaults = { min_length = 20; retry = 5; policy = \"nist-800-63b\"; };\n");
	const struct pva_policy *p = &cfg->defaults.policy;
	struct pva_policy nist;

	(void)state;
	pva_policy_defaults(&nist, PVA_PRESET_NIST);
	assert_int_equal(p->preset, PVA_PRESET_NIST);
	assert_int_equal(p->min_length, 20);
	assert_int_equal(p->retry, 5);
	assert_int_equal(p->min_classes, nist.min_classes);
	assert_int_equal(p->require_upper, nist.require_upper);
	assert_int_equal(p->blocklist, 1);
	pva_config_free(cfg);
}

static void test_policy_service_override(void **state)
{
	struct pva_config *cfg = parse_ok(
		"defaults = { min_length = 14; require_other = true; };\n"
		"services = { passwd = { min_length = 16; };\n"
		"  chpasswd = { policy = \"default\"; min_length = 8; min_classes = 0; };\n"
		"  nist = { policy = \"nist-800-63b\"; }; };\n");
	const struct pva_policy *pw = &pva_config_service(cfg, "passwd")->policy;
	const struct pva_policy *ch = &pva_config_service(cfg, "chpasswd")->policy;
	const struct pva_policy *ni = &pva_config_service(cfg, "nist")->policy;
	const struct pva_policy *ot = &pva_config_service(cfg, "sudo")->policy;

	(void)state;
	assert_int_equal(pw->min_length, 16);
	assert_int_equal(pw->require_other, 1);     /* inherited */
	assert_int_equal(ch->min_length, 8);
	assert_int_equal(ch->min_classes, 0);
	assert_int_equal(ch->require_other, 0);     /* reset by its preset */
	assert_int_equal(ni->preset, PVA_PRESET_NIST);
	assert_int_equal(ni->min_length, 15);
	assert_int_equal(ni->require_other, 0);
	assert_int_equal(ot->min_length, 14);
	assert_int_equal(ot->require_other, 1);
	pva_config_free(cfg);
}

static void test_policy_every_key(void **state)
{
	struct pva_config *cfg = parse_ok(
		"defaults = { min_length = 10; max_length = 200; min_classes = 4;\n"
		"  require_upper = false; require_lower = false; require_digit = false;\n"
		"  require_other = true; max_repeat = 0; max_sequence = 6; check_user = false;\n"
		"  min_old_diff = 3; blocklist = false; blocklist_file = \"/etc/privauth/bl.txt\";\n"
		"  min_guesses_log10 = 10; enforce_for_root = true; warn_only = true;\n"
		"  retry = 10; };\n");
	const struct pva_policy *p = &cfg->defaults.policy;

	(void)state;
	assert_int_equal(p->preset, PVA_PRESET_DEFAULT);
	assert_int_equal(p->min_length, 10);
	assert_int_equal(p->max_length, 200);
	assert_int_equal(p->min_classes, 4);
	assert_false(p->require_upper || p->require_lower || p->require_digit);
	assert_int_equal(p->require_other, 1);
	assert_int_equal(p->max_repeat, 0);
	assert_int_equal(p->max_sequence, 6);
	assert_int_equal(p->check_user, 0);
	assert_int_equal(p->min_old_diff, 3);
	assert_int_equal(p->blocklist, 0);
	assert_string_equal(p->blocklist_file, "/etc/privauth/bl.txt");
	assert_int_equal(p->min_guesses_log10, 10);
	assert_int_equal(p->enforce_for_root, 1);
	assert_int_equal(p->warn_only, 1);
	assert_int_equal(p->retry, 10);
	pva_config_free(cfg);
}

static void test_policy_errors(void **state)
{
	(void)state;
	parse_bad("\ndefaults = { max_length = 63; };\n", "t.conf:2: max_length: 63 is out of range 64..256");
	parse_bad("defaults = { max_length = 257; };\n", "t.conf:1: max_length");
	parse_bad("defaults = {\n min_classes = 5; };\n", "t.conf:2: min_classes");
	parse_bad("defaults = { retry = 0; };\n", "t.conf:1: retry");
	parse_bad("defaults = { retry = 11; };\n", "t.conf:1: retry");
	parse_bad("defaults = { min_guesses_log10 = 21; };\n", "t.conf:1: min_guesses_log10");
	parse_bad("defaults = { min_length = 0; };\n", "t.conf:1: min_length");
	parse_bad("defaults = { require_upper = 1; };\n", "require_upper: expected true or false");
	parse_bad("defaults = { policy = \"strict\"; };\n",
		  "policy: \"strict\" is not one of \"default\", \"nist-800-63b\"");
	parse_bad("defaults = { blocklist_file = \"bl.txt\"; };\n",
		  "t.conf:1: blocklist_file: must be an absolute path");
	parse_bad("defaults = { min_len = 12; };\n", "t.conf:1: min_len: unknown key");
	parse_bad("defaults = { min_length = 100; max_length = 64; };\n",
		  "min_length: 100 is above max_length 64");
	parse_bad("services = {\n passwd = {\n  min_length = 130; }; };\n",
		  "min_length: 130 is above max_length 128 (service passwd)");
	parse_bad("services = { passwd = {\n  policy = \"nist\"; }; };\n", "t.conf:2: policy");
}

static void test_dump_policy(void **state)
{
	struct pva_config *cfg = parse_ok(
		"services = { passwd = { policy = \"nist-800-63b\"; retry = 2;\n"
		"  blocklist_file = \"/etc/privauth/bl.txt\"; }; };\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	pva_config_dump(cfg, pva_config_service(cfg, "passwd"), fp);
	fclose(fp);
	assert_non_null(strstr(buf, "policy = \"nist-800-63b\";\nmin_length = 15;\n"));
	assert_non_null(strstr(buf, "require_upper = false;\n"));
	assert_non_null(strstr(buf, "blocklist = true;\nblocklist_file = \"/etc/privauth/bl.txt\";\n"));
	assert_non_null(strstr(buf, "enforce_for_root = false;\nwarn_only = false;\nretry = 2;\n"));
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	pva_config_dump(cfg, &cfg->defaults, fp);
	fclose(fp);
	assert_non_null(strstr(buf, "policy = \"default\";\nmin_length = 12;\nmax_length = 128;\n"
				"min_classes = 3;\nrequire_upper = true;\n"));
	free(buf);
	pva_config_free(cfg);
}

/* A template longer than one SMS is a warning naming file:line and the
 * key; the configuration still loads and keeps the template. */
static void test_sms_segment_warnings(void **state)
{
	struct pva_config *cfg = parse_ok("hostname = \"bastion\";\n");
	size_t i;

	(void)state;
	/* the built-in templates fit one SMS (English and Chinese) */
	assert_int_equal(cfg->n_warnings, 0);
	pva_config_free(cfg);

	cfg = parse_ok(
		"hostname = \"bastion\";\n"
		"defaults = {\n"
		"  message_zh_CN = \"{code} 是您登录 {service} 的验证码，{validity}内有效。"
		"请勿将验证码告诉任何人，包括自称是管理员或客服的人员。如非本人操作，"
		"请忽略本短信。\";\n"
		"};\n"
		"services = {\n"
		"  sshd = { code_ttl = 600; };\n"
		"  sudo = { language = \"en\";\n"
		"    message = \"{code} is your code for {service} on {host}, valid for "
		"{validity}. Do not share it with anyone: no administrator, help desk or "
		"colleague will ever ask you for it. Ignore this message if you did not "
		"try to log in.\"; };\n"
		"};\n");
	for (i = 0; i < cfg->n_warnings; i++)
		print_message("# %s\n", cfg->warnings[i]);
	assert_int_equal(cfg->n_warnings, 2);
	assert_non_null(strstr(cfg->warnings[0], "t.conf:3: message_zh_CN: warning: "));
	assert_non_null(strstr(cfg->warnings[0], "needs 2 SMS segments"));
	assert_non_null(strstr(cfg->warnings[0], "UCS-2 characters > 70)"));
	assert_non_null(strstr(cfg->warnings[1], "t.conf:8: message: warning: "));
	assert_non_null(strstr(cfg->warnings[1], "service sudo"));
	assert_non_null(strstr(cfg->warnings[1], "GSM-7 characters > 160)"));
	/* loaded as written */
	assert_non_null(strstr(cfg->defaults.message_zh, "请忽略本短信"));
	assert_non_null(strstr(pva_config_service(cfg, "sudo")->message, "Ignore this"));
	pva_config_free(cfg);
}

/* check-config shows the language and privacy keys. */
static void test_dump_privacy(void **state)
{
	struct pva_config *cfg = parse_ok(
		"locale_dir = \"/opt/locale\";\n"
		"services = { sshd = { language = \"zh_CN\"; grace_hours = 8;\n"
		"  trusted_networks = [\"10.1.0.0/16\", \"2001:db8::/32\"];\n"
		"  exempt_groups = [\"ops\", \"!interns\"]; backup_codes = false;\n"
		"  privacy_notice = \"Your number is used only to send login codes; it is "
		"never shared with anyone.\"; }; };\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	pva_config_dump(cfg, pva_config_service(cfg, "sshd"), fp);
	fclose(fp);
	assert_non_null(strstr(buf, "locale_dir = \"/opt/locale\";\n"));
	assert_non_null(strstr(buf, "language = \"zh_CN\";\n"));
	assert_non_null(strstr(buf, "message_zh_CN = \"{code} 是您在"));
	assert_non_null(strstr(buf, "trusted_networks = [\"10.1.0.0/16\", \"2001:db8::/32\"];\n"));
	assert_non_null(strstr(buf, "exempt_groups = [\"ops\", \"!interns\"];\n"));
	assert_non_null(strstr(buf, "grace_hours = 8;\nbackup_codes = false;\n"));
	assert_non_null(strstr(buf, "privacy_notice = \"Your number is used only to send login "
				"codes; it is never sh...\";\n"));
	assert_non_null(strstr(buf, "require_consent = true;\n"));
	assert_non_null(strstr(buf, "remind_via = \"sms\";\n"));
	free(buf);
	pva_config_free(cfg);
}

/* File-level checks: ownership, mode, symlinks, @include, size. */
static void test_file_checks(void **state)
{
	struct testenv e;
	struct pva_config *cfg = NULL;
	char link[PATH_MAX + 8];

	(void)state;
	assert_int_equal(testenv_setup(&e, ""), 0);
	assert_int_equal(chmod(e.conf, 0644), 0);
	assert_int_equal(pva_config_load(e.conf, &cfg, err, sizeof(err)), PVA_OK);
	pva_config_free(cfg);

	assert_int_equal(chmod(e.conf, 0666), 0);
	assert_int_equal(pva_config_load(e.conf, &cfg, err, sizeof(err)), PVA_ERR_PERM);
	assert_null(cfg);
	assert_non_null(strstr(err, "owned by root"));
	assert_int_equal(chmod(e.conf, 0620), 0);
	assert_int_equal(pva_config_load(e.conf, &cfg, err, sizeof(err)), PVA_ERR_PERM);

	assert_int_equal(chmod(e.conf, 0600), 0);
	assert_int_equal(chown(e.conf, 65534, 0), 0);
	assert_int_equal(pva_config_load(e.conf, &cfg, err, sizeof(err)), PVA_ERR_PERM);
	assert_int_equal(chown(e.conf, 0, 0), 0);

	snprintf(link, sizeof(link), "%s.lnk", e.conf);
	assert_int_equal(symlink(e.conf, link), 0);
	assert_int_equal(pva_config_load(link, &cfg, err, sizeof(err)), PVA_ERR_PERM);
	unlink(link);

	assert_int_equal(testenv_write(e.conf, "a = 1;\n  @include \"/tmp/x\"\n", 0600), 0);
	assert_int_equal(pva_config_load(e.conf, &cfg, err, sizeof(err)), PVA_ERR_CONFIG);
	assert_non_null(strstr(err, ":2: @include"));

	assert_int_equal(pva_config_load("/nonexistent/privauth.conf", &cfg, err, sizeof(err)),
			 PVA_ERR_NOTFOUND);
	testenv_teardown(&e);
}

static void test_oversize_file(void **state)
{
	struct testenv e;
	struct pva_config *cfg = NULL;
	size_t n = PVA_CONF_MAX_BYTES + 10;
	char *big = malloc(n + 1);

	(void)state;
	assert_non_null(big);
	assert_int_equal(testenv_setup(&e, ""), 0);
	memset(big, '#', n);
	big[n] = '\0';
	assert_int_equal(testenv_write(e.conf, big, 0600), 0);
	assert_int_equal(pva_config_load(e.conf, &cfg, err, sizeof(err)), PVA_ERR_INVAL);
	free(big);
	testenv_teardown(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_service_override),
		cmocka_unit_test(test_globals),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_channel_needs_capable_provider),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_shipped_example_loads),
		cmocka_unit_test(test_templates_must_fit_at_worst),
		cmocka_unit_test(test_service_lookup_and_decoy_country),
		cmocka_unit_test(test_limit_defaults),
		cmocka_unit_test(test_routes_parse_and_inherit),
		cmocka_unit_test(test_routing_errors),
		cmocka_unit_test(test_dump_routing),
		cmocka_unit_test(test_policy_defaults),
		cmocka_unit_test(test_policy_preset_first),
		cmocka_unit_test(test_policy_service_override),
		cmocka_unit_test(test_policy_every_key),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_dump_policy),
		cmocka_unit_test(test_sms_segment_warnings),
		cmocka_unit_test(test_dump_privacy),
		cmocka_unit_test(test_file_checks),
		cmocka_unit_test(test_oversize_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
