#!/bin/bash
# vonage_test.sh - TAP: PAM logins through the "vonage" provider against a
# loopback HTTPS fake of Vonage's SMS API (tests/fakes/vonage_fake.py):
# success (GSM-7 and unicode texts), each failure mode's classification,
# failover to the spool provider, failmode secure, the deadline, and
# clean logs.  Needs root.
#
#   BUILD=build tests/providers/vonage_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/providers/lib.sh"
pamenv_isolate "$0" "$@"

KEY=vg-key-81c2
SECRET=vg-secret-0d9a7
PHONE=+8613812345678
CHANNELS='"sms"' # vonage is SMS only

vg_env() {
	prov_env "vonage-$1" || return 1
	fake_start vg vonage_fake.py --api-key "$KEY" --api-secret "$SECRET" || return 1
	write_secrets "vg = { api_key = \"$KEY\"; api_secret = \"$SECRET\"; };"
	PROVIDERS="  vg = { type = \"vonage\"; url = \"https://127.0.0.1:${FAKE_PORT[vg]}\";
    ca_file = \"$CERTS/ca.pem\"; from = \"AcmeLogin\";
    connect_timeout_ms = 1000; timeout_ms = 1500; };"
	svc test
}

scn_sms() {
	vg_env sms
	prov_conf '"vg"'
	enrol daemon "$PHONE"
	login test daemon code
	check "sms: login with the code from the fake succeeds" result_is PAM_SUCCESS
	check "sms: the fake recorded one message" test "$(inbox_count vonage-)" = 1
	check "sms: logged outcome=sent with the message-id" \
		log_has 'provider=vg outcome=sent request_id=0C[0-9A-F]+'
	check "sms: the fake accepted api_key/api_secret" test "$(fake_stat vg auth_failures)" = 0
}

# A Chinese text needs type=unicode (the fake refuses it as type=text).
scn_unicode() {
	vg_env unicode
	prov_conf '"vg"' 'message = "您的登录验证码 {code}，{validity}内有效。"'
	enrol daemon "$PHONE"
	login test daemon code
	check "unicode: a Chinese text is accepted (sent as type=unicode)" result_is PAM_SUCCESS
	check "unicode: the recorded text is intact" spool_body_has '您的登录验证码'
}

# fail_mode MODE OUTCOME
fail_mode() {
	local mode=$1 want=$2
	vg_env "$mode"
	fake_mode vg "$mode"
	prov_conf '"vg"' 'delivery_timeout = 5'
	enrol daemon "$PHONE"
	timed_login test daemon =000000
	check "$mode: classified $want" test "$(delivery_outcome vg)" = "$want"
	check "$mode: failmode secure refuses the login" result_is PAM_AUTHINFO_UNAVAIL
	check "$mode: within the deadline (${ELAPSED_MS} ms < 6000)" test "$ELAPSED_MS" -lt 6000
	prov_conf '"vg", "spool"' 'delivery_timeout = 5'
	ctl reset daemon
	login test daemon code
	check "$mode: failover to the spool provider, login succeeds" result_is PAM_SUCCESS
	check "$mode: the spool provider delivered" test "$(inbox_count privauth-)" = 1
}

scn_4xx() {
	fail_mode 4xx permanent
	check "4xx: Vonage's status 6 is in the detail" log_has 'status 6'
}

scn_429() {
	fail_mode 429 rate_limited
	check "429: Vonage's status 1 (throttled) is in the detail" log_has 'status 1:'
}

scn_5xx() {
	fail_mode 5xx temporary
}

scn_redirect() {
	fail_mode redirect permanent
}

scn_slow() {
	vg_env slow
	fake_mode vg slow
	prov_conf '"vg"' 'delivery_timeout = 5'
	enrol daemon "$PHONE"
	timed_login test daemon =000000
	check "slow: classified ambiguous" test "$(delivery_outcome vg)" = ambiguous
	check "slow: sent once, not repeated" test "$(fake_stat vg requests)" = 1
	check "slow: waited timeout_ms and no longer (${ELAPSED_MS} ms)" \
		test "$ELAPSED_MS" -ge 1400 -a "$ELAPSED_MS" -lt 4000
	check "slow: login not granted" result_is_not PAM_SUCCESS
}

scn_refused() {
	vg_env refused
	fake_stop vg
	prov_conf '"vg", "spool"'
	enrol daemon "$PHONE"
	login test daemon code
	check "refused: connection refused is temporary" test "$(delivery_outcome vg)" = temporary
	check "refused: failover to spool, login succeeds" result_is PAM_SUCCESS
}

scn_wrongca() {
	vg_env wrongca
	fake_start rogue vonage_fake.py --api-key "$KEY" --api-secret "$SECRET" \
		--cert "$CERTS/rogue.pem" --key "$CERTS/rogue.key"
	PROVIDERS=${PROVIDERS//127.0.0.1:${FAKE_PORT[vg]}/127.0.0.1:${FAKE_PORT[rogue]}}
	prov_conf '"vg", "spool"'
	enrol daemon "$PHONE"
	login test daemon code
	check "wrong CA: classified temporary" test "$(delivery_outcome vg)" = temporary
	check "wrong CA: nothing reached the rogue server" test "$(fake_stat rogue requests)" = 0
	check "wrong CA: failover to spool, login succeeds" result_is PAM_SUCCESS
}

scn_badauth() {
	vg_env badauth
	write_secrets "vg = { api_key = \"$KEY\"; api_secret = \"wrong\"; };"
	prov_conf '"vg"'
	enrol daemon "$PHONE"
	login test daemon =000000
	check "bad secret: classified permanent (status 4)" test "$(delivery_outcome vg)" = permanent
	check "bad secret: the fake rejected the credential" test "$(fake_stat vg auth_failures)" = 1
	check "bad secret: login refused" result_is PAM_AUTHINFO_UNAVAIL
}

scn_hygiene() {
	local codes
	vg_env hygiene
	prov_conf '"vg"'
	enrol daemon "$PHONE"
	login test daemon code
	login test daemon code
	codes=$(for f in "$T_SPOOL"/*; do sed '1,/^$/d' "$f" | grep -oE '[0-9]{6,10}' |
		head -n 1; done | sort -u)
	check "hygiene: two codes were delivered" test "$(echo "$codes" | wc -w)" = 2
	# shellcheck disable=SC2086  # one argument per code
	check "hygiene: no code, full number or credential in any log line" \
		all_logs_lack $codes "${PHONE#+}" "$KEY" "$SECRET"
}

ALL="sms unicode 4xx 429 5xx redirect slow refused wrongca badauth hygiene"

if ! prov_init; then
	tap_not_ok "module, tools and certificates are ready: $PAMENV_SKIP"
	tap_done
	exit 1
fi
# shellcheck disable=SC2086  # word splitting of the list is intended
[ $# -gt 0 ] || set -- $ALL
for s in "$@"; do
	"scn_$s"
	fake_stop_all
done
tap_done
