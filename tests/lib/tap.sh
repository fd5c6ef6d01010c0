# tap.sh - small TAP helpers for the shell test scripts (source it).
#
#   tap_ok NAME / tap_not_ok NAME     one result line, numbered
#   tap_check NAME CMD...             ok when CMD succeeds
#   tap_diag TEXT...                  "# " diagnostic lines (stdin if no args)
#   tap_skip NAME REASON              "ok N - NAME # SKIP REASON"
#   tap_done                          "1..N" and the exit status (0 = all ok)
#   tap_mkenv [NAME]                  a fresh temp environment, see below
#   tap_cleanup                       removes every environment made
#
# tap_mkenv creates a private directory (mode 0700, under $TMPDIR or /tmp)
# and sets:
#   T_DIR    the directory
#   T_CONF   T_DIR/privauth.conf (path only; the test writes it)
#   T_SPOOL  T_DIR/spool         (0700)
#   T_STATE  T_DIR/state         (0700, root)
#   T_SVC    T_DIR/pam.d: a pam_wrapper service directory holding an
#            `other` file that denies everything
# Directories are removed by tap_cleanup, which tap_done calls unless
# TAP_KEEP=1 (keeps them for a post-mortem).

TAP_N=0
TAP_FAILED=0
TAP_DIRS=()

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

tap_not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# shellcheck disable=SC2120  # called with arguments or with stdin
tap_diag() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" | sed 's/^/# /'
	else
		sed 's/^/# /'
	fi
}

tap_check() {
	local name=$1
	shift
	if "$@"; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
	fi
}

tap_mkenv() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/pva-${1:-test}.XXXXXX") || return 1
	chmod 0700 "$d"
	TAP_DIRS+=("$d")
	T_DIR=$d
	T_CONF=$d/privauth.conf
	T_SPOOL=$d/spool
	T_STATE=$d/state
	T_SVC=$d/pam.d
	mkdir -m 0700 "$T_SPOOL" "$T_STATE" "$T_SVC" || return 1
	echo "auth required pam_deny.so" > "$T_SVC/other"
}

