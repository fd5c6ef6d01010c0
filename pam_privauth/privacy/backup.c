/* backup.c - single-use backup codes (see backup.h).
 *
 *   v=1
 *   created=1700000000
 *   h=<64 hex>            one line per unused code
 *   mac=<64 hex>          (added by pva_store_seal)
 *
 * SECRET: the codes themselves exist only in the caller's buffer and in
 * short-lived locals here, wiped after use; only keyed hashes are stored.
 */
#include "privacy/backup.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "privacy/precord.h"
#include "store/state.h"

#define BACKUP_HASH_BYTES 32
#define BACKUP_HEX (2 * BACKUP_HASH_BYTES)
#define BACKUP_TEXT_MAX (64 + PVA_BACKUP_N * (BACKUP_HEX + 4))
#define ENTRY_MAX 64   /* longest answer looked at */

/* 31 letters: no 0/o, 1/l/i. */
static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";

/* Hashed with its NUL, then user (with its NUL) and the code. */
static const char backup_domain[] = "pva-backup-code-v1";

struct backup_rec {
	time_t created;
	size_t n;
	unsigned char h[PVA_BACKUP_N][BACKUP_HASH_BYTES];
};

static int in_alphabet(char c)
{
	return c != '\0' && strchr(alphabet, c) != NULL;
}

/* answer without blanks and dashes, lower case, into out[PVA_BACKUP_CHARS
 * + 1]: 0 when it is 10 characters of the alphabet with at least one
 * letter (a login code is all digits), -1 otherwise. */
static int normalize(const char *answer, char out[PVA_BACKUP_CHARS + 1])
{
	size_t i, o = 0;
	int letter = 0;

	memset(out, 0, PVA_BACKUP_CHARS + 1);
	if (answer == NULL)
		return -1;
	for (i = 0; answer[i] != '\0' && i < ENTRY_MAX; i++) {
		char c = answer[i];
		if (c == ' ' || c == '\t' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!in_alphabet(c) || o >= PVA_BACKUP_CHARS)
			goto bad;
		letter |= c >= 'a';
		out[o++] = c;
	}
	if (answer[i] == '\0' && o == PVA_BACKUP_CHARS && letter)
		return 0;
bad:
	sodium_memzero(out, PVA_BACKUP_CHARS + 1);
	return -1;
}

int pva_backup_shape(const char *answer)
{
	char norm[PVA_BACKUP_CHARS + 1];
	int ok = normalize(answer, norm) == 0;

	sodium_memzero(norm, sizeof(norm));
	return ok;
}

static enum pva_rc code_hash(const struct pva_hostkey *key, const char *user,
			     const char norm[PVA_BACKUP_CHARS + 1],
			     unsigned char out[BACKUP_HASH_BYTES])
{
	crypto_generichash_state gs;

	if (key == NULL || key->code_key == NULL)
		return PVA_ERR_INVAL;
	crypto_generichash_init(&gs, key->code_key, PVA_KEY_BYTES, BACKUP_HASH_BYTES);
	crypto_generichash_update(&gs, (const unsigned char *)backup_domain,
				  sizeof(backup_domain));
	crypto_generichash_update(&gs, (const unsigned char *)user, strlen(user) + 1);
	crypto_generichash_update(&gs, (const unsigned char *)norm, PVA_BACKUP_CHARS);
	crypto_generichash_final(&gs, out, BACKUP_HASH_BYTES);
	sodium_memzero(&gs, sizeof(gs));
	return PVA_OK;
}

static enum pva_rc parse_hash(const char *hex, size_t len, unsigned char out[BACKUP_HASH_BYTES])
{
	size_t i, binlen = 0;

	if (len != BACKUP_HEX)
		return PVA_ERR_CORRUPT;
	for (i = 0; i < len; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return PVA_ERR_CORRUPT;
	if (sodium_hex2bin(out, BACKUP_HASH_BYTES, hex, len, NULL, &binlen, NULL) != 0 ||
	    binlen != BACKUP_HASH_BYTES)
		return PVA_ERR_CORRUPT;
	return PVA_OK;
}

static enum pva_rc parse(const char *body, size_t len, struct backup_rec *out)
{
	struct pva_store_line ln;
	unsigned long long v;
	size_t pos = 0;
	enum pva_rc rc;
	int have_created = 0;

