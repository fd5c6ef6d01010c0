/* counters.c - per-number and per-host send histories (see counters.h).
 *
 *   v=1
 *   name=n-3f1a...            (or "host")
 *   sends=1700000000,1700000100
 *   mac=<64 hex>              (added by pva_store_seal)
 */
#include "store/counters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/phone.h"
#include "core/secfile.h"

#define LIMITS_SUB "limits"
#define LOCK_SUFFIX ".lock"
#define NUMBER_HASH_BYTES 32
/* header + PVA_COUNTER_MAX times of up to 12 digits and a comma */
#define COUNTER_TEXT_MAX (128 + PVA_COUNTER_NAME_MAX + PVA_COUNTER_MAX * 13)

/* Hashed with its NUL, then the number: never equal to a record MAC. */
static const char number_domain[] = "pva-number-v1";

/* "host", or "n-" and 64 lower-case hex digits. */
static int name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == sizeof(PVA_COUNTER_HOST) - 1 && memcmp(s, PVA_COUNTER_HOST, len) == 0)
		return 1;
	if (len != 2 + 2 * NUMBER_HASH_BYTES || memcmp(s, "n-", 2) != 0)
		return 0;
	for (i = 2; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

enum pva_rc pva_counter_number_name(const struct pva_store *st, const char *phone,
				    char *out, size_t outlen)
{
	unsigned char h[NUMBER_HASH_BYTES];
	crypto_generichash_state gs;

	if (outlen > 0)
		out[0] = '\0';
	if (outlen < PVA_COUNTER_NAME_MAX || st->key == NULL || phone == NULL ||
	    pva_phone_validate(phone) != PVA_OK)
		return PVA_ERR_INVAL;
	crypto_generichash_init(&gs, st->key->mac_key, PVA_KEY_BYTES, sizeof(h));
	crypto_generichash_update(&gs, (const unsigned char *)number_domain,
				  sizeof(number_domain));
	crypto_generichash_update(&gs, (const unsigned char *)phone, strlen(phone));
	crypto_generichash_final(&gs, h, sizeof(h));
	memcpy(out, "n-", 2);
	sodium_bin2hex(out + 2, outlen - 2, h, sizeof(h));
	sodium_memzero(&gs, sizeof(gs));
	sodium_memzero(h, sizeof(h));
	return PVA_OK;
}

/* state_dir/limits, made on first use (older state dirs lack it). */
static enum pva_rc limits_dir(const struct pva_store *st)
{
	char dir[PATH_MAX];
	int w;

	w = snprintf(dir, sizeof(dir), "%s/%s", st->dir, LIMITS_SUB);
	if (w < 0 || (size_t)w >= sizeof(dir))
		return PVA_ERR_INVAL;
	return pva_secdir_ensure(dir);
}

enum pva_rc pva_counter_lock(const struct pva_store *st, const char *name,
			     unsigned timeout_ms, int *fd)
{
	enum pva_rc rc;

	*fd = -1;
	if (name == NULL || !name_ok(name, strlen(name)))
		return PVA_ERR_INVAL;
	rc = limits_dir(st);
	if (rc != PVA_OK)
		return rc;
	return pva_store_lock(st, LIMITS_SUB, name, LOCK_SUFFIX, timeout_ms, fd);
}

void pva_counter_unlock(int fd)
{
	pva_store_unlock(fd);
}

enum pva_rc pva_counter_load(const struct pva_store *st, const char *name,
			     struct pva_counter *out)
{
	char *body = NULL;
	size_t len = 0;
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	if (name == NULL || !name_ok(name, strlen(name)))
		return PVA_ERR_INVAL;
	rc = pva_store_read(st, LIMITS_SUB, name, &body, &len);
	if (rc == PVA_ERR_NOTFOUND) {
		memcpy(out->name, name, strlen(name) + 1);
		rc = PVA_OK;
	} else if (rc == PVA_OK) {
		rc = pva_counter_parse(body, len, out);
		if (rc == PVA_OK && strcmp(out->name, name) != 0)
			rc = PVA_ERR_CORRUPT;
	}
	if (rc != PVA_OK)
		memset(out, 0, sizeof(*out));
	free(body);
	return rc;
}

enum pva_rc pva_counter_save(const struct pva_store *st, struct pva_counter *c,
			     time_t now, time_t keep)
{
	char *text;
	enum pva_rc rc;

	if (c->n > PVA_COUNTER_MAX)
		c->n = PVA_COUNTER_MAX;
	pva_times_purge(c->sends, &c->n, now, keep);
	text = malloc(COUNTER_TEXT_MAX);
	if (text == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_counter_format(c, text, COUNTER_TEXT_MAX);
	if (rc == PVA_OK)
		rc = limits_dir(st);
	if (rc == PVA_OK)
		rc = pva_store_write(st, LIMITS_SUB, c->name, text);
	free(text);
	return rc;
}

void pva_counter_add(struct pva_counter *c, time_t now)
{
	pva_times_add(c->sends, &c->n, PVA_COUNTER_MAX, now);
}

/* Append s to buf at *pos; PVA_ERR_INVAL when it does not fit. */
static enum pva_rc append(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos >= len || n >= len - *pos)
		return PVA_ERR_INVAL;
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return PVA_OK;
}

enum pva_rc pva_counter_format(const struct pva_counter *c, char *buf, size_t len)
{
	char num[32];
	size_t pos = 0, i;
	enum pva_rc rc = PVA_ERR_INVAL;

	if (len > 0)
		buf[0] = '\0';
	if (c->n > PVA_COUNTER_MAX || !name_ok(c->name, strnlen(c->name, sizeof(c->name))))
		return PVA_ERR_INVAL;
	for (i = 0; i < c->n; i++)
		if (c->sends[i] < 0 || (long long)c->sends[i] > PVA_STORE_TIME_MAX)
			return PVA_ERR_INVAL;
	rc = append(buf, len, &pos, "v=1\nname=");
	if (rc == PVA_OK)
		rc = append(buf, len, &pos, c->name);
	if (rc == PVA_OK)
		rc = append(buf, len, &pos, "\nsends=");
	for (i = 0; rc == PVA_OK && i < c->n; i++) {
		snprintf(num, sizeof(num), "%s%lld", i ? "," : "", (long long)c->sends[i]);
		rc = append(buf, len, &pos, num);
	}
	if (rc == PVA_OK)
		rc = append(buf, len, &pos, "\n");
	if (rc != PVA_OK && len > 0)
		buf[0] = '\0';
	return rc;
}

enum pva_rc pva_counter_parse(const char *body, size_t len, struct pva_counter *out)
{
	struct pva_store_line ln;
	size_t pos = 0;
	enum pva_rc rc;
	int have_name = 0, have_sends = 0;

	memset(out, 0, sizeof(*out));
	rc = pva_store_next_line(body, len, &pos, &ln);
	if (rc != PVA_OK || !pva_store_line_is(&ln, "v", "1"))
		goto bad;
	while ((rc = pva_store_next_line(body, len, &pos, &ln)) == PVA_OK) {
		if (pva_store_line_is(&ln, "name", NULL) && !have_name &&
		    name_ok(ln.val, ln.vallen)) {
			memcpy(out->name, ln.val, ln.vallen);
			have_name = 1;
		} else if (pva_store_line_is(&ln, "sends", NULL) && !have_sends &&
			   pva_times_parse(ln.val, ln.vallen, out->sends, &out->n,
					   PVA_COUNTER_MAX) == PVA_OK) {
			have_sends = 1;
		} else {
			goto bad; /* unknown, repeated or malformed */
		}
	}
	if (rc == PVA_ERR_NOTFOUND && have_name && have_sends)
		return PVA_OK;
bad:
	memset(out, 0, sizeof(*out));
	return PVA_ERR_CORRUPT;
}
