/* http.c - one HTTPS request through libcurl (the helpers the provider
 * types share are in httpcfg.c). */
#include "delivery/http.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#define RETRY_AFTER_MAX 86400u
#define HTTP_USER_AGENT "pam_privauth"

/* ---- global initialisation: once per process, never undone ----
 * The only file-scope mutable state of the library: curl_global_init is
 * process-wide by nature.  pthread_once makes it thread-safe; it is never
 * followed by curl_global_cleanup (the host process may use curl too). */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_result = CURLE_FAILED_INIT; /* written once, in init_curl */

static void init_curl(void)
{
	init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum pva_rc pva_http_global_init(void)
{
	pthread_once(&init_once, init_curl);
	return init_result == CURLE_OK ? PVA_OK : PVA_ERR_IO;
}

/* ---- URL checks ---- */

int pva_http_is_loopback(const char *host, size_t n)
{
	char buf[64];
	struct in_addr a4;
	struct in6_addr a6;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, host, n);
	buf[n] = '\0';
	if (strcasecmp(buf, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, buf, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && buf[0] == '[' && buf[n - 1] == ']') {
		buf[n - 1] = '\0';
		return inet_pton(AF_INET6, buf + 1, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}

/* Only characters of RFC 3986 URLs; no userinfo ('@'), no backslash. */
static int url_chars_ok(const char *url)
{
	static const char extra[] = "-._~:/?#[]!$&'()*+,;=%";
	const unsigned char *p;

	for (p = (const unsigned char *)url; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (*p != '\0' && strchr(extra, *p)))
			continue;
		return 0;
	}
	return 1;
}

static void set_why(char *why, size_t whylen, const char *text)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", text);
}

enum pva_rc pva_http_check_url(const char *url, char *why, size_t whylen)
{
	const char *host;
	size_t n;
	int https;

	if (url == NULL || strlen(url) >= PVA_HTTP_URL_MAX * 32) {
		set_why(why, whylen, "missing or too long");
		return PVA_ERR_INVAL;
	}
	https = strncasecmp(url, "https://", 8) == 0;
	if (!https && strncasecmp(url, "http://", 7) != 0) {
		set_why(why, whylen, "must start with https://");
		return PVA_ERR_INVAL;
	}
	if (!url_chars_ok(url)) {
		set_why(why, whylen, "has characters not allowed in a URL (or user:password@)");
		return PVA_ERR_INVAL;
	}
	host = url + (https ? 8 : 7);
	if (host[0] == '[')
		n = strcspn(host, "]") + 1;
	else
		n = strcspn(host, ":/?#");
	if (n == 0 || (host[0] == '[' && host[n - 1] != ']')) {
		set_why(why, whylen, "has no host");
		return PVA_ERR_INVAL;
	}
	if (!https && !pva_http_is_loopback(host, n)) {
		set_why(why, whylen, "plain http:// is only allowed to a loopback address; use https://");
		return PVA_ERR_INVAL;
	}
	set_why(why, whylen, "");
	return PVA_OK;
}

/* ---- one exchange ---- */

/* The response body may echo the message (Twilio does): kept in a
 * pva_http_buf, which wipes on growth. */
struct exchange {
	struct pva_http_resp *resp;
	struct pva_http_buf body;
	int too_large;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct exchange *x = ud;
	size_t n = size * nmemb;

	if (n > PVA_HTTP_BODY_MAX - x->body.len) {
		x->too_large = 1;
		return 0; /* aborts the transfer */
	}
	pva_http_buf_put(&x->body, data, n);
	return x->body.failed ? 0 : n;
}

/* Retry-After: delta-seconds (an HTTP-date is ignored). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct exchange *x = ud;
	size_t n = size * nmemb, i = 12;
	unsigned long v = 0;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		x->resp->retry_after = 0; /* a new response (after 100 Continue) */
	if (n <= 12 || strncasecmp(data, "Retry-After:", 12) != 0)
		return n;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	for (; i < n && data[i] >= '0' && data[i] <= '9' && v <= RETRY_AFTER_MAX; i++)
		v = v * 10 + (unsigned long)(data[i] - '0');
	x->resp->retry_after = (unsigned)(v > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : v);
	return n;
}

