/* http.h - one HTTPS request through libcurl, the way a PAM module must.
 *
 * HTTPS only (plain http only to a loopback host, for tests); peer and host
 * verification always on, optional CA file and pinned public key; no
 * redirects; connect and total timeouts bounded by the caller's deadline;
 * proxy only from configuration (environment proxies ignored); response
 * body capped at PVA_HTTP_BODY_MAX; CURLOPT_NOSIGNAL.  Global curl
 * initialisation is done once and never undone (the host process may use
 * curl itself; curl_global_cleanup is never called).
 *
 * SECRET: request bodies, headers and basic-auth passwords may hold codes
 * and credentials; this layer never logs or copies them anywhere but the
 * wire, and wipes its own copies.
 */
#ifndef PVA_HTTP_H
#define PVA_HTTP_H

#include <stddef.h>

#include "core/rc.h"
#include "delivery/provider.h"

#define PVA_HTTP_BODY_MAX (64 * 1024)

/* Per-provider transport settings (from the provider's config group). */
struct pva_http_opts {
	char ca_file[256];          /* "" = system store; else only this file is trusted */
	char pinned_pubkey[256];    /* "" = none; "sha256//BASE64" as curl takes it */
	char proxy[256];            /* "" = none (environment ignored) */
	unsigned connect_timeout_ms;/* default 3000 */
	unsigned total_timeout_ms;  /* default 8000 */
};

struct pva_http_req {
	const char *method;             /* "GET", "POST" */
	const char *url;
	const char *const *headers;     /* NULL-terminated "Name: value" list, may be NULL */
	const char *body;               /* may be NULL */
	size_t body_len;
	const char *basic_user;         /* NULL = no basic auth */
	const char *basic_password;     /* SECRET */
};

enum pva_http_transport {
	PVA_HTTP_DONE = 0,          /* a response arrived (any status) */
	PVA_HTTP_NOT_SENT,          /* failed before the request left: DNS, connect, TLS */
	PVA_HTTP_AMBIGUOUS,         /* timed out or broke after the request was sent */
	PVA_HTTP_REFUSED,           /* refused locally: bad URL, redirect, oversized body */
};

struct pva_http_resp {
	enum pva_http_transport transport;
	long status;                /* HTTP status when DONE */
	char *body;                 /* NUL-terminated, malloc'd; free with pva_http_resp_free */
	size_t body_len;
	unsigned retry_after;       /* seconds from Retry-After, 0 if absent */
	char error[160];            /* short reason, no secrets */
};

/* PVA_OK when url is https://, or http:// to 127.0.0.0/8, ::1 or localhost. */
enum pva_rc pva_http_check_url(const char *url, char *why, size_t whylen) PVA_WUR;

/* Perform req within min(opts timeouts, deadline_ms).  Returns PVA_OK when
 * a response arrived (look at resp->status), PVA_ERR_DELIVERY otherwise
 * (look at resp->transport).  Always fills *resp. */
enum pva_rc pva_http_do(const struct pva_http_opts *opts, const struct pva_http_req *req,
			unsigned deadline_ms, struct pva_http_resp *resp) PVA_WUR;

/* Map a finished exchange to a send status: 2xx per `ok` from the caller,
 * 429 -> rate_limited, 5xx -> temporary, other 4xx -> permanent; transport
 * NOT_SENT -> temporary, AMBIGUOUS -> ambiguous, REFUSED -> permanent. */
enum pva_send_status pva_http_classify(const struct pva_http_resp *resp, int ok);

void pva_http_resp_free(struct pva_http_resp *resp);

/* ---- shared helpers for the HTTPS provider types (twilio, vonage, http,
 * aliyun, tencent); implemented in httpcfg.c ---- */

struct json_object;

#define PVA_HTTP_URL_MAX 256

/* Keys every HTTPS provider group accepts; put this at the start of the
 * type's NULL-terminated key list for pva_cfg_known_keys(). */
#define PVA_HTTP_COMMON_KEYS \
	"type", "channels", "company", "country", "url", "ca_file", "pinned_pubkey", \
	"proxy", "connect_timeout_ms", "timeout_ms"

