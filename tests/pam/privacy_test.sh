#!/bin/bash
# privacy_test.sh - the privacy side of a login, through libpam (pam_wrapper):
# the privacy notice and consent, exempt groups, trusted networks, grace
# and backup codes.  Same machinery as module_test.sh (tests/lib/tap.sh):
# a fresh temp environment per scenario, pam_harness answering prompts in
# order ("=yes" for the consent question), faketime.so for the clock.
# Output is TAP.  Needs root.
#
#   BUILD=build tests/pam/privacy_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"

PHONE=+8613812345678
MASK='\+86 \*\*\*\*\*\*\*5678'

# Some line of an INFO message (messages may span lines) matches $1.
info_has() {
	awk '/^(PROMPT|ERROR|HARNESS|RESULT): / { in_info = 0 }
	     /^INFO: / { in_info = 1; sub(/^INFO: /, "") }
	     in_info' "$OUT" | grep -qE -- "$1"
}

no_info() {
	! grep -q '^INFO: ' "$OUT"
}

# The consent question was asked, with echo on.
asked_consent() {
	grep -A1 '^PROMPT: Type yes to agree: $' "$OUT" | grep -q '^HARNESS: echo on$'
}

# The scenario's syslog (tests/pam/syslogcap.c) has a line matching $1.
log_has() {
	grep -qE -- "$1" "$T_DIR/syslog" 2> /dev/null
}

# No syslog line holds the fixed string $1.
log_lacks() {
	[ -f "$T_DIR/syslog" ] && ! grep -qF -- "$1" "$T_DIR/syslog"
}

# Every bypass line names its reason and carries no phone number.
bypass_logged() {
	log_has "event=bypass user=[^ ]+ service=[^ ]+ .*reason=$1" &&
		! grep 'event=bypass' "$T_DIR/syslog" | grep -q 'phone='
}

not_asked() {
	! grep -q '^PROMPT: Type yes to agree' "$OUT"
}

# ---------------------------------------------------------------- scenarios

scn_consent() {
	new_env consent
	write_conf require_consent=true
	svc test
	enrol daemon "$PHONE"
	login test daemon =yes code
	check "consent: the notice is shown before any code" info_has 'Privacy notice'
	check "consent: the notice shows the masked number" info_has "$MASK"
	check "consent: the notice names the recipient" info_has "smstools"
	check "consent: the notice never shows the full number" \
		bash -c "! grep -q 13812345678 '$OUT'"
	check "consent: asked with echo on" asked_consent
	check "consent: then the code prompt" prompt_has 'Code sent by SMS to'
	check "consent: 'yes' then the code logs in" result_is PAM_SUCCESS
	check "consent: logged event=consent outcome=agreed" \
		log_has 'event=consent .*outcome=agreed version=[0-9a-f]{16}'
	check "consent: no full number in the log" log_lacks 13812345678
	check "consent: one code sent" spool_is 1
	login test daemon code
	check "consent: second login, not asked again" not_asked
	check "consent: second login shows no notice" no_info
	check "consent: second login, one prompt (the code)" prompts_are 1
	check "consent: second login succeeds" result_is PAM_SUCCESS
	# "YES" is yes too; another service is asked on its own
	svc second
	login second daemon =YES code
	check "consent: another service asks again" asked_consent
	check "consent: 'YES' is accepted" result_is PAM_SUCCESS
}

scn_changed() {
	new_env changed
	write_conf require_consent=true max_sends_per_hour=20
	svc test
	enrol daemon "$PHONE"
	login test daemon =yes code
	check "changed: first login agreed" result_is PAM_SUCCESS
	write_conf require_consent=true max_sends_per_hour=20 \
		privacy_notice='"Changed notice: {phone} goes to {recipients} for {service}."'
	login test daemon =yes code
	check "changed: an edited notice is asked again" asked_consent
	check "changed: the new text is shown" info_has "^Changed notice: $MASK goes to"
	check "changed: agreed again, logs in" result_is PAM_SUCCESS
	login test daemon code
	check "changed: then not asked" not_asked
	write_conf require_consent=true max_sends_per_hour=20 \
		privacy_notice='"Changed notice: {phone} goes to {recipients} for {service}."' \
		privacy_notice_zh_CN='"新的说明：{phone}"'
	login test daemon =yes code
	check "changed: an edited translation is asked again" asked_consent
	write_conf require_consent=true max_sends_per_hour=20 \
		privacy_notice='"Changed notice: {phone} goes to {recipients} for {service}."' \
		privacy_notice_zh_CN='"新的说明：{phone}"' providers='["spool", "broken"]'
	login test daemon =yes code
	check "changed: a new provider (recipient) is asked again" asked_consent
	check "changed: the new recipient is named" info_has 'a local delivery program'
	ctl user set daemon --phone "$PHONE"
	login test daemon code
	check "changed: setting the same number again does not ask again" not_asked
	ctl user set daemon --phone +8613912345678
	login test daemon =yes code
	check "changed: a new phone number is asked again (user set revokes consent)" \
		asked_consent
	check "changed: and logs in" result_is PAM_SUCCESS
	ctl consent show daemon
	check "changed: the new agreement is recorded" grep -q 'test' "$CTL_OUT"
}

