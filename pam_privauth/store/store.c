/* store.c - the on-disk layout, sealed records and their line syntax. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/secfile.h"

#define MAC_BYTES crypto_generichash_BYTES  /* 32 */
#define MAC_HEX (2 * MAC_BYTES)
#define MAC_LINE (4 + MAC_HEX + 1)          /* "mac=" hex "\n" */
#define NAME_MAX_ESC (3 * 128 + 1)           /* every byte %XX, NUL */

/* Hashed with its NUL, like sub and user, so the parts cannot run together. */
static const char seal_domain[] = "pva-record-v1";

static const char *const store_subs[] = { "state", "phones", "locks" };

/* pva_secdir_ensure() without creating anything. */
static enum pva_rc check_dir(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? PVA_ERR_NOTFOUND : PVA_ERR_IO;
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 077))
		return PVA_ERR_PERM;
	return PVA_OK;
}

static enum pva_rc open_dir(const char *path, int create)
{
	return create ? pva_secdir_ensure(path) : check_dir(path);
}

enum pva_rc pva_store_open(struct pva_store *st, const char *state_dir,
			   const struct pva_hostkey *key, int create)
{
	char path[PATH_MAX];
	size_t i, n = state_dir ? strlen(state_dir) : 0;
	enum pva_rc rc;
	int w;

	memset(st, 0, sizeof(*st));
	if (n == 0 || n >= sizeof(st->dir) || key == NULL)
		return PVA_ERR_INVAL;
	memcpy(st->dir, state_dir, n + 1);
	rc = open_dir(st->dir, create);
	for (i = 0; rc == PVA_OK && i < sizeof(store_subs) / sizeof(store_subs[0]); i++) {
		w = snprintf(path, sizeof(path), "%s/%s", st->dir, store_subs[i]);
		if (w < 0 || (size_t)w >= sizeof(path))
			rc = PVA_ERR_INVAL;
		else
			rc = open_dir(path, create);
	}
	if (rc == PVA_OK)
		st->key = key;
	return rc;
}

enum pva_rc pva_store_user_check(const char *user, size_t len)
{
	size_t i;

	if (user == NULL || len == 0 || len > PVA_USER_MAX - 1)
		return PVA_ERR_INVAL;
	for (i = 0; i < len; i++)
		if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f)
			return PVA_ERR_INVAL;
	return PVA_OK;
}

enum pva_rc pva_store_path(const struct pva_store *st, const char *sub,
			   const char *user, const char *suffix, char *out,
			   size_t outlen)
{
	char name[NAME_MAX_ESC];
	enum pva_rc rc;
	int w;

	if (outlen > 0)
		out[0] = '\0';
	if (sub == NULL || user == NULL)
		return PVA_ERR_INVAL;
	rc = pva_store_user_check(user, strlen(user));
	if (rc == PVA_OK)
		rc = pva_secfile_name(user, name, sizeof(name));
	if (rc != PVA_OK)
		return rc;
	w = snprintf(out, outlen, "%s/%s/%s%s", st->dir, sub, name, suffix ? suffix : "");
	if (w < 0 || (size_t)w >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return PVA_ERR_INVAL;
	}
	return PVA_OK;
}

/* The MAC over domain, sub, user (each with its NUL) and body. */
static void mac_of(const struct pva_store *st, const char *sub, const char *user,
		   const char *body, size_t len, unsigned char mac[MAC_BYTES])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, st->key->mac_key, PVA_KEY_BYTES, MAC_BYTES);
	crypto_generichash_update(&h, (const unsigned char *)seal_domain,
				  sizeof(seal_domain));
	crypto_generichash_update(&h, (const unsigned char *)sub, strlen(sub) + 1);
	crypto_generichash_update(&h, (const unsigned char *)user, strlen(user) + 1);
	crypto_generichash_update(&h, (const unsigned char *)body, len);
	crypto_generichash_final(&h, mac, MAC_BYTES);
	sodium_memzero(&h, sizeof(h));
}

enum pva_rc pva_store_seal(const struct pva_store *st, const char *sub,
			   const char *user, const char *body, char *out,
			   size_t outlen, size_t *outused)
{
	unsigned char mac[MAC_BYTES];
	size_t len = body ? strlen(body) : 0;

	*outused = 0;
	if (body == NULL || sub == NULL || user == NULL || st->key == NULL ||
	    (len > 0 && body[len - 1] != '\n'))
		return PVA_ERR_INVAL;
	if (len > outlen || outlen - len < MAC_LINE + 1)
		return PVA_ERR_INVAL;
	mac_of(st, sub, user, body, len, mac);
	memcpy(out, body, len);
	memcpy(out + len, "mac=", 4);
	sodium_bin2hex(out + len + 4, MAC_HEX + 1, mac, sizeof(mac));
	out[len + MAC_LINE - 1] = '\n';
	out[len + MAC_LINE] = '\0';
	*outused = len + MAC_LINE;
	sodium_memzero(mac, sizeof(mac));
	return PVA_OK;
}

