#!/bin/bash
# chauthtok_test.sh - pam_sm_chauthtok driven through libpam by pam_wrapper.
#
# pam_harness --chauthtok runs pam_chauthtok() once (PRELIM and UPDATE
# passes) and answers the prompts; pam_wrapper's pam_get_items.so after
# the module exports PAM_AUTHTOK so the harness can show the token that
# was handed on ("AUTHTOK: ...").  pam_set_items.so before the module
# plays an earlier module (use_authtok, try_first_pass, the old password).
# The harness runs as root, so the scenarios set enforce_for_root = true
# unless they test root's behaviour.  Output is TAP.
#
#   BUILD=build tests/pam/chauthtok_test.sh [SCENARIO...]
# shellcheck disable=SC2016  # the eval'd checks expand when they run
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"

STRONG='Gx7vTq2-Lmb9-Rwz4'
STRONG2='Hp4wNc8-Zdk3-Vys6'
WEAK=password

# chsvc NAME [MODULE-ARG...]: a password stack: [pam_set_items], the module,
# pam_get_items.  SET_ITEMS=1 puts pam_set_items.so first.
chsvc() {
	local name=$1 lines=()
	shift
	[ "${SET_ITEMS:-0}" = 1 ] &&
		lines+=("password required $PWRAP_MODS/pam_set_items.so")
	svc_raw "$name" "${lines[@]}" \
		"password requisite $MODULE conf=$T_CONF debug $*" \
		"password required $PWRAP_MODS/pam_get_items.so"
}

# chpw SERVICE USER ANSWER...: one pam_chauthtok call (OUT, HRC).
chpw() {
	local svcname=$1 user=$2
	shift 2
	LOGIN_N=$((LOGIN_N + 1))
	OUT=$T_DIR/chpw.$LOGIN_N
	pam_run "$OUT" "$OUT.err" --chauthtok --service "$svcname" --user "$user" "$@"
	HRC=$?
	{
		echo "## chauthtok #$LOGIN_N service=$svcname user=$user answers: $*"
		cat "$OUT"
		head -n 20 "$OUT.err" | sed 's/^/stderr: /'
		echo "## exit $HRC"
	} >> "$T_DIR/transcript"
}

authtok_is() {
	grep -qxF "AUTHTOK: $1" "$OUT"
}

errors_n() {
	grep -c '^ERROR: ' "$OUT"
}

# ---------------------------------------------------------------- scenarios

scn_weak_then_strong() {
	new_env weak
	write_conf enforce_for_root=true
	chsvc passwd
	chpw passwd daemon "=$WEAK" "=$STRONG" "=$STRONG"
	check "weak then strong: PAM_SUCCESS" result_is PAM_SUCCESS
	check "weak then strong: the weak one is explained (too short)" \
		error_has -i 'short|at least 12'
	check "weak then strong: three prompts (new, new, retype)" prompts_are 3
	check "weak then strong: first prompt is 'New password: '" \
		grep -qx 'PROMPT: New password: ' "$OUT"
	check "weak then strong: retype prompt" grep -qx 'PROMPT: Retype new password: ' "$OUT"
	check "weak then strong: the strong password is handed on as PAM_AUTHTOK" \
		authtok_is "$STRONG"
	chpw passwd daemon "=$STRONG" "=$STRONG"
	check "strong at once: PAM_SUCCESS without any message" \
		eval 'result_is PAM_SUCCESS && ! has_error && authtok_is "$STRONG"'
}

scn_mismatch() {
	new_env mismatch
	write_conf enforce_for_root=true
	chsvc passwd
	chpw passwd daemon "=$STRONG" "=$STRONG2" "=$STRONG" "=$STRONG"
	check "mismatch: reported" error_has 'do not match'
	check "mismatch: then accepted on the next try" result_is PAM_SUCCESS
	check "mismatch: the retyped one is handed on" authtok_is "$STRONG"
}

scn_retries() {
	new_env retries
	write_conf enforce_for_root=true retry=2
	chsvc passwd
	chpw passwd daemon "=$WEAK" "=$WEAK" "=$STRONG" "=$STRONG"
	check "retries exhausted: PAM_AUTHTOK_ERR" result_is PAM_AUTHTOK_ERR
	check "retries exhausted: exactly retry (2) prompts" prompts_are 2
	check "retries exhausted: says so" error_has 'Too many tries'
	check "retries exhausted: no token handed on" authtok_is '(unset)'
	chpw passwd daemon "=$STRONG" "=$STRONG2" "=$STRONG" "=$STRONG2"
	check "two mismatches exhaust retry=2 as well: PAM_AUTHTOK_ERR" \
		result_is PAM_AUTHTOK_ERR
	chpw passwd daemon
	check "no answers at all: the conversation error is not success" \
		result_is_not PAM_SUCCESS
}

scn_services() {
	local medium='Bx7kLm2pQ'
	new_env services
	CONF_SERVICES='passwd = { min_length = 16; require_other = true; retry = 1; };
		chpasswd = { min_length = 8; min_classes = 0; require_upper = false;
			     require_digit = false; retry = 1; };' \
		write_conf enforce_for_root=true
	chsvc passwd
	chsvc chpasswd
	chsvc other-svc
	chpw passwd daemon "=$medium" "=$medium"
	check "per-service: passwd (strict) refuses a 9-character password" \
		result_is PAM_AUTHTOK_ERR
	check "per-service: passwd explains it" has_error
	chpw chpasswd daemon "=$medium" "=$medium"
	check "per-service: chpasswd (lenient) accepts it" \
		eval 'result_is PAM_SUCCESS && authtok_is "$medium"'
	chpw other-svc daemon "=$medium" "=$medium" "=$medium" "=$medium" "=$medium" "=$medium"
	check "per-service: a service without a group uses the defaults (min 12: refused)" \
		result_is PAM_AUTHTOK_ERR
	chsvc mapped service=chpasswd
	chpw mapped daemon "=$medium" "=$medium"
	check "per-service: service=chpasswd argument selects the lenient settings" \
		result_is PAM_SUCCESS
}