scn_declined() {
	new_env declined
	write_conf require_consent=true
	svc test
	enrol daemon "$PHONE"
	login test daemon =no code
	check "declined: 'no' is refused (PAM_AUTH_ERR)" result_is PAM_AUTH_ERR
	check "declined: nothing sent" spool_is 0
	check "declined: says why" error_has '^You did not agree, so no code was sent'
	check "declined: no code prompt" prompts_are 1
	check "declined: logged event=consent outcome=declined" \
		log_has 'event=consent .*outcome=declined'
	check "declined: no code_sent logged" bash -c "! grep -q event=code_sent '$T_DIR/syslog'"
	login test daemon = code
	check "declined: an empty answer is no" result_is PAM_AUTH_ERR
	login test daemon =y code
	check "declined: 'y' is no" result_is PAM_AUTH_ERR
	check "declined: still nothing sent" spool_is 0
	login test daemon
	check "declined: a broken-off conversation sends nothing" spool_is 0
	check "declined: and is refused" result_is_not PAM_SUCCESS
	login test daemon =yes code
	check "declined: asked again after declining" asked_consent
	check "declined: then 'yes' logs in" result_is PAM_SUCCESS
}

# Users without a number see the same notice and question, and after
# agreeing are not asked again, like enrolled users.
scn_decoy() {
	local e u x
	new_env decoy
	write_conf require_consent=true
	svc test
	enrol daemon "$PHONE"
	login test daemon =yes =123456
	e=$OUT
	login test bin =yes =123456
	u=$OUT
	login test no-such-user-pva =yes =123456
	x=$OUT
	check "decoy: unenrolled user asked the same" asked_consent
	check "decoy: unenrolled user's dialogue matches an enrolled user's" \
		same_dialogue "$e" "$u"
	check "decoy: unknown user's dialogue matches too" same_dialogue "$e" "$x"
	check "decoy: the decoy notice shows a number" info_has '\+86 \*{7}[0-9]{4}'
	check "decoy: refused" result_is_not PAM_SUCCESS
	check "decoy: only the enrolled user's code was sent" spool_is 1
	login test daemon =123456
	e=$OUT
	login test bin =123456
	u=$OUT
	check "decoy: unenrolled user not asked again" not_asked
	check "decoy: second logins match as well" same_dialogue "$e" "$u"
	login test no-such-user-pva =no
	check "decoy: an unknown user who agreed is not asked again" not_asked
	# whoever said yes at bin's decoy prompt agreed for nobody: once bin
	# is enrolled, bin is shown the notice with the real number
	enrol bin +8613912340001
	login test bin =yes code
	check "decoy: a yes given at the decoy prompt does not count after enrolment" \
		asked_consent
	check "decoy: after enrolment the notice shows the real number" \
		info_has '\+86 \*{7}0001'
}

