#!/bin/bash
# aliyun_test.sh - TAP: PAM logins through the "aliyun" provider against a
# loopback HTTPS fake of Alibaba Cloud's Dysmsapi/Dyvmsapi
# (tests/fakes/aliyun_fake.py, which recomputes every ACS3-HMAC-SHA256
# signature) with a test CA made at run time.  Each failure mode must give
# the right classification in the log, fail over to the spool provider
# where one is configured, refuse the login (failmode secure) where none
# is, and return within the delivery deadline.  Needs root.
#
#   BUILD=build tests/providers/aliyun_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/providers/lib.sh"
pamenv_isolate "$0" "$@"

KEY_ID=LTAI5tFakeKeyId0001
KEY_SECRET=ali-secret-9c2e7d41
PHONE=+8613812345678
SIGN=Privauth
# shellcheck disable=SC2034  # the provider under test, for lib.sh
PROV=ali PROV_ENV=ali_env PROV_INBOX=aliyun-

# ali_env NAME [PROVIDER-KEYS] [FAKE-ARG...]: environment, fake, secrets,
# provider "ali".
ali_env() {
	local name=$1 extra=${2:-}
	shift 2 2> /dev/null || shift $#
	# shellcheck disable=SC2016  # ${code} is the fake's template syntax
	prov_setup "aliyun-$name" \
		"ali = { access_key_id = \"$KEY_ID\"; access_key_secret = \"$KEY_SECRET\"; };" \
		"  ali = { type = \"aliyun\"; url = \"https://127.0.0.1:@PORT@\";
    ca_file = \"$CERTS/ca.pem\"; sign_name = \"$SIGN\"; template_code = \"SMS_154950909\";
    tts_code = \"TTS_10001\"; connect_timeout_ms = 1000; timeout_ms = ${ALI_TIMEOUT:-1500}; $extra };" \
		aliyun_fake.py --access-key-id "$KEY_ID" --access-key-secret "$KEY_SECRET" \
		--sign-name "$SIGN" --template-code SMS_154950909 --tts-code TTS_10001 \
		--sms-template 'Your login code is ${code}, valid 5 minutes.' \
		--tts-template 'Your login code is ${code}.' "$@"
}

# The fake's own verifier against Alibaba's published V3 example.
scn_vector() {
	local sig
	sig=$(cd "$ROOT/tests/fakes" && /usr/bin/python3 -B - <<'EOF'
import email.message, hashlib, hmac, fakebase, aliyun_fake
h = email.message.Message()
for k, v in [("host", "ecs.cn-shanghai.aliyuncs.com"), ("x-acs-action", "RunInstances"),
             ("x-acs-content-sha256", hashlib.sha256(b"").hexdigest()),
             ("x-acs-date", "2023-10-26T10:22:32Z"),
             ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
             ("x-acs-version", "2014-05-26")]:
    h[k] = v
req = fakebase.Request("POST", "/?RegionId=cn-shanghai&ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", h, b"")
c = aliyun_fake.AliyunFake.canonical(None, req, sorted(k.lower() for k in h.keys()))
print(hmac.new(b"YourAccessKeySecret", ("ACS3-HMAC-SHA256\n" + hashlib.sha256(c.encode()).hexdigest()).encode(), hashlib.sha256).hexdigest())
EOF
)
	if [ "$sig" = 06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0 ]; then
		tap_ok "vector: the fake's verifier reproduces Alibaba's published V3 signature"
	else
		tap_not_ok "vector: the fake's verifier reproduces Alibaba's published V3 signature (got $sig)"
	fi
}

scn_sms() {
	prov_sms_login
	check "sms: the fake verified every signature (no auth failures)" \
		test "$(fake_stat ali auth_failures)" = 0
	check "sms: logged outcome=sent with the BizId" \
		log_has 'provider=ali outcome=sent request_id=[0-9]+'
	check "sms: the phone shows 【sign name】 and the template text" \
		spool_body_has "【$SIGN】Your login code is "
	check "sms: a mainland number is sent without +86 and recorded as 86..." \
		grep -qx "To: ${PHONE#+}" "$(prov_file)"
}

