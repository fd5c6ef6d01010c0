#!/usr/bin/python3
"""generic_fake - loopback fake of an in-house SMS/voice gateway (TEST ONLY)
for pam_privauth's generic "http" provider.

    generic_fake.py --cert C --key K --record DIR
                    [--auth none|basic|bearer|query] [--user U] [--password P]
                    [--token T] [--style json|kannel]

Any path is accepted.  The message is read from the query string (GET or
any request), a form body or a JSON body (by Content-Type) - the fake does
not care which encoding the provider was configured for, only that the
values arrive intact:

    to     the number, "+<digits>" or "<digits>"            (required)
    text   the message                                        (required)
    voice  "1"/"yes"/"true"/"voice" marks a call               (optional)

Authentication (checked like a real gateway would):
    basic   HTTP Basic --user:--password         -> else 401
    bearer  "Authorization: Bearer --token"      -> else 401
    query   fields username=--user, password=--password (Kannel) -> else 403
    none    nothing

Answers:
    --style json    200 {"status": "0", "id": "g..."};
                    errors {"status": "<n>", "error": "..."} (4xx: 400 status 3,
                    429: 429 status 1, 5xx: 503 status 5)
    --style kannel  202 "0: Accepted for delivery"; errors as plain text
                    (4xx: 400 "Invalid destination", 429: 429 "Throttled",
                    5xx: 503 "Internal error")
Recorded (spool format): text, with "Voicecall: yes" when voice is set.
"""

import hmac
import sys

import fakebase  # the script's directory is on sys.path

VOICE_WORDS = ("1", "yes", "true", "voice")


class GenericFake(fakebase.Fake):
    NAME = "generic"

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument("--auth", choices=("none", "basic", "bearer", "query"),
                            default="none")
        parser.add_argument("--user", default="")
        parser.add_argument("--password", default="")
        parser.add_argument("--token", default="")
        parser.add_argument("--style", choices=("json", "kannel"), default="json")

    def fields(self, req):
        vals = {k: v[0] for k, v in req.query.items()}
        ctype = req.header("Content-Type", "")
        if ctype.startswith("application/json"):
            obj = req.json()
            if isinstance(obj, dict):
                vals.update({k: v for k, v in obj.items() if isinstance(v, str)})
        elif ctype.startswith("application/x-www-form-urlencoded"):
            vals.update(req.form())
        return vals

    def refuse(self, status, code, text):
        if self.args.style == "kannel":
            return fakebase.Response(status, text)
        return fakebase.Response(status, {"status": str(code), "error": text})

    def authenticate(self, req):
        a = self.args
        if a.auth == "basic" and req.basic_auth() != (a.user, a.password):
            return self.refuse(401, 4, "Authorization failed")
        if a.auth == "bearer":
            got = req.header("Authorization", "")
            if not hmac.compare_digest(got.encode(), ("Bearer " + a.token).encode()):
                return self.refuse(401, 4, "Authorization failed")
        if a.auth == "query":
            f = self.fields(req)
            if (f.get("username"), f.get("password")) != (a.user, a.password):
                return self.refuse(403, 4, "Authorization failed for sendsms")
        return None

    def handle(self, req):
        f = self.fields(req)
        to, text = f.get("to", ""), f.get("text", "")
        digits = to[1:] if to.startswith("+") else to
        if not digits.isdigit() or not 8 <= len(digits) <= 15:
            return self.refuse(400, 3, "Invalid destination")
        if not text:
            return self.refuse(400, 2, "Missing text")
        self.record(to, text, voice=f.get("voice", "").lower() in VOICE_WORDS)
        if self.args.style == "kannel":
            return fakebase.Response(202, "0: Accepted for delivery")
        return fakebase.Response(200, {"status": "0", "id": self.next_id("g")})

    def error_response(self, kind, req):
        if kind == "4xx":
            return self.refuse(400, 3, "Invalid destination")
        if kind == "429":
            return self.refuse(429, 1, "Throttled")
        return self.refuse(503, 5, "Internal error")


if __name__ == "__main__":
    sys.exit(fakebase.main(GenericFake))
