/* phone.h - E.164 phone numbers: validation and masking.
 *
 * A phone number is personal data.  Only pva_phone_mask() output may be
 * shown to users or written to logs.
 */
#ifndef PVA_PHONE_H
#define PVA_PHONE_H

#include <stddef.h>

#include "core/rc.h"

#define PVA_PHONE_MAX 17       /* '+', 15 digits, NUL */
#define PVA_PHONE_MASK_MAX 32

/* PVA_OK when s is '+' followed by 8 to 15 digits, the first not 0;
 * PVA_ERR_INVAL otherwise (letters, spaces and dial characters such as
 * "*#,;wp" are all refused). */
enum pva_rc pva_phone_validate(const char *s) PVA_WUR;

/* Length (1..3) of the ITU country calling code at the start of digits
 * (the number without '+'). */
size_t pva_phone_cc_len(const char *digits);

/* Masked form of a valid E.164 number, "+86 *******5678" style: the
 * country code and only the last four digits (three for national numbers
 * of 8 or 9 digits, two for shorter ones); every other digit is a '*'.
 * out must hold PVA_PHONE_MASK_MAX bytes.  An invalid number yields "+?". */
void pva_phone_mask(const char *e164, char *out, size_t outlen);

#endif
