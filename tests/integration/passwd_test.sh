#!/bin/bash
# passwd_test.sh - TAP: a real `passwd` through pam_privauth + pam_unix.
#
# A throw-away user exists only in copies of the account files (made with
# tests/lib/sshns.sh); passwd runs as root in a private mount namespace
# where a copy of the whole /etc, holding those account files and a private
# pam.d/passwd, is bind-mounted over /etc.  (Bind-mounting single files as
# sshns.sh does is not enough here: pam_unix writes /etc/nshadow and
# renames it over /etc/shadow, which fails on a mount point.)
#   password requisite <abs>/pam_privauth.so conf=...
#   password required  pam_unix.so use_authtok yescrypt
# tests/integration/passwd.exp drives passwd on a pseudo-terminal.  The
# copied shadow file must change only when a strong password is given.
# Needs root, unshare, expect, perl.  Uses $BUILD (default build).
#
#   BUILD=build tests/integration/passwd_test.sh
# shellcheck disable=SC2016  # the eval'd checks expand when they run
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
MODULE=$BUILD/pam_privauth.so
EXP=$ROOT/tests/integration/passwd.exp
STRONG='Gx7vTq2-Lmb9-Rwz4'
WEAK='password1'

. tests/lib/sshns.sh
. tests/lib/tap.sh

# pw_etc: the private /etc: a copy of the host's with the account files
# of the sshns copies (which hold the user) and the private PAM stack.
pw_etc() {
	local f
	PW_ETC=$SSHNS_DIR/etc
	cp -a /etc "$PW_ETC" || return 1
	for f in $SSHNS_ACCOUNT_FILES; do
		cp -p "$SSHNS_DIR/root/etc/$f" "$PW_ETC/$f" || return 1
	done
	cp "$SSHNS_DIR/pam.d/passwd" "$SSHNS_DIR/pam.d/other" "$PW_ETC/pam.d/"
}

# pw_ns CMD...: run CMD in a private mount namespace that sees PW_ETC as /etc.
pw_ns() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/sh -c '
		set -e
		mount --bind "$1" /etc
		shift
		exec "$@"' pwns "$PW_ETC" "$@"
}

# pw_conf KEY=VALUE...: the module's configuration (defaults group).
pw_conf() {
	local kv body=""
	for kv in "$@"; do
		body="$body ${kv%%=*} = ${kv#*=};"
	done
	sshns_put "$SSHNS_CONF" 0644 <<EOF
state_dir = "$SSHNS_STATE";
defaults = {$body };
EOF
}

pw_stack() {
	sshns_put "$SSHNS_DIR/pam.d/passwd" 0644 <<EOF
# Private PAM stack of the namespace passwd (tests/integration/passwd_test.sh).
auth     required  pam_deny.so
account  required  pam_permit.so
session  required  pam_permit.so
password requisite $MODULE conf=$SSHNS_CONF debug
password required  pam_unix.so use_authtok yescrypt
EOF
	sshns_put "$SSHNS_DIR/pam.d/other" 0644 <<EOF
auth     required  pam_deny.so
account  required  pam_deny.so
session  required  pam_deny.so
password required  pam_deny.so
EOF
}

hash_of() {
	awk -F: -v u="$SSHNS_USER" '$1 == u { print $2 }' "$PW_ETC/shadow"
}

# hash_matches PASSWORD: the copied shadow holds a hash of PASSWORD.
hash_matches() {
	PVA_PW=$1 PVA_HASH=$(hash_of) perl -e \
		'exit(crypt($ENV{PVA_PW}, $ENV{PVA_HASH}) eq $ENV{PVA_HASH} ? 0 : 1)'
}

# run_passwd ANSWER...: passwd for the user; PW_OUT, PW_RC.
run_passwd() {
	PW_OUT=$SSHNS_DIR/passwd.out
	PVA_ANSWERS=$(printf '%s\n' "$@") pw_ns timeout 60 expect -f "$EXP" \
		"$SSHNS_USER" > "$PW_OUT" 2>&1
	PW_RC=$?
	tr -d '\r' < "$PW_OUT" | tap_diag
}

out_has() {
	tr -d '\r' < "$PW_OUT" | grep -qiE -- "$1"
}

for t in unshare expect perl passwd; do
	command -v "$t" > /dev/null 2>&1 || { echo "1..0 # SKIP missing $t"; exit 0; }
done
if [ ! -f "$MODULE" ]; then
	tap_not_ok "the module is built ($MODULE)"
	tap_done
	exit 1
fi
host_shadow=$(sha256sum /etc/shadow)
if ! sshns_init || ! sshns_add_user pvapwtest || ! pw_stack || ! pw_etc; then
	tap_not_ok "the namespace and the throw-away user can be set up"
	tap_done
	exit 1
fi
install -d -m 0700 "$SSHNS_STATE"

tap_check "the throw-away user exists in the namespace only" \
	eval '! getent passwd "$SSHNS_USER" > /dev/null && pw_ns getent passwd "$SSHNS_USER" > /dev/null'

pw_conf enforce_for_root=true retry=3
before=$(hash_of)
run_passwd "$WEAK" "password" "abc123"
tap_check "weak passwords only: passwd fails" test "$PW_RC" -ne 0
tap_check "weak passwords only: the copied shadow is unchanged" test "$(hash_of)" = "$before"
tap_check "weak passwords only: the reasons are shown" out_has 'short|upper|common|list'

run_passwd "$WEAK" "$STRONG" "$STRONG"
tap_check "weak then strong: passwd succeeds" test "$PW_RC" -eq 0
tap_check "weak then strong: the copied shadow changed" test "$(hash_of)" != "$before"
tap_check "weak then strong: the new hash is the strong password's" hash_matches "$STRONG"
tap_check "weak then strong: stored with yescrypt by pam_unix" \
	eval 'case $(hash_of) in "\$y\$"*) true ;; *) false ;; esac'

before=$(hash_of)
run_passwd "$STRONG" "Hp4wNc8-Zdk3-Vys6" "$WEAK" "$WEAK" "$WEAK"
tap_check "mismatch, then weak: passwd fails and shadow is unchanged" \
	eval '[ "$PW_RC" -ne 0 ] && [ "$(hash_of)" = "$before" ]'
tap_check "mismatch is reported" out_has 'do not match'

pw_conf enforce_for_root=false
run_passwd "$WEAK" "$WEAK"
tap_check "root, enforce_for_root=false: weak password accepted with warnings" \
	eval '[ "$PW_RC" -eq 0 ] && out_has "^Warning: " && hash_matches "$WEAK"'

tap_check "the host's /etc/shadow was not touched" \
	test "$(sha256sum /etc/shadow)" = "$host_shadow"
sshns_cleanup
tap_done
