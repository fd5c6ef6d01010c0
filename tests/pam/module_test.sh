#!/bin/bash
# module_test.sh - pam_privauth.so driven through libpam by pam_wrapper.
#
# Every scenario gets a fresh temp environment (config, spool, state dir,
# pam_wrapper service dir).  pam_harness runs one pam_authenticate() per
# call; faketime.so moves the module's clock (PVA_FAKETIME_OFFSET).
# Output is TAP.  Needs root (the config and state must be root-owned).
#
#   BUILD=build tests/pam/module_test.sh [SCENARIO...]
#
# TAP_KEEP=1 keeps the temp directories.  On a failed check the last
# harness transcripts of the scenario are printed as "# " lines.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"

# ---------------------------------------------------------------- scenarios

scn_success() {
	new_env success
	write_conf
	svc test
	enrol daemon +8613812345678
	login test daemon code
	check "success: PAM_SUCCESS" result_is PAM_SUCCESS
	check "success: prompt shows channel and masked number" \
		prompt_has 'Code sent by SMS to \+86 \*\*\*\*\*\*\*5678'
	check "success: prompt shows validity (ttl 300 = 5 min)" prompt_has 'valid 5 min'
	check "success: exactly one message spooled" spool_is 1
	check "success: the spooled message does not hold the full number in the body" \
		spool_body_lacks 13812345678
	check "success: the message names the service ('for test on')" \
		spool_body_has 'for test on'
}

scn_wrong() {
	new_env wrong
	write_conf
	svc test
	enrol daemon +8613812345678
	login test daemon wrong wrong wrong
	check "wrong x3: PAM_MAXTRIES" result_is PAM_MAXTRIES
	check "wrong x3: '2 attempts left' after the first" error_has '^Wrong code\. 2 attempts left\.'
	check "wrong x3: '1 attempt(s) left' after the second" error_has '^Wrong code\. 1 attempts? left\.'
	check "wrong x3: three prompts" prompts_are 3
	login test daemon wrong code
	check "wrong then right in one call: PAM_SUCCESS" result_is PAM_SUCCESS
}

scn_expiry() {
	new_env expiry
	write_conf
	svc test
	enrol daemon +8613812345678
	login test daemon +301:code
	check "expiry: code answered after ttl is refused (PAM_AUTH_ERR)" result_is PAM_AUTH_ERR
	check "expiry: error says expired" error_has 'expired'
}

scn_replay() {
	new_env replay
	write_conf
	svc test
	enrol daemon +8613812345678
	login test daemon code
	check "replay: first login succeeds" result_is PAM_SUCCESS
	login test daemon prev
	check "replay: a new code is sent for the second login" spool_is 2
	check "replay: the used code is refused" result_is_not PAM_SUCCESS
	check "replay: the used code is reported wrong" error_has '^Wrong code'
}

scn_pending() {
	new_env pending
	write_conf
	svc test
	enrol daemon +8613812345678
	login test daemon
	check "pending: a call without answers fails" result_is_not PAM_SUCCESS
	check "pending: one code spooled" spool_is 1
	login test daemon code
	check "pending: second call sends no new code" spool_is 1
	check "pending: prompt says already sent" prompt_has 'already sent'
	check "pending: the pending code works" result_is PAM_SUCCESS
}

scn_resend() {
	new_env resend
	write_conf
	svc test
	enrol daemon +8613812345678
	login test daemon r +31:r prev code
	check "resend: 'r' inside the cooldown asks to wait" error_has -i 'wait'
	check "resend: after the cooldown 'r' spools a new code" spool_is 2
	check "resend: the replaced code is refused" error_has '^Wrong code'
	check "resend: the new code works" result_is PAM_SUCCESS
	check "resend: four prompts (r, r, prev, code)" prompts_are 4

	enrol bin +8613812345679
	login test bin wrong +31:r wrong wrong
	check "resend keeps attempts: wrong, r, wrong, wrong -> PAM_MAXTRIES" \
		result_is PAM_MAXTRIES
	check "resend keeps attempts: a second code was sent" spool_is 4
}

scn_cap() {
	new_env cap
	write_conf max_sends_per_hour=2
	svc test
	enrol daemon +8613812345678
	OFFSET=0 login test daemon code
	OFFSET=31 login test daemon code
	check "hourly cap: two logins inside the cap succeed" result_is PAM_SUCCESS
	OFFSET=62 login test daemon code
	check "hourly cap: third code request is refused (PAM_AUTH_ERR)" result_is PAM_AUTH_ERR
	check "hourly cap: message says too many" error_has -i 'too many'
	check "hourly cap: no third message spooled" spool_is 2
	OFFSET=3700 login test daemon code
	check "hourly cap: an hour later a code is sent again" result_is PAM_SUCCESS
}

