/* sign.c - TC3-HMAC-SHA256 (Tencent Cloud) and ACS3-HMAC-SHA256 (Alibaba
 * Cloud) request signatures, on libsodium's SHA-256 and HMAC-SHA256. */
#include "delivery/sign.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define TC3_ALGO "TC3-HMAC-SHA256"
#define ACS3_ALGO "ACS3-HMAC-SHA256"
#define TC3_KEY_MAX 256
#define SIGNED_MAX 256

void pva_sign_sha256_hex(const void *data, size_t len, char *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, PVA_SIGN_HEX_LEN, h, sizeof(h));
}

void pva_sign_hmac(const void *key, size_t keylen, const void *msg, size_t msglen,
		   unsigned char *out)
{
	crypto_auth_hmacsha256_state st;

	/* the _init form takes a key of any length (hashed when > 64) */
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, msg, msglen);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/* Text that may stand in a header line: printable, no CR/LF. */
static int header_text_ok(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* An access key id: 1..128 printable characters, none of " ,/;=". */
static int key_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 128 || !header_text_ok(s))
		return 0;
	return strpbrk(s, " ,/;=") == NULL;
}

/* value with leading/trailing spaces removed, lowercased when lower. */
static void put_trimmed(struct pva_http_buf *b, const char *v, int lower)
{
	size_t n = strlen(v), i;

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	for (i = 0; i < n; i++) {
		char c = v[i];
		if (lower && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		pva_http_buf_put(b, &c, 1);
	}
}

static void put_header(struct pva_http_buf *b, const char *name, const char *v, int lower)
{
	pva_http_buf_puts(b, name);
	pva_http_buf_put(b, ":", 1);
	put_trimmed(b, v, lower);
	pva_http_buf_put(b, "\n", 1);
}

static void put_payload_hash(struct pva_http_buf *b, const char *payload, size_t len)
{
	char hex[PVA_SIGN_HEX_LEN];

	pva_sign_sha256_hex(payload ? payload : "", payload ? len : 0, hex);
	pva_http_buf_puts(b, hex);
}

/* ---- TC3-HMAC-SHA256 ---- */

static int tc3_ok(const struct pva_tc3_req *r)
{
	return r != NULL && r->method != NULL && r->query != NULL &&
	       header_text_ok(r->content_type) && header_text_ok(r->host) &&
	       r->host[0] != '\0' && r->service != NULL && r->service[0] != '\0' &&
	       strpbrk(r->service, "/\n") == NULL &&
	       (r->action == NULL || header_text_ok(r->action)) &&
	       (r->payload != NULL || r->payload_len == 0) && r->timestamp >= 0;
}

static const char *tc3_signed_headers(const struct pva_tc3_req *r)
{
	return r->action ? "content-type;host;x-tc-action" : "content-type;host";
}

enum pva_rc pva_sign_tc3_canonical(const struct pva_tc3_req *r, struct pva_http_buf *out)
{
	if (!tc3_ok(r))
		return PVA_ERR_INVAL;
	pva_http_buf_puts(out, r->method);
	pva_http_buf_puts(out, "\n/\n");
	pva_http_buf_puts(out, r->query);
	pva_http_buf_put(out, "\n", 1);
	/* Tencent lowercases names and values of the signed headers */
	put_header(out, "content-type", r->content_type, 1);
	put_header(out, "host", r->host, 1);
	if (r->action != NULL)
		put_header(out, "x-tc-action", r->action, 1);
	pva_http_buf_put(out, "\n", 1);
	pva_http_buf_puts(out, tc3_signed_headers(r));
	pva_http_buf_put(out, "\n", 1);
	put_payload_hash(out, r->payload, r->payload_len);
	return out->failed ? PVA_ERR_NOMEM : PVA_OK;
}

static enum pva_rc tc3_date(long long ts, char *out, size_t outlen)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, outlen, "%Y-%m-%d", &tm) == 0)
		return PVA_ERR_INVAL;
	return PVA_OK;
}

/* SecretSigning = HMAC(HMAC(HMAC("TC3" + key, date), service), "tc3_request") */
static enum pva_rc tc3_key(const char *secret_key, const char *date, const char *service,
			   unsigned char *k)
{
	char k0[3 + TC3_KEY_MAX];
	size_t n = strlen(secret_key);

	if (n == 0 || n > TC3_KEY_MAX)
		return PVA_ERR_INVAL;
	memcpy(k0, "TC3", 3);
	memcpy(k0 + 3, secret_key, n);
	pva_sign_hmac(k0, 3 + n, date, strlen(date), k);
	pva_sign_hmac(k, 32, service, strlen(service), k);
	pva_sign_hmac(k, 32, "tc3_request", 11, k);
	sodium_memzero(k0, sizeof(k0));
	return PVA_OK;
}

