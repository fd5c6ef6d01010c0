# lib.sh - helpers shared by tests/providers/*_test.sh (bash; source it
# after tests/lib/tap.sh, whose pam_wrapper helpers run the logins).
#
#   prov_init                  pamenv_init, then test certificates in
#                              $CERTS (tests/fakes/mkca.sh, once per script)
#   prov_env NAME              new_env NAME; T_SPOOL doubles as the inbox:
#                              the spool provider writes there and every fake
#                              records there, so `login ... code` finds the
#                              code whichever provider delivered it
#   fake_start ID SCRIPT [ARG...]   start tests/fakes/SCRIPT on a free port
#                              with the test certificate, recording into
#                              $T_SPOOL; FAKE_PORT[ID], FAKE_PID[ID].
#                              Extra ARGs go to the fake (credentials,
#                              --cert/--key overrides come last and win)
#   fake_mode ID MODE          switch a fake (success|4xx|429|5xx|slow|
#                              redirect|close, or MODE:N)
#   fake_stat ID KEY           requests / accepted / auth_failures / mode
#   fake_stop ID / fake_stop_all    stop one / every fake this script
#                              started (fake_start stops an older ID)
#   write_secrets TEXT         $T_DIR/secrets (root, 0600)
#   prov_conf ORDER [DEFAULTS...]   the configuration: the spool provider
#                              plus $PROVIDERS (libconfig text of more
#                              provider groups), defaults.providers =
#                              ORDER (e.g. '"tw", "spool"'), secrets_file,
#                              generous limits, channels [$CHANNELS] (default
#                              "sms", "voice"), extra `key = value` lines
#   timed_login SVC USER ANSWER...   login, ELAPSED_MS = its duration
#   log_has RE / log_lacks S   the last login's module log (pam_wrapper's
#                              stderr, LOG_INFO and up) matches ERE RE /
#                              contains no fixed string S
#   delivery_outcome PROVIDER  the outcome= of the last login's delivery
#                              line for PROVIDER ("" when none)
#   inbox_count PREFIX         files named PREFIX* in the inbox
#   all_logs_lack S...         no captured module log of this environment
#                              contains any of the strings
#
# Scenario blocks shared by the scripts, parameterised by the provider
# under test, which each script names before calling them:
#   PROV        the provider's name in the configuration and the fake's ID
#   PROV_ENV    function NAME: a fresh environment NAME with the fake
#               started, the secrets written and the provider in $PROVIDERS
#   PROV_INBOX  the prefix of the files the fake records ("twilio-")
#   PHONE       the number to enrol
#
#   prov_setup NAME SECRETS GROUP SCRIPT [FAKE-ARG...]   prov_env NAME,
#                              the fake SCRIPT started as $PROV, SECRETS
#                              written, PROVIDERS = GROUP with "@PORT@"
#                              replaced by the fake's port, service test
#   prov_file                  the newest file the fake recorded
#   prov_sent_codes [spoken]   the first 6..10 digit run of the body of
#                              every file in the inbox, sorted, unique;
#                              "spoken" removes ", " first (voice codes)
#   prov_sms_login             SMS login through PROV alone: succeeds, one
#                              message recorded, nothing to spool (3 checks)
#   prov_voice_login [KEYS]    voice login through PROV alone: succeeds, a
#                              call recorded, digits spoken one by one (3)
#   prov_fail_alone MODE WANT [DETAIL-RE]   the fake answers MODE, PROV
#                              alone: classified WANT (DETAIL-RE in the
#                              log), login refused within the deadline
#                              (3 checks, 4 with DETAIL-RE)
#   prov_fail_over MODE        then with spool behind PROV: login succeeds
#   prov_slow_login            the fake answers too late: ambiguous (1)
#   prov_refused_login         nothing listens: temporary, failover (2)
#   prov_wrongca_login SCRIPT [FAKE-ARG...]   PROV pointed at a fake SCRIPT
#                              serving a certificate of another CA, with
#                              spool behind it; one login (no checks)
#   prov_scn_wrongca SCRIPT [FAKE-ARG...]   that login: temporary, nothing
#                              reached the rogue fake, failover (3 checks)
#   prov_scn_limit LABEL SHOWN DETAIL-RE   the fake allows one message per
#                              number: the second login is rate_limited
#                              (DETAIL-RE in the log) and fails over (4)
#   prov_scn_skew SECONDS ERROR   the module's clock SECONDS ahead: the fake
#                              refuses with ERROR, permanent, failover (3)
#   prov_scn_slow / prov_scn_refused / prov_scn_sendtest   whole scenarios
#   prov_scn_hygiene S...      SMS, voice, 429 with failover: three codes,
#                              none of them, nor the number or S..., in a log
#   prov_main ALL [SCENARIO...]   run the scenarios (default: the words
#                              of ALL), each then fake_stop_all; TAP plan
# pam_wrapper prints syslog lines on stderr with PAM_WRAPPER_DEBUGLEVEL=2.

