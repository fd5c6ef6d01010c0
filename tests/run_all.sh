#!/bin/bash
# tests/run_all.sh - every test suite of pam_privauth, as `make check` runs it.
# Builds normally and under ASan+UBSan, runs each suite (they speak TAP),
# and ends with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
LOGDIR=$ROOT/build/test-logs
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
PASS=0 FAIL=0
export CMOCKA_MESSAGE_OUTPUT=TAP

# run_tap NAME CMD...: run one suite, count its "ok"/"not ok" lines.
run_tap() {
	local name=$1; shift
	local log="$LOGDIR/$name.log" rc p f
	echo "== $name"
	"$@" >"$log" 2>&1; rc=$?
	p=$(grep -cE '^ok [0-9]+' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	grep -E '^(not ok|# )' "$log" | head -40
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc (see $log)"; tail -20 "$log"
		f=1
	fi
	echo "   $name: $p passed, $f failed"
	PASS=$((PASS + p)); FAIL=$((FAIL + f))
}

build() {
	local dir=$1; shift
	if ! make -s BUILD="$dir" WERROR=1 "$@" all unit tools >"$LOGDIR/build-$(basename "$dir").log" 2>&1; then
		echo "not ok - build $dir failed"; tail -30 "$LOGDIR/build-$(basename "$dir").log"
		FAIL=$((FAIL + 1)); return 1
	fi
	echo "ok - build $dir"; PASS=$((PASS + 1))
}

suites() {
	local dir=$1 t
	for t in "$dir"/tests/test_*; do
		[ -x "$t" ] && run_tap "$(basename "$dir")-$(basename "$t")" "$t"
	done
	for t in tests/pam/module_test.sh tests/pam/privacy_test.sh tests/pam/chauthtok_test.sh tests/routing/routing_test.sh tests/policy/checkpw_test.sh tests/i18n/lang_test.sh tests/remind/remind_test.sh tests/privacy/rights_test.sh tests/privacy/leak_test.sh; do
		run_tap "$(basename "$dir")-$(basename "$t" .sh)" env BUILD="$dir" "$t"
	done
}

if build build; then
	suites build
	run_tap build-properties env BUILD=build tests/build/exports_test.sh
	run_tap po-catalog tests/i18n/po_test.sh
	run_tap man-pages tests/docs/docs_test.sh
	run_tap valgrind env BUILD=build tests/pam/valgrind_test.sh
	run_tap sshd-login env BUILD=build tests/integration/sshd_login_test.sh
	run_tap passwd-change env BUILD=build tests/integration/passwd_test.sh
	for t in tests/providers/*_test.sh; do
		run_tap "providers-$(basename "$t" .sh)" env BUILD=build "$t"
	done
	run_tap fuzz env FUZZ_SECONDS=${FUZZ_SECONDS:-20} tests/fuzz/run_fuzz.sh
fi
# The same unit and module suites under AddressSanitizer + UBSan.
export ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if build build/asan SAN=1; then
	suites build/asan
fi
# Packages (make deb, make rpm, lintian, rpmlint), then the .deb in a
# debootstrap'ed bookworm container: ssh and login with real clients,
# purge (tests/containers/; the root filesystem is cached in build/).
run_tap packages env BUILD=build tests/containers/package_test.sh
run_tap container-login env BUILD=build tests/containers/container_login_test.sh

echo
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
