#!/usr/bin/python3
"""sshd_login.py - log in to a loopback sshd by keyboard-interactive.

Answers the password prompt with the password and the code prompt with
the code found in the newest message of the spool directory (what the
phone would receive), and prints a transcript: each prompt as shown, the
message as the phone gets it, what was typed, the outcome.

Scenarios:
  ok                right code -> authenticated, `echo LOGIN-OK` runs
  wrong             always a wrong code -> refused
  expired           wait --ttl + 1 s before answering -> refused
  wrong-then-right  one wrong code, then the right one -> authenticated
  badpw             wrong password, right code -> refused
  decline           answer the privacy notice's question with "no" ->
                    refused, no code prompt, nothing sent
The privacy notice (require_consent) arrives as sshd's instructions before
the question "Type yes to agree: " (asked with echo on); it is answered
"yes" except in "decline".  --expect-consent: the question must be asked
(once); --expect-no-consent: it must not be.
With --no-code (pam_unix alone) no code prompt may appear; "ok" and
"badpw" are then the only meaningful scenarios.

Exit status: 0 when the scenario's expectation held, 1 when not, 2 on
usage or connection errors.
"""

import argparse
import os
import re
import socket
import sys
import time

import paramiko

SCENARIOS = ("ok", "wrong", "expired", "wrong-then-right", "badpw", "decline")
CONSENT_PROMPT = "Type yes to agree"
CODE_RE = re.compile(r"(?<![0-9])[0-9]{6,10}(?![0-9])")


def say(tag, text=""):
    """Print one transcript entry; continuation lines are indented."""
    lines = text.split("\n") if text else [""]
    print("  %-12s %s" % (tag, lines[0]))
    for line in lines[1:]:
        print("  %-12s %s" % ("", line))
    sys.stdout.flush()


def spool_files(spool):
    """Spool messages as {name: (mtime_ns, name)}."""
    out = {}
    for name in os.listdir(spool):
        path = os.path.join(spool, name)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            continue
        if name.startswith(".") or not os.path.isfile(path):
            continue
        out[name] = (st.st_mtime_ns, name)
    return out


class Login:
    """The keyboard-interactive handler and what it saw."""

    def __init__(self, args):
        self.args = args
        self.before = set(spool_files(args.spool))
        self.code_prompts = 0
        self.password_prompts = 0
        self.consent_prompts = 0
        self.messages = []
        self.problems = []

    def newest_message(self):
        """Newest spool file written since we started (waits up to 5 s)."""
        deadline = time.time() + 5
        while True:
            files = spool_files(self.args.spool)
            new = [files[n] for n in files if n not in self.before]
            if new:
                name = max(new)[1]
                with open(os.path.join(self.args.spool, name)) as fp:
                    return name, fp.read()
            if time.time() > deadline:
                return None, None
            time.sleep(0.1)

    def code_from_spool(self):
        name, text = self.newest_message()
        if text is None:
            self.problems.append("no message in the spool")
            return ""
        head, _, body = text.partition("\n\n")
        if name in self.messages:
            say("phone gets:", "nothing new (the code above still holds)")
        else:
            say("phone gets:", "%s\n%s" % (name, text.rstrip("\n")))
        if self.args.expect_to and head != "To: " + self.args.expect_to:
            self.problems.append("message header %r, expected To: %s"
                                 % (head, self.args.expect_to))
        if name not in self.messages:
            self.messages.append(name)
        m = CODE_RE.search(body)
        if not m:
            self.problems.append("no 6..10 digit code in the message")
            return ""
        return m.group(0)

    @staticmethod
    def wrong(code):
        """Same length, every digit different."""
        return "".join(str((int(c) + 1) % 10) for c in code) or "000000"

    def answer_code(self):
        self.code_prompts += 1
        code = self.code_from_spool()
        scen = self.args.scenario
        if scen == "wrong" or (scen == "wrong-then-right"
                               and self.code_prompts == 1):
            return self.wrong(code), "(a wrong code on purpose)"
        if scen == "expired":
            wait = self.args.ttl + 1
            say("waiting:", "%d s, longer than code_ttl = %d s"
                % (wait, self.args.ttl))
            time.sleep(wait)
        return code, ""

    def answer_consent(self, prompt, echo):
        self.consent_prompts += 1
        if not echo:
            self.problems.append("the consent question was asked with echo off")
        notice = prompt.rpartition(CONSENT_PROMPT + ": ")[0]
        if "****" not in notice:  # the notice, with the masked number
            self.problems.append("no privacy notice before the question")
        for want in self.args.expect_notice or []:
            if want not in prompt:
                self.problems.append("the notice lacks %r" % want)
        if self.args.phone_digits and self.args.phone_digits in prompt:
            self.problems.append("the full number is in the notice")
        if self.args.scenario == "decline":
            return "no", "(declining on purpose)"
        return "yes", ""

    def answer(self, prompt, echo=False):
        if CONSENT_PROMPT in prompt:
            return self.answer_consent(prompt, echo)
        for want in self.args.expect_prompt or []:
            if "assword" not in prompt and want not in prompt:
                self.problems.append("prompt lacks %r" % want)
        if "assword" in prompt:
            self.password_prompts += 1
            if self.args.scenario == "badpw":
                return self.args.password + "-wrong", "(a wrong password)"
            return self.args.password, ""
        if "code" in prompt.lower():
            return self.answer_code()
        self.problems.append("unexpected prompt %r" % prompt)
        return "", "(unexpected prompt, empty answer)"

    def handler(self, title, instructions, prompts):
        """paramiko calls this in its transport thread: never raise."""
        if title:
            say("title:", title)
        if instructions:
            say("sshd says:", instructions.rstrip("\n"))
        answers = []
        for prompt, echo in prompts:
            shown = "\n".join('"%s"' % line for line in prompt.split("\n"))
            say("sshd asks:", shown + ("" if echo else "  [echo off]"))
            try:
                reply, note = self.answer(prompt, echo)
            except Exception as exc:  # keep the transport alive
                self.problems.append("handler error: %r" % exc)
                reply, note = "", ""
            say("typed:", "%s %s" % (reply, note) if note else reply)
            answers.append(reply)
        return answers


