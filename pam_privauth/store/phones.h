/* phones.h - the admin-controlled phone directory.
 *
 * Phone numbers come only from here (set by privauthctl), never from the
 * user at login.  PERSONAL DATA: show only pva_phone_mask() of `phone`.
 */
#ifndef PVA_PHONES_H
#define PVA_PHONES_H

#include <time.h>

#include "core/phone.h"
#include "delivery/provider.h"
#include "store/store.h"

struct pva_phone_rec {
	char user[PVA_USER_MAX];
	char phone[PVA_PHONE_MAX];   /* E.164 with '+' */
	enum pva_channel channel;    /* preferred channel */
	time_t updated;
	char lang[8];                /* preferred language: "en", "zh_CN" or ""
				      * (none; records without lang= load so) */
};

/* PVA_OK when lang is "", "en" or "zh_CN". */
enum pva_rc pva_phones_lang_check(const char *lang) PVA_WUR;

/* PVA_ERR_NOTFOUND when user is not enrolled, PVA_ERR_CORRUPT when the
 * record fails its check. */
enum pva_rc pva_phones_get(const struct pva_store *st, const char *user,
			   struct pva_phone_rec *out) PVA_WUR;

/* Validate (E.164, user name) and atomically write rec. */
enum pva_rc pva_phones_set(const struct pva_store *st,
			   const struct pva_phone_rec *rec) PVA_WUR;

/* Remove user's entry (PVA_OK if there was none). */
enum pva_rc pva_phones_del(const struct pva_store *st, const char *user) PVA_WUR;

#endif
