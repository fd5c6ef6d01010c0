#!/bin/bash
# demo.sh - `make demo`: a narrated login through a real sshd with a code.
#
# A throw-away user and a throw-away sshd on 127.0.0.1, both living only in
# a private mount namespace (tests/lib/sshns.sh); the "phone" is the spool
# provider's directory.  Shows a login with the right code, a wrong code
# refused and an expired code refused, then removes everything.
# Needs root and a built module ($BUILD, default build).  Exit 0 on success.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
MODULE=$BUILD/pam_privauth.so
CTL=$BUILD/privauthctl
PHONE=+8613812345678
TTL_SHORT=10
LOGIN=tests/integration/sshd_login.py

. tests/lib/sshns.sh

step=0
title() {
	step=$((step + 1))
	printf '\n== %d. %s\n' "$step" "$*"
}
indent() { sed 's/^/    /'; }
run() { # show a command (short paths), then run it in the namespace
	printf '    # %s\n' "$*" | sed "s|$SSHNS_DIR|\$TMP|g"
	sshns_exec "$@" 2>&1 | indent
}
login() {
	"$LOGIN" "$1" --port "$SSHNS_PORT" --user "$SSHNS_USER" \
		--password "$SSHNS_PASS" --spool "$SSHNS_SPOOL" \
		--hostkey "$SSHNS_HOSTKEY_PUB" --expect-to "${PHONE#+}" \
		"${@:2}" | indent
}
fail() {
	echo "demo: FAILED: $*" >&2
	[ -s "${SSHNS_LOG:-}" ] && { echo "sshd log:"; indent <"$SSHNS_LOG"; } >&2
	exit 1
}

for f in "$MODULE" "$CTL"; do
	[ -e "$f" ] || fail "$f is missing (make BUILD=$BUILD all)"
done

cat <<EOF
pam_privauth demo: an ssh login that needs the password AND a one-time code
sent to the user's phone.  A real sshd runs on 127.0.0.1 in a private mount
namespace; the throw-away user exists only in copies of the account files
bind-mounted there, so nothing on this host is changed.  The "phone" is the
spool provider: each SMS becomes one file, shown as the phone receives it.
EOF

title "A throw-away user"
sshns_init || fail "setup"
sshns_add_user privdemo || fail "useradd"
echo "    user $SSHNS_USER, password $SSHNS_PASS, home $SSHNS_HOME"
echo "    (in \$TMP = $SSHNS_DIR; the host's getent does not know it:" \
	"$(getent passwd "$SSHNS_USER" >/dev/null && echo WRONG || echo right))"

title "Configuration and the PAM stack of sshd"
sshns_write_conf 300 || fail "config"
sshns_pam_stack "$MODULE" || fail "pam stack"
echo "    \$TMP/privauth.conf:"
sed "s|$SSHNS_DIR|\$TMP|g" "$SSHNS_CONF" | indent | indent
echo "    /etc/pam.d/sshd inside the namespace:"
grep -v '^#' "$SSHNS_DIR/pam.d/sshd" | sed "s|$SSHNS_DIR|\$TMP|g" |
	indent | indent

title "sshd"
sshns_start || fail "sshd did not start"
echo "    /usr/sbin/sshd listening on 127.0.0.1:$SSHNS_PORT (pid $SSHNS_PID)," \
	"keyboard-interactive only, UsePAM yes"

title "Enrol the phone $PHONE"
run "$CTL" --conf "$SSHNS_CONF" user set "$SSHNS_USER" --phone "$PHONE" ||
	fail "privauthctl user set"
run "$CTL" --conf "$SSHNS_CONF" user show "$SSHNS_USER" ||
	fail "privauthctl user show"

title "Log in: password, the privacy notice, then the code from the SMS"
echo "    The first login shows the privacy notice (what is used, what for, who"
echo "    receives it, what is kept) and asks for agreement, with echo on;"
echo "    the client types yes, and only then is a code sent."
login ok --expect-consent || fail "the right code did not log in"

title "Log in with a wrong code"
login wrong || fail "a wrong code was not refused as expected"
echo "    Clearing the failure count the wrong codes left, so the next part"
echo "    is about expiry and not about lockout:"
run "$CTL" --conf "$SSHNS_CONF" reset "$SSHNS_USER" || fail "privauthctl reset"

title "Log in with an expired code"
sshns_write_conf "$TTL_SHORT" || fail "config"
echo "    The configuration now says services.sshd.code_ttl = $TTL_SHORT" \
	"(the module reads it at each login);"
echo "    the client waits $((TTL_SHORT + 1)) s before typing the code."
login expired --ttl "$TTL_SHORT" || fail "an expired code was not refused"

title "Clean-up"
dir=$SSHNS_DIR pid=$SSHNS_PID
sshns_cleanup
kill -0 "$pid" 2>/dev/null && fail "sshd $pid still running"
[ -e "$dir" ] && fail "$dir still there"
echo "    sshd (pid $pid) stopped; its mount namespace, the bind mounts and"
echo "    the user went with it; $dir removed."
printf '\ndemo: OK - notice agreed to, right code accepted, wrong code refused, expired code refused\n'
