/* vonage.h - the "vonage" provider: SMS through Vonage's (Nexmo's) SMS API.
 *
 * Configuration (a group under `providers`):
 *   type = "vonage";
 *   from = "AcmeLogin";       sender: an alphanumeric ID (up to 11
 *                             characters) or a Vonage number (E.164)
 *   url, ca_file, pinned_pubkey, proxy, connect_timeout_ms, timeout_ms:
 *                             see http.h (url default https://rest.nexmo.com)
 * Credentials, in the secrets file under the provider's name:
 *   NAME = { api_key = "..."; api_secret = "..."; };
 *
 * POST {url}/sms/json, form-encoded api_key, api_secret, from, to (digits
 * without '+'), text, type ("unicode" when the text has a character
 * outside the GSM 03.38 alphabet, e.g. Chinese; else "text").  Sent only
 * when the HTTP status is 200 and every messages[].status is "0"
 * (request_id = messages[0].message-id).  Status 1 (throttled) and 10
 * (too many binds) are rate limits, 5 (internal error) is temporary, the
 * documented others (missing or invalid parameters, credentials, barred
 * number or account, no credit, illegal sender, ...) are permanent.  SMS
 * only.
 */
#ifndef PVA_VONAGE_H
#define PVA_VONAGE_H

#include "delivery/provider.h"

#define PVA_VONAGE_URL_DEFAULT "https://rest.nexmo.com"

extern const struct pva_provider_ops pva_provider_vonage;

/* 1 when every character of the UTF-8 text is in the GSM 03.38 default
 * alphabet or its extension table (so Vonage's type "text" can carry it),
 * 0 otherwise (also for invalid UTF-8). */
int pva_vonage_is_gsm7(const char *text);

#endif