/* StringToSign = algo \n timestamp \n scope \n hex(sha256(canonical)) */
static void tc3_string_to_sign(const struct pva_tc3_req *r, const char *scope,
			       const struct pva_http_buf *canon, struct pva_http_buf *sts)
{
	char hex[PVA_SIGN_HEX_LEN], ts[24];

	pva_sign_sha256_hex(canon->p, canon->len, hex);
	snprintf(ts, sizeof(ts), "%lld", r->timestamp);
	pva_http_buf_puts(sts, TC3_ALGO "\n");
	pva_http_buf_puts(sts, ts);
	pva_http_buf_put(sts, "\n", 1);
	pva_http_buf_puts(sts, scope);
	pva_http_buf_put(sts, "\n", 1);
	pva_http_buf_puts(sts, hex);
}

enum pva_rc pva_sign_tc3(const struct pva_tc3_req *r, const char *secret_id,
			 const char *secret_key, char *auth, size_t authlen, char *sig_hex)
{
	struct pva_http_buf canon = { 0 }, sts = { 0 };
	unsigned char k[32], mac[32];
	char date[16], scope[96], hex[PVA_SIGN_HEX_LEN];
	enum pva_rc rc = PVA_ERR_INVAL;
	int n;

	if (auth != NULL && authlen > 0)
		auth[0] = '\0';
	if (auth == NULL || !key_id_ok(secret_id) || secret_key == NULL ||
	    tc3_date(r ? r->timestamp : -1, date, sizeof(date)) != PVA_OK)
		goto out;
	rc = pva_sign_tc3_canonical(r, &canon);
	if (rc != PVA_OK)
		goto out;
	snprintf(scope, sizeof(scope), "%s/%.40s/tc3_request", date, r->service);
	tc3_string_to_sign(r, scope, &canon, &sts);
	rc = sts.failed ? PVA_ERR_NOMEM : tc3_key(secret_key, date, r->service, k);
	if (rc != PVA_OK)
		goto out;
	pva_sign_hmac(k, sizeof(k), sts.p, sts.len, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	n = snprintf(auth, authlen, TC3_ALGO " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		     secret_id, scope, tc3_signed_headers(r), hex);
	rc = n < 0 || (size_t)n >= authlen ? PVA_ERR_INVAL : PVA_OK;
	if (rc == PVA_OK && sig_hex != NULL)
		memcpy(sig_hex, hex, sizeof(hex));
out:
	sodium_memzero(k, sizeof(k));
	sodium_memzero(mac, sizeof(mac));
	pva_http_buf_wipe(&canon);
	pva_http_buf_wipe(&sts);
	if (rc != PVA_OK && auth != NULL && authlen > 0)
		auth[0] = '\0';
	return rc;
}

/* ---- ACS3-HMAC-SHA256 ---- */

static int header_name_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

/* The headers of r sorted by name into sorted[]; 0 when all are valid. */
static int acs3_sort(const struct pva_acs3_req *r, const struct pva_sign_header **sorted)
{
	size_t i, j;

	if (r->n_headers == 0 || r->n_headers > PVA_SIGN_MAX_HEADERS || r->headers == NULL)
		return -1;
	for (i = 0; i < r->n_headers; i++) {
		const struct pva_sign_header *h = &r->headers[i];

		if (!header_name_ok(h->name) || !header_text_ok(h->value))
			return -1;
		for (j = i; j > 0 && strcmp(sorted[j - 1]->name, h->name) > 0; j--)
			sorted[j] = sorted[j - 1];
		if (j > 0 && strcmp(sorted[j - 1]->name, h->name) == 0)
			return -1; /* the same header twice */
		sorted[j] = h;
	}
	return 0;
}

static enum pva_rc acs3_build(const struct pva_acs3_req *r, struct pva_http_buf *out,
			      char *signed_hdrs, size_t signedlen)
{
	const struct pva_sign_header *sorted[PVA_SIGN_MAX_HEADERS];
	size_t i, used = 0;

	if (r == NULL || r->method == NULL || r->uri == NULL || r->query == NULL ||
	    (r->payload == NULL && r->payload_len != 0) || acs3_sort(r, sorted) != 0)
		return PVA_ERR_INVAL;
	signed_hdrs[0] = '\0';
	pva_http_buf_puts(out, r->method);
	pva_http_buf_put(out, "\n", 1);
	pva_http_buf_puts(out, r->uri);
	pva_http_buf_put(out, "\n", 1);
	pva_http_buf_puts(out, r->query);
	pva_http_buf_put(out, "\n", 1);
	for (i = 0; i < r->n_headers; i++) {
		int n = snprintf(signed_hdrs + used, signedlen - used, "%s%s", i ? ";" : "",
				 sorted[i]->name);
		if (n < 0 || (size_t)n >= signedlen - used)
			return PVA_ERR_INVAL;
		used += (size_t)n;
		put_header(out, sorted[i]->name, sorted[i]->value, 0);
	}
	pva_http_buf_put(out, "\n", 1);
	pva_http_buf_puts(out, signed_hdrs);
	pva_http_buf_put(out, "\n", 1);
	put_payload_hash(out, r->payload, r->payload_len);
	return out->failed ? PVA_ERR_NOMEM : PVA_OK;
}

enum pva_rc pva_sign_acs3_canonical(const struct pva_acs3_req *r, struct pva_http_buf *out)
{
	char signed_hdrs[SIGNED_MAX];

	return acs3_build(r, out, signed_hdrs, sizeof(signed_hdrs));
}

enum pva_rc pva_sign_acs3(const struct pva_acs3_req *r, const char *key_id,
			  const char *key_secret, char *auth, size_t authlen, char *sig_hex)
{
	struct pva_http_buf canon = { 0 };
	char signed_hdrs[SIGNED_MAX], hex[PVA_SIGN_HEX_LEN], sts[sizeof(ACS3_ALGO) + 80];
	unsigned char mac[32];
	enum pva_rc rc = PVA_ERR_INVAL;
	int n;

	if (auth == NULL || !key_id_ok(key_id) || key_secret == NULL || key_secret[0] == '\0')
		goto out;
	rc = acs3_build(r, &canon, signed_hdrs, sizeof(signed_hdrs));
	if (rc != PVA_OK)
		goto out;
	/* StringToSign = algo \n hex(sha256(canonical)) */
	pva_sign_sha256_hex(canon.p, canon.len, hex);
	snprintf(sts, sizeof(sts), ACS3_ALGO "\n%s", hex);
	pva_sign_hmac(key_secret, strlen(key_secret), sts, strlen(sts), mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	n = snprintf(auth, authlen, ACS3_ALGO " Credential=%s,SignedHeaders=%s,Signature=%s",
		     key_id, signed_hdrs, hex);
	rc = n < 0 || (size_t)n >= authlen ? PVA_ERR_INVAL : PVA_OK;
	if (rc == PVA_OK && sig_hex != NULL)
		memcpy(sig_hex, hex, sizeof(hex));
out:
	sodium_memzero(mac, sizeof(mac));
	pva_http_buf_wipe(&canon);
	if (rc != PVA_OK && auth != NULL && authlen > 0)
		auth[0] = '\0';
	return rc;
}

enum pva_rc pva_sign_iso_date(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (out == NULL || outlen == 0)
		return PVA_ERR_INVAL;
	out[0] = '\0';
	if (gmtime_r(&t, &tm) == NULL || strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return PVA_ERR_INVAL;
	return PVA_OK;
}

void pva_sign_nonce(char *out, size_t outlen)
{
	unsigned char r[16];

	if (out == NULL || outlen < 2 * sizeof(r) + 1) {
		if (out != NULL && outlen > 0)
			out[0] = '\0';
		return;
	}
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(out, outlen, r, sizeof(r));
}

/* ---- shared by the signed provider types ---- */

int pva_sign_url_host(const char *url, char *out, size_t outlen)
{
	const char *h = url ? strstr(url, "://") : NULL;
	size_t n;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (h == NULL || out == NULL)
		return -1;
	h += 3;
	n = strlen(h);
	if (n == 0 || n >= outlen || strpbrk(h, "/?#@\\ ") != NULL || !header_text_ok(h))
		return -1;
	memcpy(out, h, n + 1);
	return 0;
}

static enum pva_rc read_endpoint(struct pva_cfgread *rd, const config_setting_t *grp,
				 const char *key, char *out, size_t len)
{
	const config_setting_t *s = config_setting_get_member(grp, key);
	char why[128], host[PVA_HTTP_URL_MAX];
	size_t n;

	if (pva_cfg_string(rd, grp, key, 0, out, len) != PVA_OK)
		return PVA_ERR_CONFIG;
	n = strlen(out);
	while (n > 8 && out[n - 1] == '/')
		out[--n] = '\0';
	if (pva_http_check_url(out, why, sizeof(why)) != PVA_OK)
		return pva_cfg_fail(rd, s, key, "\"%.80s\" %s", out, why);
	if (pva_sign_url_host(out, host, sizeof(host)) != 0)
		return pva_cfg_fail(rd, s, key,
				    "\"%.80s\": give only scheme://host[:port], no path, query or user",
				    out);
	return PVA_OK;
}

enum pva_rc pva_sign_cfg_endpoints(struct pva_cfgread *rd, const config_setting_t *grp,
				   const char *sms_default, const char *voice_default,
				   char *sms_url, char *voice_url, size_t len)
{
	int has_url = config_setting_get_member(grp, "url") != NULL;

	snprintf(sms_url, len, "%s", sms_default);
	if (read_endpoint(rd, grp, "url", sms_url, len) != PVA_OK)
		return PVA_ERR_CONFIG;
	snprintf(voice_url, len, "%s", has_url ? sms_url : voice_default);
	return read_endpoint(rd, grp, "voice_url", voice_url, len);
}

int pva_sign_cfg_wants(const config_setting_t *grp, const char *ch)
{
	const config_setting_t *l = config_setting_get_member(grp, "channels");
	int i, n;

	if (l == NULL)
		return 1;
	n = config_setting_length(l);
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(l, i);
		if (v != NULL && strcmp(v, ch) == 0)
			return 1;
	}
	return 0;
}

void pva_sign_wipe_str(const char *s)
{
	if (s != NULL)
		sodium_memzero((char *)(uintptr_t)s, strlen(s));
}
