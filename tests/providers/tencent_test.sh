#!/bin/bash
# tencent_test.sh - TAP: PAM logins through the "tencent" provider against
# a loopback HTTPS fake of Tencent Cloud SMS/VMS API 3.0
# (tests/fakes/tencent_fake.py, which recomputes every TC3-HMAC-SHA256
# signature) with a test CA made at run time.  Each failure mode must give
# the right classification in the log, fail over (to the spool provider,
# or to aliyun for the China chain) where one is configured, refuse the
# login (failmode secure) where none is, and return within the delivery
# deadline.  Needs root.
#
#   BUILD=build tests/providers/tencent_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/providers/lib.sh"
pamenv_isolate "$0" "$@"

SECRET_ID=AKIDfakeSecretId0123456789
SECRET_KEY=tc-secret-4b8e1f0a77
PHONE=+8613812345678
SIGN=Privauth
# shellcheck disable=SC2034  # the provider under test, for lib.sh
PROV=tc PROV_ENV=tc_env PROV_INBOX=tencent-

# tc_env NAME [PROVIDER-KEYS] [FAKE-ARG...]: environment, fake, secrets,
# provider "tc".
tc_env() {
	local name=$1 extra=${2:-}
	shift 2 2> /dev/null || shift $#
	prov_setup "tencent-$name" \
		"tc = { secret_id = \"$SECRET_ID\"; secret_key = \"$SECRET_KEY\"; };" \
		"  tc = { type = \"tencent\"; url = \"https://127.0.0.1:@PORT@\";
    ca_file = \"$CERTS/ca.pem\"; sdk_app_id = \"1400006666\"; template_id = \"449739\";
    sign_name = \"$SIGN\"; voice_sdk_app_id = \"1400000001\"; region = \"ap-beijing\";
    connect_timeout_ms = 1000; timeout_ms = ${TC_TIMEOUT:-1500}; $extra };" \
		tencent_fake.py --secret-id "$SECRET_ID" --secret-key "$SECRET_KEY" \
		--sdk-app-id 1400006666 --template-id 449739 --sign-name "$SIGN" \
		--template 'Your login code is {1}, valid 5 minutes.' \
		--voice-sdk-app-id 1400000001 "$@"
}

# The fake's own verifier against Tencent's published TC3 example.
scn_vector() {
	local sig
	sig=$(cd "$ROOT/tests/fakes" && /usr/bin/python3 -B - <<'EOF'
import email.message, types, fakebase, tencent_fake
h = email.message.Message()
h["Content-Type"] = "application/json; charset=utf-8"
h["Host"] = "cvm.tencentcloudapi.com"
h["X-TC-Action"] = "DescribeInstances"
body = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
req = fakebase.Request("POST", "/", h, body)
me = types.SimpleNamespace(args=types.SimpleNamespace(secret_key="Gu5t9xGARNpq86cd98joQYCN3*******"))
print(tencent_fake.TencentFake.signature(me, req, 1551113065, "2019-02-25", "cvm",
                                         ["content-type", "host", "x-tc-action"]))
EOF
)
	if [ "$sig" = be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3 ]; then
		tap_ok "vector: the fake's verifier reproduces Tencent's published TC3 signature"
	else
		tap_not_ok "vector: the fake's verifier reproduces Tencent's published TC3 signature (got $sig)"
	fi
}

scn_sms() {
	prov_sms_login
	check "sms: the fake verified every signature (no auth failures)" \
		test "$(fake_stat tc auth_failures)" = 0
	check "sms: logged outcome=sent with the SerialNo" \
		log_has 'provider=tc outcome=sent request_id=2028:[0-9]+'
	check "sms: the phone shows 【sign name】 and the template text" \
		spool_body_has "【$SIGN】Your login code is "
	check "sms: the recorded number is the enrolled one" grep -qx "To: ${PHONE#+}" "$(prov_file)"
}

scn_intl() {
	tc_env intl
	prov_conf '"tc"' 'allowed_prefixes = ["+86", "+49"]'
	enrol daemon +4915112345678
	login test daemon code
	check "international: login succeeds" result_is PAM_SUCCESS
	check "international: recorded for the +49 number" grep -qx "To: 4915112345678" "$(prov_file)"
}

scn_voice() {
	prov_voice_login "voice_play_times = 3;"
	check "voice: played voice_play_times (3) times" \
		test "$(sed '1,/^$/d' "$(prov_file)" | grep -c 'code is')" = 3
	check "voice: logged outcome=sent with the CallId" \
		log_has 'provider=tc outcome=sent request_id=[0-9a-f-]{36}'
}

