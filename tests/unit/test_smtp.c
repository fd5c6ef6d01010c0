/* test_smtp.c - delivery/smtp.c: addresses, recipients, URLs, the message
 * text (headers, RFC 2047 subject, base64 body), and a send that cannot
 * connect.  The exchange with a real server is tests/remind/remind_test.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "delivery/smtp.h"

static void test_address(void **state)
{
	static const char *const good[] = {
		"alice@example.org", "a.b-c_d+e@mail.example.org", "x@[127.0.0.1]",
		"x@[IPv6:::1]", "A9@EXAMPLE.ORG", NULL,
	};
	static const char *const bad[] = {
		"", "alice", "@example.org", "alice@", "a@b@c", ".a@example.org",
		"a.@example.org", "a..b@example.org", "a b@example.org",
		"a@example.org\r\nRCPT TO:<x@y>", "a>@example.org", "<a@example.org>",
		"a@-example.org", "a@example-.org", "a@exa mple.org", "a@example..org",
		"a\"b@example.org", "a,b@example.org", "a@[999.1.1.1]", "a%b@example.org",
		NULL,
	};
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		assert_int_equal(pva_mail_address_ok(good[i]), PVA_OK);
	for (i = 0; bad[i]; i++)
		assert_int_equal(pva_mail_address_ok(bad[i]), PVA_ERR_INVAL);
	assert_int_equal(pva_mail_address_ok(NULL), PVA_ERR_INVAL);
}

static void test_recipient(void **state)
{
	char out[PVA_MAIL_ADDR_MAX];

	(void)state;
	assert_int_equal(pva_mail_recipient("{user}@example.org", "alice", out, sizeof(out)),
			 PVA_OK);
	assert_string_equal(out, "alice@example.org");
	assert_int_equal(pva_mail_recipient("pw-{user}.{user}@example.org", "b.c", out,
					    sizeof(out)), PVA_OK);
	assert_string_equal(out, "pw-b.c.b.c@example.org");
	/* names that could reach someone else or break the address */
	assert_int_equal(pva_mail_recipient("{user}@example.org", "victim+x", out,
					    sizeof(out)), PVA_ERR_INVAL);
	assert_string_equal(out, "");
	assert_int_equal(pva_mail_recipient("{user}@example.org", "a@evil.org", out,
					    sizeof(out)), PVA_ERR_INVAL);
	assert_int_equal(pva_mail_recipient("{user}@example.org", "a\r\nDATA", out,
					    sizeof(out)), PVA_ERR_INVAL);
	assert_int_equal(pva_mail_recipient("{user}@example.org", "-x", out, sizeof(out)),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_mail_recipient("{user}@example.org", ".x", out, sizeof(out)),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_mail_recipient("{user}@example.org", "a..b", out, sizeof(out)),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_mail_recipient("{user}@example.org", "", out, sizeof(out)),
			 PVA_ERR_INVAL);
	assert_int_equal(pva_mail_recipient("{user}@example.org", "alice", out, 10),
			 PVA_ERR_INVAL);
}

static void test_url(void **state)
{
	static const char *const good[] = {
		"smtp://mail.example.org", "smtp://mail.example.org:587",
		"smtps://mail.example.org:465", "smtp://127.0.0.1:2525/client.example.org",
		"smtp://[::1]:25", "smtp://localhost/", NULL,
	};
	static const char *const bad[] = {
		"", "http://mail.example.org", "smtp://", "smtp://user:pw@mail.example.org",
		"smtp://mail.example.org:", "smtp://mail.example.org:123456",
		"smtp://mail.example.org/a/b", "smtp://mail.example.org?x=1",
		"smtp://mail example.org", "smtp://[::1", NULL,
	};
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		assert_int_equal(pva_smtp_check_url(good[i], why, sizeof(why)), PVA_OK);
	for (i = 0; bad[i]; i++) {
		assert_int_equal(pva_smtp_check_url(bad[i], why, sizeof(why)), PVA_ERR_INVAL);
		assert_true(why[0] != '\0');
	}
}

static struct pva_smtp_conf conf(void)
{
	struct pva_smtp_conf c;