/* "Authorization: Basic base64(user:password)" in sodium memory. */
static char *basic_header(const char *user, const char *password)
{
	static const char pre[] = "Authorization: Basic ";
	size_t ul = strlen(user), pl = strlen(password), rawlen = ul + 1 + pl;
	size_t b64len = sodium_base64_encoded_len(rawlen, sodium_base64_VARIANT_ORIGINAL);
	unsigned char *raw = sodium_malloc(rawlen + 1);
	char *h = sodium_malloc(sizeof(pre) + b64len);

	if (raw != NULL && h != NULL) {
		memcpy(raw, user, ul);
		raw[ul] = ':';
		memcpy(raw + ul + 1, password, pl);
		memcpy(h, pre, sizeof(pre) - 1);
		sodium_bin2base64(h + sizeof(pre) - 1, b64len, raw, rawlen,
				  sodium_base64_VARIANT_ORIGINAL);
	} else if (h != NULL) {
		sodium_free(h);
		h = NULL;
	}
	if (raw != NULL)
		sodium_free(raw);
	return h;
}

/* Wipe every header copy curl_slist_append made, then free the list. */
static void wipe_slist(struct curl_slist *l)
{
	struct curl_slist *e;

	for (e = l; e != NULL; e = e->next)
		if (e->data != NULL)
			sodium_memzero(e->data, strlen(e->data));
	curl_slist_free_all(l);
}

static struct curl_slist *build_headers(const struct pva_http_req *req, int *failed)
{
	struct curl_slist *l = NULL, *t;
	char *auth = NULL;
	size_t i;

	*failed = 1;
	/* no "Expect: 100-continue" round trip */
	if ((l = curl_slist_append(NULL, "Expect:")) == NULL)
		return NULL;
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		if ((t = curl_slist_append(l, req->headers[i])) == NULL)
			goto out;
		l = t;
	}
	if (req->basic_user != NULL) {
		auth = basic_header(req->basic_user,
				    req->basic_password ? req->basic_password : "");
		if (auth == NULL || (t = curl_slist_append(l, auth)) == NULL)
			goto out;
		l = t;
	}
	*failed = 0;
out:
	if (auth != NULL)
		sodium_free(auth);
	return l;
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static int set_transport(CURL *h, const struct pva_http_opts *o, const char *url,
			 unsigned deadline_ms)
{
	unsigned total = min_u(o->total_timeout_ms, deadline_ms);
	int plain = strncasecmp(url, "http://", 7) == 0;
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, plain ? "http" : "https") != CURLE_OK;
	/* never followed (curl refuses an empty list; https is the least) */
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAXREDIRS, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSLVERSION,
				(long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK;
	if (o->ca_file[0] != '\0') {
		/* ca_file replaces the system store: trust only what it holds */
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_CAPATH, NULL) != CURLE_OK;
	}
	if (o->pinned_pubkey[0] != '\0')
		bad |= curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY,
					o->pinned_pubkey) != CURLE_OK;
	/* "" disables proxies, including http_proxy/https_proxy from the environment */
	bad |= curl_easy_setopt(h, CURLOPT_PROXY, o->proxy) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
				(long)min_u(o->connect_timeout_ms, total)) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)total) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, HTTP_USER_AGENT) != CURLE_OK;
	return bad ? -1 : 0;
}

static int set_request(CURL *h, const struct pva_http_req *req, struct curl_slist *hdrs,
		       struct exchange *x)
{
	int bad = 0;

	if (strcmp(req->method, "POST") == 0) {
		bad |= curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDS,
					req->body ? req->body : "") != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)(req->body ? req->body_len : 0)) != CURLE_OK;
	} else if (strcmp(req->method, "GET") == 0) {
		bad |= curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK;
	} else {
		return -1;
	}
	bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, x) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HEADERDATA, x) != CURLE_OK;
	return bad ? -1 : 0;
}

/* Failed before anything could reach the server? */
static int never_sent(CURLcode c)
{
	switch (c) {
	case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_URL_MALFORMAT:
	case CURLE_COULDNT_RESOLVE_PROXY: case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT: case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH: case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE: case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED: case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_ENGINE_INITFAILED: case CURLE_SSL_INVALIDCERTSTATUS:
		return 1;
	default:
		return 0;
	}
}

/* After a failed perform: did the request (possibly) leave? */
static int maybe_sent(CURL *h, CURLcode c)
{
	long reqsize = 0;
	curl_off_t pre = 0;

	if (never_sent(c))
		return 0;
	if (curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &reqsize) != CURLE_OK ||
	    curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pre) != CURLE_OK)
		return 1; /* unknown: assume the worst */
	return reqsize > 0 || pre > 0;
}