scn_sendtest() { prov_scn_sendtest; }

# fail_mode MODE OUTCOME DETAIL-RE: alone the login is refused, with spool
# behind it the spool delivers.
fail_mode() {
	prov_fail_alone "$1" "$2" "$3"
	check "$1: nothing was recorded" test "$(inbox_count tencent-)" = 0
	prov_fail_over "$1"
	check "$1: log shows spool sent after tc" log_has "provider=spool outcome=sent"
}

scn_4xx() { fail_mode 4xx permanent 'FailedOperation.PhoneNumberInBlacklist'; }
scn_429() { fail_mode 429 rate_limited 'HTTP 429 RequestLimitExceeded, retry after 7 s'; }
scn_5xx() { fail_mode 5xx temporary 'HTTP 503 InternalError'; }
scn_redirect() { fail_mode redirect permanent 'redirect'; }

# Tencent's per-number frequency limit, reported per number in SendStatusSet.
scn_limit() {
	prov_scn_limit "number limit" 'LimitExceeded.*' 'LimitExceeded.PhoneNumberOneHourLimit'
}

scn_slow() { prov_scn_slow; }
scn_refused() { prov_scn_refused; }

scn_wrongca() {
	prov_scn_wrongca tencent_fake.py --secret-id "$SECRET_ID" --secret-key "$SECRET_KEY"
}

scn_badauth() {
	tc_env badauth
	write_secrets "tc = { secret_id = \"$SECRET_ID\"; secret_key = \"not-the-key\"; };"
	prov_conf '"tc"'
	enrol daemon "$PHONE"
	login test daemon =000000
	check "wrong key: the fake's signature check fails (permanent)" \
		test "$(delivery_outcome tc)" = permanent
	check "wrong key: AuthFailure.SignatureFailure in the detail" \
		log_has 'AuthFailure.SignatureFailure'
	check "wrong key: counted as an auth failure by the fake" \
		test "$(fake_stat tc auth_failures)" = 1
	check "wrong key: login refused" result_is PAM_AUTHINFO_UNAVAIL
	write_secrets "tc = { secret_id = \"AKIDunknown\"; secret_key = \"$SECRET_KEY\"; };"
	login test daemon =000000
	check "unknown SecretId: AuthFailure.SecretIdNotFound, permanent" \
		log_has 'provider=tc outcome=permanent .*AuthFailure.SecretIdNotFound'
	write_secrets "tc = { secret_id = \"$SECRET_ID\"; };"
	login test daemon =000000
	check "missing secret_key: config error naming provider and key" \
		log_has 'tc: missing credential: secrets_file has no tc.secret_key'
}

# The module's clock 6 minutes ahead: Tencent refuses a timestamp more
# than 5 minutes off.
scn_skew() { prov_scn_skew 360 AuthFailure.SignatureExpire; }

# The China chain: tencent first, aliyun behind it, both loopback fakes.
scn_cnchain() {
	tc_env cnchain
	fake_start ali aliyun_fake.py --access-key-id LTAIchain0001 --access-key-secret ali-chain-s3cret \
		--sign-name "$SIGN" || return 1
	write_secrets "tc = { secret_id = \"$SECRET_ID\"; secret_key = \"$SECRET_KEY\"; };
ali = { access_key_id = \"LTAIchain0001\"; access_key_secret = \"ali-chain-s3cret\"; };"
	PROVIDERS="$PROVIDERS
  ali = { type = \"aliyun\"; url = \"https://127.0.0.1:${FAKE_PORT[ali]}\";
    ca_file = \"$CERTS/ca.pem\"; sign_name = \"$SIGN\"; template_code = \"SMS_1\";
    tts_code = \"TTS_1\"; connect_timeout_ms = 1000; timeout_ms = 1500; };"
	fake_mode tc 5xx
	prov_conf '"tc", "ali"'
	enrol daemon "$PHONE"
	login test daemon code
	check "China chain: tencent 5xx is temporary" test "$(delivery_outcome tc)" = temporary
	check "China chain: aliyun delivered next" test "$(delivery_outcome ali)" = sent
	check "China chain: login succeeds with the code aliyun sent" result_is PAM_SUCCESS
	check "China chain: one message, recorded by the aliyun fake" \
		test "$(inbox_count aliyun-)" = 1 -a "$(inbox_count tencent-)" = 0
}

scn_hygiene() { prov_scn_hygiene 13812345678 "$SECRET_KEY"; }

ALL="vector sms intl voice sendtest 4xx 429 5xx redirect limit slow refused wrongca badauth skew cnchain hygiene"

prov_main "$ALL" "$@"
