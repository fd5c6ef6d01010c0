/* test_flow.c - the login dialogue with a scripted user and the spool provider. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "otp/flow.h"
#include "privacy/backup.h"
#include "store/phones.h"
#include "../lib/testenv.h"

#define MAXMSG 32

/* A scripted user: answers in order; "CODE" = newest spooled code,
 * "WRONG" = that code with its last digit changed. */
struct script {
	const struct testenv *env;
	const char *answers[16];
	size_t next;
	char prompts[MAXMSG][256];
	size_t n_prompts;
	char errors[MAXMSG][256];
	size_t n_errors;
	char infos[MAXMSG][600];
	size_t n_infos;
	size_t n_echo;          /* prompts asked with echo on */
	char logs[64][PVA_LOG_LINE_MAX];
	size_t n_logs;
};

static enum pva_rc s_prompt(void *ud, const char *text, char **answer)
{
	struct script *s = ud;
	const char *a;
	char code[16];

	if (s->n_prompts < MAXMSG)
		snprintf(s->prompts[s->n_prompts++], 256, "%s", text);
	if (s->answers[s->next] == NULL)
		return PVA_ERR_CONV;
	a = s->answers[s->next++];
	if (strcmp(a, "CODE") == 0 || strcmp(a, "WRONG") == 0) {
		if (testenv_spool_code(s->env, 0, code, sizeof(code)) != 0)
			strcpy(code, "000000");
		if (a[0] == 'W')
			code[strlen(code) - 1] = code[strlen(code) - 1] == '9' ? '0' : (char)(code[strlen(code) - 1] + 1);
		*answer = strdup(code);
	} else {
		*answer = strdup(a);
	}
	return *answer ? PVA_OK : PVA_ERR_NOMEM;
}

static enum pva_rc s_prompt_echo(void *ud, const char *text, char **answer)
{
	struct script *s = ud;

	s->n_echo++;
	return s_prompt(ud, text, answer);
}

static void s_info(void *ud, const char *text)
{
	struct script *s = ud;

	if (s->n_infos < MAXMSG)
		snprintf(s->infos[s->n_infos++], sizeof(s->infos[0]), "%s", text);
}

static void s_error(void *ud, const char *text)
{
	struct script *s = ud;

	if (s->n_errors < MAXMSG)
		snprintf(s->errors[s->n_errors++], 256, "%s", text);
}

static void s_log(void *ud, int prio, const char *line)
{
	struct script *s = ud;

	(void)prio;
	if (s->n_logs < 64)
		snprintf(s->logs[s->n_logs++], PVA_LOG_LINE_MAX, "%s", line);
}

static const char *conf_text =
	"providers = { spool = { type = \"spool\"; dir = \"%SPOOL%\"; };\n"
	"  broken = { type = \"command\"; argv = [\"/bin/false\"]; };\n"
	"  smsonly = { type = \"spool\"; dir = \"%SPOOL%\"; channels = [\"sms\"]; };\n"
	"  brokenvoice = { type = \"command\"; argv = [\"/bin/false\"]; channels = [\"voice\"]; }; };\n"
	"defaults = { providers = [\"spool\"]; require_consent = false; };\n"
	"services = { safe = { providers = [\"broken\"]; failmode = \"safe\"; };\n"
	"  secure = { providers = [\"broken\"]; };\n"
	"  open = { unenrolled = \"allow\"; };\n"
	"  safevoice = { channels = [\"sms\", \"voice\"]; failmode = \"safe\";\n"
	"    providers = [\"smsonly\", \"brokenvoice\"]; resend_cooldown = 0; };\n"
	"  intl = { allowed_prefixes = [\"+44\", \"+1\"]; };\n"
	"  numcap = { number_max_per_hour = 1; };\n"
	"  consent = { require_consent = true; };\n"
	"  grace = { grace_hours = 8; };\n"
	"  exempt = { exempt_groups = [\"root\"]; trusted_networks = [\"198.51.100.0/24\"]; };\n"
	"  trusted = { trusted_networks = [\"192.0.2.0/25\", \"2001:db8::/32\"]; };\n"
	"  nobackup = { backup_codes = false; };\n"
	"  fallback = { channels = [\"sms\", \"voice\"]; voice_fallback = true;\n"
	"    routes = ( { prefix = \"+\"; sms = [\"broken\"]; voice = [\"spool\"]; } ); }; };\n";