declare -A FAKE_PORT FAKE_PID
export PAM_WRAPPER_DEBUGLEVEL=2
# ... and only when pam_wrapper does not hand them to syslog (tap.sh's
# capture into $T_DIR/syslog): these tests read each login's own stderr.
export PVA_WRAPPER_USE_SYSLOG=0

prov_init() {
	pamenv_init || return 1
	CERTS=$(mktemp -d "${TMPDIR:-/tmp}/pva-certs.XXXXXX") || return 1
	TAP_DIRS+=("$CERTS")
	if ! "$ROOT/tests/fakes/mkca.sh" "$CERTS"; then
		PAMENV_SKIP="tests/fakes/mkca.sh failed (openssl missing?)"
		return 1
	fi
	cat "$CERTS/ca.pem" "$CERTS/rogue-ca.pem" > "$CERTS/both.pem"
	trap fake_stop_all EXIT
}

prov_env() {
	new_env "$1" || return 1
	PROVIDERS=
}

fake_start() {
	local id=$1 script=$2
	shift 2
	fake_stop "$id"
	fake_launch "$id" 100 /usr/bin/python3 "$ROOT/tests/fakes/$script" \
		--cert "$CERTS/server.pem" --key "$CERTS/server.key" --record "$T_SPOOL" "$@"
}

fake_curl() {
	curl -s --noproxy '*' --max-time 5 --cacert "$CERTS/both.pem" "$@"
}