scn_exempt() {
	new_env exempt
	write_conf require_consent=true exempt_groups='["root"]'
	svc test
	enrol daemon "$PHONE"
	enrol root +8613812345670
	login test root
	check "exempt: root (group root) logs in without a code" result_is PAM_SUCCESS
	check "exempt: no prompt at all" prompts_are 0
	check "exempt: nothing sent" spool_is 0
	check "exempt: logged event=bypass reason=exempt_group, no phone" bypass_logged exempt_group
	login test daemon
	check "exempt: daemon (group daemon) is asked" asked_consent
	check "exempt: and not let through" result_is_not PAM_SUCCESS
	write_conf require_consent=true exempt_groups='["*", "!daemon"]'
	login test root
	check "exempt: '*' exempts root" result_is PAM_SUCCESS
	login test daemon
	check "exempt: '!daemon' wins over '*'" result_is_not PAM_SUCCESS
	write_conf require_consent=true exempt_groups='["!daemon", "d?em*"]'
	login test daemon
	check "exempt: a negation before the match wins too" result_is_not PAM_SUCCESS
	write_conf require_consent=true exempt_groups='["*"]'
	login test no-such-user-pva
	check "exempt: an unknown user is in no group" result_is_not PAM_SUCCESS
	check "exempt: unknown user asked like anyone" asked_consent
	# supplementary groups: daemon in group "adm" (a private copy of
	# /etc/group, bind-mounted in this script's own mount namespace)
	if [ -n "${PVA_IN_NS:-}" ]; then
		sed 's/^adm:\([^:]*\):\([^:]*\):\(.*\)$/adm:\1:\2:\3,daemon/; s/^adm:\([^:]*\):\([^:]*\):,daemon$/adm:\1:\2:daemon/' \
			/etc/group > "$T_DIR/group"
		mount --bind "$T_DIR/group" /etc/group
		write_conf require_consent=true exempt_groups='["adm"]'
		login test daemon
		check "exempt: a supplementary group (adm) exempts daemon" result_is PAM_SUCCESS
		write_conf require_consent=true exempt_groups='["adm", "!daemon"]'
		login test daemon
		check "exempt: its primary group negated: not exempt" result_is_not PAM_SUCCESS
		umount /etc/group
		write_conf require_consent=true exempt_groups='["adm"]'
		login test daemon
		check "exempt: without the membership: not exempt" result_is_not PAM_SUCCESS
		# daemon's primary group has no name (as when the NSS source
		# that holds it is down): nobody can say "!daemon" does not
		# apply, so daemon is not exempt even under "*"
		grep -v '^daemon:' /etc/group > "$T_DIR/group.nodaemon"
		mount --bind "$T_DIR/group.nodaemon" /etc/group
		write_conf require_consent=true exempt_groups='["*", "!daemon"]'
		login test daemon
		check "exempt: a group id without a name exempts nobody" result_is_not PAM_SUCCESS
		check "exempt: the failed lookup is logged" \
			grep -q 'event=group_lookup_failed .*outcome="not exempt"' "$T_DIR/syslog"
		login test root
		check "exempt: root (all groups named) is still exempt under '*'" \
			result_is PAM_SUCCESS
		umount /etc/group
	else
		tap_skip "exempt: supplementary group" "no private mount namespace"
		tap_skip "exempt: unnamed group" "no private mount namespace"
		tap_skip "exempt: unnamed group logged" "no private mount namespace"
		tap_skip "exempt: root still exempt" "no private mount namespace"
		tap_skip "exempt: supplementary group negated" "no private mount namespace"
		tap_skip "exempt: supplementary group removed" "no private mount namespace"
	fi
}

scn_trusted() {
	local h
	new_env trusted
	write_conf require_consent=true \
		trusted_networks='["127.0.0.0/8", "::1/128", "10.9.0.0/16", "2001:db8:5::/48"]'
	svc test
	enrol daemon "$PHONE"
	for h in 127.0.0.1 127.200.0.9 ::1 10.9.255.1 ::ffff:10.9.1.2 2001:db8:5:1::7; do
		login test daemon --rhost "$h"
		check "trusted: from $h no code" result_is PAM_SUCCESS
	done
	check "trusted: nothing sent" spool_is 0
	check "trusted: logged event=bypass reason=trusted_network, no phone" \
		bypass_logged trusted_network
	for h in 10.10.0.1 ::2 2001:db8:6::1 localhost ip6-localhost \
		host.example 127.0.0.1.example ""; do
		login test daemon --rhost "$h"
		check "trusted: from '$h' the login is asked" asked_consent
		check "trusted: from '$h' not let through without answers" result_is_not PAM_SUCCESS
	done
	login test daemon
	check "trusted: without PAM_RHOST asked too" asked_consent
}

scn_grace() {
	new_env grace
	write_conf require_consent=false grace_hours=2 max_sends_per_hour=20
	svc test
	svc second
	enrol daemon "$PHONE"
	login test daemon --rhost 10.1.1.1 code
	check "grace: a code login" result_is PAM_SUCCESS
	login test daemon --rhost 10.1.1.1
	check "grace: same host within grace: no code" result_is PAM_SUCCESS
	check "grace: no prompt" prompts_are 0
	check "grace: nothing more sent" spool_is 1
	check "grace: logged event=bypass reason=grace, no phone" bypass_logged grace
	OFFSET=7000 login test daemon --rhost 10.1.1.1
	check "grace: still in grace near its end" result_is PAM_SUCCESS
	login test daemon --rhost 10.1.1.2
	check "grace: another host needs a code" prompt_has 'Code sent by SMS'
	check "grace: another host refused without it" result_is_not PAM_SUCCESS
	login second daemon --rhost 10.1.1.1
	check "grace: another service needs a code" prompt_has 'Code sent by SMS'
	OFFSET=7201 login test daemon --rhost 10.1.1.1
	check "grace: after grace_hours a code is needed again" prompt_has 'Code (sent|already)'
	check "grace: refused without it" result_is_not PAM_SUCCESS
	# the console (no PAM_RHOST) is a host of its own
	OFFSET=7300 login test daemon code
	OFFSET=7301 login test daemon
	check "grace: console login in grace" result_is PAM_SUCCESS
	OFFSET=7302 login test daemon --rhost 10.1.1.1
	check "grace: the console's grace is not a remote host's" result_is_not PAM_SUCCESS
	# an unenrolled user never gets grace
	OFFSET=7400 login test bin --rhost 10.1.1.1 =123456
	OFFSET=7401 login test bin --rhost 10.1.1.1
	check "grace: an unenrolled user is never let through" result_is_not PAM_SUCCESS
}