	memset(&c, 0, sizeof(c));
	snprintf(c.url, sizeof(c.url), "smtp://127.0.0.1:1");
	snprintf(c.from, sizeof(c.from), "privauth@host.example");
	snprintf(c.to, sizeof(c.to), "{user}@example.org");
	c.timeout = 5;
	return c;
}

/* The value of header name (unfolded) in msg, into out. */
static int header(const char *msg, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name), o = 0;
	const char *p = msg;

	while (p && *p && !(p[0] == '\r' && p[1] == '\n')) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			for (;;) {
				if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
					p += 3; /* folded */
					if (o + 1 < outlen)
						out[o++] = '\n';
					continue;
				}
				if (*p == '\0' || (p[0] == '\r' && p[1] == '\n'))
					break;
				if (o + 1 < outlen)
					out[o++] = *p;
				p++;
			}
			out[o] = '\0';
			return 0;
		}
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return -1;
}

static void test_format_ascii(void **state)
{
	struct pva_smtp_conf c = conf();
	struct pva_mail m = { "alice@example.org", "Password reminder", "Line one.\nLine two.\n" };
	char *msg = NULL, v[512];
	size_t len = 0;

	(void)state;
	assert_int_equal(pva_mail_format(&c, &m, 1795000000LL, &msg, &len), PVA_OK);
	assert_int_equal(strlen(msg), len);
	assert_int_equal(header(msg, "Date", v, sizeof(v)), 0);
	assert_string_equal(v, "Wed, 18 Nov 2026 11:06:40 +0000");
	assert_int_equal(header(msg, "From", v, sizeof(v)), 0);
	assert_string_equal(v, "<privauth@host.example>");
	assert_int_equal(header(msg, "To", v, sizeof(v)), 0);
	assert_string_equal(v, "<alice@example.org>");
	assert_int_equal(header(msg, "Subject", v, sizeof(v)), 0);
	assert_string_equal(v, "Password reminder");
	assert_int_equal(header(msg, "Message-ID", v, sizeof(v)), 0);
	assert_true(strncmp(v, "<1795000000.", 12) == 0);
	assert_non_null(strstr(v, "@host.example>"));
	assert_int_equal(header(msg, "MIME-Version", v, sizeof(v)), 0);
	assert_string_equal(v, "1.0");
	assert_int_equal(header(msg, "Content-Type", v, sizeof(v)), 0);
	assert_string_equal(v, "text/plain; charset=UTF-8");
	assert_int_equal(header(msg, "Content-Transfer-Encoding", v, sizeof(v)), 0);
	assert_string_equal(v, "7bit");
	assert_non_null(strstr(msg, "\r\n\r\nLine one.\r\nLine two.\r\n"));
	/* every line ends in CRLF: no bare LF */
	for (size_t i = 0; i < len; i++)
		if (msg[i] == '\n')
			assert_true(i > 0 && msg[i - 1] == '\r');
	free(msg);
}

