#!/usr/bin/python3
"""aliyun_fake - loopback fake of Alibaba Cloud Dysmsapi / Dyvmsapi (TEST ONLY).

    aliyun_fake.py --cert C --key K --record DIR --access-key-id ID \\
        --access-key-secret S [--sign-name N] [--template-code SMS_1] \\
        [--sms-template 'Your code is ${code}'] [--tts-code TTS_1] \\
        [--tts-template 'Your login code is ${code}'] [--per-number-limit N]

Speaks the RPC-style OpenAPI with signature V3 (ACS3-HMAC-SHA256), as the
"aliyun" provider uses it: POST / with the action in x-acs-action and the
parameters in the query string and/or an x-www-form-urlencoded body.

  SendSms (x-acs-version 2017-05-25): PhoneNumbers, SignName, TemplateCode,
      TemplateParam (JSON object with every ${var} of the template)
      -> 200 {"Code": "OK", "Message": "OK", "BizId": ..., "RequestId": ...}
  SingleCallByTts (2017-05-25): CalledNumber (mainland China only),
      TtsCode, TtsParam, optional CalledShowNumber
      -> 200 {"Code": "OK", "Message": "OK", "CallId": ..., "RequestId": ...}

Authentication is checked the way Alibaba's gateway does it, from what
arrived: the Authorization header names the AccessKey id and the signed
headers (host, content-type when a body is sent and every x-acs-* header
must be among them); x-acs-content-sha256 must be the SHA-256 of the body;
x-acs-date within 15 minutes of now (the documented window; --max-skew);
x-acs-signature-nonce never seen before; and the signature recomputed
independently here (canonical request -> string to sign -> HMAC-SHA256
with the secret) must match.  Failures answer like the service:
IncompleteSignature / InvalidAccessKeyId.NotFound (404) /
SignatureDoesNotMatch / InvalidTimeStamp.Expired / SignatureNonceUsed, as
{"RequestId", "HostId", "Code", "Message", "Recommend"} with HTTP 400.

Recorded (spool format, see fakebase): SMS -> "【SignName】" + the
template with its ${vars} filled; a call -> the TTS template with every
variable spelled digit by digit ("4, 9, 3, ..."), as text-to-speech reads
a verification code, with "Voicecall: yes".  Mainland numbers (11 digits
starting with 1, optionally prefixed 86/+86/0086) are recorded as 86....

Business rules: --sign-name / --template-code / --tts-code, when given,
are the only approved ones (isv.SMS_SIGNATURE_ILLEGAL,
isv.SMS_TEMPLATE_ILLEGAL, isv.TTS_TEMPLATE_ILLEGAL otherwise); a bad
number is isv.MOBILE_NUMBER_ILLEGAL; --per-number-limit N answers
isv.BUSINESS_LIMIT_CONTROL (HTTP 200) to the N+1st message to a number.

Error modes (fakebase): 4xx -> 400 isv.INVALID_PARAMETERS; 429 -> 429
Throttling.User with Retry-After; 5xx -> 503 ServiceUnavailable.
"""

import calendar
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
import urllib.parse

import fakebase  # the script's directory is on sys.path

VERSION = "2017-05-25"
AUTH_RE = re.compile(r"^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),"
                     r"Signature=([0-9a-f]{64})$")
VAR_RE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def rfc3986(s):
    return urllib.parse.quote(s, safe="-_.~")


def ali_error(status, code, message, host="dysmsapi.aliyuncs.com"):
    return fakebase.Response(status, {
        "RequestId": secrets.token_hex(8).upper(), "HostId": host,
        "Code": code, "Message": message,
        "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
    })


def biz(code, message):
    """A business answer: always HTTP 200, Code tells."""
    return fakebase.Response(200, {"RequestId": secrets.token_hex(8).upper(),
                                   "Code": code, "Message": message})


def mainland(number):
    """The 11-digit mainland number in any accepted prefix form, or None."""
    for p in ("+86", "0086", "86"):
        if number.startswith(p) and len(number) == len(p) + 11:
            number = number[len(p):]
            break
    if len(number) == 11 and number.isdigit() and number[0] == "1":
        return number
    return None


