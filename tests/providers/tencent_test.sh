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

# tc_env NAME [PROVIDER-KEYS] [FAKE-ARG...]: environment, fake, secrets,
# provider "tc".
tc_env() {
	local name=$1 extra=${2:-}
	shift 2 2> /dev/null || shift $#
	prov_env "tencent-$name" || return 1
	fake_start tc tencent_fake.py --secret-id "$SECRET_ID" --secret-key "$SECRET_KEY" \
		--sdk-app-id 1400006666 --template-id 449739 --sign-name "$SIGN" \
		--template 'Your login code is {1}, valid 5 minutes.' \
		--voice-sdk-app-id 1400000001 "$@" || return 1
	write_secrets "tc = { secret_id = \"$SECRET_ID\"; secret_key = \"$SECRET_KEY\"; };"
	PROVIDERS="  tc = { type = \"tencent\"; url = \"https://127.0.0.1:${FAKE_PORT[tc]}\";
    ca_file = \"$CERTS/ca.pem\"; sdk_app_id = \"1400006666\"; template_id = \"449739\";
    sign_name = \"$SIGN\"; voice_sdk_app_id = \"1400000001\"; region = \"ap-beijing\";
    connect_timeout_ms = 1000; timeout_ms = ${TC_TIMEOUT:-1500}; $extra };"
	svc test
}

tc_file() {
	find "$T_SPOOL" -maxdepth 1 -name 'tencent-*' | sort | tail -n 1
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
	tc_env sms
	prov_conf '"tc"'
	enrol daemon "$PHONE"
	timed_login test daemon code
	check "sms: login with the code from the fake succeeds" result_is PAM_SUCCESS
	check "sms: the fake recorded exactly one message" test "$(inbox_count tencent-)" = 1
	check "sms: nothing went to the spool provider" test "$(inbox_count privauth-)" = 0
	check "sms: the fake verified every signature (no auth failures)" \
		test "$(fake_stat tc auth_failures)" = 0
	check "sms: logged outcome=sent with the SerialNo" \
		log_has 'provider=tc outcome=sent request_id=2028:[0-9]+'
	check "sms: the phone shows 【sign name】 and the template text" \
		spool_body_has "【$SIGN】Your login code is "
	check "sms: the recorded number is the enrolled one" grep -qx "To: ${PHONE#+}" "$(tc_file)"
}

scn_intl() {
	tc_env intl
	prov_conf '"tc"' 'allowed_prefixes = ["+86", "+49"]'
	enrol daemon +4915112345678
	login test daemon code
	check "international: login succeeds" result_is PAM_SUCCESS
	check "international: recorded for the +49 number" grep -qx "To: 4915112345678" "$(tc_file)"
}

scn_voice() {
	tc_env voice "voice_play_times = 3;"
	prov_conf '"tc"'
	ctl user set daemon --phone "$PHONE" --channel voice
	login test daemon code
	check "voice: login with the spoken code succeeds" result_is PAM_SUCCESS
	check "voice: the fake recorded a call (Voicecall: yes)" grep -q '^Voicecall: yes$' "$(tc_file)"
	check "voice: the spoken text reads the digits one by one" \
		grep -qE '([0-9], ){5,}[0-9]' "$(tc_file)"
	check "voice: played voice_play_times (3) times" \
		test "$(sed '1,/^$/d' "$(tc_file)" | grep -c 'code is')" = 3
	check "voice: logged outcome=sent with the CallId" \
		log_has 'provider=tc outcome=sent request_id=[0-9a-f-]{36}'
}

# privauthctl send-test through the provider, SMS then voice.
scn_sendtest() {
	tc_env sendtest
	prov_conf '"tc"'
	enrol daemon "$PHONE"
	ctl send-test daemon
	check "send-test: exit 0" ctl_ok
	check "send-test: the attempt is printed as sent by tc" \
		grep -qE 'provider=tc channel=sms outcome=sent' "$CTL_OUT"
	check "send-test: the fake recorded the template message" test "$(inbox_count tencent-)" = 1
	ctl send-test daemon --channel voice
	check "send-test --channel voice: sent as a call" \
		grep -qE 'provider=tc channel=voice outcome=sent' "$CTL_OUT"
}

# fail_mode MODE OUTCOME DETAIL-RE: alone the login is refused, with spool
# behind it the spool delivers.
fail_mode() {
	local mode=$1 want=$2 detail=$3
	tc_env "$mode"
	fake_mode tc "$mode"
	prov_conf '"tc"' 'delivery_timeout = 5'
	enrol daemon "$PHONE"
	timed_login test daemon =000000
	check "$mode: classified $want" test "$(delivery_outcome tc)" = "$want"
	check "$mode: the detail says why ($detail)" log_has "$detail"
	check "$mode: failmode secure refuses the login (PAM_AUTHINFO_UNAVAIL)" \
		result_is PAM_AUTHINFO_UNAVAIL
	check "$mode: returned within the deadline (${ELAPSED_MS} ms < 6000)" \
		test "$ELAPSED_MS" -lt 6000
	check "$mode: nothing was recorded" test "$(inbox_count tencent-)" = 0
	prov_conf '"tc", "spool"' 'delivery_timeout = 5'
	ctl reset daemon
	login test daemon code
	check "$mode: failover to the spool provider, login succeeds" result_is PAM_SUCCESS
	check "$mode: log shows spool sent after tc" log_has "provider=spool outcome=sent"
}

