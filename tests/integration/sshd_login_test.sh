#!/bin/bash
# sshd_login_test.sh - TAP: real sshd logins through pam_unix + pam_privauth.
#
# A throw-away sshd on 127.0.0.1 in a private mount namespace (see
# tests/lib/sshns.sh) with a throw-away user that exists only in copies of
# the account files.  First the harness alone (pam_unix), then the module
# with the spool provider: the privacy notice and consent (first login,
# asked once; asked again after the notice is edited; "no" sends nothing),
# right code, wrong codes, wrong then right, bad password, expired code.
# Needs root.  Uses $BUILD (default build).
#
#   BUILD=build tests/integration/sshd_login_test.sh
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
MODULE=$BUILD/pam_privauth.so
CTL=$BUILD/privauthctl
PHONE=+8613812345678
TTL_SHORT=10
LOGIN=tests/integration/sshd_login.py
# Generous limits: the scenarios must not trip the rate limit or lockout.
LIMITS="max_sends_per_hour = 100; lockout_after = 100;"

. tests/lib/sshns.sh

n=0
failed=0
tap() { # tap STATUS NAME: one TAP line from an exit status
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
comment() { sed 's/^/# /'; }

# login SCENARIO [ARGS]: run the client, transcript as TAP comments.
login() {
	local scen=$1 out rc
	shift
	out=$("$LOGIN" "$scen" --port "$SSHNS_PORT" --user "$SSHNS_USER" \
		--password "$SSHNS_PASS" --spool "$SSHNS_SPOOL" \
		--hostkey "$SSHNS_HOSTKEY_PUB" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | comment
	return "$rc"
}

# code_login SCENARIO [ARGS]: a login that expects the module's dialogue.
code_login() {
	local scen=$1
	shift
	sshns_exec "$CTL" --conf "$SSHNS_CONF" reset "$SSHNS_USER" 2>&1 |
		comment
	login "$scen" --expect-to "${PHONE#+}" --expect-prompt "*******5678" "$@"
}

echo "1..14"
if ! sshns_init || ! sshns_add_user privtest || ! sshns_pam_stack ||
   ! sshns_start; then
	echo "Bail out! cannot start the namespace sshd"
	exit 1
fi
echo "# sshd on 127.0.0.1:$SSHNS_PORT (pid $SSHNS_PID), user $SSHNS_USER, dir $SSHNS_DIR"

! getent passwd "$SSHNS_USER" >/dev/null &&
	sshns_exec getent passwd "$SSHNS_USER" >/dev/null
tap $? "the throw-away user exists in the namespace only"

login ok --no-code
tap $? "pam_unix alone: right password logs in"
login badpw --no-code
tap $? "pam_unix alone: wrong password is refused"

if [ ! -f "$MODULE" ] || [ ! -x "$CTL" ]; then
	echo "# $MODULE or $CTL is missing: run make BUILD=$BUILD all"
	for t in enrol consent ok wrong wrong-then-right badpw changed decline spool \
		expired wrap; do
		tap 1 "module: $t (not built)"
	done
	exit 1
fi

sshns_write_conf 300 "$LIMITS" && sshns_pam_stack "$MODULE" &&
	sshns_exec "$CTL" --conf "$SSHNS_CONF" user set "$SSHNS_USER" \
		--phone "$PHONE" 2>&1 | comment &&
	sshns_exec "$CTL" --conf "$SSHNS_CONF" status "$SSHNS_USER" 2>&1 |
	comment &&
	sshns_exec "$CTL" --conf "$SSHNS_CONF" user show "$SSHNS_USER" 2>&1 |
	tee "$SSHNS_DIR/show.out" | comment &&
	grep -q '\*\*\*\*\*\*\*5678' "$SSHNS_DIR/show.out" &&
	! grep -q 13812345678 "$SSHNS_DIR/show.out"
tap $? "privauthctl enrols $PHONE; user show masks it"

code_login ok --expect-consent --expect-notice "+86 *******5678" \
	--expect-notice "this server's SMS gateway (smstools)"
tap $? "module: first login shows the privacy notice; 'yes', then the code logs in"
code_login ok --expect-no-consent
tap $? "module: password + right code logs in (consent not asked again)"
code_login wrong
tap $? "module: wrong codes are refused"
code_login wrong-then-right
tap $? "module: a wrong code, then the right one, logs in"
code_login badpw
tap $? "module: a wrong password ends the login before any code is sent"

sshns_write_conf 300 "$LIMITS privacy_notice = \"Edited notice: {phone} is sent to {recipients} for {service} logins on {host}. Type yes to agree.\";"
echo "# config rewritten: services.sshd.privacy_notice edited"
code_login ok --expect-consent --expect-notice "Edited notice: +86 *******5678 is sent to"
tap $? "module: an edited notice is asked again over sshd; 'yes' logs in"
sshns_write_conf 300 "$LIMITS privacy_notice = \"Edited again: {phone} to {recipients}.\";"
echo "# config rewritten: services.sshd.privacy_notice edited again"
code_login decline --expect-consent
tap $? "module: answering 'no' sends nothing and the login fails"

# Every message went to the enrolled number and holds one code.
bad=0
shopt -s nullglob
for f in "$SSHNS_SPOOL"/*; do
	[ "$(head -n 1 "$f")" = "To: ${PHONE#+}" ] &&
		[ "$(sed -n 2p "$f")" = "" ] &&
		grep -Eq '(^|[^0-9])[0-9]{6,10}([^0-9]|$)' "$f" || bad=1
done
[ -n "$(ls -A "$SSHNS_SPOOL")" ] && [ "$bad" -eq 0 ]
tap $? "spool messages: To: ${PHONE#+}, blank line, a 6..10 digit code"

sshns_write_conf "$TTL_SHORT" "$LIMITS"
echo "# config rewritten: services.sshd.code_ttl = $TTL_SHORT"
code_login expired --ttl "$TTL_SHORT"
tap $? "module: a code entered after code_ttl is refused"

# The module must not have left sshd unusable, nor logged a secret.
code_login ok
rc=$?
codes=$(cat /dev/null "$SSHNS_SPOOL"/* | grep -Eo '(^|[^0-9])[0-9]{6,10}' |
	grep -Eo '[0-9]+$' | sort -u)
for c in $codes; do
	grep -q "$c" "$SSHNS_LOG" && { echo "# code $c in sshd log"; rc=1; }
done
tap $rc "module: logs in again after all that; no code in sshd's log"

if [ "$failed" -ne 0 ]; then
	echo "# sshd log:"
	comment <"$SSHNS_LOG"
fi
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