fake_mode() {
	[ "$(fake_curl -d "$2" "https://127.0.0.1:${FAKE_PORT[$1]}/__mode")" = ok ]
}

fake_stat() {
	fake_curl "https://127.0.0.1:${FAKE_PORT[$1]}/__stats" |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

fake_stop() {
	[ -n "${FAKE_PID[$1]:-}" ] || return 0
	kill "${FAKE_PID[$1]}" 2> /dev/null && wait "${FAKE_PID[$1]}" 2> /dev/null
	unset "FAKE_PID[$1]"
	return 0
}

fake_stop_all() {
	local id
	for id in "${!FAKE_PID[@]}"; do
		fake_stop "$id"
	done
	return 0
}

write_secrets() {
	(umask 077 && printf '%s\n' "$1" > "$T_DIR/secrets")
}

prov_conf() {
	local order=$1 kv
	shift
	(
		umask 077
		{
			echo "state_dir = \"$T_STATE\";"
			echo "host_key = \"$T_STATE/host.key\";"
			echo "secrets_file = \"$T_DIR/secrets\";"
			echo "providers = {"
			echo "  spool = { type = \"spool\"; dir = \"$T_SPOOL\"; };"
			echo "$PROVIDERS"
			echo "};"
			echo "defaults = {"
			echo "  providers = [$order];"
			echo "  channels = [${CHANNELS:-\"sms\", \"voice\"}];"
			echo "  code_ttl = 300; max_attempts = 3; resend_cooldown = 0;"
			echo "  max_sends_per_hour = 100; lockout_after = 100;"
			echo "  failmode = \"secure\"; unenrolled = \"deny\";"
			echo "  require_consent = false;"
			for kv in "$@"; do
				echo "  $kv;"
			done
			echo "};"
			echo "services = { test = { }; };"
		} > "$T_CONF.tmp"
		mv -f "$T_CONF.tmp" "$T_CONF"
	)
	{ echo "## config:"; cat "$T_CONF"; } >> "$T_DIR/transcript"
}

timed_login() {
	local t0 t1
	t0=$(date +%s%N)
	login "$@"
	t1=$(date +%s%N)
	ELAPSED_MS=$(((t1 - t0) / 1000000))
	echo "## login took ${ELAPSED_MS} ms" >> "$T_DIR/transcript"
}

log_has() {
	grep -qE -- "$1" "$OUT.err"
}

log_lacks() {
	! grep -qF -- "$1" "$OUT.err"
}

delivery_outcome() {
	sed -nE "s/.*event=delivery .*provider=$1 outcome=([a-z_]+).*/\\1/p" "$OUT.err" |
		tail -n 1
}

inbox_count() {
	find "$T_SPOOL" -maxdepth 1 -type f -name "$1*" | wc -l
}

all_logs_lack() {
	local s
	for s in "$@"; do
		if grep -qF -- "$s" "$T_DIR"/login.*.err 2> /dev/null; then
			grep -hF -- "$s" "$T_DIR"/login.*.err | head -n 3 | tap_diag
			return 1
		fi
	done
	return 0
}

prov_setup() {
	local name=$1 secrets=$2 group=$3 script=$4
	shift 4
	prov_env "$name" || return 1
	fake_start "$PROV" "$script" "$@" || return 1
	write_secrets "$secrets"
	PROVIDERS=${group//@PORT@/${FAKE_PORT[$PROV]}}
	svc test
}

prov_file() {
	find "$T_SPOOL" -maxdepth 1 -name "$PROV_INBOX*" | sort | tail -n 1
}

prov_sent_codes() {
	local f join=
	[ "${1:-}" != spoken ] || join='s/, //g'
	for f in "$T_SPOOL"/*; do
		sed '1,/^$/d' "$f" | sed "$join" | grep -oE '[0-9]{6,10}' | head -n 1
	done | sort -u
}

prov_sms_login() {
	"$PROV_ENV" sms
	prov_conf "\"$PROV\""
	enrol daemon "$PHONE"
	timed_login test daemon code
	check "sms: login with the code from the fake succeeds" result_is PAM_SUCCESS
	check "sms: the fake recorded exactly one message" test "$(inbox_count "$PROV_INBOX")" = 1
	check "sms: nothing went to the spool provider" test "$(inbox_count privauth-)" = 0
}

prov_voice_login() {
	"$PROV_ENV" voice "$@"
	prov_conf "\"$PROV\""
	ctl user set daemon --phone "$PHONE" --channel voice
	login test daemon code
	check "voice: login with the spoken code succeeds" result_is PAM_SUCCESS
	check "voice: the fake recorded a call (Voicecall: yes)" grep -q '^Voicecall: yes$' "$(prov_file)"
	check "voice: the spoken text reads the digits one by one" \
		grep -qE '([0-9], ){5,}[0-9]' "$(prov_file)"
}

prov_fail_alone() {
	local mode=$1 want=$2 detail=${3:-}
	"$PROV_ENV" "$mode"
	fake_mode "$PROV" "$mode"
	prov_conf "\"$PROV\"" 'delivery_timeout = 5'
	enrol daemon "$PHONE"
	timed_login test daemon =000000
	check "$mode: classified $want" test "$(delivery_outcome "$PROV")" = "$want"
	if [ -n "$detail" ]; then
		check "$mode: the detail says why ($detail)" log_has "$detail"
	fi
	check "$mode: failmode secure refuses the login (PAM_AUTHINFO_UNAVAIL)" \
		result_is PAM_AUTHINFO_UNAVAIL
	check "$mode: returned within the deadline (${ELAPSED_MS} ms < 6000)" \
		test "$ELAPSED_MS" -lt 6000
}

prov_fail_over() {
	prov_conf "\"$PROV\", \"spool\"" 'delivery_timeout = 5'
	ctl reset daemon
	login test daemon code
	check "$1: failover to the spool provider, login succeeds" result_is PAM_SUCCESS
}

prov_slow_login() {
	"$PROV_ENV" slow
	fake_mode "$PROV" slow
	prov_conf "\"$PROV\"" 'delivery_timeout = 5'
	enrol daemon "$PHONE"
	timed_login test daemon =000000
	check "slow: classified ambiguous" test "$(delivery_outcome "$PROV")" = ambiguous
}

prov_scn_slow() {
	prov_slow_login
	check "slow: the request reached the fake once (not repeated)" \
		test "$(fake_stat "$PROV" requests)" = 1
	check "slow: the login is not granted" result_is_not PAM_SUCCESS
	check "slow: waited timeout_ms (1500 ms) and no longer (${ELAPSED_MS} ms)" \
		test "$ELAPSED_MS" -ge 1400 -a "$ELAPSED_MS" -lt 4000
}

prov_refused_login() {
	"$PROV_ENV" refused
	fake_stop_all # its port is now closed
	prov_conf "\"$PROV\", \"spool\""
	enrol daemon "$PHONE"
	timed_login test daemon code
	check "refused: connection refused is temporary" \
		test "$(delivery_outcome "$PROV")" = temporary
	check "refused: failover to spool, login succeeds" result_is PAM_SUCCESS
}

prov_scn_refused() {
	prov_refused_login
	check "refused: quick (${ELAPSED_MS} ms < 3000)" test "$ELAPSED_MS" -lt 3000
}

prov_wrongca_login() {
	local script=$1
	shift
	"$PROV_ENV" wrongca
	fake_start rogue "$script" "$@" --cert "$CERTS/rogue.pem" --key "$CERTS/rogue.key"
	PROVIDERS=${PROVIDERS//127.0.0.1:${FAKE_PORT[$PROV]}/127.0.0.1:${FAKE_PORT[rogue]}}
	prov_conf "\"$PROV\", \"spool\""
	enrol daemon "$PHONE"
	login test daemon code
}

prov_scn_wrongca() {
	prov_wrongca_login "$@"
	check "wrong CA: classified temporary (not sent)" \
		test "$(delivery_outcome "$PROV")" = temporary
	check "wrong CA: no request reached the rogue server" test "$(fake_stat rogue requests)" = 0
	check "wrong CA: failover to spool, login succeeds" result_is PAM_SUCCESS
}

prov_scn_limit() {
	local label=$1 shown=$2 detail=$3
	"$PROV_ENV" limit "" --per-number-limit 1
	prov_conf "\"$PROV\", \"spool\""
	enrol daemon "$PHONE"
	login test daemon code
	check "$label: first code through ${PROV_INBOX%-}" test "$(inbox_count "$PROV_INBOX")" = 1
	login test daemon code
	check "$label: $shown is rate_limited" test "$(delivery_outcome "$PROV")" = rate_limited
	check "$label: the vendor code is in the detail" log_has "$detail"
	check "$label: failover to spool, login succeeds" result_is PAM_SUCCESS
}

prov_scn_skew() {
	"$PROV_ENV" skew
	prov_conf "\"$PROV\", \"spool\""
	enrol daemon "$PHONE"
	OFFSET=$1 login test daemon code
	check "clock skew: $2 from the fake" log_has "$2"
	check "clock skew: classified permanent" test "$(delivery_outcome "$PROV")" = permanent
	check "clock skew: failover to spool, login succeeds" result_is PAM_SUCCESS
}

# privauthctl send-test through the provider, SMS then voice.
prov_scn_sendtest() {
	"$PROV_ENV" sendtest
	prov_conf "\"$PROV\""
	enrol daemon "$PHONE"
	ctl send-test daemon
	check "send-test: exit 0" ctl_ok
	check "send-test: the attempt is printed as sent by $PROV" \
		grep -qE "provider=$PROV channel=sms outcome=sent" "$CTL_OUT"
	check "send-test: the fake recorded the template message" \
		test "$(inbox_count "$PROV_INBOX")" = 1
	ctl send-test daemon --channel voice
	check "send-test --channel voice: sent as a call" \
		grep -qE "provider=$PROV channel=voice outcome=sent" "$CTL_OUT"
}

# Every log line of the script's logins: no code, no full number, no secret.
prov_scn_hygiene() {
	local codes
	"$PROV_ENV" hygiene
	prov_conf "\"$PROV\""
	enrol daemon "$PHONE"
	login test daemon code
	ctl user set daemon --phone "$PHONE" --channel voice
	login test daemon code
	fake_mode "$PROV" 429
	prov_conf "\"$PROV\", \"spool\""
	login test daemon code
	codes=$(prov_sent_codes spoken)
	check "hygiene: three codes were delivered" test "$(echo "$codes" | wc -w)" = 3
	# shellcheck disable=SC2086  # one argument per code
	check "hygiene: no code, full number or credential in any log line" \
		all_logs_lack $codes "${PHONE#+}" "$@"
}

prov_main() {
	local all=$1 s
	shift
	if ! prov_init; then
		tap_not_ok "module, tools and certificates are ready: $PAMENV_SKIP"
		tap_done
		exit 1
	fi
	# shellcheck disable=SC2086  # word splitting of the list is intended
	[ $# -gt 0 ] || set -- $all
	for s in "$@"; do
		"scn_$s"
		fake_stop_all
	done
	tap_done
}