scn_intl() {
	ali_env intl
	prov_conf '"ali"' 'allowed_prefixes = ["+86", "+49"]'
	enrol daemon +4915112345678
	login test daemon code
	check "international: login succeeds" result_is PAM_SUCCESS
	check "international: sent as country code + number" grep -qx "To: 4915112345678" "$(prov_file)"
}

scn_voice() {
	prov_voice_login
	check "voice: logged outcome=sent with the CallId" \
		log_has 'provider=ali outcome=sent request_id=[0-9]+'
}

# params_in = "query": the parameters (TemplateParam's JSON included) in
# the signed query string; the fake recomputes the canonical query itself.
scn_query() {
	ali_env query 'params_in = "query";'
	prov_conf '"ali"'
	enrol daemon "$PHONE"
	login test daemon code
	check "query: login succeeds" result_is PAM_SUCCESS
	check "query: the fake verified the signature over the query string" \
		test "$(fake_stat ali auth_failures)" = 0 -a "$(inbox_count aliyun-)" = 1
}

scn_sendtest() { prov_scn_sendtest; }

# fail_mode MODE OUTCOME DETAIL-RE: alone the login is refused, with spool
# behind it the spool delivers.
fail_mode() {
	prov_fail_alone "$1" "$2" "$3"
	check "$1: nothing was recorded" test "$(inbox_count aliyun-)" = 0
	prov_fail_over "$1"
	check "$1: log shows spool sent after ali" log_has "provider=spool outcome=sent"
}

scn_4xx() { fail_mode 4xx permanent 'HTTP 400 code isv.INVALID_PARAMETERS'; }
scn_429() { fail_mode 429 rate_limited 'code Throttling.User: .*retry after 7 s'; }
scn_5xx() { fail_mode 5xx temporary 'HTTP 503 code ServiceUnavailable'; }
scn_redirect() { fail_mode redirect permanent 'redirect'; }

# Alibaba's per-number flow control: HTTP 200 with isv.BUSINESS_LIMIT_CONTROL.
scn_limit() {
	prov_scn_limit "flow control" isv.BUSINESS_LIMIT_CONTROL 'isv.BUSINESS_LIMIT_CONTROL'
	check "flow control: the spool delivered the second code" test "$(inbox_count privauth-)" = 1
}

scn_slow() { prov_scn_slow; }
scn_refused() { prov_scn_refused; }

scn_wrongca() {
	prov_scn_wrongca aliyun_fake.py --access-key-id "$KEY_ID" --access-key-secret "$KEY_SECRET"
}

scn_badauth() {
	ali_env badauth
	write_secrets "ali = { access_key_id = \"$KEY_ID\"; access_key_secret = \"not-the-secret\"; };"
	prov_conf '"ali"'
	enrol daemon "$PHONE"
	login test daemon =000000
	check "wrong secret: the fake's signature check fails (permanent)" \
		test "$(delivery_outcome ali)" = permanent
	check "wrong secret: SignatureDoesNotMatch in the detail" log_has 'code SignatureDoesNotMatch'
	check "wrong secret: counted as an auth failure by the fake" \
		test "$(fake_stat ali auth_failures)" = 1
	check "wrong secret: login refused" result_is PAM_AUTHINFO_UNAVAIL
	write_secrets "ali = { access_key_id = \"LTAIunknown\"; access_key_secret = \"$KEY_SECRET\"; };"
	login test daemon =000000
	check "unknown key id: InvalidAccessKeyId.NotFound, permanent" \
		log_has 'provider=ali outcome=permanent .*InvalidAccessKeyId.NotFound'
	write_secrets "ali = { access_key_id = \"$KEY_ID\"; };"
	login test daemon =000000
	check "missing access_key_secret: config error naming provider and key" \
		log_has 'ali: missing credential: secrets_file has no ali.access_key_secret'
}

# The module's clock 16 minutes ahead: Alibaba refuses the stale
# x-acs-date (the fake applies the documented 15-minute window).
scn_skew() { prov_scn_skew 960 InvalidTimeStamp.Expired; }

scn_hygiene() { prov_scn_hygiene 13812345678 "$KEY_SECRET"; }

ALL="vector sms intl voice sendtest query 4xx 429 5xx redirect limit slow refused wrongca badauth skew hygiene"

prov_main "$ALL" "$@"
