/* zxcvbn.c - optional strength estimate (see zxcvbn.h). */
#include "policy/zxcvbn.h"

#include <stddef.h>

#ifdef PVA_HAVE_ZXCVBN
#include <zxcvbn.h>

int pva_zxcvbn_available(void)
{
	return 1;
}

enum pva_rc pva_zxcvbn_log10(const char *pw, const char *const *words, double *out)
{
	double bits;

	*out = 0.0;
	if (pw == NULL)
		return PVA_ERR_INVAL;
	/* Entropy in bits of the cheapest match sequence; no Info kept. */
	bits = ZxcvbnMatch(pw, (const char **)words, NULL);
	*out = bits * 0.30102999566398120; /* log10(2) */
	return PVA_OK;
}

#else

int pva_zxcvbn_available(void)
{
	return 0;
}

enum pva_rc pva_zxcvbn_log10(const char *pw, const char *const *words, double *out)
{
	(void)pw;
	(void)words;
	*out = 0.0;
	return PVA_ERR_INVAL;
}

#endif
