/* precord.c - helpers shared by the privacy records. */
#include "privacy/precord.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/secfile.h"

enum pva_rc pva_priv_subdir(const struct pva_store *st, const char *sub)
{
	char dir[PATH_MAX];
	int w;

	w = snprintf(dir, sizeof(dir), "%s/%s", st->dir, sub);
	if (w < 0 || (size_t)w >= sizeof(dir))
		return PVA_ERR_INVAL;
	return pva_secdir_ensure(dir);
}

int pva_priv_service_ok(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len >= 64)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int pva_priv_time_ok(time_t t)
{
	return t >= 0 && (long long)t <= PVA_STORE_TIME_MAX;
}

int pva_priv_tok(const char *s, size_t len, size_t *pos, const char **tok,
		 size_t *toklen)
{
	const char *sp;

	if (*pos > len)
		return -1;
	*tok = s + *pos;
	sp = memchr(*tok, ' ', len - *pos);
	*toklen = sp ? (size_t)(sp - *tok) : len - *pos;
	*pos += *toklen + 1;
	return 0;
}

void pva_priv_free_body(char *body, size_t len)
{
	if (body == NULL)
		return;
	sodium_memzero(body, len);
	free(body);
}

enum pva_rc pva_priv_parse(const char *body, size_t len, const char *key,
			   enum pva_rc (*entry)(const char *val, size_t len, void *ud),
			   void *ud)
{
	struct pva_store_line ln;
	size_t pos = 0;
	enum pva_rc rc;

	rc = pva_store_next_line(body, len, &pos, &ln);
	if (rc != PVA_OK || !pva_store_line_is(&ln, "v", "1"))
		return PVA_ERR_CORRUPT;
	while ((rc = pva_store_next_line(body, len, &pos, &ln)) == PVA_OK)
		if (!pva_store_line_is(&ln, key, NULL) || entry(ln.val, ln.vallen, ud) != PVA_OK)
			return PVA_ERR_CORRUPT;
	return rc == PVA_ERR_NOTFOUND ? PVA_OK : PVA_ERR_CORRUPT;
}

enum pva_rc pva_priv_entry(const char *s, size_t len, char service[PVA_SERVICE_MAX],
			   const char **tok, size_t *toklen, time_t *when)
{
	const char *t[3];
	size_t tl[3], pos = 0, i;
	unsigned long long v;

	for (i = 0; i < 3; i++)
		if (pva_priv_tok(s, len, &pos, &t[i], &tl[i]) != 0)
			return PVA_ERR_CORRUPT;
	if (pos != len + 1 || !pva_priv_service_ok(t[0], tl[0]) ||
	    pva_store_num(t[2], tl[2], PVA_STORE_TIME_MAX, &v) != PVA_OK)
		return PVA_ERR_CORRUPT;
	memcpy(service, t[0], tl[0]);
	service[tl[0]] = '\0';
	*tok = t[1];
	*toklen = tl[1];
	*when = (time_t)v;
	return PVA_OK;
}
