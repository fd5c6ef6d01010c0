/* smtp.c - one plain-text UTF-8 mail through libcurl (delivery/smtp.h). */
#include "delivery/smtp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "delivery/http.h"

#define LINE_MAX_7BIT 998
#define B64_LINE 76
#define SUBJECT_MAX 900
#define WORD_RAW 45      /* bytes per RFC 2047 encoded word: 60 base64 chars */

/* ---- addresses and URLs ---- */

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int local_part_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return 0;
		if (!is_alnum((unsigned char)s[i]) && strchr("._+-", s[i]) == NULL)
			return 0;
	}
	return 1;
}

static int domain_ok(const char *s, size_t n)
{
	char buf[64];
	struct in_addr a4;
	struct in6_addr a6;
	size_t i, label = 0;

	if (n > 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof(buf)) {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		if (strncasecmp(buf, "IPv6:", 5) == 0)
			return inet_pton(AF_INET6, buf + 5, &a6) == 1;
		return inet_pton(AF_INET, buf, &a4) == 1;
	}
	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (is_alnum((unsigned char)s[i]) || (s[i] == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

enum pva_rc pva_mail_address_ok(const char *addr)
{
	const char *at;
	size_t n;

	if (addr == NULL || (n = strlen(addr)) == 0 || n > 254)
		return PVA_ERR_INVAL;
	at = strchr(addr, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return PVA_ERR_INVAL;
	if (!local_part_ok(addr, (size_t)(at - addr)) ||
	    !domain_ok(at + 1, n - (size_t)(at - addr) - 1))
		return PVA_ERR_INVAL;
	return PVA_OK;
}

enum pva_rc pva_mail_recipient(const char *tmpl, const char *user, char *out,
			       size_t outlen)
{
	size_t ul, pos = 0, i;

	if (tmpl == NULL || user == NULL || out == NULL || outlen == 0)
		return PVA_ERR_INVAL;
	out[0] = '\0';
	ul = strlen(user);
	if (ul == 0 || ul > 64 || user[0] == '.' || user[0] == '-')
		return PVA_ERR_INVAL;
	for (i = 0; i < ul; i++)
		if (!is_alnum((unsigned char)user[i]) && strchr("._-", user[i]) == NULL)
			return PVA_ERR_INVAL;
	while (*tmpl) {
		const char *piece = tmpl;
		size_t n = 1;

		if (strncmp(tmpl, "{user}", 6) == 0) {
			piece = user;
			n = ul;
			tmpl += 6;
		} else {
			tmpl++;
		}
		if (pos + n >= outlen) {
			out[0] = '\0';
			return PVA_ERR_INVAL;
		}
		memcpy(out + pos, piece, n);
		pos += n;
	}
	out[pos] = '\0';
	if (pva_mail_address_ok(out) != PVA_OK) {
		out[0] = '\0';
		return PVA_ERR_INVAL;
	}
	return PVA_OK;
}

static void set_why(char *why, size_t whylen, const char *text)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", text);
}

/* The URL's parts: host (with brackets) and whether it names an EHLO
 * name.  -1 when malformed. */
static int url_parts(const char *url, int *tls, const char **host, size_t *hostlen,
		     int *has_path, char *why, size_t whylen)
{
	const char *p, *h;
	size_t n;

	if (url == NULL || strlen(url) >= 256) {
		set_why(why, whylen, "missing or too long");
		return -1;
	}
	if (strncasecmp(url, "smtps://", 8) == 0) {
		*tls = 1;
		h = url + 8;
	} else if (strncasecmp(url, "smtp://", 7) == 0) {
		*tls = 0;
		h = url + 7;
	} else {
		set_why(why, whylen, "must start with smtp:// or smtps://");
		return -1;
	}
	if (h[0] == '[') {
		n = strcspn(h, "]");
		if (h[n] != ']') {
			set_why(why, whylen, "has an unterminated [address]");
			return -1;
		}
		n++;
		if (!domain_ok(h, n) && !(n > 2 && memchr(h, ':', n) != NULL)) {
			set_why(why, whylen, "has a bad [address]");
			return -1;
		}
	} else {
		n = strcspn(h, ":/");
		if (!domain_ok(h, n)) {
			set_why(why, whylen, "has no valid host name (user:password@ is not allowed)");
			return -1;
		}
	}
	*host = h;
	*hostlen = n;
	p = h + n;
	if (*p == ':') {
		size_t d = strspn(p + 1, "0123456789");
		if (d == 0 || d > 5) {
			set_why(why, whylen, "has a bad port");
			return -1;
		}
		p += 1 + d;
	}
	*has_path = 0;
	if (*p == '/') {
		if (p[1] != '\0' && !domain_ok(p + 1, strlen(p + 1))) {
			set_why(why, whylen, "path must be an EHLO host name only");
			return -1;
		}
		*has_path = p[1] != '\0';
		p += strlen(p);
	}
	if (*p != '\0') {
		set_why(why, whylen, "has characters after HOST[:PORT][/EHLO-NAME]");
		return -1;
	}
	set_why(why, whylen, "");
	return 0;
}

enum pva_rc pva_smtp_check_url(const char *url, char *why, size_t whylen)
{
	const char *host;
	size_t hostlen;
	int tls, path;

	return url_parts(url, &tls, &host, &hostlen, &path, why, whylen) == 0 ?
	       PVA_OK : PVA_ERR_INVAL;
}

/* ---- the message ---- */

static void put_crlf_text(struct pva_http_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			pva_http_buf_put(b, "\r\n", 2);
		else if (*s != '\r')
			pva_http_buf_put(b, s, 1);
	}
}

/* Printable ASCII (and tab) only, no line over LINE_MAX_7BIT bytes. */
static int plain_7bit(const char *s)
{
	size_t line = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n') {
			line = 0;
			continue;
		}
		if (c == '\r')
			continue;
		if ((c < 0x20 && c != '\t') || c >= 0x7f || ++line > LINE_MAX_7BIT)
			return 0;
	}
	return 1;
}

