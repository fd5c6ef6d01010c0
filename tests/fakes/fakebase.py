"""fakebase - shared framework for loopback HTTPS provider fakes (TEST ONLY).

Stdlib only (http.server, ssl, json, threading).  Every provider fake
(twilio_fake.py, vonage_fake.py, generic_fake.py, aliyun_fake.py,
tencent_fake.py) is a small subclass of `Fake` plus a call to `main()`.

Writing a fake
--------------

    import fakebase

    class DemoFake(fakebase.Fake):
        NAME = "demo"

        @classmethod
        def add_arguments(cls, parser):      # optional: extra options
            parser.add_argument("--token", required=True)

        def authenticate(self, req):          # optional, default: accept
            # Return None when the request is authentic, else the Response
            # the real service would give (e.g. 401 in its JSON format).
            if req.header("Authorization") != "Bearer " + self.args.token:
                return fakebase.Response(401, {"error": "auth"})
            return None

        def handle(self, req):                # required: mode "success"
            form = req.form()
            self.record(form["to"], form["text"], voice=False)
            return fakebase.Response(200, {"id": self.next_id("msg")})

        def error_response(self, kind, req):  # optional: vendor error bodies
            # kind is "4xx", "429" or "5xx"; the default is a small JSON body
            # with status 400 / 429 / 503.  Base adds Retry-After to 429.
            return fakebase.Response(400, {"error": "bad number"})

    if __name__ == "__main__":
        fakebase.main(DemoFake)

Request (what handlers get)
    req.method, req.path (without query), req.query (dict name -> [values]),
    req.raw_path (path with query, as sent), req.headers (email.message),
    req.body (bytes), req.header(name, default=None), req.form() (dict
    name -> first value, from an x-www-form-urlencoded body), req.form_all()
    (dict name -> [values]), req.json() (parsed body or None),
    req.basic_auth() ((user, password) or None), req.host_header.

Response
    Response(status, body=b"", headers=None, content_type=None).  body may
    be bytes, str or a JSON-able object (dict/list: serialised, content type
    application/json).  headers is a dict or a list of (name, value).

Helpers on the Fake instance (self)
    self.args            parsed command line (argparse.Namespace)
    self.port            the listening port
    self.record(to, text, voice=False)
                         write one accepted message into --record DIR in the
                         smstools spool format: "To: <digits>\\n",
                         "Voicecall: yes\\n" for voice, "\\n", text, "\\n".
                         A leading "+" on `to` is dropped.  Written to a
                         dot-named temp file and renamed (never seen half
                         written).  Returns the file name.
    self.next_id(prefix) a fresh unique id "<prefix><counter><random hex>"
    self.count_auth_failure()   count a rejected credential in /__stats
    self.note(text)      one line on stderr (for debugging test failures)

Command line (every fake)
    --cert FILE --key FILE   PEM server certificate and key (tests/fakes/mkca.sh)
    --record DIR             where accepted messages go (required)
    --port N                 listen port on 127.0.0.1; 0 (default) = any free
    --mode MODE              initial mode (default "success")
    --slow SECONDS           how long mode "slow" stalls (default 30)
    --plain                  serve plain HTTP instead of HTTPS
    --log FILE               append one JSON line per API request (method,
                             path, headers, body).  Bodies hold codes: only
                             for tests that inspect the wire.
    plus the subclass's add_arguments().

When listening, the fake prints exactly "READY <port>" on stdout (flushed)
and serves until SIGTERM/SIGINT.

Modes (sticky until changed; "MODE:N" applies to the next N API requests
and then falls back to "success")
    success   normal operation (authenticate, then handle)
    4xx       error_response("4xx")  - a permanent error in the vendor's format
    429       error_response("429")  - rate limited, with Retry-After: 7
    5xx       error_response("5xx")  - a server error
    slow      stall --slow seconds (beyond any client timeout), then answer
              503; nothing is recorded
    redirect  302 to https://127.0.0.1:<port>/redirected; nothing recorded
    close     drop the connection after reading the request (no answer)
Authentication is checked first in every mode except slow/redirect/close,
so a bad credential always gets the vendor's auth error.

Control endpoints (paths starting with "/__", no authentication)
    POST /__mode   body "MODE" or "MODE:N"       -> 200 "ok"
    GET  /__stats  -> {"mode", "requests", "accepted", "auth_failures"}
    POST /__reset  counters back to 0, mode success -> 200 "ok"
"""

