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
# pam_wrapper prints syslog lines on stderr with PAM_WRAPPER_DEBUGLEVEL=2.

declare -A FAKE_PORT FAKE_PID
export PAM_WRAPPER_DEBUGLEVEL=2

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
	local id=$1 script=$2 out port= i
	shift 2
	fake_stop "$id"
	out=$T_DIR/fake.$id.out
	/usr/bin/python3 "$ROOT/tests/fakes/$script" --cert "$CERTS/server.pem" \
		--key "$CERTS/server.key" --record "$T_SPOOL" "$@" \
		> "$out" 2> "$T_DIR/fake.$id.err" &
	FAKE_PID[$id]=$!
	for i in $(seq 1 100); do
		port=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$out")
		[ -n "$port" ] && break
		kill -0 "${FAKE_PID[$id]}" 2> /dev/null || break
		sleep 0.05
	done
	if [ -z "$port" ]; then
		tap_diag "fake $id did not start:" < "$T_DIR/fake.$id.err"
		return 1
	fi
	FAKE_PORT[$id]=$port
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