static void put_base64(struct pva_http_buf *b, const unsigned char *raw, size_t n,
		       size_t line)
{
	char chunk[B64_LINE + 4];
	size_t i, per = line / 4 * 3;

	for (i = 0; i < n; i += per) {
		size_t k = n - i < per ? n - i : per;
		sodium_bin2base64(chunk, sizeof(chunk), raw + i, k,
				  sodium_base64_VARIANT_ORIGINAL);
		pva_http_buf_puts(b, chunk);
		pva_http_buf_put(b, "\r\n", 2);
	}
	sodium_memzero(chunk, sizeof(chunk));
}

/* The length of the longest prefix of s (at most max bytes) that does not
 * cut a UTF-8 sequence. */
static size_t utf8_cut(const unsigned char *s, size_t n, size_t max)
{
	size_t k;

	if (n <= max)
		return n;
	k = max;
	while (k > 0 && (s[k] & 0xC0) == 0x80)
		k--;
	return k > 0 ? k : max;
}

static void put_subject(struct pva_http_buf *b, const char *subject)
{
	unsigned char raw[SUBJECT_MAX];
	char word[WORD_RAW / 3 * 4 + 4];
	size_t n, i, k;
	int ascii = 1;

	/* one line, at most SUBJECT_MAX bytes, never cut inside a character;
	 * control characters become spaces */
	n = utf8_cut((const unsigned char *)subject, strlen(subject), SUBJECT_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)subject[i];
		raw[i] = c < 0x20 || c == 0x7f ? ' ' : c;
		if (c >= 0x7f)
			ascii = 0;
	}
	pva_http_buf_puts(b, "Subject: ");
	if (ascii) {
		pva_http_buf_put(b, (const char *)raw, n);
		pva_http_buf_put(b, "\r\n", 2);
		return;
	}
	/* RFC 2047 encoded words of at most 75 characters, folded */
	for (i = 0; i < n; i += k) {
		k = utf8_cut(raw + i, n - i, WORD_RAW);
		sodium_bin2base64(word, sizeof(word), raw + i, k,
				  sodium_base64_VARIANT_ORIGINAL);
		if (i > 0)
			pva_http_buf_puts(b, "\r\n ");
		pva_http_buf_puts(b, "=?UTF-8?B?");
		pva_http_buf_puts(b, word);
		pva_http_buf_puts(b, "?=");
	}
	pva_http_buf_put(b, "\r\n", 2);
}

