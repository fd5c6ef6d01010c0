/* test_bypass.c - exempt groups and trusted networks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/config_privacy.h"
#include "privacy/bypass.h"

static struct pva_settings *settings(void)
{
	struct pva_settings *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	return s;
}

static void patterns(struct pva_settings *s, const char *const *p)
{
	s->n_exempt = 0;
	while (*p) {
		snprintf(s->exempt_groups[s->n_exempt++], PVA_NAME_MAX, "%s", *p);
		p++;
	}
}

static void networks(struct pva_settings *s, const char *const *n)
{
	s->n_trusted = 0;
	while (*n) {
		assert_int_equal(pva_cidr_parse(*n, &s->trusted[s->n_trusted]), PVA_OK);
		s->n_trusted++;
		n++;
	}
}

static void test_patterns(void **state)
{
	struct pva_settings *s = settings();
	char *g1[] = { "users", "wheel" }, *g2[] = { "users" }, *g3[] = { "svc-backup", "ops" };

	(void)state;
	/* no patterns: nobody is exempt */
	assert_int_equal(pva_groups_exempt(s, g1, 2), 0);
	patterns(s, (const char *const[]){ "wheel", NULL });
	assert_int_equal(pva_groups_exempt(s, g1, 2), 1);
	assert_int_equal(pva_groups_exempt(s, g2, 1), 0);
	assert_int_equal(pva_groups_exempt(s, NULL, 0), 0);
	/* globs */
	patterns(s, (const char *const[]){ "svc-*", NULL });
	assert_int_equal(pva_groups_exempt(s, g3, 2), 1);
	assert_int_equal(pva_groups_exempt(s, g1, 2), 0);
	patterns(s, (const char *const[]){ "whe?l", NULL });
	assert_int_equal(pva_groups_exempt(s, g1, 2), 1);
	patterns(s, (const char *const[]){ "[uw]sers", NULL });
	assert_int_equal(pva_groups_exempt(s, g2, 1), 1);
	/* whole-name matches only; case matters */
	patterns(s, (const char *const[]){ "use", "WHEEL", NULL });
	assert_int_equal(pva_groups_exempt(s, g1, 2), 0);
	/* only negations: never exempt */
	patterns(s, (const char *const[]){ "!ops", NULL });
	assert_int_equal(pva_groups_exempt(s, g1, 2), 0);
	free(s);
}

/* A "!" pattern matching any group wins, before or after the plain one. */
static void test_negation_wins(void **state)
{
	struct pva_settings *s = settings();
	char *g[] = { "svc-backup", "ops" }, *h[] = { "svc-backup" };

	(void)state;
	patterns(s, (const char *const[]){ "svc-*", "!ops", NULL });
	assert_int_equal(pva_groups_exempt(s, g, 2), 0);
	assert_int_equal(pva_groups_exempt(s, h, 1), 1);
	patterns(s, (const char *const[]){ "!ops", "svc-*", NULL });
	assert_int_equal(pva_groups_exempt(s, g, 2), 0);
	assert_int_equal(pva_groups_exempt(s, h, 1), 1);
	patterns(s, (const char *const[]){ "*", "!svc-*", NULL });
	assert_int_equal(pva_groups_exempt(s, g, 2), 0);
	free(s);
}

static void test_user_groups(void **state)
{
	char **names = NULL;
	size_t n = 0, i;
	int root = 0;

	(void)state;
	assert_int_equal(pva_user_groups("root", &names, &n), PVA_OK);
	assert_true(n >= 1);
	for (i = 0; i < n; i++)
		root |= strcmp(names[i], "root") == 0;
	assert_true(root);
	pva_groups_free(names, n);

	assert_int_equal(pva_user_groups("nobody", &names, &n), PVA_OK);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "nogroup");
	pva_groups_free(names, n);

	assert_int_equal(pva_user_groups("no-such-user-pva", &names, &n), PVA_ERR_NOTFOUND);
	assert_null(names);
	assert_int_equal(n, 0);
	assert_int_equal(pva_user_groups("", &names, &n), PVA_ERR_NOTFOUND);
	pva_groups_free(NULL, 0);
}

static void test_cidr_v4(void **state)
{
	struct pva_cidr net;

	(void)state;
	assert_int_equal(pva_cidr_parse("10.1.0.0/16", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "10.1.0.0"), 1);
	assert_int_equal(pva_cidr_contains(&net, "10.1.255.255"), 1);
	assert_int_equal(pva_cidr_contains(&net, "10.2.0.1"), 0);
	assert_int_equal(pva_cidr_contains(&net, "10.0.255.255"), 0);
	/* a prefix that does not end on a byte */
	assert_int_equal(pva_cidr_parse("192.0.2.64/27", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "192.0.2.64"), 1);
	assert_int_equal(pva_cidr_contains(&net, "192.0.2.95"), 1);
	assert_int_equal(pva_cidr_contains(&net, "192.0.2.96"), 0);
	assert_int_equal(pva_cidr_contains(&net, "192.0.2.63"), 0);
	/* /32 is one host, /0 every IPv4 address (and no IPv6 one) */
	assert_int_equal(pva_cidr_parse("127.0.0.1/32", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "127.0.0.1"), 1);
	assert_int_equal(pva_cidr_contains(&net, "127.0.0.2"), 0);
	assert_int_equal(pva_cidr_parse("203.0.113.9", &net), PVA_OK);
	assert_int_equal(net.bits, 32);
	assert_int_equal(pva_cidr_contains(&net, "203.0.113.9"), 1);
	assert_int_equal(pva_cidr_parse("0.0.0.0/0", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "255.255.255.255"), 1);
	assert_int_equal(pva_cidr_contains(&net, "1.2.3.4"), 1);
	assert_int_equal(pva_cidr_contains(&net, "::1"), 0);
	assert_int_equal(pva_cidr_contains(&net, "2001:db8::1"), 0);
}

