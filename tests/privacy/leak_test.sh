#!/bin/bash
# leak_test.sh - no full phone number and no code in any log line, prompt
# or error message.
#
# Real logins through libpam (pam_wrapper) and privauthctl runs, with
# every syslog line captured (tests/pam/syslogcap.c via tap.sh) and every
# prompt and message kept (the harness transcripts $T_DIR/login.*): a
# success, wrong codes, resend (r), voice (v), expiry, lockout, an
# unenrolled decoy, send-test, export (masked), forget.  Then
# tests/privacy/leak_scan.py looks for the number (E.164, 8+ digits of it
# in a row) and for every code of the spool.  A self-test plants leaks in
# copies and expects the scanner to find each, so the check can fail.
#
#   BUILD=build tests/privacy/leak_test.sh
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"

SCAN=$ROOT/tests/privacy/leak_scan.py
PHONE=+8613812345678
CTL_N=0

# ctl, keeping every output
ctlk() {
	ctl "$@"
	CTL_N=$((CTL_N + 1))
	cp "$CTL_OUT" "$T_DIR/ctl.$CTL_N"
}

scan() {
	/usr/bin/python3 "$SCAN" --phone "$PHONE" --spool "$T_SPOOL" "$@"
}

scn_leaks() {
	local i files
	new_env leak
	write_conf require_consent=true 'channels=["sms", "voice"]' resend_cooldown=0 \
		max_sends_per_hour=100 max_sends_per_day=200 number_max_per_hour=100 \
		number_max_per_day=200 lockout_after=3
	svc test
	ctlk user set daemon --phone "$PHONE"
	check "setup: enrolled" ctl_ok

	login test daemon =yes code
	check "success: PAM_SUCCESS" result_is PAM_SUCCESS
	login test daemon wrong wrong code
	check "two wrong codes then the right one: PAM_SUCCESS" result_is PAM_SUCCESS
	login test daemon r code
	check "resend (r) then the new code: PAM_SUCCESS" result_is PAM_SUCCESS
	check "resend: a second message was spooled" test "$(spool_n)" -ge 4
	login test daemon v code
	check "voice (v) then the code: PAM_SUCCESS" result_is PAM_SUCCESS
	check "voice: a voice message was spooled" \
		bash -c "grep -rlq '^Voicecall: yes' '$T_SPOOL'"
	login test daemon +301:code
	check "expiry: refused" result_is_not PAM_SUCCESS
	for i in 1 2 3; do
		login test daemon wrong wrong wrong
	done
	login test daemon code
	check "lockout: refused with 'Try again in'" error_has 'Try again in'
	login test pva-leak-nobody =yes wrong
	check "unenrolled decoy: refused" result_is_not PAM_SUCCESS
	ctlk reset daemon
	ctlk send-test daemon
	check "send-test: exit 0" ctl_ok
	ctlk export daemon
	check "export: exit 0" ctl_ok
	ctlk backup-codes daemon --count
	ctlk forget daemon
	check "forget: exit 0" ctl_ok

	files=("$T_DIR"/syslog "$T_DIR"/login.* "$T_DIR"/ctl.[0-9]*)
	check "captured syslog lines from the module (event=code_sent)" \
		grep -q 'pam_privauth(test:auth): event=code_sent' "$T_DIR/syslog"
	check "captured syslog lines from privauthctl (event=forget)" \
		grep -q 'privauthctl: event=forget user=daemon' "$T_DIR/syslog"
	check "captured a voice delivery in the log" grep -q 'channel=voice' "$T_DIR/syslog"
	check "the masked number is shown (the scan looks at real prompts)" \
		grep -qF '+86 *******5678' "$T_DIR/login.1"
	tap_diag "$(grep -c . "$T_DIR/syslog") syslog lines, $(cat "$T_DIR"/login.* | grep -c .) prompt/message lines, $(spool_n) messages"
	scan "${files[@]}" > "$T_DIR/scan.out" 2>&1
	local rc=$?
	check "no number and no code in any log line, prompt or message (scanner exit 0)" \
		test "$rc" = 0
	tap_diag < "$T_DIR/scan.out"

	# self-test: the scanner must catch planted leaks
	local d=$T_DIR/planted code
	mkdir -p "$d"
	code=$(for f in "$T_SPOOL"/*; do sed '1,/^$/d' "$f"; done | grep -oE '(^|[^0-9])[0-9]{6}([^0-9]|$)' | grep -oE '[0-9]{6}' | head -n 1)
	check "self-test: a code was found in the spool" test -n "$code"
	cp "$T_DIR/syslog" "$d/syslog.code"
	echo "<86> -: pam_privauth(test:auth): event=debug answer=$code" >> "$d/syslog.code"
	scan "$d/syslog.code" > /dev/null 2>&1
	check "self-test: a planted code in a log line is caught" test $? = 1
	cp "$T_DIR/login.1" "$d/login.phone"
	echo "PROMPT: Code sent by SMS to $PHONE:" >> "$d/login.phone"
	scan "$d/login.phone" > /dev/null 2>&1
	check "self-test: a planted full number in a prompt is caught" test $? = 1
	cp "$T_DIR/syslog" "$d/syslog.national"
	echo "<86> -: x: phone=138 1234 5678" >> "$d/syslog.national"
	echo "<86> -: x: to=13812345678" > "$d/syslog.national2"
	scan "$d/syslog.national" > /dev/null 2>&1
	check "self-test: national digits with blanks are caught" test $? = 1
	scan "$d/syslog.national2" > /dev/null 2>&1
	check "self-test: national digits are caught" test $? = 1
	echo "ERROR: your code is ${code:0:1}, ${code:1:1}, ${code:2:1}, ${code:3:1}, ${code:4:1}, ${code:5:1}" > "$d/login.spoken"
	scan "$d/login.spoken" > /dev/null 2>&1
	check "self-test: a spoken code is caught" test $? = 1
	scan "$T_DIR/login.1" > /dev/null 2>&1
	check "self-test: a clean file passes" test $? = 0
	/usr/bin/python3 "$SCAN" --phone "$PHONE" --spool "$d" "$T_DIR/login.1" > /dev/null 2>&1
	check "self-test: an empty spool is an error, not a pass" test $? = 2
}

if ! pamenv_init; then
	tap_not_ok "module and test tools are built and usable: $PAMENV_SKIP"
	tap_done
	exit 1
fi
if [ ! -f "$SYSLOGCAP" ]; then
	tap_not_ok "syslog capture library built: $SYSLOGCAP (make BUILD=$BUILD tools)"
	tap_done
	exit 1
fi
scn_leaks
tap_done