static void put_date(struct pva_http_buf *b, long long now)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)now;
	struct tm tm;
	char line[64];

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(line, sizeof(line), "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
		 days[(unsigned)tm.tm_wday % 7], tm.tm_mday, months[(unsigned)tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	pva_http_buf_puts(b, line);
}

static void put_message_id(struct pva_http_buf *b, const char *from, long long now)
{
	unsigned char rnd[12];
	char hex[sizeof(rnd) * 2 + 1], line[64];
	const char *domain = strchr(from, '@') + 1;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(line, sizeof(line), "Message-ID: <%lld.%s@", now, hex);
	pva_http_buf_puts(b, line);
	pva_http_buf_puts(b, domain[0] == '[' ? "privauth.invalid" : domain);
	pva_http_buf_puts(b, ">\r\n");
}

enum pva_rc pva_mail_format(const struct pva_smtp_conf *c, const struct pva_mail *m,
			    long long now, char **out, size_t *outlen)
{
	struct pva_http_buf b = { NULL, 0, 0, 0 };
	size_t bodylen;

	*out = NULL;
	*outlen = 0;
	if (c == NULL || m == NULL || m->subject == NULL || m->body == NULL ||
	    pva_mail_address_ok(c->from) != PVA_OK || pva_mail_address_ok(m->to) != PVA_OK)
		return PVA_ERR_INVAL;
	bodylen = strlen(m->body);
	if (bodylen > PVA_MAIL_BODY_MAX)
		return PVA_ERR_INVAL;
	put_date(&b, now);
	pva_http_buf_puts(&b, "From: <");
	pva_http_buf_puts(&b, c->from);
	pva_http_buf_puts(&b, ">\r\nTo: <");
	pva_http_buf_puts(&b, m->to);
	pva_http_buf_puts(&b, ">\r\n");
	put_subject(&b, m->subject);
	put_message_id(&b, c->from, now);
	pva_http_buf_puts(&b, "MIME-Version: 1.0\r\n"
			  "Content-Type: text/plain; charset=UTF-8\r\n");
	if (plain_7bit(m->body)) {
		pva_http_buf_puts(&b, "Content-Transfer-Encoding: 7bit\r\n\r\n");
		put_crlf_text(&b, m->body);
	} else {
		struct pva_http_buf body = { NULL, 0, 0, 0 };

		pva_http_buf_puts(&b, "Content-Transfer-Encoding: base64\r\n\r\n");
		put_crlf_text(&body, m->body);
		if (body.failed)
			b.failed = 1;
		else if (body.len > 0)
			put_base64(&b, (const unsigned char *)body.p, body.len, B64_LINE);
		pva_http_buf_wipe(&body);
	}
	if (b.len < 2 || b.p[b.len - 1] != '\n')
		pva_http_buf_put(&b, "\r\n", 2);
	if (b.failed || b.p == NULL) {
		pva_http_buf_wipe(&b);
		return PVA_ERR_NOMEM;
	}
	*out = b.p;
	*outlen = b.len;
	return PVA_OK;
}

/* ---- the exchange ---- */

struct upload {
	const char *p;
	size_t len;
	size_t pos;
};

static size_t on_read(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t room = size * nmemb, n = u->len - u->pos;

	if (n > room)
		n = room;
	memcpy(buf, u->p + u->pos, n);
	u->pos += n;
	return n;
}

/* EHLO name: [A-Za-z0-9.-] of helo, or "localhost". */
static void ehlo_name(const char *helo, char *out, size_t outlen)
{
	size_t n = helo ? strlen(helo) : 0;

	if (n == 0 || n >= outlen || !domain_ok(helo, n))
		snprintf(out, outlen, "localhost");
	else
		snprintf(out, outlen, "%s", helo);
}

static int set_options(CURL *h, const struct pva_smtp_conf *c, const char *url, int tls,
		       int loopback, struct curl_slist *rcpt, const char *from,
		       struct upload *u)
{
	long ms = (long)c->timeout * 1000L;
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, tls ? "smtps" : "smtp") != CURLE_OK;
	/* STARTTLS required, except to loopback (test relays, a local MTA) */
	bad |= curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(tls || !loopback ? CURLUSESSL_ALL :
							      CURLUSESSL_TRY)) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK;
	if (c->ca_file[0] != '\0') {
		/* ca_file replaces the system store: trust only what it holds */
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_CAPATH, NULL) != CURLE_OK;
	}
	bad |= curl_easy_setopt(h, CURLOPT_PROXY, "") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOPROXY, "*") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	if (c->username != NULL && c->password != NULL) {
		bad |= curl_easy_setopt(h, CURLOPT_USERNAME, c->username) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_PASSWORD, c->password) != CURLE_OK;
	}
	bad |= curl_easy_setopt(h, CURLOPT_MAIL_FROM, from) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_READDATA, u) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len) != CURLE_OK;
	return bad ? -1 : 0;
}

