/* phone.c - E.164 validation and masking. */
#include "core/phone.h"

#include <stdio.h>
#include <string.h>

enum pva_rc pva_phone_validate(const char *s)
{
	size_t n = 0;

	if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return PVA_ERR_INVAL;
	for (s++; *s; s++, n++) {
		if (*s < '0' || *s > '9')
			return PVA_ERR_INVAL;
	}
	return (n >= 8 && n <= 15) ? PVA_OK : PVA_ERR_INVAL;
}

/* Two-digit calling codes (ITU-T E.164 assignments); 1 and 7 are the only
 * one-digit codes and every other code has three digits. */
static const char two_digit_cc[][3] = {
	"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41",
	"43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
	"55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
	"81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
};

size_t pva_phone_cc_len(const char *digits)
{
	size_t i;

	if (digits[0] == '1' || digits[0] == '7')
		return 1;
	if (digits[0] == '\0' || digits[1] == '\0')
		return 1;
	for (i = 0; i < sizeof(two_digit_cc) / sizeof(two_digit_cc[0]); i++) {
		if (digits[0] == two_digit_cc[i][0] &&
		    digits[1] == two_digit_cc[i][1])
			return 2;
	}
	return 3;
}

void pva_phone_mask(const char *e164, char *out, size_t outlen)
{
	const char *digits, *nsn;
	size_t cc, n, tail, i, pos;

	if (outlen == 0)
		return;
	if (pva_phone_validate(e164) != PVA_OK) {
		snprintf(out, outlen, "+?");
		return;
	}
	digits = e164 + 1;
	cc = pva_phone_cc_len(digits);
	nsn = digits + cc;
	n = strlen(nsn);
	/* the country code and the last digits only: an operator prefix
	 * ("138") would narrow the number down */
	tail = n >= 10 ? 4 : (n >= 8 ? 3 : 2);
	if (tail >= n) /* very short numbers: keep most hidden */
		tail = n > 2 ? 2 : 0;
	pos = (size_t)snprintf(out, outlen, "+%.*s ", (int)cc, digits);
	for (i = 0; i < n && pos + 1 < outlen; i++)
		out[pos++] = i >= n - tail ? nsn[i] : '*';
	out[pos < outlen ? pos : outlen - 1] = '\0';
}
