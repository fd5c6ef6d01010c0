#!/bin/bash
# remind_test.sh - TAP: password reminders, at login (pam_sm_acct_mgmt under
# pam_wrapper) and by `privauthctl remind` (mail to a loopback SMTP fake,
# SMS to the spool).
#
# The password age comes from shadow, so the test users exist only in
# copies of /etc/passwd, /etc/shadow and /etc/group, bind-mounted over the
# originals inside a private mount namespace (this script re-runs itself
# under `unshare -m --propagation private` and refuses to mount anything
# when it is still in the host's namespace).  The host's files are never
# written.  Each user's sp_lstchg is N days before today:
#   pvaold 100, pvanew 5, pvazh 120 (language zh_CN), pvanodate (empty),
#   pva+x 100 (a name that must not become a mail address).
# Mail goes to tests/fakes/smtp_fake.py (aiosmtpd, Debian
# python3-aiosmtpd) on 127.0.0.1, plain, STARTTLS-required or smtps, with
# certificates from tests/fakes/mkca.sh.  faketime.so moves the CLI's
# clock (OFFSET seconds).  Needs root.
#
#   BUILD=build tests/remind/remind_test.sh
# shellcheck disable=SC2016,SC2034  # the eval'd checks expand (and use) them when they run
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"
if [ -z "${PVA_REMIND_NS:-}" ] && [ "$(id -u)" = 0 ] &&
   unshare -m --propagation private true 2> /dev/null; then
	PVA_REMIND_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

export PAM_WRAPPER_DEBUGLEVEL=2   # the module's syslog lines on stderr
DAY=86400
TODAY=$(($(date +%s) / DAY))
HOST=remindhost
PHONE=+8613812345678
MASKED='+86 *******5678'
declare -A FAKE_PID FAKE_PORT

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# ------------------------------------------------------------ the accounts

day_of() { # DAYS-AGO -> YYYY-MM-DD
	date -u -d "@$(((TODAY - $1) * DAY))" +%F
}

# Copies of the account files with the test users, mounted over /etc.
accounts_setup() {
	local d=$1 u uid=$((61000 + RANDOM % 3000)) spec
	cp -p /etc/passwd "$d/passwd" && cp -p /etc/shadow "$d/shadow" &&
		cp -p /etc/group "$d/group" || return 1
	echo "pvarem:x:$uid:" >> "$d/group"
	for spec in pvaold:$((TODAY - 100)) pvanew:$((TODAY - 5)) pvazh:$((TODAY - 120)) \
		    pvanodate: pva+x:$((TODAY - 100)); do
		u=${spec%%:*}
		getent passwd "$u" > /dev/null && return 1 # must not exist on the host
		echo "$u:x:$uid:$uid:remind test:/nonexistent:/usr/sbin/nologin" >> "$d/passwd"
		echo "$u:!:${spec#*:}:0:99999:7:::" >> "$d/shadow"
		uid=$((uid + 1))
	done
	# never mount in the host's mount namespace
	[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] || return 1
	# the real shadow file stays reachable through descriptor 9
	exec 9< /etc/shadow || return 1
	HOST_SHADOW=$(sha256sum < /proc/$$/fd/9)
	mount --bind "$d/passwd" /etc/passwd &&
		mount --bind "$d/shadow" /etc/shadow &&
		mount --bind "$d/group" /etc/group
}

# ------------------------------------------------------------ the SMTP fake

fake_start() { # ID [ARG...]: FAKE_PORT[ID]; records into $T_DIR/mail
	local id=$1
	shift
	mkdir -p "$T_DIR/mail"
	fake_launch "$id" 200 /usr/bin/python3 "$ROOT/tests/fakes/smtp_fake.py" \
		--record "$T_DIR/mail" "$@"
}

fake_stop_all() {
	local id
	for id in "${!FAKE_PID[@]}"; do
		kill "${FAKE_PID[$id]}" 2> /dev/null && wait "${FAKE_PID[$id]}" 2> /dev/null
		unset "FAKE_PID[$id]"
	done
	return 0
}

