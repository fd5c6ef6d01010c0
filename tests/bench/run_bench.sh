#!/bin/bash
# run_bench.sh - login latency of pam_privauth against pam_permit, through
# the spool provider and through the twilio provider over loopback HTTPS.
#
#   BUILD=build tests/bench/run_bench.sh [N [M]]   (default N = 2000, M = 1000)
#
# Prepares a private environment and runs bench_login: in one process,
#   A: auth required pam_privauth.so conf=...   (spool provider)   N logins
#   B: auth required pam_permit.so                                  N logins
#   C: auth required pam_privauth.so conf=...   (twilio provider)   M logins
#   D: as A with require_consent = true, users who agreed before      min(M,500)
# interleaved in rotating blocks (50 A, 50 B, C's share, ...).  Stack C
# sends every code as an HTTPS request to a loopback fake of Twilio's API
# (tests/bench/bench_fake.py: tests/fakes/twilio_fake.py plus server-side
# timing) that trusts nothing but a test CA made here (ca_file); the
# conversation reads the code from the fake's record directory, as A reads
# the spool.  N is at most 2000: every A login sends a code and
# host_max_sends_per_hour cannot go higher (C has its own state directory,
# hence its own host cap).
#
# Then, from the same fake in the same run:
#   - the fake's own time per request (wall and CPU of its handler thread,
#     process CPU per request), measured inside the fake during C's logins;
#   - K = min(M, 200) requests of the same shape sent by the curl command
#     line tool, one process and one fresh TLS connection each, timed by
#     curl itself (%{time_total}: process start-up excluded): the bare
#     HTTPS round trip through libcurl, without the module.
#
# Stack A and C need N distinct enrolled users that exist in the password
# database; instead of touching the host's /etc/passwd, the benchmark runs
# in a private mount namespace (unshare -m) where generated copies of
# /etc/passwd and /etc/group with the bench users are bind-mounted over the
# originals.  Everything lives in one temp directory (BENCH_DIR to choose
# its parent) removed at the end; the fake is stopped on every exit path.
# Needs root, util-linux unshare, pam_wrapper, python3, openssl and curl.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${1:-2000}
M=${2:-$((N < 1000 ? N : 1000))}
# D: two codes per user (warm-up and measured) within its host cap of 2000
MD=$((M < 500 ? M : 500))
PREFIX=bench
MODULE=$BUILD/pam_privauth.so
CLI=$BUILD/privauthctl
BENCH=$BUILD/tests/bench_login
PWRAP_LIB=${PWRAP_LIB:-$(pkg-config --libs pam_wrapper 2>/dev/null | tr -d " ")}
PYTHON=/usr/bin/python3
SID=AC0123456789abcdef0123456789abcdef
TOKEN=bench-token-$$-$RANDOM
FROM=+15005550006

case $N$M in '' | *[!0-9]*) echo "usage: $0 [N [M]]" >&2; exit 2 ;; esac
if [ "$N" -lt 1 ] || [ "$N" -gt 2000 ] || [ "$M" -lt 1 ] || [ "$M" -gt "$N" ]; then
	echo "run_bench: N must be 1..2000 and M 1..N" >&2
	exit 2
fi
for f in "$MODULE" "$CLI" "$BENCH" "$PWRAP_LIB" "$PYTHON"; do
	if [ ! -f "$f" ]; then
		echo "run_bench: missing ${f:-libpam_wrapper.so} (make BUILD=$BUILD all tools)" >&2
		exit 1
	fi
done
for c in curl openssl unshare; do
	if ! command -v "$c" > /dev/null; then
		echo "run_bench: needs $c" >&2
		exit 1
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "run_bench: needs root (private mount namespace, root-owned config)" >&2
	exit 1
fi

D=$(mktemp -d "${BENCH_DIR:-/tmp}/pva-bench.XXXXXX")
FAKE_PID=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2> /dev/null || true
		wait "$FAKE_PID" 2> /dev/null || true
	fi
	rm -rf -- "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 0700 "$D"
