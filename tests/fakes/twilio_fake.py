#!/usr/bin/python3
"""twilio_fake - loopback fake of Twilio's Messages and Calls API (TEST ONLY).

    twilio_fake.py --cert C --key K --record DIR --account-sid AC... --auth-token T

Speaks the wire format pam_privauth's "twilio" provider uses:

  POST /2010-04-01/Accounts/{AccountSid}/Messages.json   (form-encoded)
      To (E.164), From or MessagingServiceSid, Body, optional ValidityPeriod
      (1..36000) -> 201 {"sid": "SM...", "status": "queued", ...}
  POST /2010-04-01/Accounts/{AccountSid}/Calls.json      (form-encoded)
      To, From, Twiml (<Response> with <Say language=...> elements)
      -> 201 {"sid": "CA...", "status": "queued", ...}

Authentication as Twilio does it: HTTP Basic AccountSid:AuthToken, and the
AccountSid in the path must be the authenticated account; otherwise
401 {"code": 20003, ...}.  Missing or invalid parameters answer 400 with
Twilio's error codes (21604 To required, 21602 Body required, 21603 From
required, 21211 invalid To, 21624 ValidityPeriod, 21205/12100 TwiML).

Recorded (spool format, see fakebase): SMS -> the Body; a call -> the
text of every <Say>, one per line, with "Voicecall: yes".

Error modes (fakebase): 4xx -> 400 code 21211; 429 -> 429 code 20429 with
Retry-After; 5xx -> 503 code 20503.
"""

import re
import sys
import xml.etree.ElementTree as ET

import fakebase  # the script's directory is on sys.path

PATH_RE = re.compile(r"^/2010-04-01/Accounts/([^/]+)/(Messages|Calls)\.json$")
E164_RE = re.compile(r"^\+[1-9][0-9]{7,14}$")


def twilio_error(status, code, message):
    return fakebase.Response(status, {
        "code": code, "message": message, "status": status,
        "more_info": "https://www.twilio.com/docs/errors/%d" % code,
    })


class TwilioFake(fakebase.Fake):
    NAME = "twilio"

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument("--account-sid", required=True)
        parser.add_argument("--auth-token", required=True)

    def authenticate(self, req):
        m = PATH_RE.match(req.path)
        cred = req.basic_auth()
        if cred != (self.args.account_sid, self.args.auth_token):
            return twilio_error(401, 20003, "Authenticate")
        if m is None or req.method != "POST":
            return twilio_error(404, 20404, "The requested resource was not found")
        if m.group(1) != self.args.account_sid:
            return twilio_error(403, 20003, "Account in the URL is not the authenticated one")
        ctype = req.header("Content-Type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            return twilio_error(400, 20001, "Expected a form-encoded body")
        return None

    def handle(self, req):
        kind = PATH_RE.match(req.path).group(2)
        form = req.form()
        to = form.get("To", "")
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not E164_RE.match(to):
            return twilio_error(400, 21211, "The 'To' number is not a valid phone number.")
        if kind == "Messages":
            return self.message(form, to)
        return self.call(form, to)

    def message(self, form, to):
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        body = form.get("Body", "")
        if not body:
            return twilio_error(400, 21602, "Message body is required.")
        vp = form.get("ValidityPeriod")
        if vp is not None and (not vp.isdigit() or not 1 <= int(vp) <= 36000):
            return twilio_error(400, 21624, "Invalid validity period value")
        self.record(to, body)
        return fakebase.Response(201, {
            "sid": self.next_id("SM"), "status": "queued", "to": to,
            "from": form.get("From"), "body": body,
            "messaging_service_sid": form.get("MessagingServiceSid"),
        })

    def call(self, form, to):
        if not form.get("From"):
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        twiml = form.get("Twiml", "")
        try:
            root = ET.fromstring(twiml)
        except ET.ParseError:
            return twilio_error(400, 12100, "Document parse failure")
        says = root.findall("Say") if root.tag == "Response" else []
        if not says or any(not (s.text or "").strip() for s in says):
            return twilio_error(400, 21205, "Twiml needs <Response> with <Say> text")
        if any(not s.get("language") for s in says):
            return twilio_error(400, 21205, "<Say> without language")
        self.record(to, "\n".join(s.text for s in says), voice=True)
        return fakebase.Response(201, {"sid": self.next_id("CA"), "status": "queued",
                                       "to": to, "from": form.get("From")})

    def error_response(self, kind, req):
        if kind == "4xx":
            return twilio_error(400, 21211, "The 'To' number is not a valid phone number.")
        if kind == "429":
            return twilio_error(429, 20429, "Too Many Requests")
        return twilio_error(503, 20503, "Service unavailable")


if __name__ == "__main__":
    sys.exit(fakebase.main(TwilioFake))