class AliyunFake(fakebase.Fake):
    NAME = "aliyun"

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument("--access-key-id", required=True)
        parser.add_argument("--access-key-secret", required=True)
        parser.add_argument("--sign-name")
        parser.add_argument("--template-code")
        parser.add_argument("--sms-template", default="Your login code is ${code}.")
        parser.add_argument("--tts-code")
        parser.add_argument("--tts-template", default="Your login code is ${code}.")
        parser.add_argument("--per-number-limit", type=int, default=0)
        parser.add_argument("--max-skew", type=int, default=900)

    def __init__(self, args):
        super().__init__(args)
        self.nonces = set()
        self.per_number = {}
        self.guard = threading.Lock()

    # ---- signature V3 ----------------------------------------------
    def canonical(self, req, signed):
        pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(req.raw_path).query,
                                       keep_blank_values=True)
        query = "&".join("%s=%s" % (rfc3986(k), rfc3986(v)) for k, v in sorted(pairs))
        uri = "/".join(rfc3986(urllib.parse.unquote(p)) for p in req.path.split("/")) or "/"
        headers = "".join("%s:%s\n" % (h, (req.header(h) or "").strip()) for h in signed)
        return "\n".join([req.method, uri, query, headers, ";".join(signed),
                          hashlib.sha256(req.body).hexdigest()])

    def authenticate(self, req):
        m = AUTH_RE.match(req.header("Authorization", ""))
        if m is None:
            return ali_error(400, "IncompleteSignature",
                             "The request signature does not conform to Aliyun standards.")
        key_id, signed, sig = m.group(1), m.group(2).split(";"), m.group(3)
        if key_id != self.args.access_key_id:
            return ali_error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        present = [k.lower() for k in req.headers.keys()]
        must = {"host"} | {k for k in present if k.startswith("x-acs-")}
        if req.body:
            must.add("content-type")
        for h in ("x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                  "x-acs-content-sha256"):
            if h not in present:
                return ali_error(400, "MissingParameter", "%s is mandatory for this action." % h)
        if signed != sorted(signed) or not must <= set(signed):
            return ali_error(400, "IncompleteSignature", "SignedHeaders must list %s" % sorted(must))
        if req.header("x-acs-content-sha256") != hashlib.sha256(req.body).hexdigest():
            return ali_error(400, "SignatureDoesNotMatch", "x-acs-content-sha256 is not the body's hash.")
        want = hmac.new(self.args.access_key_secret.encode(),
                        ("ACS3-HMAC-SHA256\n" + hashlib.sha256(
                            self.canonical(req, signed).encode()).hexdigest()).encode(),
                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, sig):
            return ali_error(400, "SignatureDoesNotMatch",
                             "Specified signature does not match our calculation.")
        return self.check_replay(req)

    def check_replay(self, req):
        try:
            t = calendar.timegm(time.strptime(req.header("x-acs-date"), "%Y-%m-%dT%H:%M:%SZ"))
        except ValueError:
            return ali_error(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        if abs(time.time() - t) > self.args.max_skew:
            return ali_error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        nonce = req.header("x-acs-signature-nonce")
        with self.guard:
            if nonce in self.nonces:
                return ali_error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self.nonces.add(nonce)
        return None

    # ---- actions -----------------------------------------------------
    def params(self, req):
        p = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(req.raw_path).query,
                                        keep_blank_values=True))
        if req.body:
            ctype = req.header("Content-Type", "")
            if not ctype.startswith("application/x-www-form-urlencoded"):
                return None
            p.update(req.form())
        return p

    def handle(self, req):
        action, version = req.header("x-acs-action"), req.header("x-acs-version")
        if action not in ("SendSms", "SingleCallByTts"):
            return ali_error(404, "InvalidAction.NotFound", "Specified api is not found.")
        if version != VERSION:
            return ali_error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        p = self.params(req)
        if p is None:
            return ali_error(400, "InvalidParameter", "Unsupported content type.")
        if action == "SendSms":
            return self.send_sms(p)
        return self.single_call(p)

    def fill(self, template, raw, spell):
        try:
            values = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(values, dict):
            return None
        out = template
        for var in VAR_RE.findall(template):
            if var not in values:
                return None
            v = str(values[var])
            out = out.replace("${%s}" % var, ", ".join(v) if spell else v)
        return out

    def limited(self, number):
        if self.args.per_number_limit <= 0:
            return False
        with self.guard:
            n = self.per_number.get(number, 0) + 1
            self.per_number[number] = n
        return n > self.args.per_number_limit

    def send_sms(self, p):
        for k in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not p.get(k):
                return ali_error(400, "Missing" + k, "%s is mandatory for this action." % k)
        number = p["PhoneNumbers"]
        if "," in number or not (mainland(number) or re.match(r"^[1-9][0-9]{7,14}$", number)):
            return biz("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if self.args.sign_name and p["SignName"] != self.args.sign_name:
            return biz("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if self.args.template_code and p["TemplateCode"] != self.args.template_code:
            return biz("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        text = self.fill(self.args.sms_template, p.get("TemplateParam", "{}"), False)
        if text is None:
            return biz("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        to = "86" + mainland(number) if mainland(number) else number
        if self.limited(to):
            return biz("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5")
        self.record(to, "【%s】%s" % (p["SignName"], text))
        return biz_ok(BizId="%d^0" % (time.time_ns() // 1000))

    def single_call(self, p):
        for k in ("CalledNumber", "TtsCode"):
            if not p.get(k):
                return ali_error(400, "Missing" + k, "%s is mandatory for this action." % k,
                                 "dyvmsapi.aliyuncs.com")
        number = mainland(p["CalledNumber"])
        if number is None:
            return biz("isv.MOBILE_NUMBER_ILLEGAL", "号码格式非法 (mainland China numbers only)")
        if self.args.tts_code and p["TtsCode"] != self.args.tts_code:
            return biz("isv.TTS_TEMPLATE_ILLEGAL", "文本转语音模板非法")
        text = self.fill(self.args.tts_template, p.get("TtsParam", "{}"), True)
        if text is None:
            return biz("isv.PARAMS_ILLEGAL", "参数错误")
        if self.limited("86" + number):
            return biz("isv.BUSINESS_LIMIT_CONTROL", "触发流控")
        self.record("86" + number, text, voice=True)
        return biz_ok(CallId="%d^%d" % (time.time_ns() // 1000, 10281378))

    def error_response(self, kind, req):
        if kind == "4xx":
            return ali_error(400, "isv.INVALID_PARAMETERS", "参数异常")
        if kind == "429":
            return ali_error(429, "Throttling.User", "Request was denied due to user flow control.")
        return ali_error(503, "ServiceUnavailable",
                         "The request has failed due to a temporary failure of the server.")


def biz_ok(**extra):
    body = {"RequestId": secrets.token_hex(8).upper(), "Code": "OK", "Message": "OK"}
    body.update(extra)
    return fakebase.Response(200, body)


if __name__ == "__main__":
    sys.exit(fakebase.main(AliyunFake))
