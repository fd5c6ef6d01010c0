/* httpcfg.c - what the HTTPS provider types share, declared in http.h:
 * transport keys, base URL, credentials, request buffers, JSON answers
 * and scrubbing of vendor error text. */
#include "delivery/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/secrets.h"

#define HTTP_BUF_MAX (256 * 1024)

/* ---- configuration ---- */

static enum pva_rc read_path(struct pva_cfgread *rd, const config_setting_t *grp,
			     const char *key, char *out, size_t outlen)
{
	if (pva_cfg_string(rd, grp, key, 0, out, outlen) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (out[0] != '\0' && out[0] != '/')
		return pva_cfg_fail(rd, config_setting_get_member(grp, key), key,
				    "must be an absolute path");
	return PVA_OK;
}

static enum pva_rc read_pin_proxy(struct pva_cfgread *rd, const config_setting_t *grp,
				  struct pva_http_opts *o)
{
	if (pva_cfg_string(rd, grp, "pinned_pubkey", 0, o->pinned_pubkey,
			   sizeof(o->pinned_pubkey)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (o->pinned_pubkey[0] != '\0' && strncmp(o->pinned_pubkey, "sha256//", 8) != 0 &&
	    o->pinned_pubkey[0] != '/')
		return pva_cfg_fail(rd, config_setting_get_member(grp, "pinned_pubkey"),
				    "pinned_pubkey",
				    "expected \"sha256//BASE64[;sha256//...]\" or an absolute path to a public key");
	if (pva_cfg_string(rd, grp, "proxy", 0, o->proxy, sizeof(o->proxy)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (o->proxy[0] != '\0' && strncmp(o->proxy, "http://", 7) != 0 &&
	    strncmp(o->proxy, "https://", 8) != 0 && strncmp(o->proxy, "socks5h://", 10) != 0)
		return pva_cfg_fail(rd, config_setting_get_member(grp, "proxy"), "proxy",
				    "expected http://HOST:PORT, https://HOST:PORT or socks5h://HOST:PORT");
	return PVA_OK;
}

enum pva_rc pva_http_opts_parse(struct pva_cfgread *rd, const config_setting_t *grp,
				struct pva_http_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->connect_timeout_ms = 3000;
	opts->total_timeout_ms = 8000;
	if (read_path(rd, grp, "ca_file", opts->ca_file, sizeof(opts->ca_file)) != PVA_OK ||
	    read_pin_proxy(rd, grp, opts) != PVA_OK ||
	    pva_cfg_uint(rd, grp, "connect_timeout_ms", 50, 60000,
			 &opts->connect_timeout_ms) != PVA_OK ||
	    pva_cfg_uint(rd, grp, "timeout_ms", 100, 120000, &opts->total_timeout_ms) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (opts->connect_timeout_ms > opts->total_timeout_ms)
		return pva_cfg_fail(rd, config_setting_get_member(grp, "connect_timeout_ms"),
				    "connect_timeout_ms", "must not exceed timeout_ms (%u)",
				    opts->total_timeout_ms);
	return PVA_OK;
}

enum pva_rc pva_http_cfg_url(struct pva_cfgread *rd, const config_setting_t *grp,
			     const char *deflt, char *out, size_t outlen)
{
	char why[128];
	size_t n;

	snprintf(out, outlen, "%s", deflt ? deflt : "");
	if (pva_cfg_string(rd, grp, "url", 0, out, outlen) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (pva_http_check_url(out, why, sizeof(why)) != PVA_OK)
		return pva_cfg_fail(rd, config_setting_get_member(grp, "url"), "url",
				    "\"%.80s\" %s", out, why);
	n = strlen(out);
	while (n > 8 && out[n - 1] == '/')
		out[--n] = '\0';
	return PVA_OK;
}

enum pva_rc pva_http_cfg_secret(struct pva_cfgread *rd, const config_setting_t *grp,
				const char *key, char **out)
{
	const char *name = config_setting_name(grp);
	const char *v;
	size_t n;

	*out = NULL;
	if (name == NULL)
		return pva_cfg_fail(rd, grp, key, "provider has no name");
	if (rd->secrets == NULL)
		return pva_cfg_fail(rd, grp, name,
				    "needs credential \"%s\": set secrets_file and put %s = { %s = \"...\"; } there",
				    key, name, key);
	v = pva_secrets_get(rd->secrets, name, key);
	if (v == NULL)
		return pva_cfg_fail(rd, grp, name,
				    "missing credential: secrets_file has no %s.%s", name, key);
	n = strlen(v) + 1;
	if (sodium_init() < 0)
		return PVA_ERR_IO;
	*out = sodium_malloc(n);
	if (*out == NULL)
		return PVA_ERR_NOMEM;
	memcpy(*out, v, n);
	return PVA_OK;
}

int pva_http_cfg_lists(const config_setting_t *grp, const char *key, const char *value,
		       int absent)
{
	const config_setting_t *l = config_setting_get_member(grp, key);
	int i, n;

	if (l == NULL)
		return absent;
	n = config_setting_length(l);
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(l, i);
		if (v != NULL && strcmp(v, value) == 0)
			return 1;
	}
	return 0;
}

void pva_http_secret_free(char *s)
{
	if (s != NULL)
		sodium_free(s);
}

/* ---- request buffer ---- */

static int buf_grow(struct pva_http_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	while (cap < need)
		cap *= 2;
	if (need > HTTP_BUF_MAX || (p = malloc(cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	if (b->p != NULL) {
		memcpy(p, b->p, b->len + 1);
		sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void pva_http_buf_put(struct pva_http_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if ((b->p == NULL || b->len + n + 1 > b->cap) && buf_grow(b, b->len + n + 1) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void pva_http_buf_puts(struct pva_http_buf *b, const char *s)
{
	pva_http_buf_put(b, s, strlen(s));
}

void pva_http_buf_pct(struct pva_http_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char enc[3];

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~') {
			pva_http_buf_put(b, (const char *)p, 1);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[*p >> 4];
		enc[2] = hex[*p & 15];
		pva_http_buf_put(b, enc, 3);
	}
	sodium_memzero(enc, sizeof(enc));
}

void pva_http_buf_form(struct pva_http_buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		pva_http_buf_put(b, "&", 1);
	pva_http_buf_pct(b, name);
	pva_http_buf_put(b, "=", 1);
	pva_http_buf_pct(b, value);
}

void pva_http_buf_wipe(struct pva_http_buf *b)
{
	if (b->p != NULL) {
		sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* ---- answers ---- */

static int scrub_part(char c)
{
	return (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '.' || c == '(' ||
	       c == ')';
}

void pva_http_scrub(char *s)
{
	size_t i = 0, j, out = 0, digits;

	while (s[i] != '\0') {
		if ((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] == '+' && s[i + 1] >= '0' && s[i + 1] <= '9')) {
			for (j = i + 1, digits = s[i] != '+'; scrub_part(s[j]); j++)
				digits += s[j] >= '0' && s[j] <= '9';
			while (j > i + 1 && !(s[j - 1] >= '0' && s[j - 1] <= '9'))
				j--; /* keep trailing separators */
			if (digits >= 6) {
				s[out++] = '*';
				i = j;
				continue;
			}
			while (i < j)
				s[out++] = s[i++];
			continue;
		}
		s[out++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
		i++;
	}
	s[out] = '\0';
}

struct json_object *pva_http_json(const struct pva_http_resp *resp)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;

	if (resp->body == NULL || resp->body_len == 0 || resp->body_len > PVA_HTTP_BODY_MAX)
		return NULL;
	tok = json_tokener_new();
	if (tok == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, resp->body, (int)resp->body_len);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
			  !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static const char *leaf_text(struct json_object *v)
{
	switch (v ? json_object_get_type(v) : json_type_null) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return json_object_get_string(v);
	default:
		return NULL;
	}
}

const char *pva_http_json_str(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return leaf_text(v);
}

const char *pva_http_json_path(struct json_object *obj, const char *path)
{
	char buf[PVA_HTTP_JSON_PATH_MAX], *part, *save = NULL;
	struct json_object *next;

	if (strlen(path) >= sizeof(buf))
		return NULL;
	memcpy(buf, path, strlen(path) + 1);
	for (part = strtok_r(buf, ".", &save); obj != NULL && part != NULL;
	     part = strtok_r(NULL, ".", &save)) {
		next = NULL;
		if (json_object_is_type(obj, json_type_array) && part[0] >= '0' && part[0] <= '9')
			next = json_object_array_get_idx(obj, (size_t)strtoul(part, NULL, 10));
		else if (json_object_is_type(obj, json_type_object))
			json_object_object_get_ex(obj, part, &next);
		obj = next;
	}
	return leaf_text(obj);
}

void pva_http_request_id(struct pva_send_result *res, const char *id)
{
	size_t n = 0;

	for (; id != NULL && *id != '\0' && n + 1 < sizeof(res->request_id); id++)
		if ((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') ||
		    (*id >= '0' && *id <= '9') || strchr("._:-", *id) != NULL)
			res->request_id[n++] = *id;
	res->request_id[n] = '\0';
}
