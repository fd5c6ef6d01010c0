/* counters.c - per-number and per-host send histories (see counters.h).
 *
 *   v=1
 *   name=n-3f1a...            (or "host")
 *   sends=1700000000:1,1700000118:3      (latest send of a minute : sends)
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
#define SLOT_SECONDS 60
/* header + slots of up to 12 + 1 + 7 digits and a comma */
#define COUNTER_TEXT_MAX (128 + PVA_COUNTER_NAME_MAX + PVA_COUNTER_SLOTS * 22)

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

	size_t i, k;

	if (c->n > PVA_COUNTER_SLOTS)
		c->n = PVA_COUNTER_SLOTS;
	for (i = k = 0; i < c->n; i++)
		if (c->slot[i].last > now - keep)
			c->slot[k++] = c->slot[i];
	c->n = k;
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
	struct pva_counter_slot *sl = c->slot;
	size_t i;

	if (c->n > PVA_COUNTER_SLOTS)
		c->n = PVA_COUNTER_SLOTS;
	for (i = c->n; i > 0 && sl[i - 1].last / SLOT_SECONDS >= now / SLOT_SECONDS; i--) {
		if (sl[i - 1].last / SLOT_SECONDS > now / SLOT_SECONDS)
			continue; /* the clock went back: keep looking */
		sl[i - 1].n += sl[i - 1].n < PVA_COUNTER_SLOT_MAX;
		if (now > sl[i - 1].last)
			sl[i - 1].last = now;
		return;
	}
	if (c->n == PVA_COUNTER_SLOTS) { /* the oldest minute goes */
		memmove(sl, sl + 1, (PVA_COUNTER_SLOTS - 1) * sizeof(sl[0]));
		c->n--;
		i -= i > 0;
	}
	memmove(sl + i + 1, sl + i, (c->n - i) * sizeof(sl[0]));
	sl[i].last = now;
	sl[i].n = 1;
	c->n++;
}

unsigned long pva_counter_within(const struct pva_counter *c, time_t now, time_t window)
{
	unsigned long k = 0;
	size_t i;

	for (i = 0; i < c->n && i < PVA_COUNTER_SLOTS; i++)
		if (c->slot[i].last > now - window)
			k += c->slot[i].n;
	return k;
}

time_t pva_counter_free_at(const struct pva_counter *c, time_t now, time_t window,
			   unsigned limit)
{
	unsigned long k = pva_counter_within(c, now, window), need, got = 0;
	size_t i;

	if (k < limit)
		return now;
	need = k - limit + 1; /* sends that must leave the window */
	for (i = 0; i < c->n && i < PVA_COUNTER_SLOTS; i++) {
		if (c->slot[i].last <= now - window)
			continue;
		got += c->slot[i].n;
		if (got >= need)
			return c->slot[i].last + window;
	}
	return now + window; /* not reached */
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
	char num[48];
	size_t pos = 0, i;
	enum pva_rc rc = PVA_ERR_INVAL;

	if (len > 0)
		buf[0] = '\0';
	if (c->n > PVA_COUNTER_SLOTS || !name_ok(c->name, strnlen(c->name, sizeof(c->name))))
		return PVA_ERR_INVAL;
	for (i = 0; i < c->n; i++)
		if (c->slot[i].last < 0 || (long long)c->slot[i].last > PVA_STORE_TIME_MAX ||
		    c->slot[i].n == 0 || c->slot[i].n > PVA_COUNTER_SLOT_MAX)
			return PVA_ERR_INVAL;
	rc = append(buf, len, &pos, "v=1\nname=");
	if (rc == PVA_OK)
		rc = append(buf, len, &pos, c->name);
	if (rc == PVA_OK)
		rc = append(buf, len, &pos, "\nsends=");
	for (i = 0; rc == PVA_OK && i < c->n; i++) {
		snprintf(num, sizeof(num), "%s%lld:%u", i ? "," : "",
			 (long long)c->slot[i].last, c->slot[i].n);
		rc = append(buf, len, &pos, num);
	}
	if (rc == PVA_OK)
		rc = append(buf, len, &pos, "\n");
	if (rc != PVA_OK && len > 0)
		buf[0] = '\0';
	return rc;
}

/* "<last>:<n>,..." into out->slot. */
static enum pva_rc parse_slots(const char *s, size_t len, struct pva_counter *out)
{
	unsigned long long t, n;
	size_t pos = 0, w, colon;
	const char *c;

	while (pos < len) {
		c = memchr(s + pos, ',', len - pos);
		w = c ? (size_t)(c - (s + pos)) : len - pos;
		c = memchr(s + pos, ':', w);
		if (c == NULL || out->n >= PVA_COUNTER_SLOTS)
			return PVA_ERR_CORRUPT;
		colon = (size_t)(c - (s + pos));
		if (pva_store_num(s + pos, colon, PVA_STORE_TIME_MAX, &t) != PVA_OK ||
		    pva_store_num(c + 1, w - colon - 1, PVA_COUNTER_SLOT_MAX, &n) != PVA_OK ||
		    n == 0)
			return PVA_ERR_CORRUPT;
		out->slot[out->n].last = (time_t)t;
		out->slot[out->n++].n = (unsigned)n;
		pos += w + 1;
		if (pos == len) /* a trailing comma */
			return PVA_ERR_CORRUPT;
	}
	return PVA_OK;
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
			   parse_slots(ln.val, ln.vallen, out) == PVA_OK) {
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