mkdir -m 0700 "$D/state" "$D/spool" "$D/record" "$D/pam.d"

# The test CA and the fake, on a free loopback port.
"$ROOT/tests/fakes/mkca.sh" "$D/certs"
"$PYTHON" "$ROOT/tests/bench/bench_fake.py" --cert "$D/certs/server.pem" \
	--key "$D/certs/server.key" --record "$D/record" \
	--account-sid "$SID" --auth-token "$TOKEN" > "$D/fake.out" 2> "$D/fake.err" &
FAKE_PID=$!
PORT=
for _ in $(seq 1 100); do
	PORT=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$D/fake.out")
	[ -n "$PORT" ] && break
	kill -0 "$FAKE_PID" 2> /dev/null || break
	sleep 0.05
done
if [ -z "$PORT" ]; then
	echo "run_bench: the twilio fake did not start:" >&2
	cat "$D/fake.err" >&2
	exit 1
fi
URL=https://127.0.0.1:$PORT

umask 077
# Stack A: spool.  host_max_sends_per_hour: N codes in well under an hour.
cat > "$D/privauth.conf" <<EOF
state_dir = "$D/state";
host_key = "$D/state/host.key";
providers = { spool = { type = "spool"; dir = "$D/spool"; }; };
defaults = { providers = ["spool"]; code_ttl = 300; max_attempts = 3;
             resend_cooldown = 30; max_sends_per_hour = 5; lockout_after = 5;
             lockout_time = 900; failmode = "secure"; unenrolled = "deny";
             host_max_sends_per_hour = 2000; require_consent = false; };
EOF
# Stack C: the same settings, twilio instead of spool, its own state.
cat > "$D/privauth-c.conf" <<EOF
state_dir = "$D/state-c";
host_key = "$D/state-c/host.key";
secrets_file = "$D/secrets";
providers = { tw = { type = "twilio"; url = "$URL"; ca_file = "$D/certs/ca.pem";
                     from = "$FROM"; }; };
defaults = { providers = ["tw"]; code_ttl = 300; max_attempts = 3;
             resend_cooldown = 30; max_sends_per_hour = 5; lockout_after = 5;
             lockout_time = 900; failmode = "secure"; unenrolled = "deny";
             host_max_sends_per_hour = 2000; require_consent = false; };
EOF
# Stack D: A with the privacy notice on (require_consent), its own state
# and spool; every D user agreed in an unmeasured warm-up login, so D
# measures the usual login: the consent record is read and matches.
sed -e "s|$D/state|$D/state-d|g" -e "s|$D/spool|$D/spool-d|" \
	-e 's/require_consent = false/require_consent = true/' \
	"$D/privauth.conf" > "$D/privauth-d.conf"
mkdir -m 0700 "$D/spool-d"
echo "tw = { account_sid = \"$SID\"; auth_token = \"$TOKEN\"; };" > "$D/secrets"
echo "auth required $MODULE conf=$D/privauth.conf" > "$D/pam.d/bench-a"
echo "auth required pam_permit.so" > "$D/pam.d/bench-b"
echo "auth required $MODULE conf=$D/privauth-c.conf" > "$D/pam.d/bench-c"
echo "auth required $MODULE conf=$D/privauth-d.conf" > "$D/pam.d/bench-d"
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

# Inside the namespace: bind the copies, enrol every user (A's state; C's
# is a copy made before any login), run.
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
cp -a "$D/state" "$D/state-c"
cp -a "$D/state" "$D/state-d"
echo "running $N logins per stack A and B, $M for C..." >&2
env LD_PRELOAD="$SAN_PRELOAD$PWRAP_LIB" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$D/pam.d" \
	${BENCH_WRAP:-} "$BENCH" --svc-a bench-a --svc-b bench-b --spool "$D/spool" \
	--svc-c bench-c --inbox-c "$D/record" --count-c "$M" \
	--svc-d bench-d --inbox-d "$D/spool-d" --count-d "$MD" \
	--user-prefix "$PREFIX" --count "$N"