	memset(out, 0, sizeof(*out));
	rc = pva_store_next_line(body, len, &pos, &ln);
	if (rc != PVA_OK || !pva_store_line_is(&ln, "v", "1"))
		goto bad;
	while ((rc = pva_store_next_line(body, len, &pos, &ln)) == PVA_OK) {
		if (pva_store_line_is(&ln, "created", NULL) && !have_created &&
		    pva_store_num(ln.val, ln.vallen, PVA_STORE_TIME_MAX, &v) == PVA_OK) {
			out->created = (time_t)v;
			have_created = 1;
		} else if (pva_store_line_is(&ln, "h", NULL) && have_created &&
			   out->n < PVA_BACKUP_N &&
			   parse_hash(ln.val, ln.vallen, out->h[out->n]) == PVA_OK) {
			out->n++;
		} else {
			goto bad;
		}
	}
	if (rc == PVA_ERR_NOTFOUND && have_created)
		return PVA_OK;
bad:
	sodium_memzero(out, sizeof(*out));
	return PVA_ERR_CORRUPT;
}

/* PVA_ERR_NOTFOUND when there is no record. */
static enum pva_rc load(const struct pva_store *st, const char *user, struct backup_rec *out)
{
	char *body = NULL;
	size_t len = 0;
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	rc = pva_store_read(st, PVA_BACKUP_SUB, user, &body, &len);
	if (rc == PVA_OK)
		rc = parse(body, len, out);
	pva_priv_free_body(body, len);
	return rc;
}

static enum pva_rc save(const struct pva_store *st, const char *user, const struct backup_rec *b)
{
	char text[BACKUP_TEXT_MAX], hex[BACKUP_HEX + 1];
	size_t pos = 0, i;
	enum pva_rc rc;