tap_cleanup() {
	local d
	[ "${TAP_KEEP:-0}" = 1 ] && return 0
	for d in "${TAP_DIRS[@]}"; do
		case $d in
		/*/pva-*) rm -rf -- "$d" ;;
		esac
	done
	TAP_DIRS=()
}

tap_done() {
	echo "1..$TAP_N"
	tap_cleanup
	[ "$TAP_FAILED" -eq 0 ]
}

# ------------------------------------------------------------------------
# pam_wrapper helpers shared by tests/pam/*.sh (need bash and root).
#
#   pamenv_isolate "$0" "$@"   re-run in a private /tmp (see below)
#   pamenv_init        find the module and tools under $BUILD (default
#                      ROOT/build); non-zero with PAMENV_SKIP set when
#                      something is missing
#   new_env NAME       tap_mkenv + a fresh transcript
#   write_conf [KEY=VALUE...]   the standard test configuration, KEY=VALUE
#                      overriding `defaults` keys (values in libconfig
#                      syntax); CONF_EXTRA adds top-level text,
#                      CONF_SERVICES replaces the services group body
#   svc NAME [ARG...]  service file: auth required MODULE conf=T_CONF debug ARG...
#   svc_raw NAME LINE...        service file with the given lines
#   ctl ARG...         privauthctl --conf T_CONF ARG... (CTL_OUT, CTL_RC)
#   enrol USER PHONE   privauthctl user set USER --phone PHONE
#   login SVC USER ANSWER...    one pam_harness call (OUT, HRC); the fake
#                      clock starts at $OFFSET seconds (default 0)
#   login_bg TAG SVC USER ANSWER...   the same in the background, output
#                      in T_DIR/bg.TAG
#   check NAME CMD...  TAP line; on failure the transcript tail as "# "
# Predicates on the last login: result_is, result_is_not, result_in,
# prompt_has RE, error_has [-i] RE, has_error, prompts_are N, ran_ok;
# on two login outputs: same_dialogue A B (shown_phone A prints the
# masked number); on the spool: spool_n, spool_is N, spool_body_has S,
# spool_body_lacks S; on the CLI: ctl_ok, status_num KEY.

# Re-run the calling script ("$0" "$@") in a private mount namespace with
# its own tmpfs on /tmp.  pam_wrapper makes one /tmp/pam.X directory per
# process (only 62 names exist, and a killed process leaves its directory
# behind), so parallel logins and stale directories from other runs must
# not share /tmp.  No-op when already inside, when TAP_KEEP=1 (the temp
# directories must survive), when ROOT or BUILD is under /tmp (it would be
# hidden), or without unshare.
pamenv_isolate() {
	[ -n "${PVA_IN_NS:-}" ] && return 0
	[ "${TAP_KEEP:-0}" = 1 ] && return 0
	case "$ROOT/ ${BUILD:-}/" in /tmp/* | *" /tmp/"*) return 0 ;; esac
	unshare -m --propagation private true 2> /dev/null || return 0
	PVA_IN_NS=1 exec unshare -m --propagation private bash -c \
		'mount -t tmpfs -o mode=1777 pva-tmp /tmp; exec "$@"' pva bash "$@"
}

# shellcheck disable=SC2034  # PAMENV_SKIP and the paths are for the caller
pamenv_init() {
	BUILD=${BUILD:-$ROOT/build}
	case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
	MODULE=$BUILD/pam_privauth.so
	CLI=$BUILD/privauthctl
	HARNESS=$BUILD/tests/pam_harness
	FAKETIME=$BUILD/tests/faketime.so
	# every scenario's syslog lines go to $T_DIR/syslog (tests/pam/syslogcap.c)
	SYSLOGCAP=$BUILD/tests/syslogcap.so
	SYSLOGCAP_PRELOAD=
	[ -f "$SYSLOGCAP" ] && SYSLOGCAP_PRELOAD=:$SYSLOGCAP
	PWRAP_LIB=${PWRAP_LIB:-$(pkg-config --libs pam_wrapper 2>/dev/null | tr -d " ")}
	local f
	for f in "$MODULE" "$CLI" "$HARNESS" "$FAKETIME" "$PWRAP_LIB"; do
		if [ ! -f "$f" ]; then
			PAMENV_SKIP="missing ${f:-libpam_wrapper.so} (make BUILD=$BUILD all tools)"
			return 1
		fi
	done
	# SAN=1 builds: the sanitizer runtime must come first in LD_PRELOAD,
	# and pam_wrapper's RTLD_DEEPBIND does not mix with it.
	SAN_PRELOAD=$(ldd "$HARNESS" 2> /dev/null | awk '/libasan/ { print $3 ":" }')
	if [ -n "$SAN_PRELOAD" ]; then
		export PAM_WRAPPER_DISABLE_DEEPBIND=1
	fi
	if [ "$(id -u)" != 0 ]; then
		PAMENV_SKIP="needs root"
		return 1
	fi
}

new_env() {
	tap_mkenv "$1" || return 1
	LOGIN_N=0
	OUT=/dev/null
	HRC=0
	: > "$T_DIR/transcript"
}

write_conf() {
	local keys=(providers code_ttl max_attempts resend_cooldown max_sends_per_hour
		    lockout_after lockout_time failmode unenrolled require_consent)
	# require_consent is off here: these scenarios are about the code;
	# tests/pam/privacy_test.sh turns it on (require_consent=true).
	local -A v=([providers]='["spool"]' [code_ttl]=300 [max_attempts]=3
		    [resend_cooldown]=30 [max_sends_per_hour]=5 [lockout_after]=5
		    [lockout_time]=900 [failmode]='"secure"' [unenrolled]='"deny"'
		    [require_consent]=false)
	local services='login = { code_ttl = 120; }; sshd = { code_ttl = 600; };'
	local kv k
	[ -n "${CONF_SERVICES+x}" ] && services=$CONF_SERVICES
	for kv in "$@"; do
		k=${kv%%=*}
		[ -n "${v[$k]+x}" ] || keys+=("$k")
		v[$k]=${kv#*=}
	done
	(
		umask 077
		{
			echo "state_dir = \"$T_STATE\";"
			echo "host_key = \"$T_STATE/host.key\";"
			echo "providers = {"
			echo "  spool = { type = \"spool\"; dir = \"$T_SPOOL\"; };"
			echo "  broken = { type = \"command\"; argv = [\"/bin/false\"]; };"
			echo "};"
			echo "defaults = {"
			for k in "${keys[@]}"; do
				echo "  $k = ${v[$k]};"
			done
			echo "};"
			echo "services = { $services };"
			echo "${CONF_EXTRA:-}"
		} > "$T_CONF.tmp"
		mv -f "$T_CONF.tmp" "$T_CONF"
	)
	{ echo "## config:"; cat "$T_CONF"; } >> "$T_DIR/transcript"
}

svc_raw() {
	local name=$1
	shift
	printf '%s\n' "$@" > "$T_SVC/$name"
}

svc() {
	local name=$1
	shift
	svc_raw "$name" "auth required $MODULE conf=$T_CONF debug $*"
}

ctl() {
	CTL_OUT=$T_DIR/ctl.out
	env LD_PRELOAD="$SAN_PRELOAD$FAKETIME${SYSLOGCAP_PRELOAD:-}" \
		PVA_SYSLOG_FILE="$T_DIR/syslog" PVA_FAKETIME_OFFSET="${OFFSET:-0}" \
		timeout 60 "$CLI" --conf "$T_CONF" "$@" > "$CTL_OUT" 2>&1
	CTL_RC=$?
	{
		echo "## privauthctl $* (offset ${OFFSET:-0}) -> exit $CTL_RC"
		cat "$CTL_OUT"
	} >> "$T_DIR/transcript"
	return $CTL_RC
}

ctl_ok() {
	[ "$CTL_RC" = 0 ]
}

enrol() {
	ctl user set "$1" --phone "$2"
}

# pam_run OUT ERR HARNESS-ARG...: one harness call, stdout to OUT, stderr
# to ERR ("-" = OUT too).  pam_wrapper names its per-process directory
# /tmp/pam.X with a single random character.  When that name exists it
# complains and mostly carries on with the existing directory (the login
# runs: never retry that), but when it finds no free name at all the
# process ends before pam_start (no RESULT line): only that is retried.
pam_run() {
	local out=$1 err=$2 try rc
	shift 2
	[ "$err" = - ] && err=$out
	for try in 1 2 3 4 5 6 7 8; do
		[ "$try" -gt 1 ] && sleep "0.$((RANDOM % 10))"
		if [ "$err" = "$out" ]; then
			run_harness "$@" > "$out" 2>&1
		else
			run_harness "$@" > "$out" 2> "$err"
		fi
		rc=$?
		grep -q '^RESULT: ' "$out" && break
		grep -q 'pwrap_init: Failed' "$err" || break
	done
	return $rc
}

run_harness() {
	env LD_PRELOAD="$SAN_PRELOAD$PWRAP_LIB:$FAKETIME${SYSLOGCAP_PRELOAD:-}" PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$T_SVC" PVA_SYSLOG_FILE="$T_DIR/syslog" \
		PAM_WRAPPER_USE_SYSLOG="${PVA_WRAPPER_USE_SYSLOG:-1}" \
		PVA_FAKETIME_OFFSET="${OFFSET:-0}" \
		timeout 60 "$HARNESS" "$@"
}

login() {
	local svcname=$1 user=$2
	shift 2
	LOGIN_N=$((LOGIN_N + 1))
	OUT=$T_DIR/login.$LOGIN_N
	pam_run "$OUT" "$OUT.err" --service "$svcname" --user "$user" \
		--spool "$T_SPOOL" "$@"
	HRC=$?
	{
		echo "## login #$LOGIN_N service=$svcname user=$user offset=${OFFSET:-0} answers: $*"
		cat "$OUT"
		head -n 20 "$OUT.err" | sed 's/^/stderr: /'
		echo "## exit $HRC, spool holds $(spool_n)"
	} >> "$T_DIR/transcript"
}

login_bg() {
	local tag=$1 svcname=$2 user=$3
	shift 3
	pam_run "$T_DIR/bg.$tag" - --service "$svcname" --user "$user" \
		--spool "$T_SPOOL" "$@" &
}

# fake_launch ID TRIES CMD...: start a loopback fake in the background
# (stdout $T_DIR/fake.ID.out, stderr .err) and wait up to TRIES x 50 ms for
# its "READY <port>" line; sets FAKE_PID[ID] and FAKE_PORT[ID] (associative
# arrays the caller declares).  1 when it did not start.
fake_launch() {
	local id=$1 tries=$2 out port= _
	shift 2
	out=$T_DIR/fake.$id.out
	"$@" > "$out" 2> "$T_DIR/fake.$id.err" &
	FAKE_PID[$id]=$!
	for _ in $(seq 1 "$tries"); do
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

check() {
	local name=$1
	shift
	if "$@"; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
		tail -n 40 "$T_DIR/transcript" | tap_diag
	fi
}

result_is() {
	grep -qx "RESULT: $1" "$OUT"
}

result_is_not() {
	grep -q '^RESULT: ' "$OUT" && ! grep -qx "RESULT: $1" "$OUT"
}

result_in() {
	local r
	for r in "$@"; do
		result_is "$r" && return 0
	done
	return 1
}

ran_ok() {
	[ "$HRC" = 0 ] && grep -q '^RESULT: ' "$OUT"
}

prompt_has() {
	sed -n 's/^PROMPT: //p' "$OUT" | grep -qE -- "$1"
}

error_has() {
	local flags=-qE
	if [ "$1" = -i ]; then
		flags=-qiE
		shift
	fi
	sed -n 's/^ERROR: //p' "$OUT" | grep $flags -- "$1"
}

has_error() {
	grep -q '^ERROR: ' "$OUT"
}

prompts_are() {
	[ "$(grep -c '^PROMPT: ' "$OUT")" = "$1" ]
}

spool_n() {
	find "$T_SPOOL" -maxdepth 1 -type f ! -name '.*' | wc -l
}

spool_is() {
	[ "$(spool_n)" = "$1" ]
}

# The first "KEY: number" or "KEY=number" value in the last ctl output
# (privauthctl status prints "failed_codes: N" and
# "pending: service=S ... attempts=N ...").
status_num() {
	sed -nE "s/(^|.*[[:space:]])$1[[:space:]]*[:=][[:space:]]*([0-9]+).*/\\2/p" \
		"$CTL_OUT" | head -n 1
}

# No spooled message body (text after the first blank line) contains $1.
spool_body_lacks() {
	! spool_body_has "$1"
}

# Some spooled message body contains $1 (fixed string).
spool_body_has() {
	local f
	while IFS= read -r -d '' f; do
		sed '1,/^$/d' "$f" | grep -qF -- "$1" && return 0
	done < <(find "$T_SPOOL" -maxdepth 1 -type f ! -name '.*' -print0)
	return 1
}

# Two logins (output files) showed the same dialogue and result once
# phone numbers are blanked out.
same_dialogue() {
	local a b
	a=$(sed -E 's/\+[0-9][0-9 *]*[0-9]/PHONE/g' "$1")
	b=$(sed -E 's/\+[0-9][0-9 *]*[0-9]/PHONE/g' "$2")
	[ -n "$a" ] && [ "$a" = "$b" ]
}

# The masked phone number shown in the first prompt of a login output.
shown_phone() {
	sed -nE 's/^PROMPT: .*(\+[0-9][0-9 *]*[0-9]).*/\1/p' "$1" | head -n 1
}