struct fx {
	struct testenv env;
	struct script sc;
	const char *rhost;      /* NULL: 192.0.2.7 */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct pva_hostkey *key = NULL;
	struct pva_store st;
	struct pva_phone_rec rec = { "alice", "+8613812345678", PVA_CH_SMS, 0, "" };

	if (f == NULL || testenv_setup(&f->env, conf_text) != 0)
		return -1;
	if (pva_hostkey_load(f->env.cfg->host_key, 1, &key) != PVA_OK ||
	    pva_store_open(&st, f->env.state, key, 1) != PVA_OK ||
	    pva_phones_set(&st, &rec) != PVA_OK)
		return -1;
	pva_hostkey_free(key);
	f->sc.env = &f->env;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	testenv_teardown(&f->env);
	free(f);
	return 0;
}

static enum pva_rc run(struct fx *f, const char *user, const char *service, int exists)
{
	struct pva_request req = { user, service, f->rhost ? f->rhost : "192.0.2.7", exists,
				   NULL };
	struct pva_io io = { s_prompt, s_error, &f->sc, s_info, s_prompt_echo };
	struct pva_log lg = { s_log, &f->sc, 1 };

	f->sc.next = 0;
	return pva_flow_authenticate(f->env.cfg, &req, &io, &lg);
}

/* No log line or message ever holds the full number or a sent code. */
static void assert_no_leak(const struct fx *f)
{
	char code[16];
	size_t i;
	int have = testenv_spool_code(&f->env, 0, code, sizeof(code)) == 0;

	for (i = 0; i < f->sc.n_logs; i++) {
		assert_null(strstr(f->sc.logs[i], "8613812345678"));
		if (have)
			assert_null(strstr(f->sc.logs[i], code));
	}
	for (i = 0; i < f->sc.n_prompts; i++)
		assert_null(strstr(f->sc.prompts[i], "13812345678"));
}

static void test_success(void **state)
{
	struct fx *f = *state;

	f->sc.answers[0] = "CODE";
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_OK);
	assert_int_equal(testenv_spool_count(&f->env), 1);
	assert_string_equal(f->sc.prompts[0], "Code sent by SMS to +86 *******5678, valid 5 min. "
			    "Code (r = resend): ");
	assert_int_equal(f->sc.n_errors, 0);
	assert_no_leak(f);
}

static void test_wrong_then_right(void **state)
{
	struct fx *f = *state;

	f->sc.answers[0] = "WRONG";
	f->sc.answers[1] = "  ";
	f->sc.answers[2] = "CODE";
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_OK);
	assert_string_equal(f->sc.errors[0], "Wrong code. 2 attempts left.");
	assert_int_equal(f->sc.n_prompts, 3);
	assert_no_leak(f);
}

static void test_maxtries(void **state)
{
	struct fx *f = *state;

	f->sc.answers[0] = "WRONG";
	f->sc.answers[1] = "WRONG";
	f->sc.answers[2] = "WRONG";
	f->sc.answers[3] = "CODE";
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_MAXTRIES);
	assert_int_equal(f->sc.n_prompts, 3);
	assert_string_equal(f->sc.errors[1], "Wrong code. 1 attempt left.");
	assert_non_null(strstr(f->sc.errors[2], "Too many attempts"));
	assert_no_leak(f);
}

