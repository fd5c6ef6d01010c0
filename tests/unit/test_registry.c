/* test_registry.c - provider types, names, channels and the send wrapper. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "delivery/command.h"
#include "delivery/provider.h"
#include "delivery/spool.h"
#include "../lib/regfx.h"

static int setup(void **state)
{
	*state = regfx_new(sizeof(struct regfx), "registry");
	return *state != NULL ? 0 : -1;
}

/* Parse text (line 1 is "providers = {") and create member `name`. */
static enum pva_rc make(struct regfx *f, const char *body, const char *name)
{
	char text[1024];
	const config_setting_t *grp;

	snprintf(text, sizeof(text), "providers = {\n%s\n};\n", body);
	regfx_parse(f, text);
	grp = config_setting_get_member(config_lookup(&f->cfg, "providers"), name);
	assert_non_null(grp);
	memset(&f->p, 0xa5, sizeof(f->p)); /* create must reset it */
	return regfx_create(f, "/etc/privauth/privauth.conf", grp);
}

static void expect_error(struct regfx *f, const char *body, const char *name,
			 const char *where, const char *what)
{
	assert_int_equal(make(f, body, name), PVA_ERR_CONFIG);
	if (strstr(f->err, where) == NULL || (what && strstr(f->err, what) == NULL))
		fail_msg("error \"%s\" lacks \"%s\" / \"%s\"", f->err, where,
			 what ? what : "");
	assert_null(f->p.ops);
	assert_null(f->p.priv);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(pva_channel_name(PVA_CH_SMS), "sms");
	assert_string_equal(pva_channel_name(PVA_CH_VOICE), "voice");
	assert_string_equal(pva_send_status_name(PVA_SEND_SENT), "sent");
	assert_string_equal(pva_send_status_name(PVA_SEND_RATE_LIMITED), "rate_limited");
	assert_string_equal(pva_send_status_name(PVA_SEND_TEMPORARY), "temporary");
	assert_string_equal(pva_send_status_name(PVA_SEND_PERMANENT), "permanent");
	assert_string_equal(pva_send_status_name(PVA_SEND_AMBIGUOUS), "ambiguous");
	assert_non_null(pva_send_status_name((enum pva_send_status)42));
	assert_non_null(pva_channel_name((enum pva_channel)42));
}

static void test_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(pva_provider_lookup("spool"), &pva_provider_spool);
	assert_ptr_equal(pva_provider_lookup("command"), &pva_provider_command);
	assert_null(pva_provider_lookup("Spool"));
	assert_null(pva_provider_lookup(""));
	assert_null(pva_provider_lookup(NULL));
}

static void test_unknown_type(void **state)
{
	struct regfx *f = *state;

	expect_error(f, "sms1 = {\n  type = \"pigeon\";\n};", "sms1",
		     "/etc/privauth/privauth.conf:3: type:", "pigeon");
	assert_non_null(strstr(f->err, "spool"));
	assert_non_null(strstr(f->err, "command"));
	expect_error(f, "sms1 = {\n  dir = \"/x\";\n};", "sms1",
		     "privauth.conf:2: type:", "missing");
	expect_error(f, "sms1 = {\n  type = 7;\n};", "sms1",
		     "privauth.conf:3: type:", NULL);
}

static void test_bad_channels(void **state)
{
	struct regfx *f = *state;

	expect_error(f, "a = { type = \"spool\";\n channels = [\"sms\",\n \"fax\"]; };", "a",
		     "privauth.conf:4: channels:", "fax");
	expect_error(f, "a = { type = \"spool\";\n channels = []; };", "a",
		     "privauth.conf:3: channels:", NULL);
	expect_error(f, "a = { type = \"spool\";\n channels = \"sms\"; };", "a",
		     "privauth.conf:3: channels:", NULL);
	expect_error(f, "a = { type = \"spool\";\n channels = [\"sms\", \"voice\", \"sms\"]; };",
		     "a", "channels", NULL);
}