scn_4xx() { fail_mode 4xx permanent 'FailedOperation.PhoneNumberInBlacklist'; }
scn_429() { fail_mode 429 rate_limited 'HTTP 429 RequestLimitExceeded, retry after 7 s'; }
scn_5xx() { fail_mode 5xx temporary 'HTTP 503 InternalError'; }
scn_redirect() { fail_mode redirect permanent 'redirect'; }

# Tencent's per-number frequency limit, reported per number in SendStatusSet.
scn_limit() {
	tc_env limit "" --per-number-limit 1
	prov_conf '"tc", "spool"'
	enrol daemon "$PHONE"
	login test daemon code
	check "number limit: first code through tencent" test "$(inbox_count tencent-)" = 1
	login test daemon code
	check "number limit: LimitExceeded.* is rate_limited" \
		test "$(delivery_outcome tc)" = rate_limited
	check "number limit: the vendor code is in the detail" \
		log_has 'LimitExceeded.PhoneNumberOneHourLimit'
	check "number limit: failover to spool, login succeeds" result_is PAM_SUCCESS
}

scn_slow() {
	tc_env slow
	fake_mode tc slow
	prov_conf '"tc"' 'delivery_timeout = 5'
	enrol daemon "$PHONE"
	timed_login test daemon =000000
	check "slow: classified ambiguous" test "$(delivery_outcome tc)" = ambiguous
	check "slow: the request reached the fake once (not repeated)" \
		test "$(fake_stat tc requests)" = 1
	check "slow: the login is not granted" result_is_not PAM_SUCCESS
	check "slow: waited timeout_ms (1500 ms) and no longer (${ELAPSED_MS} ms)" \
		test "$ELAPSED_MS" -ge 1400 -a "$ELAPSED_MS" -lt 4000
}

scn_refused() {
	tc_env refused
	fake_stop_all
	prov_conf '"tc", "spool"'
	enrol daemon "$PHONE"
	timed_login test daemon code
	check "refused: connection refused is temporary" test "$(delivery_outcome tc)" = temporary
	check "refused: failover to spool, login succeeds" result_is PAM_SUCCESS
	check "refused: quick (${ELAPSED_MS} ms < 3000)" test "$ELAPSED_MS" -lt 3000
}

scn_wrongca() {
	tc_env wrongca
	fake_start rogue tencent_fake.py --secret-id "$SECRET_ID" --secret-key "$SECRET_KEY" \
		--cert "$CERTS/rogue.pem" --key "$CERTS/rogue.key"
	PROVIDERS=${PROVIDERS//127.0.0.1:${FAKE_PORT[tc]}/127.0.0.1:${FAKE_PORT[rogue]}}
	prov_conf '"tc", "spool"'
	enrol daemon "$PHONE"
	login test daemon code
	check "wrong CA: classified temporary (not sent)" test "$(delivery_outcome tc)" = temporary
	check "wrong CA: no request reached the rogue server" test "$(fake_stat rogue requests)" = 0
	check "wrong CA: failover to spool, login succeeds" result_is PAM_SUCCESS
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
scn_skew() {
	tc_env skew
	prov_conf '"tc", "spool"'
	enrol daemon "$PHONE"
	OFFSET=360 login test daemon code
	check "clock skew: AuthFailure.SignatureExpire from the fake" \
		log_has 'AuthFailure.SignatureExpire'
	check "clock skew: classified permanent" test "$(delivery_outcome tc)" = permanent
	check "clock skew: failover to spool, login succeeds" result_is PAM_SUCCESS
}

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

scn_hygiene() {
	local codes
	tc_env hygiene
	prov_conf '"tc"'
	enrol daemon "$PHONE"
	login test daemon code
	ctl user set daemon --phone "$PHONE" --channel voice
	login test daemon code
	fake_mode tc 429
	prov_conf '"tc", "spool"'
	login test daemon code
	codes=$(for f in "$T_SPOOL"/*; do sed '1,/^$/d' "$f" | sed 's/, //g' |
		grep -oE '[0-9]{6,10}' | head -n 1; done | sort -u)
	check "hygiene: three codes were delivered" test "$(echo "$codes" | wc -w)" = 3
	# shellcheck disable=SC2086  # one argument per code
	check "hygiene: no code, full number or credential in any log line" \
		all_logs_lack $codes "${PHONE#+}" 13812345678 "$SECRET_KEY"
}

ALL="vector sms intl voice sendtest 4xx 429 5xx redirect limit slow refused wrongca badauth skew cnchain hygiene"

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