static enum pva_rc fail(char *err, size_t errlen, enum pva_rc rc, const char *why)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	return rc;
}

enum pva_rc pva_smtp_send(const struct pva_smtp_conf *c, const char *helo,
			  const struct pva_mail *m, char *err, size_t errlen)
{
	char url[512], name[256], from[PVA_MAIL_ADDR_MAX + 2], to[PVA_MAIL_ADDR_MAX + 2];
	char why[128];
	struct curl_slist *rcpt = NULL;
	struct upload u = { NULL, 0, 0 };
	const char *host = NULL;
	char *msg = NULL;
	size_t hostlen = 0, msglen = 0;
	int tls = 0, has_path = 0;
	long code = 0;
	CURL *h = NULL;
	CURLcode cc;
	enum pva_rc rc;

	fail(err, errlen, PVA_OK, "");
	if (c == NULL || m == NULL || c->url[0] == '\0')
		return fail(err, errlen, PVA_ERR_INVAL, "no smtp.url configured");
	if (url_parts(c->url, &tls, &host, &hostlen, &has_path, why, sizeof(why)) != 0)
		return fail(err, errlen, PVA_ERR_INVAL, why);
	if (pva_mail_address_ok(c->from) != PVA_OK || pva_mail_address_ok(m->to) != PVA_OK)
		return fail(err, errlen, PVA_ERR_INVAL, "unsafe sender or recipient address");
	ehlo_name(helo, name, sizeof(name));
	snprintf(from, sizeof(from), "<%s>", c->from);
	snprintf(to, sizeof(to), "<%s>", m->to);
	if ((size_t)snprintf(url, sizeof(url), "%s%s%s", c->url,
			     has_path ? "" : (c->url[strlen(c->url) - 1] == '/' ? "" : "/"),
			     has_path ? "" : name) >= sizeof(url))
		return fail(err, errlen, PVA_ERR_INVAL, "smtp.url too long");
	rc = pva_mail_format(c, m, (long long)time(NULL), &msg, &msglen);
	if (rc != PVA_OK)
		return fail(err, errlen, rc, "the message cannot be built");
	u.p = msg;
	u.len = msglen;
	if (pva_http_global_init() != PVA_OK || (h = curl_easy_init()) == NULL) {
		rc = fail(err, errlen, PVA_ERR_DELIVERY, "curl initialisation failed");
		goto out;
	}
	if ((rcpt = curl_slist_append(NULL, to)) == NULL ||
	    set_options(h, c, url, tls, pva_http_is_loopback(host, hostlen), rcpt, from, &u) != 0) {
		rc = fail(err, errlen, PVA_ERR_DELIVERY, "unsupported curl option");
		goto out;
	}
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (err != NULL && errlen > 0) {
			if (code > 0)
				snprintf(err, errlen, "%s (curl %d), SMTP %ld",
					 curl_easy_strerror(cc), (int)cc, code);
			else
				snprintf(err, errlen, "%s (curl %d)", curl_easy_strerror(cc),
					 (int)cc);
		}
		rc = PVA_ERR_DELIVERY;
	}
out:
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	sodium_memzero(msg, msglen);
	free(msg);
	return rc;
}