static void test_channels(void **state)
{
	struct regfx *f = *state;

	assert_int_equal(make(f, "a = { type = \"spool\"; };", "a"), PVA_OK);
	assert_int_equal(f->p.channels, PVA_CH_SMS | PVA_CH_VOICE);
	assert_string_equal(f->p.name, "a");
	assert_ptr_equal(f->p.ops, &pva_provider_spool);
	assert_non_null(f->p.priv);
	assert_int_equal(make(f, "b = { type = \"spool\"; channels = [\"voice\"]; };", "b"),
			 PVA_OK);
	assert_int_equal(f->p.channels, PVA_CH_VOICE);
	assert_int_equal(make(f, "c-2_X = { type = \"command\"; argv = [\"/bin/true\"]; "
			      "channels = [\"sms\"]; };", "c-2_X"), PVA_OK);
	assert_int_equal(f->p.channels, PVA_CH_SMS);
	assert_string_equal(f->p.name, "c-2_X");
}

static void test_unknown_key(void **state)
{
	struct regfx *f = *state;

	expect_error(f, "a = {\n type = \"spool\";\n\n colour = \"red\";\n};", "a",
		     "privauth.conf:5: colour:", "unknown key");
	expect_error(f, "a = {\n type = \"command\";\n argv = [\"/bin/true\"];\n"
		     " dir = \"/tmp\";\n};", "a", "privauth.conf:5: dir:", "unknown key");
}

static void test_bad_name(void **state)
{
	struct regfx *f = *state;
	char name[65], body[128];

	expect_error(f, "a*b = { type = \"spool\"; };", "a*b", "privauth.conf:2:", "name");
	memset(name, 'n', 64);
	name[64] = '\0';
	snprintf(body, sizeof(body), "%s = { type = \"spool\"; };", name);
	expect_error(f, body, name, "privauth.conf:2:", "1..63");
	name[63] = '\0';
	snprintf(body, sizeof(body), "%s = { type = \"spool\"; };", name);
	assert_int_equal(make(f, body, name), PVA_OK);
	assert_string_equal(f->p.name, name);
}

static void init_msg(struct pva_message *m, enum pva_channel ch)
{
	memset(m, 0, sizeof(*m));
	m->phone = "+4915112345678";
	m->channel = ch;
	m->text = "code 123456";
	m->code = "123456";
}

static void test_send(void **state)
{
	struct regfx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	char body[256];

	snprintf(body, sizeof(body), "s = { type = \"spool\"; dir = \"%s\"; channels = [\"sms\"]; };",
		 f->dir);
	assert_int_equal(make(f, body, "s"), PVA_OK);

	init_msg(&m, PVA_CH_SMS);
	memset(&res, 0x5a, sizeof(res));
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	assert_true(res.detail[0] != '\0' && strlen(res.detail) < sizeof(res.detail));
	assert_memory_equal(res.request_id, "privauth-", 9);

	/* voice is not enabled for this instance */
	init_msg(&m, PVA_CH_VOICE);
	memset(&res, 0x5a, sizeof(res));
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_non_null(strstr(res.detail, "voice"));
	assert_int_equal(res.request_id[0], '\0');

	/* not a channel at all */
	m.channel = (enum pva_channel)(PVA_CH_SMS | PVA_CH_VOICE);
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
}

static void test_send_failure_classes(void **state)
{
	struct regfx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	char body[256];

	snprintf(body, sizeof(body), "s = { type = \"spool\"; dir = \"%s/missing\"; };", f->dir);
	assert_int_equal(make(f, body, "s"), PVA_OK);
	init_msg(&m, PVA_CH_SMS);
	assert_int_equal(pva_provider_send(&f->p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_TEMPORARY);
	assert_true(res.detail[0] != '\0');
	assert_int_equal(pva_provider_send(NULL, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	assert_true(res.detail[0] != '\0');
}

static void test_destroy(void **state)
{
	struct regfx *f = *state;
	struct pva_provider zero;

	pva_provider_destroy(NULL);
	memset(&zero, 0, sizeof(zero));
	pva_provider_destroy(&zero);
	assert_int_equal(make(f, "a = { type = \"command\"; argv = [\"/bin/true\", \"x\"]; };",
			      "a"), PVA_OK);
	assert_non_null(f->p.priv);
	pva_provider_destroy(&f->p);
	assert_null(f->p.priv);
	assert_null(f->p.ops);
	pva_provider_destroy(&f->p); /* twice is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test_setup_teardown(test_unknown_type, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_channels, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_channels, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_name, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_send_failure_classes, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_destroy, setup, regfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
