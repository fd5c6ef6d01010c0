/* remind.c - password age from shadow, and when a user was last reminded
 * (see remind.h).
 *
 *   v=1
 *   last=1700000000
 *   mac=<64 hex>          (added by pva_store_seal)
 */
#include "privacy/remind.h"

#include <errno.h>
#include <limits.h>
#include <shadow.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "privacy/precord.h"
#include "store/state.h"

#define DAY 86400
#define SHADOW_BUF_MAX (1024 * 1024)

enum pva_rc pva_password_age_days(long lstchg, time_t now, unsigned *days, time_t *changed)
{
	long long today;

	*days = 0;
	*changed = 0;
	/* 0: "must change at next login"; negative: no date (empty field) */
	if (lstchg <= 0 || now < 0 || (long long)lstchg > PVA_STORE_TIME_MAX / DAY)
		return PVA_ERR_NOTFOUND;
	today = (long long)now / DAY;
	*changed = (time_t)((long long)lstchg * DAY);
	/* a change "in the future" (clock or admin error) is age 0 */
	if (today > (long long)lstchg)
		*days = today - lstchg > (long long)UINT_MAX ? UINT_MAX :
								   (unsigned)(today - lstchg);
	return PVA_OK;
}

enum pva_rc pva_password_age(const char *user, time_t now, unsigned *days, time_t *changed)
{
	struct spwd sp, *res = NULL;
	size_t cap = 1024;
	char *buf = NULL, *nb;
	enum pva_rc rc;
	int err;

	*days = 0;
	*changed = 0;
	if (user == NULL || pva_store_user_check(user, strlen(user)) != PVA_OK)
		return PVA_ERR_INVAL;
	for (;;) {
		nb = realloc(buf, cap);
		if (nb == NULL) {
			rc = PVA_ERR_NOMEM;
			goto out;
		}
		buf = nb;
		err = getspnam_r(user, &sp, buf, cap, &res);
		if (err != ERANGE || cap >= SHADOW_BUF_MAX)
			break;
		sodium_memzero(buf, cap);
		cap *= 2;
	}
	if (res == NULL) /* no entry (err 0 or ENOENT), or no access */
		rc = err == 0 || err == ENOENT ? PVA_ERR_NOTFOUND : PVA_ERR_IO;
	else
		rc = pva_password_age_days(sp.sp_lstchg, now, days, changed);
out:
	if (buf != NULL) { /* it held the password hash */
		sodium_memzero(buf, cap);
		free(buf);
	}
	sodium_memzero(&sp, sizeof(sp));
	return rc;
}

enum pva_rc pva_remind_last(const struct pva_store *st, const char *user, time_t *last)
{
	struct pva_store_line ln;
	unsigned long long v = 0;
	char *body = NULL;
	size_t len = 0, pos = 0;
	enum pva_rc rc;
	int have = 0;

	*last = 0;
	rc = pva_store_read(st, PVA_REMIND_SUB, user, &body, &len);
	if (rc == PVA_ERR_NOTFOUND)
		return PVA_OK; /* never reminded */
	if (rc != PVA_OK)
		return rc;
	rc = pva_store_next_line(body, len, &pos, &ln);
	if (rc != PVA_OK || !pva_store_line_is(&ln, "v", "1")) {
		rc = PVA_ERR_CORRUPT;
		goto out;
	}
	while ((rc = pva_store_next_line(body, len, &pos, &ln)) == PVA_OK) {
		if (have || !pva_store_line_is(&ln, "last", NULL) ||
		    pva_store_num(ln.val, ln.vallen, PVA_STORE_TIME_MAX, &v) != PVA_OK)
			break;
		have = 1;
	}
	rc = rc == PVA_ERR_NOTFOUND && have ? PVA_OK : PVA_ERR_CORRUPT;
	if (rc == PVA_OK)
		*last = (time_t)v;
out:
	pva_priv_free_body(body, len);
	return rc;
}

enum pva_rc pva_remind_mark(const struct pva_store *st, const char *user, time_t now)
{
	char text[64];
	size_t pos = 0;
	enum pva_rc rc;
	int fd = -1;

	if (user == NULL || !pva_priv_time_ok(now))
		return PVA_ERR_INVAL;
	rc = pva_store_put(text, sizeof(text), &pos, "v=1\nlast=%lld\n", (long long)now);
	if (rc == PVA_OK)
		rc = pva_state_lock(st, user, PVA_PRIV_LOCK_MS, &fd);
	if (rc == PVA_OK)
		rc = pva_priv_subdir(st, PVA_REMIND_SUB);
	if (rc == PVA_OK)
		rc = pva_store_write(st, PVA_REMIND_SUB, user, text);
	pva_state_unlock(fd);
	return rc;
}

enum pva_rc pva_remind_forget(const struct pva_store *st, const char *user)
{
	return pva_store_remove(st, PVA_REMIND_SUB, user);
}