static void test_pending_code_reused(void **state)
{
	struct fx *f = *state;

	/* first call: code sent, then the client goes away */
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_ERR_CONV);
	assert_int_equal(testenv_spool_count(&f->env), 1);
	/* second call: nothing new is sent, the same code works */
	f->sc.n_prompts = 0;
	f->sc.answers[0] = "CODE";
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_OK);
	assert_int_equal(testenv_spool_count(&f->env), 1);
	assert_non_null(strstr(f->sc.prompts[0], "Code already sent by SMS"));
}

static void test_unenrolled_and_unknown_get_the_same_dialogue(void **state)
{
	struct fx *f = *state;
	char known[256];

	f->sc.answers[0] = "123456";
	f->sc.answers[1] = "234567";
	f->sc.answers[2] = "345678";
	assert_int_equal(run(f, "bob", "sshd", 1), PVA_MAXTRIES);
	assert_int_equal(testenv_spool_count(&f->env), 0);
	assert_int_equal(f->sc.n_prompts, 3);
	assert_non_null(strstr(f->sc.prompts[0], "Code sent by SMS to +86 *******"));
	assert_string_equal(f->sc.errors[0], "Wrong code. 2 attempts left.");
	snprintf(known, sizeof(known), "%s", f->sc.prompts[0]);
	/* the decoy number is stable per user */
	f->sc.n_prompts = 0;
	f->sc.n_errors = 0;
	assert_int_equal(run(f, "bob", "sshd", 1), PVA_MAXTRIES);
	assert_string_equal(f->sc.prompts[0], known);
	/* a user that does not exist at all: same shape */
	f->sc.n_prompts = 0;
	assert_int_equal(run(f, "nosuchuser", "sshd", 0), PVA_MAXTRIES);
	assert_int_equal(f->sc.n_prompts, 3);
	assert_int_equal(testenv_spool_count(&f->env), 0);
}

static void test_unenrolled_allow_ignores(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run(f, "bob", "open", 1), PVA_IGNORE);
	assert_int_equal(f->sc.n_prompts, 0);
	/* unknown users too, or the prompt alone would tell them apart */
	assert_int_equal(run(f, "nosuchuser", "open", 0), PVA_IGNORE);
	assert_int_equal(f->sc.n_prompts, 0);
}

/* failmode "safe" applies to the first code only: a failed resend keeps
 * the previous code (and its wrong-entry count) and never lets anyone in. */
static void test_failed_resend_never_bypasses(void **state)
{
	struct fx *f = *state;

	f->sc.answers[0] = "WRONG";
	f->sc.answers[1] = "v";
	f->sc.answers[2] = "WRONG";
	f->sc.answers[3] = "WRONG";
	assert_int_equal(run(f, "alice", "safevoice", 1), PVA_MAXTRIES);
	assert_string_equal(f->sc.errors[1],
			    "The new code could not be sent; the previous code still works.");
	assert_int_equal(f->sc.n_prompts, 4);
	/* and the kept code works */
	f->sc.n_prompts = 0;
	f->sc.n_errors = 0;
	f->sc.answers[0] = "v";
	f->sc.answers[1] = "CODE";
	f->sc.answers[2] = NULL;
	assert_int_equal(run(f, "alice", "safevoice", 1), PVA_OK);
}

static void test_bad_service_name_refused(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = { "", "my service", "../etc",
		"a234567890123456789012345678901234567890123456789012345678901234", NULL };
	size_t i;

	for (i = 0; bad[i]; i++) {
		f->sc.n_logs = 0;
		assert_int_equal(run(f, "alice", bad[i], 1), PVA_ERR_CONFIG);
		assert_int_equal(f->sc.n_prompts, 0);
		assert_non_null(strstr(f->sc.logs[0], "event=config_error"));
	}
	assert_int_equal(run(f, "alice", NULL, 1), PVA_ERR_CONFIG);
	assert_int_equal(testenv_spool_count(&f->env), 0);
}

