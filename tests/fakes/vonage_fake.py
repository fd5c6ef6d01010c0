#!/usr/bin/python3
"""vonage_fake - loopback fake of Vonage's (Nexmo's) SMS API (TEST ONLY).

    vonage_fake.py --cert C --key K --record DIR --api-key K --api-secret S

  POST /sms/json   form-encoded api_key, api_secret, from, to (digits, no
                   '+'), text, type ("text" or "unicode")

Answers as Vonage does: HTTP 200 with
  {"message-count": "1", "messages": [{"to", "message-id", "status": "0",
   "remaining-balance", "message-price", "network"}]}
and, for a refused message, HTTP 200 with messages[0].status != "0" and an
"error-text": 2 missing parameter, 3 invalid parameter, 4 bad
credentials (api_key/api_secret checked like the real service).

Fake-only strictness: a text with a character outside the GSM 03.38
alphabet sent with type=text is refused with status 3 (the real service
would garble it), so tests see that the client asked for unicode.

Recorded (spool format, see fakebase): the text.

Error modes (fakebase): 4xx -> status "6" (unroutable) in HTTP 200;
429 -> status "1" (throttled) in HTTP 200 (plus Retry-After);
5xx -> HTTP 503 with status "5".
"""

import re
import sys

import fakebase  # the script's directory is on sys.path

GSM_EXTRA = set("£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà€\n\r\f")
DIGITS_RE = re.compile(r"^[1-9][0-9]{7,14}$")


def is_gsm7(text):
    return all((" " <= c <= "~" and c != "`") or c in GSM_EXTRA for c in text)


def answer(status, error_text=None, http=200, **extra):
    msg = {"status": str(status)}
    if error_text:
        msg["error-text"] = error_text
    msg.update(extra)
    return fakebase.Response(http, {"message-count": "1", "messages": [msg]})


class VonageFake(fakebase.Fake):
    NAME = "vonage"

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument("--api-key", required=True)
        parser.add_argument("--api-secret", required=True)

    def authenticate(self, req):
        if req.method != "POST" or req.path != "/sms/json":
            return fakebase.Response(404, {"error": "not found"})
        form = req.form()
        if "api_key" not in form or "api_secret" not in form:
            return answer(2, "Missing api_key")
        if (form["api_key"], form["api_secret"]) != (self.args.api_key, self.args.api_secret):
            return answer(4, "Bad Credentials")
        return None

    def handle(self, req):
        form = req.form()
        for name in ("from", "to", "text"):
            if not form.get(name):
                return answer(2, "Missing %s param" % name)
        to, text, kind = form["to"], form["text"], form.get("type", "text")
        if not DIGITS_RE.match(to):
            return answer(3, "Invalid to address")
        if kind not in ("text", "unicode"):
            return answer(3, "Invalid type")
        if kind == "text" and not is_gsm7(text):
            return answer(3, "Non GSM-7 text sent with type=text")
        self.record(to, text)
        return answer(0, to=to, **{"message-id": self.next_id("0C").upper()[:16],
                                   "remaining-balance": "15.53590000",
                                   "message-price": "0.03330000", "network": "26202"})

    def error_response(self, kind, req):
        if kind == "4xx":
            return answer(6, "Unroutable message - rejected")
        if kind == "429":
            return answer(1, "Throughput Rate Exceeded - please wait [ 1000 ] and retry")
        return answer(5, "Internal Error", http=503)


if __name__ == "__main__":
    sys.exit(fakebase.main(VonageFake))
