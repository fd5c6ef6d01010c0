/* segment.c - GSM-7 / UCS-2 length of an SMS text. */
#include "delivery/segment.h"

#include <stdint.h>
#include <string.h>

/* Decode one UTF-8 character at s; 0 when invalid (overlong, surrogate,
 * beyond U+10FFFF, truncated). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4; c &= 0x07; min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* The basic GSM 03.38 characters outside printable ASCII. */
static const uint32_t gsm_basic_other[] = {
	0x00a3, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, 0x00f2, 0x00c7, 0x00d8,
	0x00f8, 0x00c5, 0x00e5, 0x0394, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0,
	0x03a8, 0x03a3, 0x0398, 0x039e, 0x00c6, 0x00e6, 0x00df, 0x00c9, 0x00a4,
	0x00a1, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7, 0x00bf, 0x00e4, 0x00f6,
	0x00f1, 0x00fc, 0x00e0,
};

/* Septets of cp in GSM-7: 1 (basic), 2 (extension table), 0 (not GSM-7). */
static unsigned gsm7_septets(uint32_t cp)
{
	size_t i;

	if (cp == '\n' || cp == '\r')
		return 1;
	if (cp == '\f' || cp == 0x20ac)
		return 2;
	if (cp >= 0x20 && cp < 0x7f) {
		if (strchr("^{}\\[~]|", (int)cp) != NULL)
			return 2;
		if (cp == '`')
			return 0; /* not in the GSM alphabet */
		return 1;
	}
	for (i = 0; i < sizeof(gsm_basic_other) / sizeof(gsm_basic_other[0]); i++)
		if (gsm_basic_other[i] == cp)
			return 1;
	return 0;
}

enum pva_rc pva_sms_count(const char *text, struct pva_sms_count *out)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t septets = 0, units = 0, n;
	int gsm = 1;
	uint32_t cp;

	memset(out, 0, sizeof(*out));
	while (*p) {
		unsigned s;

		n = utf8_next(p, &cp);
		if (n == 0)
			return PVA_ERR_INVAL;
		p += n;
		units += cp > 0xffff ? 2 : 1;
		s = gsm7_septets(cp);
		if (s == 0)
			gsm = 0;
		septets += s;
	}
	if (gsm) {
		out->encoding = PVA_SMS_GSM7;
		out->units = septets;
		out->segments = septets <= PVA_SMS_GSM7_SINGLE ? 1 :
			(unsigned)((septets + PVA_SMS_GSM7_MULTI - 1) / PVA_SMS_GSM7_MULTI);
	} else {
		out->encoding = PVA_SMS_UCS2;
		out->units = units;
		out->segments = units <= PVA_SMS_UCS2_SINGLE ? 1 :
			(unsigned)((units + PVA_SMS_UCS2_MULTI - 1) / PVA_SMS_UCS2_MULTI);
	}
	if (out->segments == 0)
		out->segments = 1;
	return PVA_OK;
}