# Ten codes from privauthctl backup-codes USER into CODES[].
backup_codes() {
	CODES=()
	ctl backup-codes "$1" || return 1
	mapfile -t CODES < <(grep -oE '\b[2-9a-z]{5}-[2-9a-z]{5}\b' "$CTL_OUT")
	[ "${#CODES[@]}" = 10 ]
}

scn_backup() {
	local i
	new_env backup
	write_conf require_consent=false grace_hours=2 max_sends_per_hour=20
	svc test
	enrol daemon "$PHONE"
	if ! ctl backup-codes daemon && grep -qi 'unknown\|usage' "$CTL_OUT"; then
		tap_not_ok "backup: privauthctl backup-codes is not available"
		return
	fi
	backup_codes daemon
	check "backup: privauthctl backup-codes prints 10 codes" test "${#CODES[@]}" = 10
	login test daemon --rhost 10.2.0.1 "=${CODES[0]}"
	check "backup: a backup code logs in" result_is PAM_SUCCESS
	check "backup: says how many are left" info_has '^Backup code accepted; 9 left\.$'
	check "backup: one prompt" prompts_are 1
	check "backup: logged event=backup_code_used remaining=9" \
		log_has 'event=backup_code_used .*remaining=9'
	check "backup: the backup code is not in the log" log_lacks "${CODES[0]}"
	check "backup: nor without its dash" log_lacks "${CODES[0]/-/}"
	login test daemon --rhost 10.2.0.1 "=${CODES[0]}" "=${CODES[0]}" "=${CODES[0]}"
	check "backup: a used code is refused" result_is PAM_MAXTRIES
	check "backup: ... and counted as a wrong code" error_has '^Wrong code\. 2 attempts left\.'
	check "backup: a backup code did not start grace" prompts_are 3
	login test daemon --rhost 10.2.0.1 "=$(echo "${CODES[1]}" | tr a-z A-Z | tr -d -)"
	check "backup: upper case without the dash works" result_is PAM_SUCCESS
	check "backup: 8 left" info_has '8 left'
	login test daemon "=${CODES[2]}"
	check "backup: a third code works" result_is PAM_SUCCESS
	# down to the last one: a warning
	for i in 3 4 5 6 7 8; do
		login test daemon "=${CODES[$i]}"
	done
	check "backup: one left: a warning" error_has 'Only one backup code is left'
	login test daemon "=${CODES[9]}"
	check "backup: none left: says so" error_has 'last backup code'
	check "backup: none left: 0 left" info_has '0 left'
	login test daemon "=${CODES[9]}" code
	check "backup: all used: the phone code still works" result_is PAM_SUCCESS
	# a user without a number never gets in with one
	backup_codes bin
	login test bin "=${CODES[0]}" "=${CODES[1]}" "=${CODES[2]}"
	check "backup: an unenrolled user's backup codes never work" result_is_not PAM_SUCCESS
	check "backup: ... counted as wrong codes" error_has '^Wrong code\. 2 attempts left\.'
	write_conf require_consent=false backup_codes=false
	backup_codes daemon
	login test daemon "=${CODES[0]}" code
	check "backup: backup_codes = false: refused as a wrong code" \
		error_has '^Wrong code\. 2 attempts left\.'
	check "backup: backup_codes = false: then the code works" result_is PAM_SUCCESS
}

ALL="consent changed declined decoy exempt trusted grace backup"

if ! pamenv_init; then
	tap_not_ok "module and test tools are built and usable: $PAMENV_SKIP"
	tap_done
	exit 1
fi
# shellcheck disable=SC2086  # word splitting of the list is intended
[ $# -gt 0 ] || set -- $ALL
for s in "$@"; do
	"scn_$s"
done
tap_done
