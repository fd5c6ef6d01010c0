#!/bin/bash
# valgrind_test.sh - the module under memcheck, through libpam and pam_wrapper.
#
# Runs pam_harness (which loads pam_privauth.so) for a successful login,
# three wrong codes and an unenrolled user under
#   valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
# and checks the expected PAM result, exit status 0 and
# "ERROR SUMMARY: 0 errors".  Output is TAP.
#
#   BUILD=build tests/pam/valgrind_test.sh
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"

SUPP=$ROOT/tests/pam/valgrind.supp

# One harness call under valgrind; sets OUT, HRC and VG_LOG.
vg_login() {
	local svcname=$1 user=$2
	shift 2
	LOGIN_N=$((LOGIN_N + 1))
	OUT=$T_DIR/login.$LOGIN_N
	VG_LOG=$T_DIR/valgrind.$LOGIN_N
	local supp=()
	[ -f "$SUPP" ] && supp=(--suppressions="$SUPP")
	env LD_PRELOAD="$PWRAP_LIB" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T_SVC" \
		PAM_WRAPPER_DISABLE_DEEPBIND=1 \
		timeout 300 valgrind -q --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		--error-exitcode=99 --num-callers=30 --keep-debuginfo=yes "${supp[@]}" --log-file="$VG_LOG" \
		"$HARNESS" --service "$svcname" --user "$user" --spool "$T_SPOOL" "$@" \
		> "$OUT" 2> "$OUT.err"
	HRC=$?
	{
		echo "## valgrind login #$LOGIN_N service=$svcname user=$user answers: $*"
		cat "$OUT"
		head -n 20 "$OUT.err" | sed 's/^/stderr: /'
		echo "## exit $HRC"
	} >> "$T_DIR/transcript"
}

# -q prints nothing on a clean run; ask valgrind for the summary line too.
vg_clean() {
	[ "$HRC" = 0 ] && ! grep -q 'ERROR SUMMARY: [1-9]' "$VG_LOG" &&
		! grep -qE '(definitely|indirectly) lost: [1-9]' "$VG_LOG"
}

vg_check() {
	local name=$1
	shift
	if vg_clean && "$@"; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
		tail -n 15 "$T_DIR/transcript" | tap_diag
		head -n 80 "$VG_LOG" | tap_diag
	fi
}

if ! command -v valgrind > /dev/null; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi
if ! pamenv_init; then
	tap_not_ok "module and test tools are built and usable: $PAMENV_SKIP"
	tap_done
	exit 1
fi

if [ -n "$SAN_PRELOAD" ]; then
	echo "1..0 # SKIP sanitizer build (valgrind and ASan do not mix)"
	exit 0
fi

new_env valgrind
write_conf
svc test
enrol daemon +8613812345678

vg_login test daemon code
vg_check "valgrind: successful login is clean (PAM_SUCCESS, 0 errors, no leaks)" \
	result_is PAM_SUCCESS
vg_login test daemon wrong wrong wrong
vg_check "valgrind: three wrong codes are clean (PAM_MAXTRIES)" result_is PAM_MAXTRIES
vg_login test bin =123456
vg_check "valgrind: unenrolled user is clean (refused)" result_is_not PAM_SUCCESS
vg_login test nosuchuser_pva =123456
vg_check "valgrind: unknown user is clean (refused)" result_is_not PAM_SUCCESS
vg_login test daemon
vg_check "valgrind: conversation failure is clean (refused)" result_is_not PAM_SUCCESS
vg_login test daemon code
vg_check "valgrind: pending code reused is clean (PAM_SUCCESS)" result_is PAM_SUCCESS
write_conf providers='["broken"]'
vg_login test daemon =123456
vg_check "valgrind: failed delivery (command provider) is clean (PAM_AUTHINFO_UNAVAIL)" \
	result_is PAM_AUTHINFO_UNAVAIL
tap_done
