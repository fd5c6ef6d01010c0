/* tencent.h - the "tencent" provider: Tencent Cloud SMS (SendSms, API
 * 2021-01-11) and voice codes (VMS SendCodeVoice, API 2020-09-02), signed
 * with TC3-HMAC-SHA256.
 *
 * Configuration (a group under `providers`):
 *   type = "tencent";
 *   sdk_app_id = "1400006666";     SMS SdkAppId (needed for sms)
 *   template_id = "449739";        SMS template whose only parameter {1}
 *                                  is the code (needed for sms)
 *   sign_name = "...";             SMS signature content; needed for
 *                                  mainland China, optional abroad
 *   voice_sdk_app_id = "1400000001";  VMS VoiceSdkAppid (needed for voice)
 *   voice_play_times = 2;          how often the call reads the code, 1..3
 *   region = "ap-guangzhou";       X-TC-Region (default ap-guangzhou)
 *   channels = ["sms", "voice"];   default both: then the sms and the
 *                                  voice keys above are needed
 *   url = "https://sms.tencentcloudapi.com";   SMS endpoint (scheme://host)
 *   voice_url = "https://vms.tencentcloudapi.com";  voice endpoint; when
 *                                  absent and `url` is set, `url`
 *   ca_file, pinned_pubkey, proxy, connect_timeout_ms, timeout_ms: http.h
 * Credentials, in the secrets file under the provider's name:
 *   NAME = { secret_id = "AKID..."; secret_key = "..."; };
 *
 * Wire: POST {url}/ with a JSON body (json-c), Content-Type
 * "application/json; charset=utf-8", X-TC-Action, X-TC-Version,
 * X-TC-Timestamp, X-TC-Region and Authorization: TC3-HMAC-SHA256 over
 * content-type;host;x-tc-action, credential scope service "sms" / "vms".
 * SMS: PhoneNumberSet ["+E164"], SmsSdkAppId, TemplateId,
 * TemplateParamSet [code], SignName.  Voice: CodeMessage (the code),
 * CalledNumber (+E164), VoiceSdkAppid, PlayTimes.
 *
 * Answers: SMS sent only when every Response.SendStatusSet[].Code is "Ok"
 * (request_id = its SerialNo, else RequestId); voice sent when
 * Response.SendStatus.CallId is there and Response.Error is not
 * (request_id = CallId).  Error codes LimitExceeded.* and
 * RequestLimitExceeded* = rate limited, InternalError* = temporary, others
 * permanent; HTTP errors per http.h; an HTTP 200 that cannot be read =
 * ambiguous.  The detail is "tencent: CODE: message", digit runs scrubbed.
 */
#ifndef PVA_TENCENT_H
#define PVA_TENCENT_H

#include "delivery/provider.h"

#define PVA_TENCENT_SMS_URL "https://sms.tencentcloudapi.com"
#define PVA_TENCENT_VOICE_URL "https://vms.tencentcloudapi.com"
#define PVA_TENCENT_SMS_VERSION "2021-01-11"
#define PVA_TENCENT_VMS_VERSION "2020-09-02"
#define PVA_TENCENT_REGION_DEFAULT "ap-guangzhou"

extern const struct pva_provider_ops pva_provider_tencent;

#endif