static void test_failmode(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run(f, "alice", "secure", 1), PVA_UNAVAIL);
	assert_int_equal(f->sc.n_prompts, 0);
	assert_non_null(strstr(f->sc.errors[0], "could not be sent"));
	assert_int_equal(run(f, "alice", "safe", 1), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 0);
	assert_no_leak(f);
}

static void test_resend_cooldown_message(void **state)
{
	struct fx *f = *state;

	f->sc.answers[0] = "r";
	f->sc.answers[1] = "v";
	f->sc.answers[2] = "CODE";
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_OK);
	assert_non_null(strstr(f->sc.errors[0], "Please wait"));
	assert_string_equal(f->sc.errors[1], "Voice calls are not available here.");
	assert_int_equal(testenv_spool_count(&f->env), 1);
}

/* ---- routing and limits ---------------------------------------------- */

static void enrol(const struct fx *f, const char *user, const char *phone)
{
	struct pva_hostkey *key = NULL;
	struct pva_store st;
	struct pva_phone_rec rec;

	memset(&rec, 0, sizeof(rec));
	snprintf(rec.user, sizeof(rec.user), "%s", user);
	snprintf(rec.phone, sizeof(rec.phone), "%s", phone);
	rec.channel = PVA_CH_SMS;
	assert_int_equal(pva_hostkey_load(f->env.cfg->host_key, 1, &key), PVA_OK);
	assert_int_equal(pva_store_open(&st, f->env.state, key, 1), PVA_OK);
	assert_int_equal(pva_phones_set(&st, &rec), PVA_OK);
	pva_hostkey_free(key);
}

static int logged(const struct fx *f, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < f->sc.n_logs; i++)
		if (strstr(f->sc.logs[i], a) && (b == NULL || strstr(f->sc.logs[i], b)))
			return 1;
	return 0;
}

static void test_destination_refused(void **state)
{
	struct fx *f = *state;

	f->sc.answers[0] = "CODE";
	assert_int_equal(run(f, "alice", "intl", 1), PVA_DENIED);
	assert_int_equal(f->sc.n_prompts, 0);
	assert_int_equal(f->sc.n_errors, 1);
	assert_string_equal(f->sc.errors[0],
			    "Codes cannot be sent to this number; contact your administrator.");
	assert_true(logged(f, "event=destination_refused", "phone=\"+86 *******5678\""));
	assert_int_equal(testenv_spool_count(&f->env), 0);
	assert_no_leak(f);
	/* a decoy number is never refused: nothing would be sent anyway */
	f->sc.answers[0] = "123456";
	f->sc.answers[1] = NULL;
	f->sc.n_errors = 0;
	assert_int_equal(run(f, "nosuchuser", "intl", 0), PVA_ERR_CONV);
	assert_int_equal(f->sc.n_prompts, 2);
	assert_int_equal(testenv_spool_count(&f->env), 0);
}

/* Two users on one number share its cap; the refusal names the limit. */
static void test_number_cap_shared(void **state)
{
	struct fx *f = *state;

	enrol(f, "bob", "+8613812345678");
	f->sc.answers[0] = "CODE";
	assert_int_equal(run(f, "alice", "numcap", 1), PVA_OK);
	f->sc.n_logs = 0;
	assert_int_equal(run(f, "bob", "numcap", 1), PVA_DENIED);
	assert_int_equal(f->sc.n_prompts, 1);
	assert_string_equal(f->sc.errors[0], "Too many codes sent; try again in 60 min.");
	assert_true(logged(f, "event=rate_limited", "limit=number_hour retry_in=\"60 min\""));
	assert_int_equal(testenv_spool_count(&f->env), 1);
	assert_no_leak(f);
}