import argparse
import base64
import http.server
import json
import os
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse

MODES = ("success", "4xx", "429", "5xx", "slow", "redirect", "close")
RETRY_AFTER = "7"


class Response:
    """An answer: status, body (bytes/str/JSON-able), headers, content type."""

    def __init__(self, status, body=b"", headers=None, content_type=None):
        self.status = int(status)
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            content_type = content_type or "application/json"
        elif isinstance(body, str):
            body = body.encode()
        self.body = body
        self.content_type = content_type or "text/plain; charset=utf-8"
        if headers is None:
            headers = []
        elif isinstance(headers, dict):
            headers = list(headers.items())
        self.headers = list(headers)

    def has_header(self, name):
        return any(k.lower() == name.lower() for k, _ in self.headers)


class Request:
    """One received API request (see the module docstring)."""

    def __init__(self, method, raw_path, headers, body):
        self.method = method
        self.raw_path = raw_path
        parts = urllib.parse.urlsplit(raw_path)
        self.path = parts.path
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.host_header = headers.get("Host", "")

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def form_all(self):
        return urllib.parse.parse_qs(self.body.decode("utf-8", "replace"),
                                     keep_blank_values=True)

    def form(self):
        return {k: v[0] for k, v in self.form_all().items()}

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def basic_auth(self):
        h = self.header("Authorization", "")
        if not h.startswith("Basic "):
            return None
        try:
            raw = base64.b64decode(h[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        if ":" not in raw:
            return None
        user, pw = raw.split(":", 1)
        return user, pw


class Fake:
    """Base class of a provider fake; subclass and override the hooks."""

    NAME = "fake"

    def __init__(self, args):
        self.args = args
        self.port = 0
        self._lock = threading.Lock()
        self._mode = "success"
        self._mode_left = None          # None = sticky
        self._seq = 0
        self.stats = {"requests": 0, "accepted": 0, "auth_failures": 0}
        self.set_mode(args.mode)

    # ---- hooks -------------------------------------------------------
    @classmethod
    def add_arguments(cls, parser):
        """Add provider-specific command-line options."""

    def authenticate(self, req):
        """None if the request is authentic, else the Response to send."""
        return None

    def handle(self, req):
        """Mode success: process req, record accepted messages, answer."""
        raise NotImplementedError

    def error_response(self, kind, req):
        """Vendor-format error for kind "4xx", "429" or "5xx"."""
        status = {"4xx": 400, "429": 429, "5xx": 503}[kind]
        return Response(status, {"error": kind, "message": "fake " + kind})

    # ---- helpers -----------------------------------------------------
    def note(self, text):
        sys.stderr.write("%s-fake: %s\n" % (self.NAME, text))
        sys.stderr.flush()

    def next_id(self, prefix=""):
        with self._lock:
            self._seq += 1
            n = self._seq
        return "%s%d%s" % (prefix, n, secrets.token_hex(8))

    def count_auth_failure(self):
        with self._lock:
            self.stats["auth_failures"] += 1

    def record(self, to, text, voice=False):
        to = to.strip()
        digits = to[1:] if to.startswith("+") else to
        content = "To: %s\n%s\n%s\n" % (digits, "Voicecall: yes\n" if voice else "", text)
        name = "%s-%d-%s" % (self.NAME, time.time_ns(), secrets.token_hex(4))
        tmp = os.path.join(self.args.record, "." + name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.args.record, name))
        with self._lock:
            self.stats["accepted"] += 1
        return name

    # ---- modes -------------------------------------------------------
    def set_mode(self, spec):
        mode, _, count = spec.strip().partition(":")
        if mode not in MODES:
            raise ValueError("unknown mode %r" % mode)
        left = None
        if count:
            left = int(count)
            if left <= 0:
                raise ValueError("bad count")
        with self._lock:
            self._mode, self._mode_left = mode, left

    def take_mode(self):
        """The mode for one API request (consumes a counted mode)."""
        with self._lock:
            self.stats["requests"] += 1
            mode = self._mode
            if self._mode_left is not None:
                self._mode_left -= 1
                if self._mode_left <= 0:
                    self._mode, self._mode_left = "success", None
            return mode

    def mode_name(self):
        with self._lock:
            return self._mode

    def reset(self):
        with self._lock:
            self._mode, self._mode_left = "success", None
            for k in self.stats:
                self.stats[k] = 0

    # ---- dispatch ----------------------------------------------------
    def dispatch(self, req):
        """Answer one API request according to the mode; None = drop."""
        mode = self.take_mode()
        if mode == "close":
            return None
        if mode == "slow":
            time.sleep(self.args.slow)
            return Response(503, "slow")
        if mode == "redirect":
            scheme = "http" if self.args.plain else "https"
            loc = "%s://127.0.0.1:%d/redirected" % (scheme, self.port)
            return Response(302, "", headers={"Location": loc})
        denied = self.authenticate(req)
        if denied is not None:
            self.count_auth_failure()
            return denied
        if mode == "success":
            return self.handle(req)
        resp = self.error_response(mode, req)
        if mode == "429" and not resp.has_header("Retry-After"):
            resp.headers.append(("Retry-After", RETRY_AFTER))
        return resp

    def control(self, method, path, body):
        if method == "POST" and path == "/__mode":
            try:
                self.set_mode(body.decode("utf-8", "replace"))
            except ValueError as e:
                return Response(400, str(e))
            return Response(200, "ok")
        if method == "POST" and path == "/__reset":
            self.reset()
            return Response(200, "ok")
        if method == "GET" and path == "/__stats":
            with self._lock:
                st = dict(self.stats)
                st["mode"] = self._mode
            return Response(200, st)
        return Response(404, "no such control endpoint")

    def log_request(self, req):
        if not self.args.log:
            return
        line = json.dumps({
            "method": req.method, "path": req.raw_path,
            "headers": [[k, v] for k, v in req.headers.items()],
            "body": req.body.decode("utf-8", "replace"),
        })
        with self._lock, open(self.args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # without TCP_NODELAY every answer waits ~40 ms for the client's delayed ACK
    disable_nagle_algorithm = True
    server_version = "fakebase/1"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # quiet: stderr stays readable
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, resp):
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for k, v in resp.headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    def _serve(self):
        fake = self.server.fake
        body = self._body()
        if self.path.startswith("/__"):
            self._send(fake.control(self.command, self.path.split("?")[0], body))
            return
        req = Request(self.command, self.path, self.headers, body)
        fake.log_request(req)
        try:
            resp = fake.dispatch(req)
        except Exception as e:  # a fake bug must show, not hang the client
            fake.note("handler error: %r" % (e,))
            resp = Response(500, "fake error")
        if resp is None:
            self.close_connection = True
            return
        self._send(resp)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # TLS failures (wrong-CA tests) and client aborts are expected.
        pass


def build_parser(fake_cls):
    p = argparse.ArgumentParser(description="%s loopback fake (TEST ONLY)" % fake_cls.NAME)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--record", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--mode", default="success")
    p.add_argument("--slow", type=float, default=30.0)
    p.add_argument("--plain", action="store_true")
    p.add_argument("--log")
    fake_cls.add_arguments(p)
    return p


def main(fake_cls, argv=None):
    """Parse argv, listen on 127.0.0.1, print READY <port>, serve forever."""
    args = build_parser(fake_cls).parse_args(argv)
    if not args.plain and not (args.cert and args.key):
        sys.stderr.write("--cert and --key are required unless --plain\n")
        return 2
    fake = fake_cls(args)
    srv = _Server(("127.0.0.1", args.port), _Handler)
    srv.fake = fake
    if not args.plain:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        # Handshake lazily in the handler thread: a stalled or failing
        # client never blocks accept().
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    fake.port = srv.server_address[1]
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    sys.stdout.write("READY %d\n" % fake.port)
    sys.stdout.flush()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


def free_port():
    """A port that was free a moment ago (for closed-port tests)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


if __name__ == "__main__":
    sys.stderr.write("fakebase is a library; run a provider fake instead\n")
    sys.exit(2)
