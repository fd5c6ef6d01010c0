#!/bin/bash
# generic_test.sh - TAP: PAM logins through the generic "http" provider
# against a loopback HTTPS gateway fake (tests/fakes/generic_fake.py):
# JSON + bearer, form + basic, a Kannel-style GET with credentials from the
# secrets file, voice through the {channel} field, each failure mode's
# classification with failover to the spool provider, and clean logs.
# Needs root.
#
#   BUILD=build tests/providers/generic_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/providers/lib.sh"
pamenv_isolate "$0" "$@"

TOKEN=gw-bearer-3e9f1
USER_=gwuser
PASS=gw-pass-77a0
PHONE=+8613812345678
# shellcheck disable=SC2034  # read by prov_conf
CHANNELS='"sms"' # every scenario but voice
# shellcheck disable=SC2034  # the provider under test, for lib.sh
PROV=gw PROV_ENV=gw_json_env PROV_INBOX=generic-

# gw_env NAME FAKE-ARGS PROVIDER-KEYS
gw_env() {
	# shellcheck disable=SC2086  # FAKE-ARGS is a word list
	prov_setup "generic-$1" \
		"gw = { token = \"$TOKEN\"; user = \"$USER_\"; password = \"$PASS\"; };" \
		"  gw = { type = \"http\"; ca_file = \"$CERTS/ca.pem\";
    connect_timeout_ms = 1000; timeout_ms = 1500;
    url = \"https://127.0.0.1:@PORT@/api/send\"; $3 };" \
		generic_fake.py $2
}

JSON_KEYS='encoding = "json"; auth = "bearer"; success_json = "status=0";
    request_id_json = "id"; fields = { to = "{phone}"; text = "{message}"; };
    channels = ["sms"];'

# gw_json_env NAME: JSON with a bearer token.
gw_json_env() {
	gw_env "$1" "--auth bearer --token $TOKEN" "$JSON_KEYS"
}

scn_json() {
	gw_json_env json
	prov_conf '"gw"'
	enrol daemon "$PHONE"
	login test daemon code
	check "json+bearer: login succeeds" result_is PAM_SUCCESS
	check "json+bearer: the gateway recorded one message" test "$(inbox_count generic-)" = 1
	check "json+bearer: request id from request_id_json logged" \
		log_has 'provider=gw outcome=sent request_id=g[0-9a-f]+'
	check "json+bearer: the bearer token was accepted" test "$(fake_stat gw auth_failures)" = 0
}

scn_form() {
	gw_env form "--auth basic --user $USER_ --password $PASS" \
		'auth = "basic"; fields = { to = "{phone_digits}"; text = "{message}"; }; channels = ["sms"];'
	prov_conf '"gw"'
	enrol daemon "$PHONE"
	login test daemon code
	check "form+basic: login succeeds" result_is PAM_SUCCESS
	check "form+basic: the gateway recorded the number" \
		grep -qx "To: ${PHONE#+}" "$(find "$T_SPOOL" -name 'generic-*' | head -n 1)"
}

scn_kannel() {
	gw_env kannel "--style kannel --auth query --user $USER_ --password $PASS" \
		'method = "GET"; success_status = [202]; success_prefix = "0: Accepted";
    fields = { username = "{user}"; password = "{password}"; to = "{phone}"; text = "{message}"; };
    channels = ["sms"];'
	prov_conf '"gw"'
	enrol daemon "$PHONE"
	login test daemon code
	check "kannel GET: login succeeds" result_is PAM_SUCCESS
	check "kannel GET: credentials from the secrets file accepted" \
		test "$(fake_stat gw auth_failures)" = 0
	fake_mode gw 4xx
	login test daemon =000000
	check "kannel GET: an error answer is permanent" test "$(delivery_outcome gw)" = permanent
}

scn_voice() {
	gw_env voice "--auth bearer --token $TOKEN" \
		'encoding = "json"; auth = "bearer"; channels = ["sms", "voice"];
    fields = { to = "{phone}"; text = "{message}"; voice = "{channel}"; };'
	CHANNELS='"sms", "voice"' prov_conf '"gw"'
	ctl user set daemon --phone "$PHONE" --channel voice
	login test daemon code
	check "voice: login with the spoken code succeeds" result_is PAM_SUCCESS
	check "voice: the gateway was asked for a call" \
		grep -q '^Voicecall: yes$' "$(find "$T_SPOOL" -name 'generic-*' | head -n 1)"
	check "voice: the text reads the digits one by one" \
		grep -qE '([0-9], ){5,}[0-9]' "$(find "$T_SPOOL" -name 'generic-*' | head -n 1)"
}

fail_mode() {
	prov_fail_alone "$1" "$2"
	prov_fail_over "$1"
}

scn_4xx() { fail_mode 4xx permanent; }
scn_429() { fail_mode 429 rate_limited; }
scn_5xx() { fail_mode 5xx temporary; }
scn_redirect() { fail_mode redirect permanent; }

scn_slow() {
	prov_slow_login
	check "slow: sent once" test "$(fake_stat gw requests)" = 1
	check "slow: waited timeout_ms and no longer (${ELAPSED_MS} ms)" \
		test "$ELAPSED_MS" -ge 1400 -a "$ELAPSED_MS" -lt 4000
}

scn_wrongca() { prov_scn_wrongca generic_fake.py; }

scn_badauth() {
	gw_env badauth "--auth bearer --token other-token" "$JSON_KEYS"
	prov_conf '"gw"'
	enrol daemon "$PHONE"
	login test daemon =000000
	check "bad token: HTTP 401 is permanent" test "$(delivery_outcome gw)" = permanent
	check "bad token: the gateway rejected it" test "$(fake_stat gw auth_failures)" = 1
}

scn_hygiene() {
	local codes
	gw_env hygiene "--style kannel --auth query --user $USER_ --password $PASS" \
		'method = "GET"; success_prefix = "0: Accepted";
    fields = { username = "{user}"; password = "{password}"; to = "{phone}"; text = "{message}"; };
    channels = ["sms"];'
	prov_conf '"gw"'
	enrol daemon "$PHONE"
	login test daemon code
	fake_mode gw 5xx
	prov_conf '"gw", "spool"'
	login test daemon code
	codes=$(prov_sent_codes)
	check "hygiene: two codes were delivered" test "$(echo "$codes" | wc -w)" = 2
	# shellcheck disable=SC2086  # one argument per code
	check "hygiene: no code, number, credential or URL query in any log line" \
		all_logs_lack $codes "${PHONE#+}" "$PASS" "$TOKEN" "password="
}

ALL="json form kannel voice 4xx 429 5xx redirect slow wrongca badauth hygiene"

prov_main "$ALL" "$@"
