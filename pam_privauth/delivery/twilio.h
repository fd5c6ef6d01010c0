/* twilio.h - the "twilio" provider: SMS (Messages.json) and voice
 * (Calls.json with TwiML <Say>) through Twilio's REST API.
 *
 * Configuration (a group under `providers`):
 *   type = "twilio";
 *   from = "+15005550006";             a Twilio number (E.164) or an
 *                                      alphanumeric sender ID (SMS only)
 *   messaging_service_sid = "MG...";   instead of `from` for SMS
 *   voice_language = "en-US";          <Say language=...>: en-US, en-GB,
 *                                      de-DE, cmn-CN, ... (default en-US)
 *   voice = "Polly.Joanna";            optional <Say voice=...>
 *   channels = ["sms", "voice"];       voice needs `from` to be a number
 *   url, ca_file, pinned_pubkey, proxy, connect_timeout_ms, timeout_ms:
 *                                      see http.h (url default
 *                                      https://api.twilio.com)
 * Credentials, in the secrets file under the provider's name:
 *   NAME = { account_sid = "AC..."; auth_token = "..."; };
 *
 * SMS: POST {url}/2010-04-01/Accounts/{AccountSid}/Messages.json with To,
 * From or MessagingServiceSid, Body, ValidityPeriod (the code's ttl,
 * clamped to Twilio's 1..36000 s).  Voice: POST .../Calls.json with To,
 * From, Twiml = the message said twice with a pause between.  HTTP Basic
 * auth AccountSid:AuthToken.  201 = sent (request_id = the "sid");
 * 429 or error code 20429/14107 = rate limited; other errors are
 * classified by HTTP status (http.h) with the JSON {code, message} in the
 * detail (digit runs scrubbed).
 */
#ifndef PVA_TWILIO_H
#define PVA_TWILIO_H

#include "delivery/provider.h"

#define PVA_TWILIO_URL_DEFAULT "https://api.twilio.com"
#define PVA_TWILIO_VALIDITY_MAX 36000u

extern const struct pva_provider_ops pva_provider_twilio;

#endif