scn_lockout() {
	local n
	new_env lockout
	write_conf lockout_after=2 max_attempts=1 lockout_time=900 max_sends_per_hour=50
	svc test
	enrol daemon +8613812345678
	OFFSET=0 login test daemon wrong
	check "lockout: first wrong code -> PAM_MAXTRIES" result_is PAM_MAXTRIES
	OFFSET=0 login test daemon wrong
	check "lockout: second wrong code -> PAM_MAXTRIES" result_is PAM_MAXTRIES
	n=$(spool_n)
	OFFSET=0 login test daemon code
	check "lockout: third call refused" result_is_not PAM_SUCCESS
	check "lockout: message says Try again in" error_has 'Try again in'
	check "lockout: no code spooled while locked" spool_is "$n"
	OFFSET=870 login test daemon code
	check "lockout: still locked 30 s before lockout_time" error_has 'Try again in'
	# open again: a code is sent.  No success here, so the doubling of
	# the next lockout is not undone by a good login.
	OFFSET=901 login test daemon wrong
	check "lockout: open again after lockout_time (new code sent)" spool_is "$((n + 1))"
	OFFSET=901 login test daemon wrong
	check "lockout: second lockout starts" result_is PAM_MAXTRIES
	OFFSET=1801 login test daemon code
	check "lockout: second lockout (doubled) still on at +lockout_time" \
		error_has 'Try again in'
	OFFSET=2760 login test daemon code
	check "lockout: second lockout over at +2*lockout_time" result_is PAM_SUCCESS

	OFFSET=2760 login test daemon wrong
	OFFSET=2760 login test daemon wrong
	OFFSET=2760 login test daemon code
	check "lockout: locked again" error_has 'Try again in'
	OFFSET=2760 ctl reset daemon
	check "lockout: privauthctl reset exits 0" ctl_ok
	OFFSET=2760 login test daemon code
	check "lockout: privauthctl reset clears the lockout" result_is PAM_SUCCESS
}

scn_services() {
	new_env services
	write_conf
	svc login
	svc sshd
	svc custom service=login
	enrol daemon +8613812345678
	login login daemon +121:code
	check "per-service: login prompt says valid 2 min" prompt_has 'valid 2 min'
	check "per-service: login code at +121 s is expired" result_is PAM_AUTH_ERR
	login sshd daemon +121:code
	check "per-service: sshd prompt says valid 10 min" prompt_has 'valid 10 min'
	check "per-service: sshd code at +121 s works" result_is PAM_SUCCESS
	login custom daemon code
	check "service= argument overrides PAM_SERVICE (valid 2 min)" prompt_has 'valid 2 min'
	check "service= argument: login succeeds" result_is PAM_SUCCESS
}

# An unenrolled or unknown user must see exactly the dialogue of an
# enrolled one (a stable decoy number, "already sent" on the second call,
# the same errors and result) and never succeed.
scn_unenrolled() {
	local d1 d2 b1 b2 u1 u2
	new_env unenrolled
	write_conf
	svc test
	enrol daemon +8613812345678
	login test daemon =123456
	d1=$OUT
	login test daemon =123456 =123456 =123456
	d2=$OUT
	login test bin =123456
	b1=$OUT
	check "unenrolled deny: a code prompt appears" prompt_has 'Code sent by SMS to'
	check "unenrolled deny: refused" result_is_not PAM_SUCCESS
	check "unenrolled deny: first call looks like an enrolled user's" \
		same_dialogue "$d1" "$b1"
	login test bin =123456 =123456 =123456
	b2=$OUT
	check "unenrolled deny: refused after three answers" result_is_not PAM_SUCCESS
	check "unenrolled deny: second call looks like an enrolled user's (already sent)" \
		same_dialogue "$d2" "$b2"
	check "unenrolled deny: the decoy number is stable across calls" \
		test "$(shown_phone "$b1")" = "$(shown_phone "$b2")"
	check "unenrolled deny: nothing spooled for the unenrolled user" spool_is 1
	login test nosuchuser_pva =123456
	u1=$OUT
	check "unknown user: a code prompt appears" prompt_has 'Code sent by SMS to'
	check "unknown user: refused" result_is_not PAM_SUCCESS
	check "unknown user: first call looks like an enrolled user's" \
		same_dialogue "$d1" "$u1"
	login test nosuchuser_pva =123456 =123456 =123456
	u2=$OUT
	check "unknown user: second call looks like an enrolled user's" \
		same_dialogue "$d2" "$u2"
	check "unknown user: nothing spooled" spool_is 1
}

scn_allow() {
	new_env allow
	write_conf unenrolled='"allow"'
	svc_raw test "auth sufficient $MODULE conf=$T_CONF" "auth required pam_deny.so"
	svc_raw permit "auth required pam_permit.so" "auth required $MODULE conf=$T_CONF"
	enrol daemon +8613812345678
	login test bin
	check "unenrolled allow: no prompt" prompts_are 0
	check "unenrolled allow: PAM_IGNORE (sufficient module ignored, pam_deny decides)" \
		result_is PAM_AUTH_ERR
	login permit bin
	check "unenrolled allow: behind pam_permit the stack succeeds" result_is PAM_SUCCESS
	login test daemon code
	check "unenrolled allow: an enrolled user still needs the code" result_is PAM_SUCCESS
	check "unenrolled allow: enrolled user got a prompt" prompts_are 1
}