/* Lower-case hex only, so every MAC has exactly one spelling. */
static enum pva_rc mac_hex_decode(const char *hex, unsigned char mac[MAC_BYTES])
{
	size_t i, binlen = 0;

	for (i = 0; i < MAC_HEX; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return PVA_ERR_CORRUPT;
	if (sodium_hex2bin(mac, MAC_BYTES, hex, MAC_HEX, NULL, &binlen, NULL) != 0 ||
	    binlen != MAC_BYTES)
		return PVA_ERR_CORRUPT;
	return PVA_OK;
}

enum pva_rc pva_store_unseal(const struct pva_store *st, const char *sub,
			     const char *user, const char *rec, size_t len,
			     size_t *bodylen)
{
	unsigned char want[MAC_BYTES], got[MAC_BYTES];
	enum pva_rc rc = PVA_ERR_CORRUPT;
	size_t b;

	*bodylen = 0;
	if (rec == NULL || sub == NULL || user == NULL || st->key == NULL ||
	    len < MAC_LINE || rec[len - 1] != '\n')
		return PVA_ERR_CORRUPT;
	b = len - MAC_LINE;
	if ((b > 0 && rec[b - 1] != '\n') || memcmp(rec + b, "mac=", 4) != 0 ||
	    memchr(rec, '\0', len) != NULL)
		return PVA_ERR_CORRUPT;
	if (mac_hex_decode(rec + b + 4, want) != PVA_OK)
		goto out;
	mac_of(st, sub, user, rec, b, got);
	if (crypto_verify_32(want, got) == 0) {
		*bodylen = b;
		rc = PVA_OK;
	}
out:
	sodium_memzero(want, sizeof(want));
	sodium_memzero(got, sizeof(got));
	return rc;
}

enum pva_rc pva_store_read(const struct pva_store *st, const char *sub,
			   const char *user, char **body, size_t *len)
{
	char path[PATH_MAX], *buf = NULL;
	size_t n = 0, blen = 0;
	enum pva_rc rc;

	*body = NULL;
	*len = 0;
	rc = pva_store_path(st, sub, user, NULL, path, sizeof(path));
	if (rc != PVA_OK)
		return rc;
	rc = pva_secfile_read(path, PVA_SECFILE_PRIVATE, PVA_STORE_REC_MAX, &buf, &n);
	if (rc == PVA_ERR_INVAL) /* larger than any record we write */
		rc = PVA_ERR_CORRUPT;
	if (rc == PVA_OK)
		rc = pva_store_unseal(st, sub, user, buf, n, &blen);
	if (rc == PVA_OK) {
		sodium_memzero(buf + blen, n - blen); /* the MAC line and the NUL */
		*body = buf;
		*len = blen;
		buf = NULL;
	}
	if (buf != NULL) {
		sodium_memzero(buf, n);
		free(buf);
	}
	return rc;
}

enum pva_rc pva_store_write(const struct pva_store *st, const char *sub,
			    const char *user, const char *body)
{
	char path[PATH_MAX], *rec = NULL;
	size_t cap = (body ? strlen(body) : 0) + MAC_LINE + 1, used = 0;
	enum pva_rc rc;

	rc = pva_store_path(st, sub, user, NULL, path, sizeof(path));
	if (rc != PVA_OK)
		return rc;
	if (cap > PVA_STORE_REC_MAX)
		return PVA_ERR_INVAL;
	rec = malloc(cap);
	if (rec == NULL)
		return PVA_ERR_NOMEM;
	rc = pva_store_seal(st, sub, user, body, rec, cap, &used);
	if (rc == PVA_OK)
		rc = pva_secfile_write(path, rec, used, 0600);
	sodium_memzero(rec, cap);
	free(rec);
	return rc;
}

enum pva_rc pva_store_remove(const struct pva_store *st, const char *sub,
			     const char *user)
{
	char path[PATH_MAX];
	enum pva_rc rc;

	rc = pva_store_path(st, sub, user, NULL, path, sizeof(path));
	if (rc == PVA_OK && unlink(path) != 0 && errno != ENOENT)
		rc = PVA_ERR_IO;
	return rc;
}

static int key_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

enum pva_rc pva_store_next_line(const char *body, size_t len, size_t *pos,
				struct pva_store_line *ln)
{
	const char *p = body + *pos, *nl, *eq;
	size_t n = len - *pos, i;

