/* segment.h - how many SMS segments a text needs.
 *
 * A text is sent in the GSM 03.38 7-bit alphabet when every character is
 * in it (the basic set costs one septet, the extension table ^ { } \ [ ~
 * ] | EUR and form feed two), otherwise in UCS-2, where each character
 * costs its UTF-16 code units (two for a character beyond U+FFFF, e.g. an
 * emoji).  One segment holds 160 septets or 70 UCS-2 units; a longer text
 * is split into segments of 153 septets or 67 units (the rest is the
 * concatenation header).
 */
#ifndef PVA_SEGMENT_H
#define PVA_SEGMENT_H

#include <stddef.h>

#include "core/rc.h"

#define PVA_SMS_GSM7_SINGLE 160
#define PVA_SMS_GSM7_MULTI 153
#define PVA_SMS_UCS2_SINGLE 70
#define PVA_SMS_UCS2_MULTI 67

enum pva_sms_encoding { PVA_SMS_GSM7 = 0, PVA_SMS_UCS2 = 1 };

struct pva_sms_count {
	enum pva_sms_encoding encoding;
	size_t units;      /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	unsigned segments; /* 1 for an empty text */
};

/* Count text (UTF-8).  PVA_ERR_INVAL when it is not valid UTF-8. */
enum pva_rc pva_sms_count(const char *text, struct pva_sms_count *out) PVA_WUR;

#endif
