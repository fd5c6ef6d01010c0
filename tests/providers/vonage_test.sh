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
# shellcheck disable=SC2034  # the provider under test, for lib.sh
PROV=vg PROV_ENV=vg_env PROV_INBOX=vonage-

vg_env() {
	prov_setup "vonage-$1" "vg = { api_key = \"$KEY\"; api_secret = \"$SECRET\"; };" \
		"  vg = { type = \"vonage\"; url = \"https://127.0.0.1:@PORT@\";
    ca_file = \"$CERTS/ca.pem\"; from = \"AcmeLogin\";
    connect_timeout_ms = 1000; timeout_ms = 1500; };" \
		vonage_fake.py --api-key "$KEY" --api-secret "$SECRET"
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
	prov_fail_alone "$1" "$2"
	prov_fail_over "$1"
	check "$1: the spool provider delivered" test "$(inbox_count privauth-)" = 1
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
	prov_slow_login
	check "slow: sent once, not repeated" test "$(fake_stat vg requests)" = 1
	check "slow: waited timeout_ms and no longer (${ELAPSED_MS} ms)" \
		test "$ELAPSED_MS" -ge 1400 -a "$ELAPSED_MS" -lt 4000
	check "slow: login not granted" result_is_not PAM_SUCCESS
}

scn_refused() { prov_refused_login; }

scn_wrongca() { prov_scn_wrongca vonage_fake.py --api-key "$KEY" --api-secret "$SECRET"; }

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
	codes=$(prov_sent_codes)
	check "hygiene: two codes were delivered" test "$(echo "$codes" | wc -w)" = 2
	# shellcheck disable=SC2086  # one argument per code
	check "hygiene: no code, full number or credential in any log line" \
		all_logs_lack $codes "${PHONE#+}" "$KEY" "$SECRET"
}

ALL="sms unicode 4xx 429 5xx redirect slow refused wrongca badauth hygiene"

prov_main "$ALL" "$@"