def check_hostkey(transport, pubfile):
    if not pubfile:
        return True
    with open(pubfile) as fp:
        want = fp.read().split()[1]
    got = transport.get_remote_server_key().get_base64()
    if got != want:
        say("ERROR:", "host key mismatch")
        return False
    return True


def run_command(transport, command):
    chan = transport.open_session(timeout=10)
    chan.settimeout(10)
    chan.exec_command(command)
    out = b""
    while True:
        data = chan.recv(4096)
        if not data:
            break
        out += data
    status = chan.recv_exit_status()
    chan.close()
    return out.decode(errors="replace"), status


def connect(args, login):
    """Authenticate; (transport, authenticated) - transport may be None."""
    sock = socket.create_connection(("127.0.0.1", args.port), timeout=10)
    transport = paramiko.Transport(sock)
    transport.auth_timeout = max(60, args.ttl + 30)
    transport.start_client(timeout=10)
    if not check_hostkey(transport, args.hostkey):
        transport.close()
        return None, False
    try:
        transport.auth_interactive(args.user, login.handler)
    except paramiko.AuthenticationException as exc:
        say("result:", "refused (%s)" % exc)
        return transport, False
    return transport, transport.is_authenticated()


def expectation(args):
    """(should authenticate, code prompts wanted as (min, max))."""
    if args.no_code:
        return args.scenario == "ok", (0, 0)
    return {
        "ok": (True, (1, 1)),
        "wrong": (False, (1, 99)),
        "expired": (False, (1, 1)),
        "wrong-then-right": (True, (2, 2)),
        "badpw": (False, (0, 0)),  # requisite pam_unix: no code after a bad password
        "decline": (False, (0, 0)),
    }[args.scenario]


def verdict(args, login, authed, out):
    want_auth, (lo, hi) = expectation(args)
    ok = not login.problems
    for p in login.problems:
        say("PROBLEM:", p)
    if authed != want_auth:
        say("PROBLEM:", "authenticated=%s, expected %s" % (authed, want_auth))
        ok = False
    if not lo <= login.code_prompts <= hi:
        say("PROBLEM:", "%d code prompt(s), expected %d..%d"
            % (login.code_prompts, lo, hi))
        ok = False
    asked = login.consent_prompts
    if args.expect_consent and asked != 1:
        say("PROBLEM:", "the consent question was asked %d time(s), expected once" % asked)
        ok = False
    if (args.expect_no_consent or args.scenario == "badpw") and asked:
        say("PROBLEM:", "the consent question was asked, expected not")
        ok = False
    if args.scenario == "decline":
        new = set(spool_files(args.spool)) - login.before
        if new:
            say("PROBLEM:", "declined, yet %d message(s) were sent" % len(new))
            ok = False
        else:
            say("phone gets:", "nothing (declined)")
    if authed and "LOGIN-OK" not in out:
        say("PROBLEM:", "command output %r lacks LOGIN-OK" % out)
        ok = False
    say("verdict:", "as expected" if ok else "NOT as expected")
    return ok


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", choices=SCENARIOS)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--spool", required=True, help="spool directory")
    ap.add_argument("--ttl", type=int, default=10,
                    help="code_ttl of the expired scenario (seconds)")
    ap.add_argument("--hostkey", help="server public key file to insist on")
    ap.add_argument("--expect-to", help="number on the To: line")
    ap.add_argument("--expect-prompt", action="append",
                    help="text every code prompt must contain")
    ap.add_argument("--expect-notice", action="append",
                    help="text the privacy notice must contain")
    ap.add_argument("--expect-consent", action="store_true",
                    help="the privacy notice's question must be asked once")
    ap.add_argument("--expect-no-consent", action="store_true",
                    help="the privacy notice's question must not be asked")
    ap.add_argument("--no-code", action="store_true",
                    help="pam_unix alone: no code prompt expected")
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    args.phone_digits = args.expect_to[-8:] if args.expect_to else None
    login = Login(args)
    print("login as %s to 127.0.0.1:%d, scenario %s"
          % (args.user, args.port, args.scenario))
    try:
        transport, authed = connect(args, login)
    except (OSError, paramiko.SSHException) as exc:
        say("ERROR:", "%s" % exc)
        return 2
    out = ""
    try:
        if authed:
            say("result:", "authenticated")
            out, status = run_command(transport, "echo LOGIN-OK")
            say("ran:", "echo LOGIN-OK -> %r (exit %d)" % (out.strip(), status))
    except (OSError, paramiko.SSHException) as exc:
        say("ERROR:", "command failed: %s" % exc)
    finally:
        if transport is not None:
            transport.close()
    return 0 if verdict(args, login, authed, out) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
