#!/bin/bash
# rights_test.sh - the user's data rights through privauthctl: consent
# show/revoke, backup codes, export (masked and --full), forget (every
# file of the user gone, one syslog line), purge (old data, decoy
# records, lock files, temp files; --dry-run changes nothing).
#
# Real logins through libpam (pam_wrapper) create the records; the fake
# clock (OFFSET) ages them.  Output is TAP.  Needs root.
#
#   BUILD=build tests/privacy/rights_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"

PHONE=+8613812345678
DIGITS=13812345678
USERX=daemon   # an account that exists on every system (purge keeps it)
GHOST=pva-ghost-no-such-user

# json EXPR: evaluate a Python expression over the last ctl output
# parsed as JSON (variable j); prints the value, fails on an exception.
json() {
	/usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if not isinstance(v, bool) else str(v).lower())
' "$CTL_OUT" "$1" 2>> "$T_DIR/transcript"
}

json_is() {
	[ "$(json "$1")" = "$2" ]
}

files_snapshot() {
	find "$T_STATE" -printf '%P %s %T@\n' | sort
}

setup_user() {
	CONF_SERVICES='nograce = { grace_hours = 0; };' write_conf grace_hours=8 require_consent=true
	svc test
	svc nograce
	enrol "$USERX" "$PHONE"
	login test "$USERX" =yes code
}

