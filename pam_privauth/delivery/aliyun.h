/* aliyun.h - the "aliyun" provider: Alibaba Cloud SMS (Dysmsapi SendSms)
 * and voice (Dyvmsapi SingleCallByTts), signed with ACS3-HMAC-SHA256.
 *
 * Configuration (a group under `providers`):
 *   type = "aliyun";
 *   sign_name = "...";                 SMS signature name, as approved in the
 *                                      SMS console (needed for sms)
 *   template_code = "SMS_154950909";   SMS template whose text uses ${code}
 *                                      (needed for sms)
 *   tts_code = "TTS_123456789";        voice TTS template using ${code}
 *                                      (needed for voice)
 *   called_show_number = "0571...";    optional caller number for voice
 *   channels = ["sms", "voice"];       default both: then all of the above
 *                                      but called_show_number are needed
 *   url = "https://dysmsapi.aliyuncs.com";    SMS endpoint (scheme://host
 *                                      only; the international site is
 *                                      https://dysmsapi.ap-southeast-1.aliyuncs.com)
 *   voice_url = "https://dyvmsapi.aliyuncs.com";  voice endpoint; when
 *                                      absent and `url` is set, `url`
 *   params_in = "body";               "body" (default): the parameters in a
 *                                      form body; "query": in the URL's
 *                                      query string, where Alibaba's API
 *                                      metadata places them.  "query" puts
 *                                      the code into the URL (inside TLS,
 *                                      but servers and TLS-inspecting
 *                                      proxies log URLs): set it only if
 *                                      the endpoint refuses body parameters
 *   ca_file, pinned_pubkey, proxy, connect_timeout_ms, timeout_ms: http.h
 * Credentials, in the secrets file under the provider's name:
 *   NAME = { access_key_id = "LTAI..."; access_key_secret = "..."; };
 *
 * Wire: POST {url}/ with every parameter in an x-www-form-urlencoded body
 * (not in the query: TemplateParam holds the code; the RPC gateway reads
 * form parameters as it does query ones), headers host, x-acs-action,
 * x-acs-version (2017-05-25), x-acs-date, x-acs-signature-nonce,
 * x-acs-content-sha256, content-type, all signed (sign.h).  With
 * params_in = "query": POST {url}/?PARAMS with an empty body.  SMS: PhoneNumbers (mainland numbers without +86, others as
 * country code + number), SignName, TemplateCode, TemplateParam
 * {"code":"..."}.  Voice: CalledNumber (same form), TtsCode, TtsParam
 * {"code":"..."}, CalledShowNumber.
 *
 * Answers: sent only when HTTP 200 and Code == "OK" (request_id = BizId,
 * CallId for voice, else RequestId).  isv.BUSINESS_LIMIT_CONTROL,
 * isv.DAY_LIMIT_CONTROL, Throttling* and HTTP 429 = rate limited;
 * ServiceUnavailable, InternalError*, isp.SYSTEM_ERROR and HTTP 5xx =
 * temporary; other isv.* and 4xx = permanent; an HTTP 200 without a Code
 * = ambiguous.  The detail is "aliyun: HTTP N code C: message" with digit
 * runs scrubbed.
 */
#ifndef PVA_ALIYUN_H
#define PVA_ALIYUN_H

#include "delivery/provider.h"

#define PVA_ALIYUN_SMS_URL "https://dysmsapi.aliyuncs.com"
#define PVA_ALIYUN_VOICE_URL "https://dyvmsapi.aliyuncs.com"
#define PVA_ALIYUN_VERSION "2017-05-25"

extern const struct pva_provider_ops pva_provider_aliyun;

#endif