scn_root() {
	new_env root
	write_conf
	chsvc passwd
	chpw passwd daemon "=$WEAK" "=$WEAK"
	check "root, enforce_for_root=false: weak password accepted" result_is PAM_SUCCESS
	check "root, enforce_for_root=false: the reasons are shown as warnings" \
		error_has '^Warning: '
	check "root, enforce_for_root=false: says why it is accepted" error_has 'root'
	check "root, enforce_for_root=false: the weak token is handed on" authtok_is "$WEAK"
	write_conf retry=1
	chpw passwd daemon --expired "=$WEAK" "=$WEAK"
	check "expired password changed at login (root process, PAM_CHANGE_EXPIRED_AUTHTOK): weak refused" \
		result_is PAM_AUTHTOK_ERR
	write_conf enforce_for_root=true retry=1
	chpw passwd daemon "=$WEAK" "=$WEAK"
	check "root, enforce_for_root=true: weak password refused" result_is PAM_AUTHTOK_ERR
	check "root, enforce_for_root=true: no warning wording" \
		eval '! error_has "^Warning: "'
	write_conf enforce_for_root=true warn_only=true
	chpw passwd daemon "=$WEAK" "=$WEAK"
	check "warn_only: weak password accepted with warnings" \
		eval 'result_is PAM_SUCCESS && error_has "^Warning: "'
	chpw passwd daemon "=" "=" "="
	check "root: an empty password is never accepted" result_is_not PAM_SUCCESS
}

scn_stacked() {
	new_env stacked
	write_conf enforce_for_root=true
	SET_ITEMS=1 chsvc passwd use_authtok
	PAM_AUTHTOK=$STRONG chpw passwd daemon
	check "use_authtok: a strong token from the earlier module passes, no prompt" \
		eval 'result_is PAM_SUCCESS && prompts_are 0 && authtok_is "$STRONG"'
	PAM_AUTHTOK=$WEAK chpw passwd daemon "=$STRONG" "=$STRONG"
	check "use_authtok: a weak token is refused without prompting" \
		eval 'result_is PAM_AUTHTOK_ERR && prompts_are 0 && has_error'
	SET_ITEMS=0 chsvc passwd use_authtok
	chpw passwd daemon "=$STRONG" "=$STRONG"
	check "use_authtok without a token: refused, no prompt" \
		eval 'result_is PAM_AUTHTOK_ERR && prompts_are 0'
	SET_ITEMS=1 chsvc passwd try_first_pass
	PAM_AUTHTOK=$WEAK chpw passwd daemon "=$STRONG" "=$STRONG"
	check "try_first_pass: weak token refused, then prompted, strong accepted" \
		eval 'result_is PAM_SUCCESS && prompts_are 2 && authtok_is "$STRONG"'
}

scn_personal() {
	new_env personal
	write_conf enforce_for_root=true retry=1
	SET_ITEMS=1 chsvc passwd
	chpw passwd daemon '=Qz8-daemon-Vt4w' '=Qz8-daemon-Vt4w'
	check "user name inside the password: refused" result_is PAM_AUTHTOK_ERR
	PAM_OLDAUTHTOK=$STRONG chpw passwd daemon "=${STRONG%4}5" "=${STRONG%4}5"
	check "one character away from the old password (PAM_OLDAUTHTOK): refused" \
		result_is PAM_AUTHTOK_ERR
	PAM_OLDAUTHTOK=$STRONG chpw passwd daemon "=$STRONG2" "=$STRONG2"
	check "a new password unlike the old one: accepted" result_is PAM_SUCCESS
}

scn_badconf() {
	new_env badconf
	write_conf min_length=2000
	chsvc passwd
	chpw passwd daemon "=$STRONG" "=$STRONG"
	check "invalid policy key value: PAM_SERVICE_ERR (no change possible)" \
		result_is PAM_SERVICE_ERR
	check "invalid config: no prompt" prompts_are 0
	write_conf enforce_for_root=true
	chsvc passwd bogus_arg
	chpw passwd daemon "=$STRONG" "=$STRONG"
	check "unknown module argument: PAM_SERVICE_ERR" result_is PAM_SERVICE_ERR
}

ALL="weak_then_strong mismatch retries services root stacked personal badconf"

if ! pamenv_init; then
	tap_not_ok "module and test tools are built and usable: $PAMENV_SKIP"
	tap_done
	exit 1
fi
PWRAP_MODS=$(dirname "$PWRAP_LIB")/pam_wrapper
if [ ! -f "$PWRAP_MODS/pam_get_items.so" ]; then
	tap_not_ok "pam_wrapper's pam_get_items.so is installed ($PWRAP_MODS)"
	tap_done
	exit 1
fi
# shellcheck disable=SC2086  # word splitting of the list is intended
[ $# -gt 0 ] || set -- $ALL
for s in "$@"; do
	"scn_$s"
done
tap_done