	memset(ln, 0, sizeof(*ln));
	if (*pos >= len)
		return PVA_ERR_NOTFOUND;
	nl = memchr(p, '\n', n);
	if (nl == NULL)
		return PVA_ERR_CORRUPT;
	eq = memchr(p, '=', (size_t)(nl - p));
	if (eq == NULL || eq == p)
		return PVA_ERR_CORRUPT;
	for (i = 0; p + i < eq; i++)
		if (!key_char(p[i]))
			return PVA_ERR_CORRUPT;
	for (i = 1; eq + i < nl; i++)
		if ((unsigned char)eq[i] < 0x20 || eq[i] == 0x7f)
			return PVA_ERR_CORRUPT;
	ln->key = p;
	ln->keylen = (size_t)(eq - p);
	ln->val = eq + 1;
	ln->vallen = (size_t)(nl - eq - 1);
	*pos += (size_t)(nl - p) + 1;
	return PVA_OK;
}

int pva_store_line_is(const struct pva_store_line *ln, const char *key,
		      const char *val)
{
	if (ln->keylen != strlen(key) || memcmp(ln->key, key, ln->keylen) != 0)
		return 0;
	if (val == NULL)
		return 1;
	return ln->vallen == strlen(val) && memcmp(ln->val, val, ln->vallen) == 0;
}

enum pva_rc pva_store_num(const char *s, size_t len, unsigned long long max,
			  unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	*out = 0;
	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return PVA_ERR_CORRUPT;
	for (i = 0; i < len; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return PVA_ERR_CORRUPT;
		d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return PVA_ERR_CORRUPT;
		v = v * 10 + d;
	}
	*out = v;
	return PVA_OK;
}

const char *pva_store_channel_str(enum pva_channel ch)
{
	switch (ch) {
	case PVA_CH_SMS:
		return "sms";
	case PVA_CH_VOICE:
		return "voice";
	}
	return NULL;
}

enum pva_rc pva_store_channel_parse(const char *s, size_t len, enum pva_channel *out)
{
	if (len == 3 && memcmp(s, "sms", 3) == 0)
		*out = PVA_CH_SMS;
	else if (len == 5 && memcmp(s, "voice", 5) == 0)
		*out = PVA_CH_VOICE;
	else
		return PVA_ERR_CORRUPT;
	return PVA_OK;
}

/* ---- locks ------------------------------------------------------------ */

#define LOCK_REOPEN_MAX 64   /* lock files unlinked under us in a row */

static long long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return ((long long)b->tv_sec - (long long)a->tv_sec) * 1000 +
	       ((long long)b->tv_nsec - (long long)a->tv_nsec) / 1000000;
}

/* flock with a deadline: poll with short, slightly random naps. */
static enum pva_rc wait_flock(int fd, unsigned timeout_ms)
{
	struct timespec start, now, nap;

	if (clock_gettime(CLOCK_MONOTONIC, &start) != 0)
		return PVA_ERR_IO;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return PVA_OK;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return PVA_ERR_IO;
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
			return PVA_ERR_IO;
		if (elapsed_ms(&start, &now) >= (long long)timeout_ms)
			return PVA_ERR_BUSY;
		nap.tv_sec = 0;
		nap.tv_nsec = (long)(1000000 + randombytes_uniform(4000000));
		nanosleep(&nap, NULL);
	}
}