scn_export_forget() {
	local codes bc n files
	new_env rights
	setup_user
	check "login with notice and code: PAM_SUCCESS" result_is PAM_SUCCESS

	ctl consent show "$USERX"
	check "consent show: exit 0" ctl_ok
	check "consent show: the service, a notice version and a time" \
		grep -qE '^test: notice [0-9a-f]{16} agreed [0-9]{4}-' "$CTL_OUT"

	ctl backup-codes "$USERX"
	check "backup-codes: exit 0" ctl_ok
	codes=$(grep -oE '^  [a-z0-9]{5}-[a-z0-9]{5}$' "$CTL_OUT" | tr -d ' ')
	check "backup-codes: 10 distinct codes printed" \
		test "$(printf '%s\n' "$codes" | sort -u | grep -c .)" = 10
	check "backup-codes: only the documented alphabet (no 0 o 1 l i)" \
		test -z "$(printf '%s\n' "$codes" | tr -d '\n-' | tr -d '23456789abcdefghjkmnpqrstuvwxyz')"
	check "backup-codes: tells to store them safely" grep -qi 'store them safely' "$CTL_OUT"
	bc=$(printf '%s\n' "$codes" | head -n 1)
	check "backup-codes: the codes are not in any stored file" \
		bash -c "! grep -rqF -e '$bc' -e '${bc/-/}' '$T_STATE'"
	ctl backup-codes "$USERX" --count
	check "backup-codes --count: 10 left" grep -q ': 10 backup codes left' "$CTL_OUT"
	# service nograce: no grace, so the code prompt comes every time
	login nograce "$USERX" =yes "=$(echo "$bc" | tr a-z A-Z)"
	check "a backup code (upper case) logs in" result_is PAM_SUCCESS
	login nograce "$USERX" "=$bc"
	check "the same backup code a second time does not" result_is_not PAM_SUCCESS
	ctl backup-codes "$USERX" --count
	check "backup-codes --count: 9 left" grep -q ': 9 backup codes left' "$CTL_OUT"

	ctl export "$USERX"
	check "export: exit 0" ctl_ok
	check "export: valid JSON for the user" json_is 'j["user"]' "$USERX"
	check "export: number masked" json_is 'j["phone"]["number"]' '+86 *******5678'
	check "export: masked flag" json_is 'j["phone"]["masked"]' true
	check "export: the full number is nowhere in the output" \
		bash -c "! grep -q '$DIGITS' '$CTL_OUT'"
	check "export: channel" json_is 'j["phone"]["channel"]' sms
	check "export: login state with send times" \
		json_is 'len(j["login_state"]["sends"]) >= 1' true
	check "export: consent for services nograce and test" \
		json_is 'sorted(c["service"] for c in j["consent"]) == ["nograce", "test"] and len(j["consent"][0]["notice_version"]) == 16' true
	check "export: grace entries counted, hosts not shown" \
		json_is 'j["grace"]["entries"] >= 1 and "hash" in j["grace"]["note"]' true
	check "export: backup codes left: 9" json_is 'j["backup_codes"]["left"]' 9
	check "export: files list every record and the lock" \
		json_is 'sorted(j["files"])' \
		"['backup/$USERX', 'consent/$USERX', 'grace/$USERX', 'locks/$USERX', 'phones/$USERX', 'state/$USERX']"
	check "export: no errors" json_is 'j["errors"]' '[]'
	ctl export "$USERX" --full
	check "export --full: the full number" json_is 'j["phone"]["number"]' "$PHONE"
	check "export --full: masked flag false" json_is 'j["phone"]["masked"]' false
	ctl export "$USERX" --bogus
	check "export --bogus: exit 2" test "$CTL_RC" = 2
	ctl export
	check "export without user: exit 2" test "$CTL_RC" = 2

	ctl consent revoke "$USERX"
	check "consent revoke: exit 0" ctl_ok
	ctl consent show "$USERX"
	check "consent show after revoke: no consent recorded" grep -q 'no consent recorded' "$CTL_OUT"
	login nograce "$USERX" =no
	check "after revoke the notice is asked again (answer no: refused)" result_is_not PAM_SUCCESS
	check "after revoke: the notice was shown" grep -q '^PROMPT: Type yes to agree' "$OUT"
	login nograce "$USERX" =yes code
	check "after revoke: yes and the code log in" result_is PAM_SUCCESS

	# another user whose name starts with this one's and ".tmp."
	ctl user set "$USERX.tmp.0000000000000001" --phone +8613800000002
	: > "$T_DIR/syslog"
	ctl forget "$USERX"
	check "forget: exit 0" ctl_ok
	check "forget: user $USERX.tmp.0000000000000001 keeps the number" \
		test -f "$T_STATE/phones/$USERX.tmp.0000000000000001"
	check "forget: lists what it removed" \
		bash -c "grep -q 'removed: phones record' '$CTL_OUT' && grep -q 'removed: state record' '$CTL_OUT' && grep -q 'removed: backup record' '$CTL_OUT' && grep -q 'removed: lock file' '$CTL_OUT'"
	n=$(grep -c 'event=forget' "$T_DIR/syslog")
	check "forget: exactly one syslog line" test "$n" = 1
	[ "$n" = 1 ] || tap_diag < "$T_DIR/syslog"
	check "forget: the syslog line is event=forget user=$USERX files=N (notice, authpriv)" \
		grep -qE "^<$((10 * 8 + 5))> privauthctl: event=forget user=$USERX files=[0-9]+$" "$T_DIR/syslog"
	files=$(sed -nE 's/.*event=forget user=[^ ]+ files=([0-9]+)$/\1/p' "$T_DIR/syslog")
	check "forget: files=6 (5 records: no reminder was sent; and the lock file)" test "${files:-x}" = 6
	check "forget: the log line is echoed to stderr" \
		grep -q "^privauthctl: event=forget user=$USERX files=" "$CTL_OUT"
	ctl user del "$USERX.tmp.0000000000000001"
	rm -f "$T_STATE/locks/$USERX.tmp.0000000000000001"
	check "forget: no file named after the user remains" \
		test -z "$(find "$T_STATE" -type f \( -name "$USERX" -o -name "$USERX.*" \) )"
	check "forget: no remaining file holds the number" \
		bash -c "! grep -rqa -e '$DIGITS' '$T_STATE'"
	check "forget: no remaining file holds the user name" \
		bash -c "! grep -rqa -e '$USERX' '$T_STATE'"
	find "$T_STATE" -type f | sed "s|^$T_STATE/||" | sort | tap_diag
	ctl export "$USERX"
	check "export after forget: no phone, no files" \
		json_is 'j["phone"] is None and j["login_state"] is None and j["files"] == [] and j["consent"] == []' true
	ctl forget "$USERX"
	check "forget again: exit 0, nothing stored" \
		bash -c "[ $CTL_RC = 0 ] && grep -q 'nothing stored' '$CTL_OUT'"
	login test "$USERX" =yes code
	check "after forget the user is unenrolled (no success)" result_is_not PAM_SUCCESS
}