/* Every SMS provider failed: the code went by voice, and the prompt says so. */
static void test_voice_fallback_prompt(void **state)
{
	struct fx *f = *state;
	char body[64];

	assert_int_equal(run(f, "alice", "fallback", 1), PVA_ERR_CONV);
	assert_string_equal(f->sc.prompts[0], "Code sent by voice call to +86 *******5678, "
			    "valid 5 min. Code (r = resend): ");
	assert_true(logged(f, "event=delivery_fallback", "from=sms to=voice"));
	assert_true(logged(f, "event=code_sent", "channel=voice provider=spool"));
	assert_int_equal(testenv_spool_count(&f->env), 1);
	/* the voice text spells the digits: no 6-digit run in the spool */
	assert_int_not_equal(testenv_spool_code(&f->env, 0, body, sizeof(body)), 0);
	assert_no_leak(f);
}

/* ---- privacy: consent, bypass rules, grace, backup codes ---------------- */

static void reset(struct fx *f)
{
	f->sc.n_prompts = f->sc.n_errors = f->sc.n_infos = f->sc.n_echo = f->sc.n_logs = 0;
	memset(f->sc.answers, 0, sizeof(f->sc.answers));
}

static void test_consent_asked_once(void **state)
{
	struct fx *f = *state;

	f->sc.answers[0] = "YES ";
	f->sc.answers[1] = "CODE";
	assert_int_equal(run(f, "alice", "consent", 1), PVA_OK);
	assert_true(f->sc.n_infos >= 1);
	assert_non_null(strstr(f->sc.infos[0], "+86 *******5678"));
	assert_int_equal(f->sc.n_echo, 1);
	assert_string_equal(f->sc.prompts[0], "Type yes to agree: ");
	assert_non_null(strstr(f->sc.prompts[1], "Code sent by SMS"));
	assert_true(logged(f, "event=consent", "outcome=agreed"));
	assert_int_equal(testenv_spool_count(&f->env), 1);
	assert_no_leak(f);
	/* agreed: not asked again */
	reset(f);
	f->sc.answers[0] = "CODE";
	assert_int_equal(run(f, "alice", "consent", 1), PVA_OK);
	assert_int_equal(f->sc.n_infos, 0);
	assert_int_equal(f->sc.n_echo, 0);
	assert_int_equal(f->sc.n_prompts, 1);
}

static void test_consent_declined(void **state)
{
	struct fx *f = *state;
	static const char *const no[] = { "no", "", "y", "yes please", "是", NULL };
	size_t i;

	for (i = 0; no[i]; i++) {
		reset(f);
		f->sc.answers[0] = no[i];
		f->sc.answers[1] = "CODE";
		assert_int_equal(run(f, "alice", "consent", 1), PVA_DENIED);
		assert_int_equal(f->sc.n_prompts, 1);
		assert_string_equal(f->sc.errors[0],
				    "You did not agree, so no code was sent and this login ends.");
		assert_true(logged(f, "event=consent", "outcome=declined"));
		assert_int_equal(testenv_spool_count(&f->env), 0);
	}
	/* and a conversation that breaks off sends nothing either */
	reset(f);
	assert_int_equal(run(f, "alice", "consent", 1), PVA_ERR_CONV);
	assert_int_equal(testenv_spool_count(&f->env), 0);
}

/* Users without a number get the same notice and question, and are not
 * asked again after agreeing: nothing tells them apart. */