EOF
# SAN=1 builds need the sanitizer runtime first in LD_PRELOAD.
SAN_PRELOAD=$(ldd "$BENCH" 2> /dev/null | awk '/libasan/ { print $3 ":" }')
[ -z "$SAN_PRELOAD" ] || export PAM_WRAPPER_DISABLE_DEEPBIND=1
export D N M MD PREFIX CLI BENCH PWRAP_LIB SAN_PRELOAD BENCH_WRAP

fake_get() {
	curl -s --noproxy '*' --max-time 5 --cacert "$D/certs/ca.pem" "$@"
}

# p50 and p99 (nearest rank) of the numbers on stdin, one per line.
quantiles() {
	sort -n | awk '{ v[NR] = $1 } END {
		r50 = int(NR * 0.5 + 0.999999); r99 = int(NR * 0.99 + 0.999999)
		printf "%7d %12.1f %12.1f\n", NR, v[r50], v[r99] }'
}

# K requests as the module sends them, each a new curl process and a new
# TLS connection; microseconds per request from curl's own clock.
curl_loop() {
	local i
	for i in $(seq 1 "$1"); do
		curl -s --noproxy '*' --max-time 5 --proto =https --tlsv1.2 \
			--cacert "$D/certs/ca.pem" -u "$SID:$TOKEN" \
			-H 'Accept: application/json' \
			--data-urlencode "To=+86139$(printf '%08d' "$i")" \
			--data-urlencode "From=$FROM" --data-urlencode "ValidityPeriod=300" \
			--data-urlencode "Body=123456 is your login code for bench-c" \
			-o /dev/null -w '%{http_code} %{time_total}\n' \
			"$URL/2010-04-01/Accounts/$SID/Messages.json"
	done | awk '$1 == 201 { printf "%.1f\n", $2 * 1e6; next } { bad++ }
		END { if (bad) print "curl loop: " bad " requests failed" > "/dev/stderr" }'
}

[ "$(fake_get -X POST "$URL/__timing")" = ok ]
set +e
unshare -m --propagation private bash "$D/inner.sh" | tee "$D/bench.out"
rc=${PIPESTATUS[0]}
set -e
read -r fn fw50 fw99 fc50 fc99 fproc <<< "$(fake_get "$URL/__timing")" || true
K=$((M < 200 ? M : 200))
echo "timing $K bare curl requests against the same fake..." >&2
curl_loop "$K" > "$D/curl.us"
rm -f "$D"/record/twilio-*

echo
echo "The twilio fake (python), per request served during C's logins:"
printf '%-30s %7d %12.1f %12.1f\n' "fake wall, handler thread" "$fn" "$fw50" "$fw99"
printf '%-30s %7d %12.1f %12.1f\n' "fake CPU, handler thread" "$fn" "$fc50" "$fc99"
printf '%-30s %7d %12.1f %12s\n' "fake CPU, process (average)" "$fn" "$fproc" "-"
printf '%-30s %s' "curl CLI request alone" "$(quantiles < "$D/curl.us")"
echo
awk -v fw="$fw50" -v fc="$fc50" '
	/^A pam_privauth/ { a = $(NF - 1) }
	/^C pam_privauth/ { c = $(NF - 1) }
	/^C without/ { cn = $(NF - 1) }
	END {
		if (c == "") exit
		printf "C - A (median): %.1f us; the fake accounts for %.1f us of CPU (%.0f%%)", \
			c - a, fc, 100 * fc / (c - a)
		printf " and %.1f us of wall time\n", fw
	}' "$D/bench.out"
[ -s "$D/fake.err" ] && { echo "fake stderr:" >&2; cat "$D/fake.err" >&2; }
exit "$rc"
