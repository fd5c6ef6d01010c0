/* test_notice.c - the privacy notice: rendering, recipients, version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/notice.h"

#define MASK "+86 *******5678"

struct fx {
	char dir[64];
	char secrets[128];
	struct pva_config *cfg;
	char err[512];
};

static const char *const secrets_text =
	"tw = { account_sid = \"AC0123456789abcdef0123456789abcdef\"; auth_token = \"t\"; };\n"
	"vg = { api_key = \"k\"; api_secret = \"s\"; };\n"
	"ali = { access_key_id = \"LTAI5tExampleKeyId01\"; access_key_secret = \"s\"; };\n"
	"tc = { secret_id = \"AKIDexampleSecretId0123\"; secret_key = \"s\"; };\n"
	"tw2 = { account_sid = \"AC0123456789abcdef0123456789abcdef\"; auth_token = \"u\"; };\n";

/* Every provider type, with the type's default company and country. */
static const char *const providers_text =
	"providers = {\n"
	"  spool = { type = \"spool\"; dir = \"/tmp\"; };\n"
	"  prog = { type = \"command\"; argv = [\"/bin/true\"]; };\n"
	"  tw = { type = \"twilio\"; from = \"+15005550006\"; };\n"
	"  vg = { type = \"vonage\"; from = \"Privauth\"; };\n"
	"  ali = { type = \"aliyun\"; sign_name = \"P\"; template_code = \"SMS_1\"; tts_code = \"TTS_1\"; };\n"
	"  tc = { type = \"tencent\"; sdk_app_id = \"1400006666\"; template_id = \"449739\";\n"
	"         sign_name = \"P\"; voice_sdk_app_id = \"1400000001\"; };\n"
	"  gw = { type = \"http\"; url = \"https://gw.example.net/send\"; };\n"
	"  gw2 = { type = \"http\"; url = \"https://gw.example.net/send\";\n"
	"          company = \"Example SMS GmbH\"; country = \"de\"; };\n"
	"  tw2 = { type = \"twilio\"; from = \"+15005550006\"; };\n"
	"};\n";

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	FILE *fp;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pva-notice-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->secrets, sizeof(f->secrets), "%s/secrets.conf", f->dir);
	fp = fopen(f->secrets, "w");
	if (fp == NULL || fchmod(fileno(fp), 0600) != 0 || fputs(secrets_text, fp) < 0 ||
	    fclose(fp) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	pva_config_free(f->cfg);
	unlink(f->secrets);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Parse globals + providers + body (defaults/services). */
static void load(struct fx *f, const char *body)
{
	char text[8192];

	pva_config_free(f->cfg);
	f->cfg = NULL;
	snprintf(text, sizeof(text),
		 "state_dir = \"%s\";\nhostname = \"bastion\";\nsecrets_file = \"%s\";\n"
		 "decoy_country = \"1\";\n%s%s\n", f->dir, f->secrets, providers_text, body);
	if (pva_config_parse(text, "t.conf", &f->cfg, f->err, sizeof(f->err)) != PVA_OK)
		fail_msg("config: %s", f->err);
}

static const struct pva_settings *svc(struct fx *f, const char *name)
{
	return pva_config_service(f->cfg, name);
}

static void render(struct fx *f, const char *service, enum pva_lang lang, char *out,
		   size_t len)
{
	assert_int_equal(pva_notice_render(f->cfg, svc(f, service), lang, service, MASK,
					   out, len), PVA_OK);
}

static void version(struct fx *f, const char *service, char out[PVA_NOTICE_VERSION_MAX])
{
	assert_int_equal(pva_notice_version(f->cfg, svc(f, service), service, out), PVA_OK);
	assert_int_equal(strlen(out), 16);
	assert_int_equal(strspn(out, "0123456789abcdef"), 16);
}

static void test_builtin_english(void **state)
{
	struct fx *f = *state;
	char out[4096];

	load(f, "defaults = { providers = [\"spool\"]; };");
	render(f, "sshd", PVA_LANG_EN, out, sizeof(out));
	assert_non_null(strstr(out, "your phone number, " MASK "."));
	assert_non_null(strstr(out, "only to deliver login codes for sshd on bastion."));
	assert_non_null(strstr(out, "passed to this server's SMS gateway (smstools)."));
	assert_non_null(strstr(out, "never keeps a code, only a keyed hash of it"));
	assert_non_null(strstr(out, "failed attempts and lockouts"));
	assert_null(strstr(out, "reminders"));
	assert_non_null(strstr(out, "the times codes were sent to you over the last day"));
	assert_non_null(strstr(out, "privauthctl export"));
	assert_non_null(strstr(out, "privauthctl forget"));
	assert_non_null(strstr(out, "Type yes to agree and receive a code; anything else cancels."));
	assert_null(strchr(out, '{'));
	assert_null(strstr(out, "13812345678"));
}

/* With password reminders by SMS the number serves a second purpose, and
 * the built-in notice says so (and is a new version). */
static void test_builtin_reminders(void **state)
{
	struct fx *f = *state;
	char out[4096], v1[PVA_NOTICE_VERSION_MAX], v2[PVA_NOTICE_VERSION_MAX];

	load(f, "defaults = { providers = [\"spool\"]; };");
	version(f, "sshd", v1);
	load(f, "defaults = { providers = [\"spool\"]; remind_after_days = 90; };");
	render(f, "sshd", PVA_LANG_EN, out, sizeof(out));
	assert_non_null(strstr(out, "login codes for sshd on bastion, and reminders to change "
			       "an old password."));
	render(f, "sshd", PVA_LANG_ZH_CN, out, sizeof(out));
	assert_non_null(strstr(out, "以及提醒您更换旧密码"));
	version(f, "sshd", v2);
	assert_string_not_equal(v1, v2);
	/* reminders by email do not use the number */
	load(f, "defaults = { providers = [\"spool\"]; remind_after_days = 90; "
	     "remind_via = \"email\"; };");
	render(f, "sshd", PVA_LANG_EN, out, sizeof(out));
	assert_null(strstr(out, "reminders"));
}

static void test_builtin_chinese(void **state)
{
	struct fx *f = *state;
	char out[4096];

	load(f, "defaults = { providers = [\"tw\", \"tc\"]; };");
	render(f, "sshd", PVA_LANG_ZH_CN, out, sizeof(out));
	assert_non_null(strstr(out, "您的手机号码 " MASK));
	assert_non_null(strstr(out, "仅用于发送 bastion 上 sshd 的登录验证码"));
	assert_non_null(strstr(out, "Twilio Inc. (US)、Tencent Cloud (CN)"));
	assert_non_null(strstr(out, "从不保存验证码"));
	assert_non_null(strstr(out, "privauthctl export"));
	assert_non_null(strstr(out, "输入 yes"));
	assert_null(strchr(out, '{'));
}

/* Every type's default company and country; a generic gateway is named
 * after the provider; company/country keys override; duplicates once. */
static void test_recipients_defaults(void **state)
{
	struct fx *f = *state;
	char out[4096];

	load(f, "defaults = { providers = [\"tw\", \"vg\", \"ali\", \"tc\", \"spool\", \"prog\","
		" \"gw\", \"gw2\"]; };\nservices = { dup = { providers = [\"tw\", \"tw2\", \"tw\"]; }; };");
	render(f, "sshd", PVA_LANG_EN, out, sizeof(out));
	assert_non_null(strstr(out, "passed to Twilio Inc. (US), Vonage (GB), Alibaba Cloud (CN), "
			       "Tencent Cloud (CN), this server's SMS gateway (smstools), "
			       "a local delivery program, gw, Example SMS GmbH (DE)."));
	render(f, "dup", PVA_LANG_EN, out, sizeof(out));
	assert_non_null(strstr(out, "passed to Twilio Inc. (US).\n"));
}

/* With routes: every route's sms and voice lists, in order, once each. */
static void test_recipients_routes(void **state)
{
	struct fx *f = *state;
	char out[4096];

	load(f, "defaults = { providers = [\"spool\"]; };\n"
		"services = { sshd = { channels = [\"sms\", \"voice\"];\n"
		"  allowed_prefixes = [\"+86\", \"+1\"];\n"
		"  routes = ( { prefix = \"+86\"; sms = [\"tc\", \"ali\"]; voice = [\"tc\"]; },\n"
		"             { prefix = \"+\"; sms = [\"tw\"]; voice = [\"tw\", \"ali\"]; } ); }; };");
	render(f, "sshd", PVA_LANG_EN, out, sizeof(out));
	assert_non_null(strstr(out, "passed to Tencent Cloud (CN), Alibaba Cloud (CN), "
			       "Twilio Inc. (US).\n"));
	/* the unused `providers` of the defaults is not a recipient */
	assert_null(strstr(out, "smstools"));
}

static void test_custom_notice(void **state)
{
	struct fx *f = *state;
	char out[4096];

	load(f, "defaults = { providers = [\"vg\"];\n"
		"  privacy_notice = \"{service}@{host}: {phone} goes to {recipients}.\";\n"
		"  privacy_notice_zh_CN = \"{phone} 交给 {recipients}\"; };");
	render(f, "su", PVA_LANG_EN, out, sizeof(out));
	assert_string_equal(out, "su@bastion: " MASK " goes to Vonage (GB).");
	render(f, "su", PVA_LANG_ZH_CN, out, sizeof(out));
	assert_string_equal(out, MASK " 交给 Vonage (GB)");
}

static void test_fits_buffers(void **state)
{
	struct fx *f = *state;
	char out[PVA_NOTICE_RENDER_MAX], small[64];
	size_t need;

	load(f, "defaults = { providers = [\"tw\", \"vg\", \"ali\", \"tc\", \"spool\", \"prog\","
		" \"gw\", \"gw2\"]; };");
	render(f, "sshd", PVA_LANG_ZH_CN, out, sizeof(out));
	need = strlen(out) + 1;
	/* exactly enough fits, one byte less does not, and leaves "" */
	assert_int_equal(pva_notice_render(f->cfg, svc(f, "sshd"), PVA_LANG_ZH_CN, "sshd", MASK,
					   out, need), PVA_OK);
	assert_int_equal(strlen(out), need - 1);
	assert_int_equal(pva_notice_render(f->cfg, svc(f, "sshd"), PVA_LANG_ZH_CN, "sshd", MASK,
					   out, need - 1), PVA_ERR_INVAL);
	assert_string_equal(out, "");
	assert_int_equal(pva_notice_render(f->cfg, svc(f, "sshd"), PVA_LANG_EN, "sshd", MASK,
					   small, sizeof(small)), PVA_ERR_INVAL);
	assert_string_equal(small, "");
	/* the largest configurable notice, all placeholders, still renders */
	{
		char body[PVA_NOTICE_MAX + 128];
		size_t pos = (size_t)snprintf(body, sizeof(body),
					      "defaults = { providers = [\"tw\", \"vg\"]; privacy_notice = \"");
		size_t start = pos;
		while (pos - start + 12 < PVA_NOTICE_MAX - 1)
			pos += (size_t)snprintf(body + pos, sizeof(body) - pos, "{recipients}");
		while (pos - start < PVA_NOTICE_MAX - 1)
			body[pos++] = 'x';
		snprintf(body + pos, sizeof(body) - pos, "\"; };");
		load(f, body);
		assert_int_equal(pva_notice_render(f->cfg, svc(f, "sshd"), PVA_LANG_EN, "sshd",
						   MASK, out, sizeof(out)), PVA_ERR_INVAL);
		{
			char version_out[PVA_NOTICE_VERSION_MAX];
			/* a notice that cannot be rendered has no version */
			assert_int_not_equal(pva_notice_version(f->cfg, svc(f, "sshd"), "sshd",
								version_out), PVA_OK);
		}
	}
}

static void test_version(void **state)
{
	struct fx *f = *state;
	char a[PVA_NOTICE_VERSION_MAX], b[PVA_NOTICE_VERSION_MAX], c[PVA_NOTICE_VERSION_MAX];

	load(f, "defaults = { providers = [\"spool\"]; };");
	version(f, "sshd", a);
	version(f, "sshd", b);
	assert_string_equal(a, b);                  /* stable */
	version(f, "sudo", c);
	assert_string_not_equal(a, c);              /* {service} is in the text */

	/* another provider (a new recipient) asks again */
	load(f, "defaults = { providers = [\"spool\", \"tw\"]; };");
	version(f, "sshd", b);
	assert_string_not_equal(a, b);
	/* the same recipient twice over does not */
	load(f, "defaults = { providers = [\"tw\", \"tw2\"]; };");
	version(f, "sshd", c);
	load(f, "defaults = { providers = [\"tw\"]; };");
	version(f, "sshd", b);
	assert_string_equal(b, c);

	/* edited English text, edited translation: new versions */
	load(f, "defaults = { providers = [\"spool\"]; privacy_notice = \"A {phone}\"; };");
	version(f, "sshd", b);
	assert_string_not_equal(a, b);
	load(f, "defaults = { providers = [\"spool\"]; privacy_notice = \"A {phone}\";"
		" privacy_notice_zh_CN = \"甲 {phone}\"; };");
	version(f, "sshd", c);
	assert_string_not_equal(b, c);
	load(f, "defaults = { providers = [\"spool\"]; privacy_notice = \"A {phone}\";"
		" privacy_notice_zh_CN = \"乙 {phone}\"; };");
	version(f, "sshd", a);
	assert_string_not_equal(a, c);
}

/* The phone is not part of the version: a new number is not asked again. */
static void test_version_ignores_phone(void **state)
{
	struct fx *f = *state;
	char a[PVA_NOTICE_VERSION_MAX], b[PVA_NOTICE_VERSION_MAX];
	char x[4096], y[4096];

	load(f, "defaults = { providers = [\"spool\"]; };");
	version(f, "sshd", a);
	assert_int_equal(pva_notice_render(f->cfg, svc(f, "sshd"), PVA_LANG_EN, "sshd",
					   "+44 7700****123", x, sizeof(x)), PVA_OK);
	assert_int_equal(pva_notice_render(f->cfg, svc(f, "sshd"), PVA_LANG_EN, "sshd",
					   "+86 *******0000", y, sizeof(y)), PVA_OK);
	assert_string_not_equal(x, y);
	version(f, "sshd", b);
	assert_string_equal(a, b);
	/* nor is the language the user reads it in: one version, all languages */
	render(f, "sshd", PVA_LANG_ZH_CN, x, sizeof(x));
	version(f, "sshd", b);
	assert_string_equal(a, b);
}

static void test_bad_country(void **state)
{
	struct fx *f = *state;
	char text[2048];
	struct pva_config *cfg = NULL;
	static const char *const bad[] = { "\"USA\"", "\"U\"", "\"1A\"", "1", "\"\"" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "state_dir = \"%s\";\nproviders = { s = { type = \"spool\"; dir = \"/tmp\";"
			 " country = %s; }; };\ndefaults = { providers = [\"s\"]; };\n",
			 f->dir, bad[i]);
		assert_int_not_equal(pva_config_parse(text, "t.conf", &cfg, f->err,
						      sizeof(f->err)), PVA_OK);
		assert_null(cfg);
		assert_non_null(strstr(f->err, "country"));
	}
	snprintf(text, sizeof(text),
		 "state_dir = \"%s\";\nproviders = { s = { type = \"command\"; argv = [\"/bin/true\"];"
		 " company = \"Acme {x}\"; }; };\ndefaults = { providers = [\"s\"]; };\n", f->dir);
	assert_int_not_equal(pva_config_parse(text, "t.conf", &cfg, f->err, sizeof(f->err)),
			     PVA_OK);
	assert_non_null(strstr(f->err, "company"));
	/* both keys are accepted by the spool and command types too */
	snprintf(text, sizeof(text),
		 "state_dir = \"%s\";\nproviders = { s = { type = \"spool\"; dir = \"/tmp\";"
		 " company = \"Acme SMS\"; country = \"FR\"; };\n"
		 " c = { type = \"command\"; argv = [\"/bin/true\"]; company = \"Relay\"; country = \"nl\"; }; };\n"
		 "defaults = { providers = [\"s\", \"c\"]; };\n", f->dir);
	assert_int_equal(pva_config_parse(text, "t.conf", &cfg, f->err, sizeof(f->err)), PVA_OK);
	{
		char out[4096];
		assert_int_equal(pva_notice_render(cfg, pva_config_service(cfg, "x"), PVA_LANG_EN,
						   "x", MASK, out, sizeof(out)), PVA_OK);
		assert_non_null(strstr(out, "passed to Acme SMS (FR), Relay (NL)."));
	}
	pva_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_builtin_english, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builtin_reminders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builtin_chinese, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recipients_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recipients_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_custom_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fits_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_ignores_phone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_country, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