static void test_consent_decoy(void **state)
{
	struct fx *f = *state;
	char a[MAXMSG][600], b[MAXMSG][600];
	size_t na, i;

	f->sc.answers[0] = "yes";
	assert_int_equal(run(f, "alice", "consent", 1), PVA_ERR_CONV);
	na = f->sc.n_infos;
	memcpy(a, f->sc.infos, sizeof(a));
	reset(f);
	f->sc.answers[0] = "yes";
	assert_int_equal(run(f, "nosuchuser", "consent", 0), PVA_ERR_CONV);
	assert_int_equal(f->sc.n_infos, na);
	assert_int_equal(f->sc.n_echo, 1);
	memcpy(b, f->sc.infos, sizeof(b));
	for (i = 0; i < na; i++) {
		/* same text but for the (masked) number */
		char *pa = strstr(a[i], "+86 "), *pb = strstr(b[i], "+86 ");
		assert_int_equal(pa == NULL, pb == NULL);
		if (pa) {
			memset(pa, 'X', strlen("+86 *******5678"));
			memset(pb, 'X', strlen("+86 *******5678"));
		}
		assert_string_equal(a[i], b[i]);
	}
	assert_true(logged(f, "event=consent", "outcome=agreed"));
	reset(f);
	f->sc.answers[0] = "123456";
	assert_int_equal(run(f, "nosuchuser", "consent", 0), PVA_ERR_CONV);
	assert_int_equal(f->sc.n_infos, 0);
	assert_int_equal(f->sc.n_echo, 0);
	assert_int_equal(testenv_spool_count(&f->env), 1); /* alice's code only */
}

/* Without info/prompt_echo the flow falls back to error/prompt. */
static void test_consent_io_fallback(void **state)
{
	struct fx *f = *state;
	struct pva_request req = { "alice", "consent", "192.0.2.7", 1, NULL };
	struct pva_io io = { s_prompt, s_error, &f->sc, NULL, NULL };
	struct pva_log lg = { s_log, &f->sc, 1 };

	f->sc.answers[0] = "yes";
	f->sc.answers[1] = "CODE";
	assert_int_equal(pva_flow_authenticate(f->env.cfg, &req, &io, &lg), PVA_OK);
	assert_true(f->sc.n_errors >= 1);
	assert_non_null(strstr(f->sc.errors[0], "+86 *******5678"));
	assert_string_equal(f->sc.prompts[0], "Type yes to agree: ");
}

static void test_bypass_rules(void **state)
{
	struct fx *f = *state;

	/* root is in group root: no code, one log line without a phone */
	assert_int_equal(run(f, "root", "exempt", 1), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 0);
	assert_true(logged(f, "event=bypass", "reason=exempt_group"));
	assert_false(logged(f, "phone=", NULL));
	/* alice has no account here: no groups, not exempt */
	reset(f);
	f->sc.answers[0] = "CODE";
	assert_int_equal(run(f, "alice", "exempt", 1), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 1);
	assert_false(logged(f, "event=bypass", NULL));
	/* trusted networks */
	reset(f);
	assert_int_equal(run(f, "alice", "trusted", 1), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 0);
	assert_true(logged(f, "event=bypass", "reason=trusted_network"));
	assert_false(logged(f, "phone=", NULL));
	reset(f);
	f->rhost = "::ffff:192.0.2.100";
	assert_int_equal(run(f, "alice", "trusted", 1), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 0);
	reset(f);
	f->rhost = "2001:db8::5";
	assert_int_equal(run(f, "nosuchuser", "trusted", 0), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 0);
	reset(f);
	f->rhost = "192.0.2.200";
	assert_int_equal(run(f, "alice", "trusted", 1), PVA_ERR_CONV);
	assert_int_equal(f->sc.n_prompts, 1);
	reset(f);
	f->rhost = "localhost";
	assert_int_equal(run(f, "alice", "trusted", 1), PVA_ERR_CONV);
	assert_int_equal(f->sc.n_prompts, 1);
}

static void test_grace(void **state)
{
	struct fx *f = *state;

	f->sc.answers[0] = "CODE";
	assert_int_equal(run(f, "alice", "grace", 1), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 1);
	/* same host, same service: no code */
	reset(f);
	assert_int_equal(run(f, "alice", "grace", 1), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 0);
	assert_true(logged(f, "event=bypass", "reason=grace"));
	assert_false(logged(f, "phone=", NULL));
	assert_int_equal(testenv_spool_count(&f->env), 1);
	/* another host: a code */
	reset(f);
	f->rhost = "192.0.2.8";
	f->sc.answers[0] = "CODE";
	assert_int_equal(run(f, "alice", "grace", 1), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 1);
	/* failmode safe never starts grace */
	reset(f);
	assert_int_equal(run(f, "alice", "safe", 1), PVA_OK);
	assert_false(logged(f, "reason=grace", NULL));
}