static void test_cidr_v6(void **state)
{
	struct pva_cidr net;

	(void)state;
	assert_int_equal(pva_cidr_parse("2001:db8::/32", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "2001:db8::1"), 1);
	assert_int_equal(pva_cidr_contains(&net, "2001:DB8:ffff::"), 1);
	assert_int_equal(pva_cidr_contains(&net, "2001:db9::1"), 0);
	assert_int_equal(pva_cidr_contains(&net, "10.0.0.1"), 0);
	assert_int_equal(pva_cidr_parse("fd00:1:2:3::/63", &net), PVA_ERR_LIMIT);
	assert_int_equal(pva_cidr_parse("fd00:1:2:2::/63", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "fd00:1:2:2::5"), 1);
	assert_int_equal(pva_cidr_contains(&net, "fd00:1:2:3::5"), 1);
	assert_int_equal(pva_cidr_contains(&net, "fd00:1:2:4::5"), 0);
	assert_int_equal(pva_cidr_parse("::1/128", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "::1"), 1);
	assert_int_equal(pva_cidr_contains(&net, "0:0:0:0:0:0:0:1"), 1);
	assert_int_equal(pva_cidr_contains(&net, "::2"), 0);
	assert_int_equal(pva_cidr_contains(&net, "127.0.0.1"), 0);
	assert_int_equal(pva_cidr_parse("::/0", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 1);
	assert_int_equal(pva_cidr_contains(&net, "1.2.3.4"), 0);
}

/* ::ffff:a.b.c.d is the IPv4 address a.b.c.d, in both directions. */
static void test_mapped(void **state)
{
	struct pva_cidr net;

	(void)state;
	assert_int_equal(pva_cidr_parse("192.0.2.0/24", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "::ffff:192.0.2.10"), 1);
	assert_int_equal(pva_cidr_contains(&net, "::FFFF:c000:20a"), 1);
	assert_int_equal(pva_cidr_contains(&net, "::ffff:192.0.3.10"), 0);
	/* IPv4-compatible (deprecated, ::a.b.c.d) and NAT64 forms are not mapped */
	assert_int_equal(pva_cidr_contains(&net, "::192.0.2.10"), 0);
	assert_int_equal(pva_cidr_contains(&net, "64:ff9b::192.0.2.10"), 0);
	/* an IPv6 network never holds a mapped address: it is IPv4 */
	assert_int_equal(pva_cidr_parse("::/0", &net), PVA_OK);
	assert_int_equal(pva_cidr_contains(&net, "::ffff:192.0.2.10"), 0);
}

/* Host names are never resolved or trusted; garbage is not an address. */
static void test_garbage(void **state)
{
	struct pva_settings *s = settings();
	static const char *const bad[] = {
		"localhost", "ip6-localhost", "example.com", "127.0.0.1.example.com",
		"127.0.0.1 ", " 127.0.0.1", "127.0.0.1/32", "127.1", "0x7f.0.0.1",
		"127.000.000.001", "::1%lo", "[::1]", "127.0.0.1:22", "", "::ffff:127.0.0.1x",
		"1.2.3.4.5", "12345678901234567890123456789012345678901234567890123456789",
		NULL };
	size_t i;

	(void)state;
	networks(s, (const char *const[]){ "0.0.0.0/0", "::/0", NULL });
	assert_int_equal(pva_rhost_trusted(s, "127.0.0.1"), 1);
	assert_int_equal(pva_rhost_trusted(s, "::1"), 1);
	for (i = 0; bad[i]; i++)
		if (pva_rhost_trusted(s, bad[i]))
			fail_msg("\"%s\" was trusted", bad[i]);
	assert_int_equal(pva_rhost_trusted(s, NULL), 0);
	assert_int_equal(pva_cidr_contains(NULL, "127.0.0.1"), 0);
	free(s);
}

static void test_rhost_lists(void **state)
{
	struct pva_settings *s = settings();

	(void)state;
	/* no networks: nothing is trusted */
	assert_int_equal(pva_rhost_trusted(s, "127.0.0.1"), 0);
	networks(s, (const char *const[]){ "10.0.0.0/8", "2001:db8:1::/48", "198.51.100.7", NULL });
	assert_int_equal(pva_rhost_trusted(s, "10.200.1.1"), 1);
	assert_int_equal(pva_rhost_trusted(s, "2001:db8:1:ffff::1"), 1);
	assert_int_equal(pva_rhost_trusted(s, "198.51.100.7"), 1);
	assert_int_equal(pva_rhost_trusted(s, "::ffff:198.51.100.7"), 1);
	assert_int_equal(pva_rhost_trusted(s, "198.51.100.8"), 0);
	assert_int_equal(pva_rhost_trusted(s, "11.0.0.1"), 0);
	assert_int_equal(pva_rhost_trusted(s, "2001:db8:2::1"), 0);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_negation_wins),
		cmocka_unit_test(test_user_groups),
		cmocka_unit_test(test_cidr_v4),
		cmocka_unit_test(test_cidr_v6),
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_rhost_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