/* Read ca_file, pinned_pubkey, proxy, connect_timeout_ms (default 3000)
 * and timeout_ms (default 8000) from grp into *opts. */
enum pva_rc pva_http_opts_parse(struct pva_cfgread *rd, const config_setting_t *grp,
				struct pva_http_opts *opts) PVA_WUR;

/* Read key `url` (the base URL; deflt when absent), check it with
 * pva_http_check_url and drop a trailing '/'. */
enum pva_rc pva_http_cfg_url(struct pva_cfgread *rd, const config_setting_t *grp,
			     const char *deflt, char *out, size_t outlen) PVA_WUR;

/* Whether the list `key` of grp (e.g. channels) holds the string value;
 * `absent` when grp has no such key. */
int pva_http_cfg_lists(const config_setting_t *grp, const char *key, const char *value,
		       int absent);

/* Copy credential `key` of the provider named like grp from rd->secrets
 * into sodium_malloc'd memory (*out; free with pva_http_secret_free).  A
 * missing credential is a config error naming the provider and the key.
 * SECRET: *out. */
enum pva_rc pva_http_cfg_secret(struct pva_cfgread *rd, const config_setting_t *grp,
				const char *key, char **out) PVA_WUR;
void pva_http_secret_free(char *s);

/* A growing request buffer.  SECRET: it may hold codes and credentials;
 * growth wipes the old copy, pva_http_buf_wipe wipes and frees.  After an
 * allocation failure (or beyond 256 KiB) `failed` is set and further
 * additions are ignored; p is always NUL-terminated when non-NULL. */
struct pva_http_buf {
	char *p;
	size_t len;
	size_t cap;
	int failed;
};

void pva_http_buf_put(struct pva_http_buf *b, const char *s, size_t n);
void pva_http_buf_puts(struct pva_http_buf *b, const char *s);
/* s percent-encoded: A-Z a-z 0-9 - . _ ~ kept, every other byte %XX. */
void pva_http_buf_pct(struct pva_http_buf *b, const char *s);
/* "name=value" form field, both percent-encoded, '&' before all but the first. */
void pva_http_buf_form(struct pva_http_buf *b, const char *name, const char *value);
void pva_http_buf_wipe(struct pva_http_buf *b);

/* Make vendor error text fit for a log: every run of 6 or more digits
 * (spaces, '-', '.', '(', ')' and a leading '+' included: phone numbers,
 * codes) becomes "*", control characters become ' '. */
void pva_http_scrub(char *s);

/* resp->body parsed as a JSON object, or NULL.  Release with
 * json_object_put(). */
struct json_object *pva_http_json(const struct pva_http_resp *resp);

/* Member `key` of a JSON object as text (strings as is, numbers and
 * booleans printed), or NULL when absent, null or a container.  Borrowed
 * from obj. */
const char *pva_http_json_str(struct json_object *obj, const char *key);

#define PVA_HTTP_JSON_PATH_MAX 128

/* The member at a dotted path ("messages.0.status": object members by
 * name, array elements by number) as text like pva_http_json_str, or
 * NULL.  Paths longer than PVA_HTTP_JSON_PATH_MAX - 1 find nothing. */
const char *pva_http_json_path(struct json_object *obj, const char *path);

/* Copy a provider's message id into res->request_id, keeping only
 * A-Z a-z 0-9 . _ : - (anything else is dropped; truncated to fit). */
void pva_http_request_id(struct pva_send_result *res, const char *id);

/* A short, non-secret reason for a failed exchange into res->detail and
 * res->status from pva_http_classify(resp, 0); `what` names the provider
 * type ("twilio").  For provider code that already knows it failed. */
void pva_http_fail(struct pva_send_result *res, const struct pva_http_resp *resp,
		   const char *what);

/* curl_global_init, once per process and never undone (the host process
 * may use curl too; the call is reference counted).  Every libcurl user of
 * the library (this file, smtp.c) goes through it. */
enum pva_rc pva_http_global_init(void) PVA_WUR;

/* Non-zero when host[0..n) is localhost, 127.0.0.0/8 or [::1]. */
int pva_http_is_loopback(const char *host, size_t n);

#endif