scn_purge() {
	local before after
	new_env purge
	setup_user
	check "purge setup: login succeeds" result_is PAM_SUCCESS
	login test "$GHOST" =yes wrong
	check "purge setup: a decoy login of an unknown name is refused" result_is_not PAM_SUCCESS
	check "purge setup: the decoy left a state record" test -f "$T_STATE/state/$GHOST"
	check "purge setup: and a lock file" test -f "$T_STATE/locks/$GHOST"
	# an orphaned lock file of an account with no record
	install -m 0600 /dev/null "$T_STATE/locks/bin"
	# temp files of interrupted writes: one fresh, one old
	install -m 0600 /dev/null "$T_STATE/state/.tmp.$USERX.00000000aaaaaaaa"
	install -m 0600 /dev/null "$T_STATE/limits/.tmp.host.00000000bbbbbbbb"
	touch -d '-11 minutes' "$T_STATE/limits/.tmp.host.00000000bbbbbbbb"
	install -m 0600 /dev/null "$T_STATE/consent/.tmp.x.00000000cccccccc"
	touch -d '-2 hours' "$T_STATE/consent/.tmp.x.00000000cccccccc"

	# a user whose name looks like an old-style temp file is a user
	ctl user set "svc.tmp.00000000dddddddd" --phone +8613800000001
	touch -d '-2 hours' "$T_STATE/phones/svc.tmp.00000000dddddddd"

	before=$(files_snapshot)
	ctl purge --dry-run
	after=$(files_snapshot)
	check "purge --dry-run: exit 0" ctl_ok
	check "purge --dry-run: reports removals" grep -qE '^records removed: [1-9]' "$CTL_OUT"
	check "purge --dry-run: reports the 2 old temp files" grep -qx 'temp files removed: 2' "$CTL_OUT"
	check "purge --dry-run: no file changed" test "$before" = "$after"

	ctl purge
	check "purge: exit 0" ctl_ok
	check "purge: prints the figures" grep -qE '^records kept: [0-9]+$' "$CTL_OUT"
	check "purge: the decoy's state record is gone" test ! -e "$T_STATE/state/$GHOST"
	check "purge: the decoy's consent record is gone" test ! -e "$T_STATE/consent/$GHOST"
	check "purge: the decoy's lock file is gone" test ! -e "$T_STATE/locks/$GHOST"
	check "purge: the orphaned lock file is gone" test ! -e "$T_STATE/locks/bin"
	check "purge: old temp files are gone" \
		test ! -e "$T_STATE/limits/.tmp.host.00000000bbbbbbbb" -a ! -e "$T_STATE/consent/.tmp.x.00000000cccccccc"
	check "purge: the record of user svc.tmp.00000000dddddddd is not taken for a temp file" \
		test -f "$T_STATE/phones/svc.tmp.00000000dddddddd"
	check "purge: a fresh temp file stays" test -e "$T_STATE/state/.tmp.$USERX.00000000aaaaaaaa"
	check "purge: the user's recent state stays" test -f "$T_STATE/state/$USERX"
	check "purge: the user's grace entry (8 h) stays" test -f "$T_STATE/grace/$USERX"
	check "purge: send counters of the last day stay" \
		test -n "$(find "$T_STATE/limits" -name 'n-*' ! -name '*.lock' ! -name '*.tmp.*')"
	check "purge: the user's lock file stays" test -f "$T_STATE/locks/$USERX"

	OFFSET=$((9 * 3600)) ctl purge
	check "purge at +9 h: exit 0" ctl_ok
	check "purge at +9 h: the grace entry (8 h) is gone" test ! -e "$T_STATE/grace/$USERX"
	check "purge at +9 h: the state (sends of the last day) stays" test -f "$T_STATE/state/$USERX"

	OFFSET=$((2 * 86400)) ctl purge
	check "purge at +2 days: exit 0" ctl_ok
	check "purge at +2 days: the state record is gone" test ! -e "$T_STATE/state/$USERX"
	check "purge at +2 days: no send counter left" \
		test -z "$(find "$T_STATE/limits" -type f ! -name '*.tmp.*')"
	check "purge at +2 days: the phone directory is untouched" test -f "$T_STATE/phones/$USERX"
	check "purge at +2 days: consent is kept (until revoke/forget)" test -f "$T_STATE/consent/$USERX"
	check "purge at +2 days: the lock of a user with records stays" test -f "$T_STATE/locks/$USERX"
	OFFSET=$((2 * 86400)) login test "$USERX" code
	check "purge at +2 days: the user still logs in (PAM_SUCCESS)" result_is PAM_SUCCESS
	ctl purge --bogus
	check "purge --bogus: exit 2" test "$CTL_RC" = 2
}

# A lock file unlinked by purge while a login waits on it: the login must
# lock the new file, not the unlinked one (store.c pva_store_lock).
scn_purge_race() {
	local i ok=1
	new_env race
	setup_user
	check "race setup: login succeeds" result_is PAM_SUCCESS
	ctl user del "$USERX"
	ctl consent revoke "$USERX"
	ctl forget "$USERX"
	for i in 1 2 3 4 5 6; do
		login_bg "l$i" test "$USERX" wrong
		ctl purge &
	done
	wait
	for i in 1 2 3 4 5 6; do
		grep -q '^RESULT: ' "$T_DIR/bg.l$i" || ok=0
	done
	check "race: every login finished alongside 6 purges" test "$ok" = 1
	check "race: no purge reported errors" \
		bash -c "! grep -qE '^errors: [1-9]' '$T_DIR/transcript'"
}

ALL="export_forget purge purge_race"

if ! pamenv_init; then
	tap_not_ok "module and test tools are built and usable: $PAMENV_SKIP"
	tap_done
	exit 1
fi
# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $ALL
for s in "$@"; do
	"scn_$s"
done
tap_done
