/* zxcvbn.h - optional strength estimate through Debian's libzxcvbn.
 *
 * Built only when the Makefile finds /usr/include/zxcvbn.h (ZXCVBN=1,
 * -DPVA_HAVE_ZXCVBN).  Without it, pva_zxcvbn_available() is 0 and
 * pva_zxcvbn_log10() returns PVA_ERR_INVAL: callers must not pretend a
 * password was estimated (config validation should refuse
 * min_guesses_log10 > 0 then).
 */
#ifndef PVA_ZXCVBN_H
#define PVA_ZXCVBN_H

#include "core/rc.h"

/* 1 when the estimate is compiled in. */
int pva_zxcvbn_available(void);

/* log10 of the estimated guesses for pw (SECRET, borrowed); words is a
 * NULL-terminated list of user-specific words (user name, GECOS words) to
 * penalise, may be NULL. */
enum pva_rc pva_zxcvbn_log10(const char *pw, const char *const *words,
			     double *out) PVA_WUR;

#endif
