"""smtp_fake - TEST ONLY: a loopback SMTP server that records every mail.

    smtp_fake.py --record DIR [--port N] [--cert FILE --key FILE]
                 [--require-starttls | --implicit-tls] [--reject-rcpt]
    smtp_fake.py decode FILE

Serve mode: an aiosmtpd Controller on 127.0.0.1 (Debian python3-aiosmtpd).
With --cert/--key it offers STARTTLS; --require-starttls refuses every
command but EHLO/STARTTLS/QUIT before TLS (aiosmtpd's require_starttls).
--implicit-tls serves TLS from the first byte (smtps) instead.
--reject-rcpt answers every RCPT TO with "550 5.1.1".  Each accepted mail
is written atomically (dot-named temp file, rename) as DIR/mail-PID-N.eml:
the raw DATA as received, preceded by three envelope lines
"X-Fake-Mail-From: ADDR", "X-Fake-Rcpt-To: ADDR[,ADDR]" and
"X-Fake-TLS: yes|no".  Prints "READY <port>" once listening and serves
until SIGTERM/SIGINT.

Decode mode: print the envelope lines, From, To, Subject (RFC 2047
decoded), Message-ID, Date, Content-Type and Content-Transfer-Encoding,
then a blank line and the body decoded to text (UTF-8).
"""
import argparse
import email
import email.header
import email.policy
import os
import signal
import socket
import ssl
import sys
import threading

DEFAULT_TIMEOUT = 10


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self, args):
        self.args = args
        self.n = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.args.reject_rcpt:
            return "550 5.1.1 <%s>: recipient rejected (fake)" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        tls = "yes" if session.ssl is not None else "no"
        head = ("X-Fake-Mail-From: %s\r\nX-Fake-Rcpt-To: %s\r\nX-Fake-TLS: %s\r\n"
                % (envelope.mail_from, ",".join(envelope.rcpt_tos), tls))
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = "mail-%d-%d" % (os.getpid(), n)
        tmp = os.path.join(self.args.record, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(head.encode("ascii") + data)
        os.rename(tmp, os.path.join(self.args.record, name + ".eml"))
        return "250 2.0.0 Ok: queued as fake%d" % n


def serve(args):
    from aiosmtpd.controller import Controller

    ctx = None
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
    port = args.port or free_port()
    kwargs = dict(hostname="127.0.0.1", port=port, decode_data=False,
                  ready_timeout=DEFAULT_TIMEOUT)
    if ctx is not None and args.implicit_tls:
        kwargs["ssl_context"] = ctx
    elif ctx is not None:
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = bool(args.require_starttls)
    ctl = Controller(Recorder(args), **kwargs)
    ctl.start()
    print("READY %d" % port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    while not done.wait(0.5):
        pass
    ctl.stop()


def decode(path):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    out = []
    for h in ("X-Fake-Mail-From", "X-Fake-Rcpt-To", "X-Fake-TLS", "From", "To",
              "Subject", "Message-ID", "Date", "MIME-Version", "Content-Type",
              "Content-Transfer-Encoding"):
        v = msg.get(h)
        if v is None:
            continue
        if h == "Subject":
            v = str(email.header.make_header(email.header.decode_header(v)))
        out.append("%s: %s" % (h, v))
    out.append("Raw-Subject: %s" % msg.get("Subject", "").replace("\n", "\\n").replace("\r", "\\r"))
    body = msg.get_payload(decode=True) or b""
    out.append("")
    out.append(body.decode("utf-8").replace("\r\n", "\n"))
    sys.stdout.write("\n".join(out))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "decode":
        decode(sys.argv[2])
        return
    p = argparse.ArgumentParser()
    p.add_argument("--record", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--reject-rcpt", action="store_true")
    args = p.parse_args()
    if (args.require_starttls or args.implicit_tls) and not args.cert:
        p.error("--require-starttls and --implicit-tls need --cert and --key")
    serve(args)


if __name__ == "__main__":
    main()
