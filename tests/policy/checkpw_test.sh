#!/bin/bash
# checkpw_test.sh - privauthctl check-password end to end (TAP).
#
# A throw-away configuration with a per-service policy (stricter
# "passwd", NIST preset for "chpasswd") and an admin blocklist; checks the
# verdict lines, every reason printed, the exit status and --batch.
#
#   BUILD=build tests/policy/checkpw_test.sh
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
CTL="$ROOT/${BUILD:-build}/privauthctl"

tap_mkenv checkpw
mkdir -m 0700 -p "$T_DIR/spool"
printf '# site words\nAcmeWidgets\n867530986753098\n' >"$T_DIR/block.txt"
chmod 0644 "$T_DIR/block.txt"
cat >"$T_CONF" <<CONF
state_dir = "$T_STATE";
providers = { spool = { type = "spool"; dir = "$T_DIR/spool"; }; };
defaults = {
  providers = ["spool"];
  blocklist_file = "$T_DIR/block.txt";
};
services = {
  passwd = { min_length = 16; require_other = true; };
  chpasswd = { policy = "nist-800-63b"; blocklist_file = "$T_DIR/block.txt"; };
};
CONF
chmod 0644 "$T_CONF"

# check NAME WANT_RC WANT_REGEX STDIN ARGS...
check() {
	local name=$1 want_rc=$2 want=$3 input=$4 out rc
	shift 4
	out=$(printf '%s\n' "$input" | "$CTL" --conf "$T_CONF" check-password "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want_rc" ] && printf '%s\n' "$out" | grep -Eq -- "$want"; then
		tap_ok "$name"
	else
		tap_not_ok "$name (rc $rc)"
		printf '%s\n' "$out" | tap_diag
	fi
}

check "strong password accepted" 0 '^accepted$' 'Gx7kVm2qLwZp'
check "common password refused" 1 'common password' 'P@ssw0rd2024!'
out=$(printf 'abc\n' | "$CTL" --conf "$T_CONF" check-password 2>&1)
n=$(printf '%s\n' "$out" | grep -c '^  It ')
if [ "$n" -ge 3 ] && printf '%s\n' "$out" | grep -q 'too short' &&
	printf '%s\n' "$out" | grep -q 'no digit'; then
	tap_ok "every reason printed ($n lines)"
else
	tap_not_ok "every reason printed"
	printf '%s\n' "$out" | tap_diag
fi
check "short: length and class reasons together" 1 'no upper-case' 'abc'
check "admin blocklist applies" 1 'common password' 'Acm3W1dgets#2024'
check "user name refused" 1 'user name' 'Gx7kR00tVm2qL' --user root
check "service passwd is stricter (length)" 1 'at least 16' 'Gx7kVm2qLwZp' --service passwd
check "service passwd is stricter (symbol)" 1 'no symbol' 'Gx7kVm2qLwZpQr4T' --service passwd
check "service chpasswd: NIST preset takes a passphrase" 0 '^accepted$' \
	'tailcoat victory quilter amber' --service chpasswd
check "service chpasswd: NIST preset length 15" 1 'at least 15' 'Gx7kVm2qLwZp' --service chpasswd
check "NIST preset: a digits-only admin blocklist entry is refused" 1 'common password' \
	'867530986753098' --service chpasswd
check "batch: one verdict per line" 1 'accepted' "$(printf 'Gx7kVm2qLwZp\npassword')" --batch
out=$(printf 'Gx7kVm2qLwZp\npassword\nRb8nHt3sPcYd\n' |
	"$CTL" --conf "$T_CONF" check-password --batch 2>&1)
n_acc=$(printf '%s\n' "$out" | grep -c '^accepted$')
n_ref=$(printf '%s\n' "$out" | grep -c '^refused:$')
if [ "$n_acc" -eq 2 ] && [ "$n_ref" -eq 1 ]; then
	tap_ok "batch: 2 accepted, 1 refused"
else
	tap_not_ok "batch: 2 accepted, 1 refused ($n_acc, $n_ref)"
fi
check "batch: all accepted exits 0" 0 '^accepted$' "$(printf 'Gx7kVm2qLwZp\nRb8nHt3sPcYd')" --batch
if out=$("$CTL" --conf "$T_CONF" check-password --batch </dev/null 2>&1); then
	tap_not_ok "no input is an error"
else
	printf '%s\n' "$out" | grep -q 'no password' && tap_ok "no input is an error" ||
		tap_not_ok "no input is an error: $out"
fi
check "an empty password is refused" 1 'too short' ''
long=$(head -c 300 /dev/zero | tr '\0' 'a')
check "over 256 bytes refused" 1 'longer than 256 bytes' "$long"
check "bad arguments exit 2" 2 'bad arguments' 'x' --bogus
chmod 0666 "$T_DIR/block.txt"
check "unsafe admin list: warning, built-in still used" 1 \
	'built-in list still applies' 'P@ssw0rd2024!'
tap_done