scn_failmode() {
	new_env failmode
	write_conf providers='["broken"]'
	svc test
	enrol daemon +8613812345678
	login test daemon =123456
	check "failmode secure: PAM_AUTHINFO_UNAVAIL" result_is PAM_AUTHINFO_UNAVAIL
	check "failmode secure: an error is shown" has_error
	check "failmode secure: no code prompt" prompts_are 0
	write_conf providers='["broken"]' failmode='"safe"'
	login test daemon =123456
	check "failmode safe: PAM_SUCCESS" result_is PAM_SUCCESS
	check "failmode safe: no code prompt" prompts_are 0
}

scn_corrupt() {
	local f
	new_env corrupt
	write_conf
	svc test
	enrol daemon +8613812345678
	login test daemon code
	check "corrupt state: first login succeeds" result_is PAM_SUCCESS
	f=$T_STATE/state/daemon
	if [ -f "$f" ]; then
		printf 'garbage=1\n' >> "$f"
		login test daemon code
		check "corrupt state: login refused" result_is_not PAM_SUCCESS
		check "corrupt state: refused with AUTH_ERR or AUTHINFO_UNAVAIL" \
			result_in PAM_AUTH_ERR PAM_AUTHINFO_UNAVAIL
		OFFSET=40 ctl reset daemon
		check "corrupt state: privauthctl reset exits 0" ctl_ok
		OFFSET=40 login test daemon code
		check "corrupt state: reset repairs" result_is PAM_SUCCESS
		sed -i 's/^lockouts=0$/lockouts=1/' "$f"
		OFFSET=80 login test daemon code
		check "edited state record (lockouts=1, old MAC): login refused" \
			result_in PAM_AUTH_ERR PAM_AUTHINFO_UNAVAIL
	else
		tap_not_ok "corrupt state: record $f exists after a login"
		find "$T_STATE" -ls | tap_diag
	fi
}

scn_badconf() {
	new_env badconf
	write_conf
	svc test
	enrol daemon +8613812345678
	CONF_EXTRA='bogus_key = 1;' write_conf
	login test daemon code
	check "bad config (unknown key): refused" result_is_not PAM_SUCCESS
	check "bad config: no crash (RESULT printed)" ran_ok
	write_conf
	chmod 0666 "$T_CONF"
	login test daemon code
	check "world-writable config: refused" result_is_not PAM_SUCCESS
	check "world-writable config: no crash" ran_ok
	chmod 0600 "$T_CONF"
	rm -f "$T_CONF"
	login test daemon code
	check "missing config: refused" result_is_not PAM_SUCCESS
}

# 9 concurrent wrong answers to one pending code (max_attempts 10): each
# must be counted.  Then 50 concurrent logins: every "Wrong code" a user was
# shown must be in the record (10 * failed codes + attempts of the live one).
scn_parallel() {
	local i st a f w
	new_env parallel
	write_conf max_attempts=10 lockout_after=100 max_sends_per_hour=100 resend_cooldown=0
	svc test
	enrol daemon +8613812345678
	login test daemon
	for i in $(seq 1 9); do
		login_bg "p9.$i" test daemon wrong
	done
	wait
	ctl status daemon
	st=$CTL_OUT
	a=$(status_num attempts)
	check "parallel: 9 concurrent wrong answers, attempts == 9" test "${a:-x}" = 9
	[ "${a:-x}" = 9 ] || tap_diag < "$st"

	for i in $(seq 1 50); do
		login_bg "p50.$i" test daemon wrong
	done
	wait
	w=$(cat "$T_DIR"/bg.p50.* | grep -c '^ERROR: Wrong code')
	ctl status daemon
	a=$(status_num attempts)
	f=$(status_num failed_codes)
	check "parallel: all 50 concurrent logins finished with a RESULT" \
		test "$(cat "$T_DIR"/bg.p50.* | grep -c '^RESULT: ')" = 50
	check "parallel: 50 concurrent logins, no lost update (10*failed_codes+attempts == wrongs shown)" \
		test "$((10 * ${f:-0} + ${a:-0}))" = "$((w + 9))"
	if [ "$((10 * ${f:-0} + ${a:-0}))" != "$((w + 9))" ]; then
		tap_diag "failed_codes=$f attempts=$a wrong_shown=$((w + 9))"
		tap_diag < "$CTL_OUT"
		cat "$T_DIR"/bg.p50.* | sort | uniq -c | sort -rn | head -20 | tap_diag
	fi
}

ALL="success wrong expiry replay pending resend cap lockout services unenrolled allow failmode corrupt badconf parallel"

if ! pamenv_init; then
	tap_not_ok "module and test tools are built and usable: $PAMENV_SKIP"
	tap_done
	exit 1
fi
# shellcheck disable=SC2086  # word splitting of the list is intended
[ $# -gt 0 ] || set -- $ALL
for s in "$@"; do
	"scn_$s"
done
tap_done
