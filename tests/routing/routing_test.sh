#!/bin/bash
# routing_test.sh - prefix routing, failover, voice fallback and the fraud
# and cost limits, through the real module under pam_wrapper (TAP).
#
# Two spool providers with their own directories ("a" for +86, "b" for
# +44) show which route a message took; a command provider running
# /bin/false forces failover.  Uses the helpers of tests/lib/tap.sh (login,
# enrol, ctl, check, ...).  Needs root.
#
#   BUILD=build tests/routing/routing_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"

DEFAULT_ROUTES='( { prefix = "+86"; sms = ["broken", "a"]; voice = ["a"]; },
             { prefix = "+44"; sms = ["b"]; voice = ["b"]; } )'

# rconf [KEY=VALUE...]: the test configuration; KEY=VALUE adds defaults
# keys (libconfig syntax); ROUTES replaces the routes list.
rconf() {
	local kv
	mkdir -p -m 0700 "$T_DIR/a" "$T_DIR/b"
	(
		umask 077
		{
			echo "state_dir = \"$T_STATE\";"
			echo "host_key = \"$T_STATE/host.key\";"
			echo "providers = {"
			echo "  a = { type = \"spool\"; dir = \"$T_DIR/a\"; };"
			echo "  b = { type = \"spool\"; dir = \"$T_DIR/b\"; };"
			echo "  broken = { type = \"command\"; argv = [\"/bin/false\"]; };"
			echo "};"
			echo "defaults = {"
			echo "  channels = [\"sms\", \"voice\"];"
			echo "  resend_cooldown = 0;"
			echo "  require_consent = false;"
			echo "  allowed_prefixes = [\"+86\", \"+44\"];"
			echo "  routes = ${ROUTES:-$DEFAULT_ROUTES};"
			for kv in "$@"; do
				echo "  ${kv%%=*} = ${kv#*=};"
			done
			echo "};"
		} > "$T_CONF.tmp"
		mv -f "$T_CONF.tmp" "$T_CONF"
	)
	{ echo "## config:"; cat "$T_CONF"; } >> "$T_DIR/transcript"
}

# Messages in route directory a or b.
nfiles() {
	find "$T_DIR/$1" -maxdepth 1 -type f ! -name '.*' | wc -l
}

files_are() { # files_are A B: a holds A messages, b holds B
	[ "$(nfiles a)" = "$1" ] && [ "$(nfiles b)" = "$2" ]
}

# A login whose code is read from route directory $1.
login_via() {
	local dir=$1
	shift
	T_SPOOL=$T_DIR/$dir login "$@"
}

ctl_has() {
	grep -qF -- "$1" "$CTL_OUT"
}

route_body_has() { # route_body_has DIR TEXT: some message in DIR holds TEXT
	grep -rqF -- "$2" "$T_DIR/$1"
}

scn_route() {
	new_env route
	rconf
	svc test
	enrol daemon +8613812345678
	enrol bin +447700900123
	login_via a test daemon code
	check "route: +86 login succeeds" result_is PAM_SUCCESS
	check "route: +86 went to route a (after the broken provider failed over)" files_are 1 0
	login_via b test bin code
	check "route: +44 login succeeds" result_is PAM_SUCCESS
	check "route: +44 went to route b" files_are 1 1
	ctl send-test bin
	check "send-test +44: exit 0" ctl_ok
	check "send-test +44: shows the route" ctl_has 'route: +44 -> b (sms)'
	check "send-test +44: one attempt through b, sent" ctl_has 'attempt 1: provider=b channel=sms outcome=sent request_id=privauth-'
	check "send-test +44: the test text reached route b" \
		route_body_has b "pam_privauth test message for bin on"
	ctl send-test daemon
	check "send-test +86: broken tried first, permanent" \
		ctl_has 'attempt 1: provider=broken channel=sms outcome=permanent request_id=- '
	check "send-test +86: then a, sent" ctl_has 'attempt 2: provider=a channel=sms outcome=sent'
	check "send-test +86: exit 0, one more message in a" files_are 2 2
	ctl send-test daemon --channel voice
	check "send-test --channel voice: the voice list (a)" \
		ctl_has 'attempt 1: provider=a channel=voice outcome=sent'
	check "send-test --channel voice: a call file" route_body_has a "Voicecall: yes"
	ctl status daemon
	check "send-test counts against the limits (2 sends + 1 login)" \
		test "$(status_num sends_last_hour)" = 3
}

