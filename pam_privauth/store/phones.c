/* phones.c - the admin-controlled phone directory, one record per user.
 *
 *   v=1
 *   user=alice
 *   phone=+8613812345678
 *   channel=sms
 *   updated=1700000000
 *   lang=zh_CN              (optional: the user's language, en or zh_CN)
 *   mac=<64 hex>            (added by pva_store_seal)
 *
 * PERSONAL DATA: every buffer that held a number is wiped.
 */
#include "store/phones.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define PHONES_SUB "phones"
#define PHONES_TEXT_MAX 512

enum phone_field {
	F_USER = 1,
	F_PHONE = 2,
	F_CHANNEL = 4,
	F_UPDATED = 8,
	F_ALL = 15,
	F_LANG = 16,             /* optional */
};

enum pva_rc pva_phones_lang_check(const char *lang)
{
	return lang[0] == '\0' || strcmp(lang, "en") == 0 || strcmp(lang, "zh_CN") == 0 ?
	       PVA_OK : PVA_ERR_INVAL;
}

static enum pva_rc parse_value(const struct pva_store_line *ln, unsigned bit,
			       struct pva_phone_rec *out)
{
	unsigned long long v = 0;
	enum pva_rc rc;

	switch (bit) {
	case F_USER:
		if (pva_store_user_check(ln->val, ln->vallen) != PVA_OK)
			return PVA_ERR_CORRUPT;
		memcpy(out->user, ln->val, ln->vallen);
		return PVA_OK;
	case F_PHONE:
		if (ln->vallen >= sizeof(out->phone))
			return PVA_ERR_CORRUPT;
		memcpy(out->phone, ln->val, ln->vallen);
		return pva_phone_validate(out->phone) == PVA_OK ? PVA_OK : PVA_ERR_CORRUPT;
	case F_CHANNEL:
		return pva_store_channel_parse(ln->val, ln->vallen, &out->channel);
	case F_LANG:
		if (ln->vallen == 0 || ln->vallen >= sizeof(out->lang))
			return PVA_ERR_CORRUPT;
		memcpy(out->lang, ln->val, ln->vallen);
		return pva_phones_lang_check(out->lang) == PVA_OK ? PVA_OK : PVA_ERR_CORRUPT;
	default:
		rc = pva_store_num(ln->val, ln->vallen, PVA_STORE_TIME_MAX, &v);
		out->updated = (time_t)v;
		return rc;
	}
}

static enum pva_rc parse_line(const struct pva_store_line *ln, struct pva_phone_rec *out,
			      unsigned *seen)
{
	static const struct pva_store_key keys[] = {
		{ "user", F_USER }, { "phone", F_PHONE }, { "channel", F_CHANNEL },
		{ "updated", F_UPDATED }, { "lang", F_LANG } };
	unsigned bit = pva_store_key_bit(ln, keys, sizeof(keys) / sizeof(keys[0]), seen);

	return bit == 0 ? PVA_ERR_CORRUPT : parse_value(ln, bit, out);
}

static enum pva_rc parse(const char *body, size_t len, struct pva_phone_rec *out)
{
	struct pva_store_line ln;
	unsigned seen = 0;
	size_t pos = 0;
	enum pva_rc rc;

	rc = pva_store_next_line(body, len, &pos, &ln);
	if (rc != PVA_OK || !pva_store_line_is(&ln, "v", "1"))
		return PVA_ERR_CORRUPT;
	while ((rc = pva_store_next_line(body, len, &pos, &ln)) == PVA_OK)
		if ((rc = parse_line(&ln, out, &seen)) != PVA_OK)
			break;
	if (rc == PVA_ERR_NOTFOUND) /* the end */
		rc = (seen & F_ALL) == F_ALL ? PVA_OK : PVA_ERR_CORRUPT;
	return rc == PVA_OK ? PVA_OK : PVA_ERR_CORRUPT;
}

enum pva_rc pva_phones_get(const struct pva_store *st, const char *user,
			   struct pva_phone_rec *out)
{
	char *body = NULL;
	size_t len = 0;
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	rc = pva_store_read(st, PHONES_SUB, user, &body, &len);
	if (rc == PVA_OK)
		rc = parse(body, len, out);
	if (rc == PVA_OK && strcmp(out->user, user) != 0)
		rc = PVA_ERR_CORRUPT;
	if (rc != PVA_OK)
		sodium_memzero(out, sizeof(*out));
	if (body != NULL) {
		sodium_memzero(body, len);
		free(body);
	}
	return rc;
}

enum pva_rc pva_phones_set(const struct pva_store *st, const struct pva_phone_rec *rec)
{
	char text[PHONES_TEXT_MAX];
	size_t ulen = strnlen(rec->user, sizeof(rec->user));
	const char *ch = pva_store_channel_str(rec->channel);
	enum pva_rc rc = PVA_ERR_INVAL;
	int n;

	if (ulen >= sizeof(rec->user) || pva_store_user_check(rec->user, ulen) != PVA_OK ||
	    strnlen(rec->phone, sizeof(rec->phone)) >= sizeof(rec->phone) ||
	    pva_phone_validate(rec->phone) != PVA_OK || ch == NULL ||
	    rec->updated < 0 || (long long)rec->updated > PVA_STORE_TIME_MAX ||
	    strnlen(rec->lang, sizeof(rec->lang)) >= sizeof(rec->lang) ||
	    pva_phones_lang_check(rec->lang) != PVA_OK)
		return PVA_ERR_INVAL;
	n = snprintf(text, sizeof(text), "v=1\nuser=%s\nphone=%s\nchannel=%s\nupdated=%lld\n"
		     "%s%s%s", rec->user, rec->phone, ch, (long long)rec->updated,
		     rec->lang[0] ? "lang=" : "", rec->lang, rec->lang[0] ? "\n" : "");
	if (n > 0 && (size_t)n < sizeof(text))
		rc = pva_store_write(st, PHONES_SUB, rec->user, text);
	sodium_memzero(text, sizeof(text));
	return rc;
}

enum pva_rc pva_phones_del(const struct pva_store *st, const char *user)
{
	return pva_store_remove(st, PHONES_SUB, user);
}
