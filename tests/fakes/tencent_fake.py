#!/usr/bin/python3
"""tencent_fake - loopback fake of Tencent Cloud SMS and VMS API 3.0 (TEST ONLY).

    tencent_fake.py --cert C --key K --record DIR --secret-id ID --secret-key S \\
        --sdk-app-id 1400006666 --template-id 449739 \\
        [--template 'Your login code is {1}.'] [--sign-name N] \\
        [--voice-sdk-app-id 1400000001] \\
        [--voice-template 'Your verification code is {code}.'] \\
        [--per-number-limit N]

Speaks Tencent Cloud API 3.0 as the "tencent" provider uses it: POST / with
a JSON body, the action in X-TC-Action, X-TC-Version, X-TC-Timestamp,
X-TC-Region and an Authorization header signed with TC3-HMAC-SHA256.

  SendSms (2021-01-11, credential scope service "sms"): PhoneNumberSet,
      SmsSdkAppId, TemplateId, TemplateParamSet, SignName (needed for +86)
      -> {"Response": {"SendStatusSet": [{"SerialNo", "PhoneNumber", "Fee",
          "SessionContext", "Code": "Ok", "Message": "send success",
          "IsoCode"}], "RequestId"}}
  SendCodeVoice (2020-09-02, service "vms"): CodeMessage (digits),
      CalledNumber (+86 only), VoiceSdkAppid, optional PlayTimes (1..3)
      -> {"Response": {"SendStatus": {"CallId", "SessionContext"}, "RequestId"}}

Authentication as Tencent's gateway does it, recomputed independently from
what arrived: SecretId known (AuthFailure.SecretIdNotFound), X-TC-Timestamp
within 5 minutes (AuthFailure.SignatureExpire; --max-skew), credential
scope date = the UTC date of the timestamp and service = the product of
the action, content-type and host signed, and the signature over the
canonical request (header values lowercased and trimmed, SHA-256 of the
body) equal to ours (AuthFailure.SignatureFailure).  Every API error is
HTTP 200 {"Response": {"Error": {"Code", "Message"}, "RequestId"}}.

Recorded (spool format, see fakebase): SMS -> "【SignName】" (when given)
+ the template with {1}, {2}... filled from TemplateParamSet; a call ->
--voice-template with {code} spelled digit by digit ("4, 9, 3, ..."), once
per PlayTimes, one per line, with "Voicecall: yes".

Business rules: only --sdk-app-id / --template-id / --voice-sdk-app-id
(and --sign-name, when given) are approved; the TemplateParamSet must fill
exactly the template's {n}; a bad number gets the per-number Code
InvalidParameterValue.IncorrectPhoneNumber; --per-number-limit N answers
LimitExceeded.PhoneNumberOneHourLimit in SendStatusSet (SMS) or as the
Error (voice) to the N+1st message to a number.

Error modes (fakebase): 4xx -> 200 with Error
FailedOperation.PhoneNumberInBlacklist (Tencent reports API errors inside
HTTP 200); 429 -> HTTP 429 with Error RequestLimitExceeded and
Retry-After; 5xx -> 503 with Error InternalError.
"""

import hashlib
import hmac
import re
import sys
import threading
import time
import uuid

import fakebase  # the script's directory is on sys.path

ACTIONS = {"SendSms": ("2021-01-11", "sms"), "SendCodeVoice": ("2020-09-02", "vms")}
AUTH_RE = re.compile(r"^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([a-z]+)/"
                     r"tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")
E164_RE = re.compile(r"^\+[1-9][0-9]{7,14}$")
PARAM_RE = re.compile(r"\{([0-9]+)\}")


def tc_error(code, message, status=200):
    return fakebase.Response(status, {"Response": {
        "Error": {"Code": code, "Message": message}, "RequestId": str(uuid.uuid4())}})