static void test_format_utf8(void **state)
{
	static const char subject[] = "remindhost 密码更改提醒（一个很长的用户名字用来测试编码字的"
				      "分割是否正确）与更多的汉字在这里";
	static const char body[] = "您好：您的密码已有 120 天未更改。\n请尽快更改。\n";
	struct pva_smtp_conf c = conf();
	struct pva_mail m = { "bob@example.org", subject, body };
	unsigned char raw[4096], joined[1024];
	char *msg = NULL, v[2048], *w, *save = NULL, *b64;
	size_t len = 0, rawlen = 0, jl = 0, words = 0;

	(void)state;
	assert_int_equal(pva_mail_format(&c, &m, 1795000000LL, &msg, &len), PVA_OK);
	assert_int_equal(header(msg, "Content-Transfer-Encoding", v, sizeof(v)), 0);
	assert_string_equal(v, "base64");
	/* subject: encoded words of at most 75 characters, each whole UTF-8 */
	assert_int_equal(header(msg, "Subject", v, sizeof(v)), 0);
	for (w = strtok_r(v, "\n", &save); w; w = strtok_r(NULL, "\n", &save), words++) {
		size_t wl = strlen(w), dl = 0;
		assert_true(wl <= 75);
		assert_true(strncmp(w, "=?UTF-8?B?", 10) == 0);
		assert_string_equal(w + wl - 2, "?=");
		w[wl - 2] = '\0';
		assert_int_equal(sodium_base642bin(joined + jl, sizeof(joined) - jl, w + 10,
						   wl - 12, NULL, &dl, NULL,
						   sodium_base64_VARIANT_ORIGINAL), 0);
		assert_true((joined[jl] & 0xC0) != 0x80); /* not a continuation byte */
		jl += dl;
	}
	assert_true(words >= 3);
	assert_int_equal(jl, strlen(subject));
	assert_memory_equal(joined, subject, jl);
	/* body: base64 lines of at most 76 characters, decoding to the text
	 * with CRLF line ends */
	b64 = strstr(msg, "\r\n\r\n");
	assert_non_null(b64);
	b64 += 4;
	for (char *p = b64; *p; ) {
		char *e = strstr(p, "\r\n");
		assert_non_null(e);
		assert_true(e - p <= 76);
		p = e + 2;
	}
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), b64, strlen(b64), "\r\n", &rawlen,
					   NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	raw[rawlen] = '\0';
	assert_string_equal((char *)raw, "您好：您的密码已有 120 天未更改。\r\n请尽快更改。\r\n");
	free(msg);
}

static void test_format_refuses(void **state)
{
	struct pva_smtp_conf c = conf();
	struct pva_mail m = { "a@example.org\r\nBcc: x@y.org", "s", "b" };
	char *msg = NULL, *big;
	size_t len = 0;

	(void)state;
	assert_int_equal(pva_mail_format(&c, &m, 0, &msg, &len), PVA_ERR_INVAL);
	assert_null(msg);
	m.to = "a@example.org";
	snprintf(c.from, sizeof(c.from), "x@y.org>\r\nBcc: z@w.org");
	assert_int_equal(pva_mail_format(&c, &m, 0, &msg, &len), PVA_ERR_INVAL);
	c = conf();
	/* a subject with a line break stays one header line */
	m.subject = "a\r\nBcc: evil@example.org";
	assert_int_equal(pva_mail_format(&c, &m, 0, &msg, &len), PVA_OK);
	assert_null(strstr(msg, "\r\nBcc:"));
	assert_non_null(strstr(msg, "Subject: a  Bcc: evil@example.org\r\n"));
	free(msg);
	big = malloc(PVA_MAIL_BODY_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', PVA_MAIL_BODY_MAX + 1);
	big[PVA_MAIL_BODY_MAX + 1] = '\0';
	m.subject = "s";
	m.body = big;
	msg = NULL;
	assert_int_equal(pva_mail_format(&c, &m, 0, &msg, &len), PVA_ERR_INVAL);
	free(big);
}

static void test_send_refused_and_unreachable(void **state)
{
	struct pva_smtp_conf c = conf();
	struct pva_mail m = { "alice@example.org", "s", "b\n" };
	char err[256];

	(void)state;
	/* nothing listens on port 1 of loopback */
	assert_int_equal(pva_smtp_send(&c, "host.example", &m, err, sizeof(err)),
			 PVA_ERR_DELIVERY);
	assert_non_null(strstr(err, "curl 7"));
	m.to = "alice@example.org>\r\nDATA";
	assert_int_equal(pva_smtp_send(&c, "host.example", &m, err, sizeof(err)), PVA_ERR_INVAL);
	m.to = "alice@example.org";
	snprintf(c.url, sizeof(c.url), "smtp://user:pw@127.0.0.1:1");
	assert_int_equal(pva_smtp_send(&c, "host.example", &m, err, sizeof(err)), PVA_ERR_INVAL);
	c.url[0] = '\0';
	assert_int_equal(pva_smtp_send(&c, "host.example", &m, err, sizeof(err)), PVA_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_recipient),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_format_ascii),
		cmocka_unit_test(test_format_utf8),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_send_refused_and_unreachable),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
