/* sign.h - request signatures of the Chinese cloud SMS/voice APIs.
 *
 *   TC3-HMAC-SHA256   Tencent Cloud API 3.0 (sms, vms)
 *   ACS3-HMAC-SHA256  Alibaba Cloud signature V3 (dysmsapi, dyvmsapi)
 *
 * Both hash a canonical form of the request (method, path, query, chosen
 * headers, SHA-256 of the body) and key an HMAC-SHA256 with the secret;
 * libsodium provides both primitives.  The functions are pure: time and
 * nonce are parameters, so tests can replay the vendors' published
 * examples byte for byte.
 *
 * SECRET: the secret keys passed in are only read; every derived key and
 * every copy is wiped before return.  Canonical requests hold the request
 * body (which holds the one-time code): they are built in pva_http_buf,
 * which the caller wipes.
 */
#ifndef PVA_SIGN_H
#define PVA_SIGN_H

#include <stddef.h>
#include <time.h>

#include <libconfig.h>

#include "core/cfgread.h"
#include "core/rc.h"
#include "delivery/http.h"

#define PVA_SIGN_HEX_LEN 65          /* 64 hex digits + NUL */
#define PVA_SIGN_AUTH_MAX 512        /* a full Authorization header value */
#define PVA_SIGN_MAX_HEADERS 12

/* Lowercase hex SHA-256 of data into out (PVA_SIGN_HEX_LEN bytes). */
void pva_sign_sha256_hex(const void *data, size_t len, char *out);

/* HMAC-SHA256 with a key of any length; out gets 32 bytes. */
void pva_sign_hmac(const void *key, size_t keylen, const void *msg, size_t msglen,
		   unsigned char *out);

/* ---- TC3-HMAC-SHA256 (Tencent Cloud) ---- */

struct pva_tc3_req {
	const char *method;         /* "POST" or "GET" */
	const char *query;          /* canonical query string; "" for POST */
	const char *content_type;   /* exactly as sent, e.g. "application/json; charset=utf-8" */
	const char *host;           /* exactly as sent in Host */
	const char *action;         /* NULL: sign content-type;host only;
				     * else x-tc-action (lowercased) as well */
	const char *service;        /* credential scope service: "sms", "vms", "cvm" */
	long long timestamp;        /* X-TC-Timestamp; its UTC date is the scope date */
	const char *payload;        /* the body ("" for GET) */
	size_t payload_len;
};

/* The canonical request of r, appended to out.  PVA_ERR_INVAL on a bad
 * argument, PVA_ERR_NOMEM when out failed. */
enum pva_rc pva_sign_tc3_canonical(const struct pva_tc3_req *r,
				   struct pva_http_buf *out) PVA_WUR;

/* "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,
 * SignedHeaders=..., Signature=HEX" into auth (PVA_SIGN_AUTH_MAX is
 * enough).  Also the bare signature into sig_hex when not NULL. */
enum pva_rc pva_sign_tc3(const struct pva_tc3_req *r, const char *secret_id,
			 const char *secret_key, char *auth, size_t authlen,
			 char *sig_hex) PVA_WUR;

/* ---- ACS3-HMAC-SHA256 (Alibaba Cloud) ---- */

/* One signed header; name in lowercase. */
struct pva_sign_header {
	const char *name;
	const char *value;
};

struct pva_acs3_req {
	const char *method;         /* "POST" */
	const char *uri;            /* canonical URI; "/" for RPC-style APIs */
	const char *query;          /* canonical query string (sorted, RFC 3986
				     * encoded) or "" */
	/* host, every x-acs-* header (x-acs-content-sha256 included) and
	 * content-type when a body is sent; any order, sorted here */
	const struct pva_sign_header *headers;
	size_t n_headers;           /* at most PVA_SIGN_MAX_HEADERS */
	const char *payload;
	size_t payload_len;
};

enum pva_rc pva_sign_acs3_canonical(const struct pva_acs3_req *r,
				    struct pva_http_buf *out) PVA_WUR;

/* "ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=...,Signature=HEX" into
 * auth; the bare signature into sig_hex when not NULL. */
enum pva_rc pva_sign_acs3(const struct pva_acs3_req *r, const char *key_id,
			  const char *key_secret, char *auth, size_t authlen,
			  char *sig_hex) PVA_WUR;

/* x-acs-date for t: "YYYY-MM-DDTHH:MM:SSZ" (out: at least 21 bytes). */
enum pva_rc pva_sign_iso_date(time_t t, char *out, size_t outlen) PVA_WUR;

/* A fresh random nonce: 32 lowercase hex digits (out: at least 33 bytes). */
void pva_sign_nonce(char *out, size_t outlen);

/* ---- shared by the signed provider types (aliyun.c, tencent.c) ---- */

/* The "host[:port]" of a base URL "scheme://host[:port]" into out, as
 * sent in Host and signed.  -1 when the URL has a path, query, fragment
 * or user info, or does not fit. */
int pva_sign_url_host(const char *url, char *out, size_t outlen);

/* Endpoints of a provider group: `url` (SMS; default sms_default) and
 * `voice_url` (voice; default: `url` when that is set, else
 * voice_default), each checked with pva_http_check_url and
 * pva_sign_url_host.  Both outputs hold len bytes. */
enum pva_rc pva_sign_cfg_endpoints(struct pva_cfgread *rd, const config_setting_t *grp,
				   const char *sms_default, const char *voice_default,
				   char *sms_url, char *voice_url, size_t len) PVA_WUR;

/* 1 when the group's `channels` list names ch ("sms", "voice") or the
 * group has no `channels` (every channel of the type). */
int pva_sign_cfg_wants(const config_setting_t *grp, const char *ch);

/* Overwrite a NUL-terminated string owned by json-c (a string object's
 * text from json_object_get_string(), or the serialisation from
 * json_object_to_json_string_ext()) before json_object_put(): the
 * request JSON holds the code.  NULL is ignored. */
void pva_sign_wipe_str(const char *s);

#endif