def tc_ok(**fields):
    fields["RequestId"] = str(uuid.uuid4())
    return fakebase.Response(200, {"Response": fields})


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class TencentFake(fakebase.Fake):
    NAME = "tencent"

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument("--secret-id", required=True)
        parser.add_argument("--secret-key", required=True)
        parser.add_argument("--sdk-app-id", default="1400006666")
        parser.add_argument("--template-id", default="449739")
        parser.add_argument("--template", default="Your login code is {1}.")
        parser.add_argument("--sign-name")
        parser.add_argument("--voice-sdk-app-id", default="1400000001")
        parser.add_argument("--voice-template", default="Your verification code is {code}.")
        parser.add_argument("--per-number-limit", type=int, default=0)
        parser.add_argument("--max-skew", type=int, default=300)

    def __init__(self, args):
        super().__init__(args)
        self.per_number = {}
        self.guard = threading.Lock()

    # ---- TC3-HMAC-SHA256 ------------------------------------------
    def signature(self, req, ts, date, service, signed):
        headers = "".join("%s:%s\n" % (h, (req.header(h) or "").strip().lower())
                          for h in signed)
        query = req.raw_path.partition("?")[2] if req.method == "GET" else ""
        canonical = "\n".join([req.method, "/", query, headers, ";".join(signed),
                               hashlib.sha256(req.body).hexdigest()])
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(ts), "%s/%s/tc3_request" % (date, service),
                             hashlib.sha256(canonical.encode()).hexdigest()])
        k = hmac256(("TC3" + self.args.secret_key).encode(), date)
        k = hmac256(hmac256(k, service), "tc3_request")
        return hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()

    def authenticate(self, req):
        m = AUTH_RE.match(req.header("Authorization", ""))
        if m is None:
            return tc_error("AuthFailure.InvalidAuthorization",
                            "Authorization header is missing or malformed.")
        sid, date, service, signed, sig = m.groups()
        signed = signed.split(";")
        if sid != self.args.secret_id:
            return tc_error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        ts = req.header("X-TC-Timestamp", "")
        if not ts.isdigit():
            return tc_error("MissingParameter", "The request is missing X-TC-Timestamp.")
        if abs(time.time() - int(ts)) > self.args.max_skew:
            return tc_error("AuthFailure.SignatureExpire",
                            "Signature expired. Timestamp and server time differ by more than five minutes.")
        product = ACTIONS.get(req.header("X-TC-Action", ""), (None, None))[1]
        if (date != time.strftime("%Y-%m-%d", time.gmtime(int(ts))) or service != product
                or "content-type" not in signed or "host" not in signed
                or signed != sorted(signed)):
            return tc_error("AuthFailure.SignatureFailure",
                            "The provided credentials could not be validated: bad credential scope or SignedHeaders.")
        if not hmac.compare_digest(sig, self.signature(req, int(ts), date, service, signed)):
            return tc_error("AuthFailure.SignatureFailure",
                            "The provided credentials could not be validated. Please check your signature is correct.")
        return None

    # ---- actions -----------------------------------------------------
    def handle(self, req):
        action = req.header("X-TC-Action", "")
        if action not in ACTIONS or req.method != "POST":
            return tc_error("InvalidAction", "The action %r is not supported." % action)
        if req.header("X-TC-Version") != ACTIONS[action][0]:
            return tc_error("InvalidParameterValue", "X-TC-Version is not valid for this action.")
        if not req.header("X-TC-Region"):
            return tc_error("MissingParameter", "The request is missing X-TC-Region.")
        if not req.header("Content-Type", "").startswith("application/json"):
            return tc_error("InvalidParameter", "Content-Type must be application/json.")
        body = req.json()
        if not isinstance(body, dict):
            return tc_error("InvalidParameter", "The request body is not a JSON object.")
        if action == "SendSms":
            return self.send_sms(body)
        return self.send_voice(body)

    def limited(self, number):
        if self.args.per_number_limit <= 0:
            return False
        with self.guard:
            n = self.per_number.get(number, 0) + 1
            self.per_number[number] = n
        return n > self.args.per_number_limit

    def sms_text(self, body):
        params = body.get("TemplateParamSet") or []
        wanted = sorted({int(n) for n in PARAM_RE.findall(self.args.template)})
        if not isinstance(params, list) or len(params) != len(wanted):
            return None
        text = PARAM_RE.sub(lambda m: str(params[int(m.group(1)) - 1]), self.args.template)
        sign = body.get("SignName")
        return ("【%s】" % sign if sign else "") + text

    def send_sms(self, body):
        numbers = body.get("PhoneNumberSet")
        if not isinstance(numbers, list) or not 1 <= len(numbers) <= 200:
            return tc_error("MissingParameter", "PhoneNumberSet is required (1..200 numbers).")
        if body.get("SmsSdkAppId") != self.args.sdk_app_id:
            return tc_error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verification failed.")
        if body.get("TemplateId") != self.args.template_id:
            return tc_error("FailedOperation.TemplateIncorrectOrUnapproved", "The template is not approved.")
        sign = body.get("SignName")
        china = any(str(n).startswith("+86") for n in numbers)
        if (china and not sign) or (sign and self.args.sign_name and sign != self.args.sign_name):
            return tc_error("FailedOperation.SignatureIncorrectOrUnapproved", "The signature is not approved.")
        text = self.sms_text(body)
        if text is None:
            return tc_error("FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                            "TemplateParamSet does not match the approved template.")
        return tc_ok(SendStatusSet=[self.sms_one(str(n), text) for n in numbers])

    def sms_one(self, number, text):
        st = {"SerialNo": "", "PhoneNumber": number, "Fee": 0, "SessionContext": "",
              "IsoCode": "CN" if number.startswith("+86") else "DEF"}
        if not E164_RE.match(number):
            st.update(Code="InvalidParameterValue.IncorrectPhoneNumber",
                      Message="The number is not a valid E.164 number.")
        elif self.limited(number):
            st.update(Code="LimitExceeded.PhoneNumberOneHourLimit",
                      Message="The number reached the one-hour limit.")
        else:
            self.record(number, text)
            st.update(SerialNo="2028:%d" % time.time_ns(), Fee=1, Code="Ok",
                      Message="send success")
        return st

    def send_voice(self, body):
        code, number = body.get("CodeMessage"), body.get("CalledNumber")
        plays = body.get("PlayTimes", 2)
        if body.get("VoiceSdkAppid") != self.args.voice_sdk_app_id:
            return tc_error("FailedOperation.SdkAppIdNotExist", "VoiceSdkAppid does not exist.")
        if not isinstance(code, str) or not code.isdigit() or len(code) > 12:
            return tc_error("InvalidParameterValue.CodeMessageInvalid", "CodeMessage must be digits.")
        if not isinstance(number, str) or not re.match(r"^\+861[0-9]{10}$", number):
            return tc_error("InvalidParameterValue.IncorrectPhoneNumber",
                            "CalledNumber must be a mainland China number (+86...).")
        if not isinstance(plays, int) or not 1 <= plays <= 3:
            return tc_error("InvalidParameterValue", "PlayTimes must be 1..3.")
        if self.limited(number):
            return tc_error("LimitExceeded.PhoneNumberOneHourLimit", "The number reached the one-hour limit.")
        spoken = self.args.voice_template.replace("{code}", ", ".join(code))
        self.record(number, "\n".join([spoken] * plays), voice=True)
        return tc_ok(SendStatus={"CallId": str(uuid.uuid4()), "SessionContext": ""})

    def error_response(self, kind, req):
        if kind == "4xx":
            return tc_error("FailedOperation.PhoneNumberInBlacklist", "The number is in the blocklist.")
        if kind == "429":
            return tc_error("RequestLimitExceeded", "Your requests are too frequent.", 429)
        return tc_error("InternalError", "An internal error occurred.", 503)


if __name__ == "__main__":
    sys.exit(fakebase.main(TencentFake))