	if (!pva_priv_time_ok(b->created) || b->n > PVA_BACKUP_N)
		return PVA_ERR_INVAL;
	rc = pva_store_put(text, sizeof(text), &pos, "v=1\ncreated=%lld\n", (long long)b->created);
	for (i = 0; rc == PVA_OK && i < b->n; i++) {
		sodium_bin2hex(hex, sizeof(hex), b->h[i], BACKUP_HASH_BYTES);
		rc = pva_store_put(text, sizeof(text), &pos, "h=%s\n", hex);
	}
	if (rc == PVA_OK)
		rc = pva_priv_subdir(st, PVA_BACKUP_SUB);
	if (rc == PVA_OK)
		rc = pva_store_write(st, PVA_BACKUP_SUB, user, text);
	sodium_memzero(text, sizeof(text));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

/* One code of PVA_BACKUP_CHARS uniform letters with at least one
 * non-digit (so it can never be taken for a login code). */
static void make_code(char norm[PVA_BACKUP_CHARS + 1])
{
	size_t i;
	int letter;

	do {
		letter = 0;
		for (i = 0; i < PVA_BACKUP_CHARS; i++) {
			norm[i] = alphabet[randombytes_uniform((uint32_t)(sizeof(alphabet) - 1))];
			letter |= norm[i] >= 'a';
		}
		norm[PVA_BACKUP_CHARS] = '\0';
	} while (!letter);
}

enum pva_rc pva_backup_generate(const struct pva_store *st, const struct pva_hostkey *key,
				const char *user, time_t now,
				char codes[PVA_BACKUP_N][PVA_BACKUP_TEXT])
{
	char norm[PVA_BACKUP_N][PVA_BACKUP_CHARS + 1];
	struct backup_rec b;
	enum pva_rc rc = PVA_OK;
	size_t i, j;
	int fd = -1;

	memset(codes, 0, sizeof(char) * PVA_BACKUP_N * PVA_BACKUP_TEXT);
	if (user == NULL || key == NULL || !pva_priv_time_ok(now) ||
	    pva_store_user_check(user, strlen(user)) != PVA_OK)
		return PVA_ERR_INVAL;
	memset(&b, 0, sizeof(b));
	b.created = now;
	for (i = 0; i < PVA_BACKUP_N; i++) {
		do { /* distinct codes */
			make_code(norm[i]);
			for (j = 0; j < i && strcmp(norm[i], norm[j]) != 0; j++)
				;
		} while (j < i);
		rc = code_hash(key, user, norm[i], b.h[i]);
		if (rc != PVA_OK)
			goto out;
	}
	b.n = PVA_BACKUP_N;
	rc = pva_state_lock(st, user, PVA_PRIV_LOCK_MS, &fd);
	if (rc == PVA_OK)
		rc = save(st, user, &b);
	pva_state_unlock(fd);
	if (rc == PVA_OK)
		for (i = 0; i < PVA_BACKUP_N; i++) {
			memcpy(codes[i], norm[i], 5);
			codes[i][5] = '-';
			memcpy(codes[i] + 6, norm[i] + 5, 5);
			codes[i][11] = '\0';
		}
out:
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(&b, sizeof(b));
	return rc;
}

enum pva_rc pva_backup_use(const struct pva_store *st, const struct pva_hostkey *key,
			   const char *user, const char *answer, time_t now,
			   int *accepted, unsigned *left)
{
	char norm[PVA_BACKUP_CHARS + 1];
	unsigned char h[BACKUP_HASH_BYTES];
	struct backup_rec b;
	size_t i, hit = 0;
	unsigned found = 0, eq;
	enum pva_rc rc;
	int fd = -1, shaped;

	*accepted = 0;
	*left = 0;
	(void)now;
	if (user == NULL || key == NULL)
		return PVA_ERR_INVAL;
	shaped = normalize(answer, norm) == 0;
	/* hash whatever came, so timing does not tell the shape */
	rc = code_hash(key, user, norm, h);
	if (rc != PVA_OK)
		goto wipe;
	rc = pva_state_lock(st, user, PVA_PRIV_LOCK_MS, &fd);
	if (rc != PVA_OK)
		goto wipe;
	rc = load(st, user, &b);
	if (rc == PVA_ERR_NOTFOUND) {
		rc = PVA_OK; /* no codes were made */
		goto out;
	}
	if (rc != PVA_OK)
		goto out;
	for (i = 0; i < b.n; i++) { /* every hash, no early exit */
		eq = (unsigned)(sodium_memcmp(h, b.h[i], BACKUP_HASH_BYTES) == 0);
		hit |= (size_t)(0 - (size_t)(eq & (found ^ 1u))) & i;
		found |= eq;
	}
	if (found && shaped) {
		memmove(b.h[hit], b.h[hit + 1], (b.n - hit - 1) * BACKUP_HASH_BYTES);
		b.n--;
		sodium_memzero(b.h[b.n], BACKUP_HASH_BYTES);
		rc = save(st, user, &b);
		if (rc == PVA_OK)
			*accepted = 1;
	}
	*left = (unsigned)b.n;
out:
	pva_state_unlock(fd);
	sodium_memzero(&b, sizeof(b));
wipe:
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(h, sizeof(h));
	return rc;
}

enum pva_rc pva_backup_count(const struct pva_store *st, const char *user,
			     unsigned *left, time_t *created)
{
	struct backup_rec b;
	enum pva_rc rc;

	*left = 0;
	*created = 0;
	rc = load(st, user, &b);
	if (rc == PVA_ERR_NOTFOUND)
		return PVA_OK;
	if (rc == PVA_OK) {
		*left = (unsigned)b.n;
		*created = b.created;
	}
	sodium_memzero(&b, sizeof(b));
	return rc;
}

enum pva_rc pva_backup_forget(const struct pva_store *st, const char *user)
{
	return pva_store_remove(st, PVA_BACKUP_SUB, user);
}