static void make_backup(const struct fx *f, const char *user,
			char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT])
{
	struct pva_hostkey *key = NULL;
	struct pva_store st;

	assert_int_equal(pva_hostkey_load(f->env.cfg->host_key, 1, &key), PVA_OK);
	assert_int_equal(pva_store_open(&st, f->env.state, key, 1), PVA_OK);
	assert_int_equal(pva_backup_generate(&st, key, user, time(NULL), codes), PVA_OK);
	pva_hostkey_free(key);
}

static void test_backup_codes(void **state)
{
	struct fx *f = *state;
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT], upper[PVA_BACKUP_TEXT];
	size_t i;

	make_backup(f, "alice", codes);
	f->sc.answers[0] = codes[0];
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_OK);
	assert_string_equal(f->sc.infos[0], "Backup code accepted; 9 left.");
	assert_true(logged(f, "event=backup_code_used", "remaining=9"));
	for (i = 0; i < f->sc.n_logs; i++)
		assert_null(strstr(f->sc.logs[i], codes[0]));
	/* used: refused, and counted as a wrong code */
	reset(f);
	f->sc.answers[0] = codes[0];
	f->sc.answers[1] = "CODE";
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_OK);
	assert_string_equal(f->sc.errors[0], "Wrong code. 2 attempts left.");
	/* upper case and without the dash */
	reset(f);
	for (i = 0; codes[1][i]; i++)
		upper[i] = codes[1][i] >= 'a' && codes[1][i] <= 'z' ?
			   (char)(codes[1][i] - 32) : codes[1][i];
	upper[i] = '\0';
	memmove(upper + 5, upper + 6, strlen(upper + 6) + 1);
	f->sc.answers[0] = upper;
	assert_int_equal(run(f, "alice", "sshd", 1), PVA_OK);
	assert_string_equal(f->sc.infos[0], "Backup code accepted; 8 left.");
	/* down to one, then none: a warning each time */
	for (i = 2; i < PVA_BACKUP_N; i++) {
		reset(f);
		f->sc.answers[0] = codes[i];
		assert_int_equal(run(f, "alice", "sshd", 1), PVA_OK);
	}
	assert_string_equal(f->sc.infos[0], "Backup code accepted; 0 left.");
	assert_int_equal(f->sc.n_errors, 1);
	assert_non_null(strstr(f->sc.errors[0], "last backup code"));
	/* backup_codes = false: the shape is just a wrong code */
	make_backup(f, "alice", codes);
	reset(f);
	f->sc.answers[0] = codes[0];
	f->sc.answers[1] = "CODE";
	assert_int_equal(run(f, "alice", "nobackup", 1), PVA_OK);
	assert_string_equal(f->sc.errors[0], "Wrong code. 2 attempts left.");
}

/* A user without a number never gets in with a backup code. */
static void test_backup_decoy(void **state)
{
	struct fx *f = *state;
	char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT];

	make_backup(f, "bob", codes);
	f->sc.answers[0] = codes[0];
	f->sc.answers[1] = codes[1];
	f->sc.answers[2] = codes[2];
	assert_int_equal(run(f, "bob", "sshd", 1), PVA_MAXTRIES);
	assert_string_equal(f->sc.errors[0], "Wrong code. 2 attempts left.");
	assert_false(logged(f, "event=backup_code_used", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_then_right, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maxtries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_code_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unenrolled_and_unknown_get_the_same_dialogue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unenrolled_allow_ignores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failmode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend_cooldown_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_resend_never_bypasses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_service_name_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destination_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_number_cap_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_voice_fallback_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consent_asked_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consent_declined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consent_decoy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consent_io_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bypass_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_decoy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