enum pva_rc pva_store_lock(const struct pva_store *st, const char *sub,
			   const char *name, const char *suffix, unsigned timeout_ms,
			   int *fd)
{
	char path[PATH_MAX];
	struct timespec start, now;
	struct stat fsb, psb;
	long long spent;
	enum pva_rc rc;
	int lfd = -1;
	unsigned tries = 0;

	*fd = -1;
	rc = pva_store_path(st, sub, name, suffix, path, sizeof(path));
	if (rc != PVA_OK)
		goto out;
	if (clock_gettime(CLOCK_MONOTONIC, &start) != 0) {
		rc = PVA_ERR_IO;
		goto out;
	}
	for (;;) {
		lfd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (lfd < 0) {
			rc = errno == ELOOP ? PVA_ERR_PERM : PVA_ERR_IO;
			goto out;
		}
		rc = pva_secfile_check_fd(lfd, PVA_SECFILE_PRIVATE);
		if (rc == PVA_OK && clock_gettime(CLOCK_MONOTONIC, &now) != 0)
			rc = PVA_ERR_IO;
		if (rc == PVA_OK) {
			spent = elapsed_ms(&start, &now);
			rc = wait_flock(lfd, spent >= (long long)timeout_ms ? 0 :
					 timeout_ms - (unsigned)spent);
		}
		if (rc != PVA_OK)
			goto out;
		/* The file may have been unlinked (purge removes orphaned lock
		 * files while holding them) or replaced between open and flock:
		 * a lock on it would exclude nobody.  Take the one at path. */
		if (fstat(lfd, &fsb) != 0) {
			rc = PVA_ERR_IO;
			goto out;
		}
		if (lstat(path, &psb) == 0) {
			if (psb.st_dev == fsb.st_dev && psb.st_ino == fsb.st_ino)
				break;
		} else if (errno != ENOENT) {
			rc = PVA_ERR_IO;
			goto out;
		}
		close(lfd); /* also releases the stale lock */
		lfd = -1;
		if (++tries >= LOCK_REOPEN_MAX) {
			rc = PVA_ERR_BUSY;
			goto out;
		}
	}
	*fd = lfd;
	lfd = -1;
out:
	if (lfd >= 0)
		close(lfd);
	return rc;
}

void pva_store_unlock(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}

/* ---- send histories --------------------------------------------------- */

void pva_times_add(time_t *t, size_t *n, size_t max, time_t now)
{
	size_t i;

	if (max == 0)
		return;
	if (*n > max)
		*n = max;
	if (*n == max) {
		memmove(t, t + 1, (max - 1) * sizeof(t[0]));
		(*n)--;
	}
	/* keep time order even if the clock went back */
	for (i = *n; i > 0 && t[i - 1] > now; i--)
		t[i] = t[i - 1];
	t[i] = now;
	(*n)++;
}

/* A send "in the future" (the clock went back) counts as recent. */
static int inside(time_t v, time_t now, time_t window)
{
	return v > now - window;
}

size_t pva_times_within(const time_t *t, size_t n, time_t now, time_t window)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += (size_t)inside(t[i], now, window);
	return k;
}

time_t pva_times_free_at(const time_t *t, size_t n, time_t now, time_t window,
			 unsigned limit)
{
	size_t k = pva_times_within(t, n, now, window), skip, i;

	if (k < limit)
		return now;
	/* the (k - limit + 1)-th oldest entry of the window must leave it */
	skip = k - limit;
	for (i = 0; i < n; i++) {
		if (!inside(t[i], now, window))
			continue;
		if (skip == 0)
			return t[i] + window;
		skip--;
	}
	return now + window; /* not reached */
}

void pva_times_purge(time_t *t, size_t *n, time_t now, time_t window)
{
	size_t i, k;

	for (i = k = 0; i < *n; i++)
		if (t[i] > now - window)
			t[k++] = t[i];
	*n = k;
}

enum pva_rc pva_times_parse(const char *s, size_t len, time_t *t, size_t *n,
			    size_t max)
{
	unsigned long long v;
	size_t pos = 0, w;
	const char *c;

	*n = 0;
	while (pos < len) {
		c = memchr(s + pos, ',', len - pos);
		w = c ? (size_t)(c - (s + pos)) : len - pos;
		if (*n >= max || pva_store_num(s + pos, w, PVA_STORE_TIME_MAX, &v) != PVA_OK)
			return PVA_ERR_CORRUPT;
		t[(*n)++] = (time_t)v;
		pos += w + 1;
		if (pos == len) /* a trailing comma */
			return PVA_ERR_CORRUPT;
	}
	return PVA_OK;
}

enum pva_rc pva_store_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return PVA_ERR_INVAL;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *pos)
		return PVA_ERR_INVAL;
	*pos += (size_t)n;
	return PVA_OK;
}

unsigned pva_store_key_bit(const struct pva_store_line *ln, const struct pva_store_key *keys,
			   size_t n, unsigned *seen)
{
	unsigned bit = 0;
	size_t i;

	for (i = 0; i < n && bit == 0; i++)
		if (pva_store_line_is(ln, keys[i].key, NULL))
			bit = keys[i].bit;
	if (bit == 0 || (*seen & bit))
		return 0; /* unknown or repeated */
	*seen |= bit;
	return bit;
}
