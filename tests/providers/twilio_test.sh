#!/bin/bash
# twilio_test.sh - TAP: PAM logins through the "twilio" provider against a
# loopback HTTPS fake of Twilio's API (tests/fakes/twilio_fake.py) with a
# test CA made at run time.  Each failure mode of the fake must give the
# right classification in the log, fail over to the spool provider where
# one is configured, refuse the login (failmode secure) where none is, and
# return within the delivery deadline.  Needs root.
#
#   BUILD=build tests/providers/twilio_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/providers/lib.sh"
pamenv_isolate "$0" "$@"

SID=AC0123456789abcdef0123456789abcdef
TOKEN=tw-secret-token-5f1e
PHONE=+8613812345678
# shellcheck disable=SC2034  # the provider under test, for lib.sh
PROV=tw PROV_ENV=tw_env PROV_INBOX=twilio-

# tw_env NAME [PROVIDER-KEYS]: environment, fake, secrets, provider "tw".
tw_env() {
	prov_setup "twilio-$1" "tw = { account_sid = \"$SID\"; auth_token = \"$TOKEN\"; };" \
		"  tw = { type = \"twilio\"; url = \"https://127.0.0.1:@PORT@\";
    ca_file = \"$CERTS/ca.pem\"; from = \"+15005550006\"; voice_language = \"cmn-CN\";
    connect_timeout_ms = 1000; timeout_ms = ${TW_TIMEOUT:-1500}; ${2:-} };" \
		twilio_fake.py --account-sid "$SID" --auth-token "$TOKEN"
}

scn_sms() {
	prov_sms_login
	check "sms: logged outcome=sent with the message sid" \
		log_has 'provider=tw outcome=sent request_id=SM[0-9a-f]+'
	check "sms: the fake saw valid Basic auth (no auth failures)" \
		test "$(fake_stat tw auth_failures)" = 0
	check "sms: the recorded text names the service" spool_body_has 'for test on'
	check "sms: the recorded number is the enrolled one" \
		grep -qx "To: ${PHONE#+}" "$(prov_file)"
}

scn_voice() {
	prov_voice_login
	check "voice: the TwiML says the text twice" \
		test "$(sed '1,/^$/d' "$(prov_file)" | grep -c .)" -ge 2
	check "voice: logged outcome=sent with a call sid" log_has 'provider=tw outcome=sent request_id=CA'
}

# fail_mode MODE OUTCOME: the fake answers MODE; with tw alone the login is
# refused, with spool behind it the spool delivers.
fail_mode() {
	local mode=$1 want=$2
	prov_fail_alone "$mode" "$want"
	check "$mode: nothing was recorded" test "$(inbox_count twilio-)" = 0
	prov_fail_over "$mode"
	check "$mode: the spool provider delivered" test "$(inbox_count privauth-)" = 1
	check "$mode: log shows tw $want, then spool sent" \
		log_has "provider=spool outcome=sent"
}

scn_4xx() {
	fail_mode 4xx permanent
	check "4xx: Twilio's error code is in the detail" log_has 'code 21211'
}

scn_429() {
	fail_mode 429 rate_limited
	check "429: Retry-After is in the detail" log_has 'retry after 7 s'
}

scn_5xx() {
	fail_mode 5xx temporary
}

scn_redirect() {
	fail_mode redirect permanent
	check "redirect: not followed (one request per login)" test "$(fake_stat tw requests)" = 2
	check "redirect: detail says redirect refused" log_has 'redirect refused'
}

# Slow beyond the provider's timeout: the request was sent, the answer
# never came -> ambiguous, not repeated on the same provider.
scn_slow() { prov_scn_slow; }

# The provider's timeout is 8 s but the service's delivery deadline is 2 s.
scn_deadline() {
	TW_TIMEOUT=8000 tw_env deadline
	fake_mode tw slow
	prov_conf '"tw"' 'delivery_timeout = 2'
	enrol daemon "$PHONE"
	timed_login test daemon =000000
	check "deadline: the 2 s delivery deadline cuts the 8 s timeout (1500 < ${ELAPSED_MS} ms < 3500)" \
		test "$ELAPSED_MS" -gt 1500 -a "$ELAPSED_MS" -lt 3500
	check "deadline: classified ambiguous" test "$(delivery_outcome tw)" = ambiguous
}

scn_refused() { prov_scn_refused; }

# A certificate from another CA: the TLS handshake fails, nothing is sent.
scn_wrongca() {
	prov_wrongca_login twilio_fake.py --account-sid "$SID" --auth-token "$TOKEN"
	check "wrong CA: classified temporary (not sent)" test "$(delivery_outcome tw)" = temporary
	check "wrong CA: the detail names the certificate problem" log_has '[Cc]ertificate|SSL'
	check "wrong CA: no request reached the rogue server" test "$(fake_stat rogue requests)" = 0
	check "wrong CA: failover to spool, login succeeds" result_is PAM_SUCCESS
}

scn_pin() {
	tw_env pin "pinned_pubkey = \"$(cat "$CERTS/server.pin")\";"
	prov_conf '"tw"'
	enrol daemon "$PHONE"
	login test daemon code
	check "pinned key matches: login succeeds" result_is PAM_SUCCESS
	tw_env pinbad "pinned_pubkey = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\";"
	prov_conf '"tw", "spool"'
	enrol daemon "$PHONE"
	login test daemon code
	check "pinned key mismatch: classified temporary" test "$(delivery_outcome tw)" = temporary
	check "pinned key mismatch: no request reached the fake" test "$(fake_stat tw requests)" = 0
}

scn_badauth() {
	tw_env badauth
	write_secrets "tw = { account_sid = \"$SID\"; auth_token = \"wrong-token\"; };"
	prov_conf '"tw"'
	enrol daemon "$PHONE"
	login test daemon =000000
	check "bad token: classified permanent" test "$(delivery_outcome tw)" = permanent
	check "bad token: the fake rejected the credential" test "$(fake_stat tw auth_failures)" = 1
	check "bad token: Twilio's 20003 in the detail" log_has 'HTTP 401 code 20003'
	check "bad token: login refused" result_is PAM_AUTHINFO_UNAVAIL
	write_secrets "tw = { account_sid = \"$SID\"; };"
	login test daemon =000000
	check "missing auth_token: config error naming provider and key" \
		log_has 'tw: missing credential: secrets_file has no tw.auth_token'
	chmod 0644 "$T_DIR/secrets"
	login test daemon =000000
	check "secrets file readable by others: refused" result_is_not PAM_SUCCESS
	check "secrets file readable by others: the log says why" log_has 'secrets_file'
}

# Every log line of this script's logins: no code, no full number, no secret.
scn_hygiene() {
	local c d
	prov_scn_hygiene "$TOKEN" "$SID"
	for d in "$T_DIR"/fake.*.err; do
		c=$(grep -c . "$d")
		[ "$c" = 0 ] || tap_diag "fake stderr $d:" < "$d"
	done
}

ALL="sms voice 4xx 429 5xx redirect slow deadline refused wrongca pin badauth hygiene"

prov_main "$ALL" "$@"