scn_refused() {
	new_env refused
	rconf
	svc test
	enrol daemon +15551234567
	login_via a test daemon code
	check "outside allowed_prefixes: login refused (PAM_AUTH_ERR)" result_is PAM_AUTH_ERR
	check "outside allowed_prefixes: the user is told" \
		error_has '^Codes cannot be sent to this number; contact your administrator\.$'
	check "outside allowed_prefixes: no code prompt" prompts_are 0
	check "outside allowed_prefixes: nothing spooled anywhere" files_are 0 0
	ctl status daemon
	check "outside allowed_prefixes: no send counted" test "$(status_num sends_last_hour)" = 0
	ctl send-test daemon
	check "send-test outside allowed_prefixes: exit 1" test "$CTL_RC" = 1
	check "send-test outside allowed_prefixes: says refused" ctl_has 'refused: the number is outside allowed_prefixes'
	check "send-test outside allowed_prefixes: nothing spooled" files_are 0 0
}

# Two users sharing one number share its hourly cap.
scn_number_cap() {
	new_env numcap
	rconf number_max_per_hour=2
	svc test
	enrol daemon +8613900000000
	enrol bin +8613900000000
	enrol sys +8613900000001
	OFFSET=0 login_via a test daemon code
	check "number cap: first user, first code" result_is PAM_SUCCESS
	OFFSET=10 login_via a test bin code
	check "number cap: second user on the same number" result_is PAM_SUCCESS
	OFFSET=20 login_via a test daemon code
	check "number cap: third code to the number refused" result_is PAM_AUTH_ERR
	check "number cap: 'Too many codes sent; try again in 60 min.'" \
		error_has '^Too many codes sent; try again in 60 min\.$'
	check "number cap: nothing more spooled" files_are 2 0
	OFFSET=30 login_via a test sys code
	check "number cap: another number is not affected" result_is PAM_SUCCESS
	OFFSET=3700 login_via a test daemon code
	check "number cap: an hour later the number gets codes again" result_is PAM_SUCCESS
}

scn_host_cap() {
	new_env hostcap
	rconf host_max_sends_per_hour=2
	svc test
	enrol daemon +8613900000001
	enrol bin +8613900000002
	enrol sys +447700900123
	OFFSET=0 login_via a test daemon code
	OFFSET=60 login_via a test bin code
	check "host cap: two codes inside the cap" result_is PAM_SUCCESS
	OFFSET=120 login_via b test sys code
	check "host cap: the third code on the host is refused" result_is PAM_AUTH_ERR
	check "host cap: the user is told to wait (58 min)" \
		error_has '^Too many codes sent; try again in 5[78] min\.$'
	check "host cap: nothing spooled for the third user" files_are 2 0
	OFFSET=3601 login_via b test sys code
	check "host cap: after the hour the third user gets a code" result_is PAM_SUCCESS
}

scn_user_day() {
	new_env userday
	rconf max_sends_per_hour=2 max_sends_per_day=3
	svc test
	enrol daemon +8613812345678
	OFFSET=0 login_via a test daemon code
	OFFSET=10 login_via a test daemon code
	OFFSET=3700 login_via a test daemon code
	check "user day cap: three codes over two hours" result_is PAM_SUCCESS
	OFFSET=3710 login_via a test daemon code
	check "user day cap: the fourth in a day is refused" result_is PAM_AUTH_ERR
	check "user day cap: wait until the first send is a day old" \
		error_has '^Too many codes sent; try again in 137[89] min\.$'
	# the number's own day cap (3, following the user's) counts per minute:
	# the first minute (two sends) frees up to a minute after a day
	OFFSET=86461 login_via a test daemon code
	check "user day cap: a day later codes flow again" result_is PAM_SUCCESS
}

scn_voice_fallback() {
	new_env fallback
	ROUTES='( { prefix = "+86"; sms = ["broken"]; voice = ["a"]; },
	          { prefix = "+44"; sms = ["broken"]; voice = ["b"]; } )' \
		rconf voice_fallback=true
	svc test
	enrol daemon +8613812345678
	login_via a test daemon code
	check "voice fallback: login succeeds with the code from the call" result_is PAM_SUCCESS
	check "voice fallback: the prompt says voice call" prompt_has '^Code sent by voice call to \+86 \*\*\*\*\*\*\*5678'
	check "voice fallback: one call file in route a" files_are 1 0
	check "voice fallback: it is a voice call" route_body_has a "Voicecall: yes"
	check "voice fallback: the digits are read one by one" route_body_has a ", "
	# a code left pending after a fallback (a second call: the first code
	# was used): the next login says how it went
	login_via a test daemon wrong
	login_via a test daemon code
	check "voice fallback: a later login says 'already sent by voice call'" \
		prompt_has '^Code already sent by voice call to '
	check "voice fallback: and the code from the call still logs in" result_is PAM_SUCCESS
	ROUTES='( { prefix = "+86"; sms = ["broken"]; voice = ["a"]; },
	          { prefix = "+44"; sms = ["broken"]; voice = ["b"]; } )' rconf
	login_via a test daemon code
	check "no voice_fallback: delivery fails (failmode secure)" result_is PAM_AUTHINFO_UNAVAIL
	check "no voice_fallback: no new call (the two calls above only)" files_are 2 0
}

ALL="route refused number_cap host_cap user_day voice_fallback"

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
