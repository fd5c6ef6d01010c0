#!/bin/bash
# run_bench.sh - login latency of pam_privauth against pam_permit.
#
#   BUILD=build tests/bench/run_bench.sh [N]        (default N = 2000)
#
# Prepares a private environment and runs bench_login: N logins through
#   A: auth required pam_privauth.so conf=...   (spool provider)
#   B: auth required pam_permit.so
# interleaved in one process.  Stack A needs N distinct enrolled users that
# exist in the password database; instead of touching the host's
# /etc/passwd, the benchmark runs in a private mount namespace (unshare -m)
# where generated copies of /etc/passwd and /etc/group with the bench users
# are bind-mounted over the originals.  Everything lives in one temp
# directory (BENCH_DIR to choose its parent) removed at the end.
# Needs root, util-linux unshare and pam_wrapper.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${1:-2000}
PREFIX=bench
MODULE=$BUILD/pam_privauth.so
CLI=$BUILD/privauthctl
BENCH=$BUILD/tests/bench_login
PWRAP_LIB=${PWRAP_LIB:-$(pkg-config --libs pam_wrapper 2>/dev/null | tr -d " ")}

case $N in '' | *[!0-9]*) echo "usage: $0 [N]" >&2; exit 2 ;; esac
if [ "$N" -lt 1 ] || [ "$N" -gt 9999 ]; then
	echo "run_bench: N must be 1..9999" >&2
	exit 2
fi
for f in "$MODULE" "$CLI" "$BENCH" "$PWRAP_LIB"; do
	if [ ! -f "$f" ]; then
		echo "run_bench: missing ${f:-libpam_wrapper.so} (make BUILD=$BUILD all tools)" >&2
		exit 1
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "run_bench: needs root (private mount namespace, root-owned config)" >&2
	exit 1
fi

D=$(mktemp -d "${BENCH_DIR:-/tmp}/pva-bench.XXXXXX")
trap 'rm -rf -- "$D"' EXIT
chmod 0700 "$D"
mkdir -m 0700 "$D/state" "$D/spool" "$D/pam.d"

umask 077
cat > "$D/privauth.conf" <<EOF
state_dir = "$D/state";
host_key = "$D/state/host.key";
providers = { spool = { type = "spool"; dir = "$D/spool"; }; };
defaults = { providers = ["spool"]; code_ttl = 300; max_attempts = 3;
             resend_cooldown = 30; max_sends_per_hour = 5; lockout_after = 5;
             lockout_time = 900; failmode = "secure"; unenrolled = "deny"; };
EOF
echo "auth required $MODULE conf=$D/privauth.conf" > "$D/pam.d/bench-a"
echo "auth required pam_permit.so" > "$D/pam.d/bench-b"
echo "auth required pam_deny.so" > "$D/pam.d/other"

# Password database copies with the bench users (uids from 61000 on).
umask 022
cp /etc/passwd "$D/passwd"
cp /etc/group "$D/group"
awk -v n="$N" -v p="$PREFIX" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "%s%04d:x:%d:61000::/nonexistent:/usr/sbin/nologin\n", p, i, 61000 + i
}' >> "$D/passwd"
echo "${PREFIX}grp:x:61000:" >> "$D/group"
chmod 0644 "$D/passwd" "$D/group"

# Inside the namespace: bind the copies, enrol every user, run.
cat > "$D/inner.sh" <<'EOF'
set -eu
mount --bind "$D/passwd" /etc/passwd
mount --bind "$D/group" /etc/group
echo "enrolling $N users..." >&2
i=0
while [ "$i" -lt "$N" ]; do
	u=$(printf '%s%04d' "$PREFIX" "$i")
	"$CLI" --conf "$D/privauth.conf" user set "$u" \
		--phone "+86138$(printf '%08d' "$i")" > /dev/null
	i=$((i + 1))
done
echo "running $N logins per stack..." >&2
env LD_PRELOAD="$SAN_PRELOAD$PWRAP_LIB" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$D/pam.d" \
	${BENCH_WRAP:-} "$BENCH" --svc-a bench-a --svc-b bench-b --spool "$D/spool" \
	--user-prefix "$PREFIX" --count "$N"
EOF
# SAN=1 builds need the sanitizer runtime first in LD_PRELOAD.
SAN_PRELOAD=$(ldd "$BENCH" 2> /dev/null | awk '/libasan/ { print $3 ":" }')
[ -z "$SAN_PRELOAD" ] || export PAM_WRAPPER_DISABLE_DEEPBIND=1
export D N PREFIX CLI BENCH PWRAP_LIB SAN_PRELOAD BENCH_WRAP
unshare -m --propagation private bash "$D/inner.sh"