static void finish(CURL *h, CURLcode c, struct exchange *x)
{
	struct pva_http_resp *r = x->resp;

	if (c == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
		r->transport = PVA_HTTP_DONE;
		snprintf(r->error, sizeof(r->error), "HTTP %ld", r->status);
		if (r->status >= 300 && r->status < 400) {
			r->transport = PVA_HTTP_REFUSED;
			snprintf(r->error, sizeof(r->error), "HTTP %ld: redirect refused", r->status);
		}
	} else if (x->too_large) {
		r->transport = PVA_HTTP_REFUSED;
		snprintf(r->error, sizeof(r->error), "response too large (over %d bytes)",
			 PVA_HTTP_BODY_MAX);
	} else {
		r->transport = maybe_sent(h, c) ? PVA_HTTP_AMBIGUOUS : PVA_HTTP_NOT_SENT;
		snprintf(r->error, sizeof(r->error), "%s (curl %d)%s", curl_easy_strerror(c),
			 (int)c, r->transport == PVA_HTTP_AMBIGUOUS ?
			 " after the request was sent" : "");
	}
	if (c != CURLE_OK)
		return; /* no body: pva_http_do wipes what arrived */
	if (x->body.p == NULL)
		pva_http_buf_put(&x->body, "", 0); /* an empty body is "" */
	r->body = x->body.p;
	r->body_len = x->body.len;
	memset(&x->body, 0, sizeof(x->body));
}

static enum pva_rc refuse(struct pva_http_resp *resp, enum pva_http_transport t,
			  const char *why)
{
	resp->transport = t;
	snprintf(resp->error, sizeof(resp->error), "%s", why);
	return PVA_ERR_DELIVERY;
}

enum pva_rc pva_http_do(const struct pva_http_opts *opts, const struct pva_http_req *req,
			unsigned deadline_ms, struct pva_http_resp *resp)
{
	struct exchange x = { resp, { NULL, 0, 0, 0 }, 0 };
	struct curl_slist *hdrs = NULL;
	char why[128];
	CURL *h = NULL;
	CURLcode c;
	int failed = 0;

	memset(resp, 0, sizeof(*resp));
	if (req == NULL || req->url == NULL || req->method == NULL || opts == NULL)
		return refuse(resp, PVA_HTTP_REFUSED, "bad request");
	if (pva_http_check_url(req->url, why, sizeof(why)) != PVA_OK)
		return refuse(resp, PVA_HTTP_REFUSED, why);
	if (deadline_ms == 0)
		return refuse(resp, PVA_HTTP_NOT_SENT, "no time left before the deadline");
	if (pva_http_global_init() != PVA_OK || (h = curl_easy_init()) == NULL)
		return refuse(resp, PVA_HTTP_NOT_SENT, "curl initialisation failed");
	hdrs = build_headers(req, &failed);
	if (failed || set_transport(h, opts, req->url, deadline_ms) != 0 ||
	    set_request(h, req, hdrs, &x) != 0) {
		refuse(resp, failed ? PVA_HTTP_NOT_SENT : PVA_HTTP_REFUSED,
		       failed ? "out of memory" : "unsupported request option");
		goto out;
	}
	c = curl_easy_perform(h);
	finish(h, c, &x);
out:
	curl_easy_cleanup(h);
	wipe_slist(hdrs);
	pva_http_buf_wipe(&x.body);
	return resp->transport == PVA_HTTP_DONE ? PVA_OK : PVA_ERR_DELIVERY;
}

enum pva_send_status pva_http_classify(const struct pva_http_resp *resp, int ok)
{
	switch (resp->transport) {
	case PVA_HTTP_DONE:
		break;
	case PVA_HTTP_NOT_SENT:
		return PVA_SEND_TEMPORARY;
	case PVA_HTTP_AMBIGUOUS:
		return PVA_SEND_AMBIGUOUS;
	case PVA_HTTP_REFUSED:
		return PVA_SEND_PERMANENT;
	}
	if (ok)
		return PVA_SEND_SENT;
	if (resp->status == 429)
		return PVA_SEND_RATE_LIMITED;
	if (resp->status >= 500 || resp->status == 408)
		return PVA_SEND_TEMPORARY;
	return PVA_SEND_PERMANENT;
}

void pva_http_fail(struct pva_send_result *res, const struct pva_http_resp *resp,
		   const char *what)
{
	res->status = pva_http_classify(resp, 0);
	if (resp->transport == PVA_HTTP_DONE && resp->retry_after > 0)
		snprintf(res->detail, sizeof(res->detail), "%.20s: %.100s, retry after %u s",
			 what, resp->error, resp->retry_after);
	else
		snprintf(res->detail, sizeof(res->detail), "%.20s: %.120s", what, resp->error);
}

void pva_http_resp_free(struct pva_http_resp *resp)
{
	if (resp == NULL)
		return;
	if (resp->body != NULL) {
		sodium_memzero(resp->body, resp->body_len);
		free(resp->body);
	}
	resp->body = NULL;
	resp->body_len = 0;
}
