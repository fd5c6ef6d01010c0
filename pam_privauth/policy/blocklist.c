/* blocklist.c - built-in front-coded list plus an admin list. */
#include "policy/blocklist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/secfile.h"
#include "policy/normalize.h"

#define BL_ENTRY_MAX 256
#define BL_MIN_LEN 3   /* like the generator: shorter forms are never asked */

struct pva_blocklist {
	char **admin;       /* sorted, normalised, malloc'd */
	size_t nadmin;
};

/* Bytewise compare of a[0..alen) with NUL-terminated-free b[0..blen). */
static int cmp_bytes(const unsigned char *a, size_t alen, const unsigned char *b,
		     size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int r = memcmp(a, b, n);

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Last block whose first entry is <= key, or nblocks if none. */
static size_t find_block(const unsigned char *key, size_t klen)
{
	size_t lo = 0, hi = pva_bl_nblocks, mid;
	const unsigned char *e;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		e = pva_bl_blob + pva_bl_index[mid];
		if (cmp_bytes(e + 1, e[0], key, klen) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? pva_bl_nblocks : lo - 1;
}

static int builtin_contains(const char *s)
{
	unsigned char cur[BL_ENTRY_MAX];
	const unsigned char *key = (const unsigned char *)s, *p, *end;
	size_t klen = strlen(s), b, len, pre, suf;
	int r, found = 0;

	if (pva_bl_nblocks == 0 || klen >= BL_ENTRY_MAX)
		return 0;
	b = find_block(key, klen);
	if (b == pva_bl_nblocks)
		return 0;
	p = pva_bl_blob + pva_bl_index[b];
	end = b + 1 < pva_bl_nblocks ? pva_bl_blob + pva_bl_index[b + 1]
				      : pva_bl_blob + pva_bl_blob_len;
	len = *p++;
	memcpy(cur, p, len);
	p += len;
	for (;;) {
		r = cmp_bytes(cur, len, key, klen);
		if (r >= 0) {
			found = r == 0;
			break;
		}
		if (p + 2 > end)
			break;
		pre = p[0];
		suf = p[1];
		p += 2;
		if (pre > len || pre + suf >= BL_ENTRY_MAX || p + suf > end)
			break;
		memcpy(cur + pre, p, suf);
		p += suf;
		len = pre + suf;
	}
	return found;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pva_blocklist_contains(const struct pva_blocklist *bl, const char *normalized)
{
	if (normalized == NULL || normalized[0] == '\0')
		return 0;
	if (builtin_contains(normalized))
		return 1;
	if (bl == NULL || bl->nadmin == 0)
		return 0;
	return bsearch(&normalized, bl->admin, bl->nadmin, sizeof(*bl->admin),
		       cmp_str) != NULL;
}

/* Add both normalised forms of one admin line (forms < BL_MIN_LEN skipped). */
static enum pva_rc add_word(struct pva_blocklist *bl, const char *w, size_t len,
			    size_t *cap)
{
	char buf[BL_ENTRY_MAX];
	size_t k, n;
	char **grown;

	for (k = 0; k < 2; k++) {
		n = k == 0 ? pva_norm_canon(w, len, buf, sizeof(buf))
			   : pva_norm_stripped(w, len, buf, sizeof(buf));
		if (n < BL_MIN_LEN)
			continue;
		if (bl->nadmin == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			grown = realloc(bl->admin, *cap * sizeof(*grown));
			if (grown == NULL)
				return PVA_ERR_NOMEM;
			bl->admin = grown;
		}
		bl->admin[bl->nadmin] = strdup(buf);
		if (bl->admin[bl->nadmin] == NULL)
			return PVA_ERR_NOMEM;
		bl->nadmin++;
	}
	return PVA_OK;
}

/* Parse text (one word per line, '#' comments, blanks ignored). */
static enum pva_rc parse_admin(struct pva_blocklist *bl, const char *text, size_t tlen)
{
	enum pva_rc rc = PVA_OK;
	size_t i = 0, j, end, cap = 0;

	while (rc == PVA_OK && i < tlen) {
		for (end = i; end < tlen && text[end] != '\n'; end++)
			;
		j = end;
		while (j > i && (text[j - 1] == '\r' || text[j - 1] == ' ' ||
				 text[j - 1] == '\t'))
			j--;
		if (j > i && text[i] != '#')
			rc = add_word(bl, text + i, j - i, &cap);
		i = end + 1;
	}
	if (rc == PVA_OK && bl->nadmin > 0)
		qsort(bl->admin, bl->nadmin, sizeof(*bl->admin), cmp_str);
	return rc;
}

static void load_admin(struct pva_blocklist *bl, const char *path, char *warn,
		       size_t warnlen, enum pva_rc *rc)
{
	char *text = NULL;
	size_t tlen = 0;
	enum pva_rc r;

	r = pva_secfile_read(path, PVA_SECFILE_NOWRITE, PVA_BLOCKLIST_FILE_MAX,
			     &text, &tlen);
	if (r == PVA_OK && memchr(text, '\0', tlen) != NULL)
		r = PVA_ERR_CORRUPT;
	if (r == PVA_OK)
		r = parse_admin(bl, text, tlen);
	if (r == PVA_ERR_NOMEM)
		*rc = r;
	else if (r != PVA_OK && warn != NULL && warnlen > 0)
		snprintf(warn, warnlen,
			 "blocklist_file %s not used (%s); the built-in list still applies",
			 path, pva_rc_str(r));
	free(text);
}

enum pva_rc pva_blocklist_open(const char *admin_file, struct pva_blocklist **out,
			       char *warn, size_t warnlen)
{
	struct pva_blocklist *bl;
	enum pva_rc rc = PVA_OK;

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	*out = NULL;
	bl = calloc(1, sizeof(*bl));
	if (bl == NULL)
		return PVA_ERR_NOMEM;
	if (admin_file != NULL && admin_file[0] != '\0')
		load_admin(bl, admin_file, warn, warnlen, &rc);
	if (rc != PVA_OK) {
		pva_blocklist_free(bl);
		return rc;
	}
	*out = bl;
	return PVA_OK;
}

size_t pva_blocklist_builtin_count(void)
{
	return pva_bl_count;
}

size_t pva_blocklist_admin_count(const struct pva_blocklist *bl)
{
	return bl == NULL ? 0 : bl->nadmin;
}

void pva_blocklist_free(struct pva_blocklist *bl)
{
	size_t i;

	if (bl == NULL)
		return;
	for (i = 0; i < bl->nadmin; i++)
		free(bl->admin[i]);
	free(bl->admin);
	free(bl);
}
