#!/bin/bash
# run_policy_bench.sh - the password policy engine against libpwquality.
#
#   BUILD=build tests/bench/run_policy_bench.sh [REPS [PAM_COUNT]]
#                                      (default REPS = 3, PAM_COUNT = 1000)
#
# Builds the corpus (tests/bench/mkcorpus.py: 1,000 passwords, fixed seed,
# from john-data's password.lst and wamerican's word list), then runs
# bench_policy once; in that one process:
#   - per check: pva_policy_check (default policy, built-in blocklist)
#     against pwquality_check (Debian's defaults: /etc/security/pwquality.conf,
#     cracklib's dictionary), REPS passes over the corpus in interleaved
#     blocks, user name given to both: median, p99, mean and the ratios;
#   - what each accepts per corpus category, refusals over the whole of
#     password.lst, and the worst case for 256-byte inputs;
#   - PAM_COUNT whole transactions (pam_start + pam_chauthtok + pam_end)
#     per stack under pam_wrapper, interleaved:
#       password requisite <build>/pam_privauth.so conf=...
#       password required  pam_permit.so
#     against
#       password requisite pam_pwquality.so retry=3     (Debian's line)
#       password required  pam_permit.so
#     and, as the floor of a transaction, pam_permit.so alone.
#     The conversation answers both prompts with a strong password that
#     both engines accept.  Skipped, with a line saying so, when the module
#     has no pam_sm_chauthtok or pam_pwquality.so is not installed.
# The transactions run as root for an existing user (BENCH_USER, default
# nobody): both modules then check fully but only warn about a weak
# password (neither enforce_for_root is set); the answer is strong, and
# bench_policy counts any error message shown as a failed transaction.
# Nothing outside one temp directory (BENCH_DIR to choose its parent) is
# written; it is removed at the end.  Needs python3, john-data, wamerican,
# libpwquality with cracklib-runtime's dictionary, pam_wrapper for the PAM
# half.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
REPS=${1:-3}
PAM_COUNT=${2:-1000}
BENCH=$BUILD/tests/bench_policy
MODULE=$BUILD/pam_privauth.so
PYTHON=/usr/bin/python3
COMMON=/usr/share/john/password.lst
WORDS=/usr/share/dict/words
USER_NAME=${BENCH_USER:-nobody}
PWRAP_LIB=${PWRAP_LIB:-$(pkg-config --libs pam_wrapper 2> /dev/null | tr -d " ")}
PAMLIB=/lib/$(gcc -print-multiarch 2> /dev/null)/security

case $REPS$PAM_COUNT in '' | *[!0-9]*) echo "usage: $0 [REPS [PAM_COUNT]]" >&2; exit 2 ;; esac
for f in "$BENCH" "$PYTHON" "$COMMON" "$WORDS"; do
	if [ ! -f "$f" ]; then
		echo "run_policy_bench: missing $f (make BUILD=$BUILD $BENCH; tests/deps.sh)" >&2
		exit 1
	fi
done
if ! ls /var/cache/cracklib/cracklib_dict.pwd > /dev/null 2>&1; then
	echo "run_policy_bench: no cracklib dictionary (cracklib-runtime):" \
		"pwquality would refuse every password" >&2
	exit 1
fi
if ! getent passwd "$USER_NAME" > /dev/null; then
	echo "run_policy_bench: no user $USER_NAME (BENCH_USER)" >&2
	exit 1
fi

D=$(mktemp -d "${BENCH_DIR:-/tmp}/pva-pwbench.XXXXXX")
trap 'rm -rf -- "$D"' EXIT
trap 'exit 130' INT TERM
chmod 0700 "$D"
"$PYTHON" "$ROOT/tests/bench/mkcorpus.py" "$D/corpus.tsv" --common "$COMMON" --words "$WORDS"

ARGS=(--corpus "$D/corpus.tsv" --user "$USER_NAME" --reps "$REPS" --common-list "$COMMON")
PAM_OK=1
why=
if [ ! -f "$MODULE" ]; then
	why="no $MODULE"
elif ! nm -D --defined-only "$MODULE" 2> /dev/null | grep -q ' pam_sm_chauthtok$'; then
	why="$MODULE has no pam_sm_chauthtok yet"
elif [ ! -f "$PAMLIB/pam_pwquality.so" ]; then
	why="pam_pwquality.so is not installed (libpam-pwquality)"
elif [ ! -f "$PWRAP_LIB" ]; then
	why="pam_wrapper is not installed"
fi
[ -z "$why" ] || PAM_OK=0

if [ "$PAM_OK" = 1 ]; then
	mkdir -m 0700 "$D/state" "$D/spool" "$D/pam.d"
	# The module's configuration: the spool provider (unused by a password
	# change), the policy left at its defaults.
	(
		umask 077
		cat > "$D/privauth.conf" <<- EOF
			state_dir = "$D/state";
			host_key = "$D/state/host.key";
			providers = { spool = { type = "spool"; dir = "$D/spool"; }; };
			defaults = { providers = ["spool"]; };
		EOF
	)
	printf 'password requisite %s conf=%s\npassword required pam_permit.so\n' \
		"$MODULE" "$D/privauth.conf" > "$D/pam.d/bench-privauth"
	printf 'password requisite pam_pwquality.so retry=3\npassword required pam_permit.so\n' \
		> "$D/pam.d/bench-pwquality"
	echo "password required pam_permit.so" > "$D/pam.d/bench-baseline"
	echo "password required pam_deny.so" > "$D/pam.d/other"
	ARGS+=(--svc-privauth bench-privauth --svc-pwquality bench-pwquality
		--svc-baseline bench-baseline --pam-count "$PAM_COUNT")
	# SAN=1 builds need the sanitizer runtime first in LD_PRELOAD.
	SAN_PRELOAD=$(ldd "$BENCH" 2> /dev/null | awk '/libasan/ { print $3 ":" }')
	[ -z "$SAN_PRELOAD" ] || export PAM_WRAPPER_DISABLE_DEEPBIND=1
	echo "running bench_policy: $REPS passes per check, $PAM_COUNT PAM transactions per stack..." >&2
	env LD_PRELOAD="$SAN_PRELOAD$PWRAP_LIB" PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$D/pam.d" "$BENCH" "${ARGS[@]}"
else
	echo "running bench_policy: $REPS passes per check; PAM half skipped: $why" >&2
	"$BENCH" "${ARGS[@]}"
	echo
	echo "whole PAM transactions: not run ($why)"
fi