mails() {
	find "$T_DIR/mail" -maxdepth 1 -name 'mail-*.eml' 2> /dev/null | wc -l
}

mails_are() {
	[ "$(mails)" = "$1" ]
}

# The decoded mail whose envelope recipient is $1 (the newest), on stdout.
mail_to() {
	local f
	# shellcheck disable=SC2045  # names are mail-PID-N.eml; newest first
	for f in $(ls -t "$T_DIR"/mail/mail-*.eml 2> /dev/null); do
		if grep -q "^X-Fake-Rcpt-To: $1"$'\r'"\$" "$f"; then
			/usr/bin/python3 "$ROOT/tests/fakes/smtp_fake.py" decode "$f"
			return 0
		fi
	done
	return 1
}

mail_has() { # RCPT FIXED-STRING
	mail_to "$1" > "$T_DIR/decoded" && grep -qF -- "$2" "$T_DIR/decoded"
}

# ------------------------------------------------------------ configuration

# remind_conf VIA [SMTP-KEYS] [DEFAULT-KEY=VALUE...]
remind_conf() {
	local via=$1 smtp=$2
	shift 2
	CONF_EXTRA="hostname = \"$HOST\";"
	[ -n "$smtp" ] && CONF_EXTRA="$CONF_EXTRA
smtp = { from = \"privauth@$HOST.example\"; to = \"{user}@mail.example\"; timeout = 10; $smtp };"
	write_conf 'allowed_prefixes=["+86"]' remind_after_days=90 remind_every_days=7 \
		"remind_via=\"$via\"" "$@"
}

smtp_url() { # ID [SCHEME]
	echo "url = \"${2:-smtp}://127.0.0.1:${FAKE_PORT[$1]}\";"
}

enrol_all() {
	enrol pvaold "$PHONE" && enrol pvanew +8613912345678 &&
		enrol pvanodate +8613712345678 &&
		ctl user set pvazh --phone +8613612345678 --lang zh_CN
}

out_has() {
	grep -qE -- "$1" "$CTL_OUT"
}

out_lacks() {
	! grep -qF -- "$1" "$CTL_OUT"
}

reminded() { # USER: a reminder record exists
	[ -f "$T_STATE/remind/$1" ]
}

ctl_rc() {
	[ "$CTL_RC" = "$1" ]
}

# ------------------------------------------------------------ acct_mgmt

# An account stack whose result tells the module's return value apart:
# PAM_IGNORE skips pam_deny (PAM_SUCCESS), PAM_SUCCESS runs into pam_deny
# (PAM_PERM_DENIED), an error is the error.
acct_svc() {
	svc_raw acct \
		"account [success=ok ignore=1 default=bad] $MODULE conf=$T_CONF debug $*" \
		"account required pam_deny.so" \
		"account required pam_permit.so"
}

acct() { # USER [HARNESS-ARG...]
	local user=$1 before
	shift
	LOGIN_N=$((LOGIN_N + 1))
	OUT=$T_DIR/login.$LOGIN_N
	before=$(cat "$T_DIR/syslog" 2> /dev/null | wc -l)
	pam_run "$OUT" "$OUT.err" --acct "$@" --service acct --user "$user"
	HRC=$?
	# the module's log: pam_wrapper's stderr, or the lines tests/pam/syslogcap.c
	# captured during this call
	{
		cat "$OUT.err"
		tail -n "+$((before + 1))" "$T_DIR/syslog" 2> /dev/null
	} > "$OUT.log"
	{
		echo "## acct #$LOGIN_N user=$user $*"
		cat "$OUT"
		sed 's/^/log: /' "$OUT.log" | head -n 20
	} >> "$T_DIR/transcript"
}

info_is() {
	[ "$(sed -n 's/^INFO: //p' "$OUT")" = "$1" ]
}

no_info() {
	! grep -q '^INFO: ' "$OUT"
}

log_has() {
	grep -qE -- "$1" "$OUT.log"
}

scn_acct() {
	local want
	new_env remind-acct
	remind_conf sms ""
	acct_svc
	want="Your password was last changed 100 days ago ($(day_of 100)). Please change it soon with passwd."
	acct pvaold
	check "acct: the module returns PAM_IGNORE for an old password (stack: PAM_SUCCESS)" \
		result_is PAM_SUCCESS
	check "acct: the note names the age (100 days) and the date of the change" info_is "$want"
	check "acct: one log line event=password_reminder user=pvaold age_days=100" \
		eval '[ "$(grep -c "event=password_reminder user=pvaold .*age_days=100" "$OUT.log")" = 1 ]'
	acct pvaold --silent
	check "acct: PAM_SILENT: no note, still PAM_IGNORE and logged" \
		eval 'no_info && result_is PAM_SUCCESS && log_has "event=password_reminder user=pvaold"'
	acct pvanew
	check "acct: a 5-day-old password: no note, PAM_IGNORE, no reminder logged" \
		eval 'no_info && result_is PAM_SUCCESS && ! log_has "event=password_reminder "'
	acct pvanodate
	check "acct: no date in shadow: no note, PAM_IGNORE" eval 'no_info && result_is PAM_SUCCESS'
	acct pvanosuchuser
	check "acct: unknown user: no note, PAM_IGNORE" eval 'no_info && result_is PAM_SUCCESS'
	if locale -a 2> /dev/null | grep -qix 'zh_CN.utf-\?8' &&
	   [ -f "$BUILD/locale/zh_CN/LC_MESSAGES/pam_privauth.mo" ] &&
	   grep -A3 'Your password was last changed' "$ROOT/po/zh_CN.po" | grep -q 'msgstr "[^"]'; then
		CONF_EXTRA="hostname = \"$HOST\"; locale_dir = \"$BUILD/locale\";"
		write_conf remind_after_days=90
		ctl user set pvazh --phone +8613612345678 --lang zh_CN > /dev/null
		acct pvazh
		check "acct: pvazh (directory language zh_CN): the note is translated, age 120 and date" \
			eval 'grep -q "^INFO: .*120.*$(day_of 120)" "$OUT" && ! grep -q "^INFO: Your password" "$OUT"'
		LANG=zh_CN.UTF-8 acct pvaold
		check "acct: pvaold, not enrolled, LANG=zh_CN.UTF-8: translated, age 100" \
			eval 'grep -q "^INFO: .*100.*$(day_of 100)" "$OUT" && ! grep -q "^INFO: Your password" "$OUT"'
	else
		tap_skip "acct: Chinese note (phone directory)" "no zh_CN locale or no translation of the note yet"
		tap_skip "acct: Chinese note (LANG)" "no zh_CN locale or no translation of the note yet"
	fi
	write_conf remind_after_days=0
	acct pvaold
	check "acct: remind_after_days = 0: no note for the old password, PAM_IGNORE" \
		eval 'no_info && result_is PAM_SUCCESS'
	svc_raw acct "account required $MODULE conf=$T_CONF" "account required pam_permit.so"
	write_conf remind_after_days=90
	acct pvaold
	check "acct: with 'required' and pam_permit the stack result is pam_permit's (PAM_SUCCESS)" \
		eval 'result_is PAM_SUCCESS && grep -q "^INFO: " "$OUT"'
	svc_raw acct "account required $MODULE conf=$T_CONF"
	acct pvaold
	check "acct: the module alone decides nothing: libpam says PAM_PERM_DENIED (IGNORE, not SUCCESS)" \
		result_is PAM_PERM_DENIED
	acct_svc nosuchargument
	acct pvaold
	check "acct: a bad module argument is PAM_SERVICE_ERR, logged" \
		eval 'result_is PAM_SERVICE_ERR && log_has "event=bad_argument"'
	acct_svc
	echo "defaults = { remind_after_days = -1; };" > "$T_CONF"
	acct pvaold
	check "acct: a configuration error is PAM_SERVICE_ERR, logged" \
		eval 'result_is PAM_SERVICE_ERR && log_has "event=config_error"'
}

# ------------------------------------------------------------ remind by mail

scn_mail() {
	new_env remind-mail
	fake_start plain || { tap_not_ok "mail: the SMTP fake starts"; return; }
	remind_conf email "$(smtp_url plain)"
	enrol_all > /dev/null
	ctl remind --dry-run
	check "dry run: exit 0" ctl_rc 0
	check "dry run: lists pvaold (100 days, $(day_of 100)) and pvazh (120 days)" \
		eval 'out_has "^pvaold: would remind by email to pvaold@mail.example .*100 days old, changed $(day_of 100)" && out_has "^pvazh: would remind by email to pvazh@mail.example \(zh_CN\).*120 days"'
	check "dry run: pvanew not due (5 days), pvanodate skipped" \
		eval 'out_has "^pvanew: not due: password 5 days old" && out_has "^pvanodate: skipped"'
	check "dry run: no mail sent, nothing recorded" \
		eval 'mails_are 0 && ! reminded pvaold && ! reminded pvazh'

	ctl remind
	check "remind: exit 0, summary 2 due, 2 sent, 0 failed" \
		eval 'ctl_rc 0 && out_has "^done: 4 enrolled, 2 due, 2 sent, 0 failed"'
	check "remind: exactly two mails reached the fake" mails_are 2
	check "remind: pvaold's mail went to pvaold@mail.example, From the configured sender" \
		eval 'mail_has pvaold@mail.example "X-Fake-Mail-From: privauth@$HOST.example" && mail_has pvaold@mail.example "To: <pvaold@mail.example>"'
	check "remind: subject 'Password reminder for pvaold on $HOST'" \
		mail_has pvaold@mail.example "Subject: Password reminder for pvaold on $HOST"
	check "remind: body names the age (100 days) and the date" \
		mail_has pvaold@mail.example "last changed 100 days ago ($(day_of 100))"
	check "remind: headers Date, Message-ID, MIME-Version 1.0, text/plain; charset=UTF-8" \
		eval 'mail_to pvaold@mail.example > "$T_DIR/d" && grep -q "^Date: ..., [0-9]" "$T_DIR/d" && grep -q "^Message-ID: <.*@$HOST.example>" "$T_DIR/d" && grep -q "^MIME-Version: 1.0" "$T_DIR/d" && grep -qi "^Content-Type: text/plain; charset=UTF-8" "$T_DIR/d"'
	check "remind: pvazh's mail is Chinese UTF-8 (base64 body, RFC 2047 subject), age 120" \
		eval 'mail_to pvazh@mail.example > "$T_DIR/d" && grep -q "您在 $HOST 上的密码已有 120 天未更改" "$T_DIR/d" && grep -q "^Subject: $HOST 密码更改提醒（pvazh）" "$T_DIR/d" && grep -q "^Raw-Subject: =?UTF-8?B?" "$T_DIR/d" && grep -q "^Content-Transfer-Encoding: base64" "$T_DIR/d"'
	check "remind: plain loopback server without STARTTLS: sent in the clear (TLS: no)" \
		mail_has pvaold@mail.example "X-Fake-TLS: no"
	check "remind: output one line per user, pvaold 'reminded by email'" \
		eval 'out_has "^pvaold: reminded by email to pvaold@mail.example" && [ "$(grep -c "^pva[a-z]*: " "$CTL_OUT")" = 4 ]'
	check "remind: log line per send: event=password_reminder_sent user=pvaold ... outcome=sent" \
		eval '[ "$(grep -c "event=password_reminder_sent .*outcome=sent" "$CTL_OUT")" = 2 ] && out_has "event=password_reminder_sent user=pvaold .*age_days=100"'
	check "remind: the reminders are recorded" eval 'reminded pvaold && reminded pvazh && ! reminded pvanew'

	ctl remind
	check "second run within remind_every_days: exit 0, nothing sent (still 2 mails)" \
		eval 'ctl_rc 0 && mails_are 2 && out_has "^pvaold: not due: reminded"'
	OFFSET=$((6 * DAY)) ctl remind
	check "six days later: still nothing" eval 'ctl_rc 0 && mails_are 2'
	OFFSET=$((7 * DAY + 3600)) ctl remind
	# ages in whole days at the shifted clock: 107 / 127, or 108 / 128
	# when the extra hour crosses midnight (UTC)
	local later=$(( ($(date +%s) + 7 * DAY + 3600) / DAY - TODAY ))
	check "remind_every_days (7) later: both reminded again (4 mails), age now $((100 + later)) / $((120 + later))" \
		eval 'ctl_rc 0 && mails_are 4 && mail_has pvaold@mail.example "$((100 + later)) days ago" && out_has "^pvazh: reminded .*$((120 + later)) days"'
	OFFSET=$((7 * DAY + 7200)) ctl remind --dry-run
	check "and right after that run, not due again" \
		eval 'ctl_rc 0 && out_has "^pvaold: not due: reminded"'
	fake_stop_all
}

scn_starttls() {
	new_env remind-tls
	fake_start tls --cert "$CERTS/server.pem" --key "$CERTS/server.key" \
		--require-starttls || { tap_not_ok "starttls: the SMTP fake starts"; return; }
	remind_conf email "$(smtp_url tls) ca_file = \"$CERTS/ca.pem\";"
	enrol pvaold "$PHONE" > /dev/null
	ctl remind
	check "STARTTLS-required server with ca_file: sent over TLS, exit 0" \
		eval 'ctl_rc 0 && mails_are 1 && mail_has pvaold@mail.example "X-Fake-TLS: yes"'
	rm -f "$T_STATE/remind/pvaold"
	remind_conf email "$(smtp_url tls) ca_file = \"$CERTS/rogue-ca.pem\";"
	ctl remind
	check "the same server, ca_file of another CA: exit 1, nothing sent, not recorded" \
		eval 'ctl_rc 1 && mails_are 1 && ! reminded pvaold && out_has "^pvaold: FAILED by email"'
	remind_conf email "$(smtp_url tls)"
	ctl remind
	check "without ca_file (system store only): the test CA is not trusted, exit 1" \
		eval 'ctl_rc 1 && mails_are 1 && ! reminded pvaold'
	fake_stop_all
	fake_start smtps --cert "$CERTS/server.pem" --key "$CERTS/server.key" --implicit-tls ||
		{ tap_not_ok "smtps: the SMTP fake starts"; return; }
	remind_conf email "$(smtp_url smtps smtps) ca_file = \"$CERTS/ca.pem\";"
	ctl remind
	check "smtps:// (TLS from the start) with ca_file: sent, exit 0" \
		eval 'ctl_rc 0 && mails_are 2 && reminded pvaold'
	fake_stop_all
}

scn_reject() {
	new_env remind-reject
	fake_start rej --reject-rcpt || { tap_not_ok "reject: the SMTP fake starts"; return; }
	remind_conf email "$(smtp_url rej)"
	enrol pvaold "$PHONE" > /dev/null
	enrol pvanew +8613912345678 > /dev/null
	ctl remind
	check "RCPT rejected (550): exit 1, FAILED line, no mail" \
		eval 'ctl_rc 1 && out_has "^pvaold: FAILED by email to pvaold@mail.example: .*550" && mails_are 0'
	check "RCPT rejected: no reminder recorded, logged outcome=failed" \
		eval '! reminded pvaold && out_has "event=password_reminder_sent user=pvaold .*outcome=failed"'
	ctl remind --dry-run
	check "RCPT rejected: the next run still finds pvaold due" \
		out_has "^pvaold: would remind"
	fake_stop_all
}

scn_unsafe() {
	new_env remind-unsafe
	fake_start plain || { tap_not_ok "unsafe: the SMTP fake starts"; return; }
	remind_conf email "$(smtp_url plain)"
	enrol 'pva+x' "$PHONE" > /dev/null
	enrol pvaold +8613912345678 > /dev/null
	ctl remind
	check "user 'pva+x' (would become pva+x@...): refused, exit 1, pvaold still mailed" \
		eval 'ctl_rc 1 && out_has "^pva\+x: FAILED: the user name does not make a safe mail address" && mails_are 1 && mail_has pvaold@mail.example "100 days"'
	fake_stop_all
}

scn_sms() {
	new_env remind-sms
	remind_conf sms ""
	enrol pvaold "$PHONE" > /dev/null
	enrol pvanew +8613912345678 > /dev/null
	ctl remind --dry-run
	check "sms dry run: lists pvaold with the masked number, nothing spooled" \
		eval 'ctl_rc 0 && grep -qF "pvaold: would remind by sms to $MASKED" "$CTL_OUT" && spool_is 0'
	ctl remind
	check "sms: exit 0, exactly one message spooled" eval 'ctl_rc 0 && spool_is 1'
	check "sms: the spooled message is the reminder (100 days, the date)" \
		spool_body_has "last changed 100 days ago ($(day_of 100))"
	check "sms: the spool file is addressed to the number" \
		eval 'grep -qx "To: 8613812345678" "$(find "$T_SPOOL" -maxdepth 1 -type f ! -name ".*" | head -n 1)"'
	check "sms: output shows the masked number only" \
		eval 'grep -qF "pvaold: reminded by sms to $MASKED" "$CTL_OUT" && out_lacks 13812345678'
	check "sms: recorded; counted against the send limits (status: sends_last_day 1)" \
		eval 'reminded pvaold && ctl status pvaold && [ "$(status_num sends_last_day)" = 1 ]'
	ctl remind
	check "sms: second run sends nothing" eval 'ctl_rc 0 && spool_is 1'
}

# The timer runs `privauthctl remind` without --service: the settings of
# services.remind apply then (the defaults when there is no such group).
scn_service() {
	new_env remind-service
	CONF_SERVICES='remind = { remind_after_days = 90; remind_via = "sms"; };' \
		write_conf 'allowed_prefixes=["+86"]' remind_after_days=0
	enrol pvaold "$PHONE" > /dev/null
	ctl remind --dry-run
	check "services.remind applies without --service: pvaold would be reminded" \
		eval 'ctl_rc 0 && grep -qF "pvaold: would remind by sms to $MASKED" "$CTL_OUT"'
	ctl remind --dry-run --service sshd
	check "--service sshd (no group: the defaults, reminders off): nobody" \
		eval '! grep -q "would remind" "$CTL_OUT"'
}

# ------------------------------------------------------------ main

[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -n "${PVA_REMIND_NS:-}" ] || skip_all "needs unshare (a private mount namespace)"
pamenv_init || skip_all "$PAMENV_SKIP"
/usr/bin/python3 -c 'import aiosmtpd' 2> /dev/null ||
	skip_all "needs python3-aiosmtpd (tests/deps.sh)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pva-remind-etc.XXXXXX") || exit 1
TAP_DIRS+=("$WORK")
CERTS=$WORK/certs
trap 'fake_stop_all; tap_cleanup' EXIT
if ! accounts_setup "$WORK"; then
	tap_not_ok "the throw-away users exist in a private copy of the account files"
	tap_done
	exit 1
fi
"$ROOT/tests/fakes/mkca.sh" "$CERTS" || skip_all "tests/fakes/mkca.sh failed"
tap_check "setup: the users exist in the namespace, not in the host's /etc/shadow" \
	eval 'getent shadow pvaold > /dev/null && ! grep -q "^pvaold:" /proc/$$/fd/9'

# shellcheck disable=SC2048  # scenario names are single words
for s in ${*:-acct mail starttls reject unsafe sms service}; do
	"scn_$s"
done
fake_stop_all
tap_check "the host's /etc/shadow is unchanged and holds no test user" \
	eval '[ "$(sha256sum < /proc/$$/fd/9)" = "$HOST_SHADOW" ] && ! grep -q "^pva" /proc/$$/fd/9'
tap_done
