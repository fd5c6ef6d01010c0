#!/bin/bash
# lang_test.sh - English and Simplified Chinese through the real module
# (libpam + pam_wrapper, as tests/pam/module_test.sh).
#
# The catalog comes from $BUILD/locale (built by `make all` from po/),
# named by the configuration's locale_dir.  Checks: a service with
# language = "zh_CN" gets Chinese prompts, errors and SMS; "auto" follows
# LANG of the environment, and the user's own preference (privauthctl user
# set --lang) wins over it; the default is English; without the
# zh_CN.UTF-8 locale (LOCPATH pointing at an empty directory, which glibc's
# newlocale honours) the prompts fall back to English while the SMS stays
# Chinese.  Output is TAP.  Needs root.
#
#   BUILD=build tests/i18n/lang_test.sh [SCENARIO...]
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
pamenv_isolate "$0" "$@"

# No language from the caller's environment unless a scenario sets one.
unset LANGUAGE LC_ALL LC_MESSAGES LANG

ZH_PROMPT='验证码已通过短信发送至 \+86 \*\*\*\*\*\*\*5678，5 分钟内有效。'
ZH_SMS='是您在 '
EN_PROMPT='Code sent by SMS to \+86 \*\*\*\*\*\*\*5678, valid 5 min\.'
EN_SMS='is your login code for'

# The standard test configuration with the catalogs of $BUILD, no consent
# question, and services zh and en with a fixed language.
conf() {
	CONF_EXTRA="locale_dir = \"$BUILD/locale\";" \
	CONF_SERVICES='zh = { language = "zh_CN"; }; en = { language = "en"; };' \
		write_conf require_consent=false
}

scn_service() {
	new_env lang-service
	conf
	svc zh
	enrol daemon +8613812345678
	login zh daemon wrong code
	check "language zh_CN: PAM_SUCCESS" result_is PAM_SUCCESS
	check "language zh_CN: the prompt is Chinese" prompt_has "$ZH_PROMPT"
	check "language zh_CN: the prompt offers resend in Chinese" \
		prompt_has '请输入验证码（r = 重新发送）：$'
	check "language zh_CN: the wrong-code error is Chinese" \
		error_has '^验证码错误。还可尝试 2 次。$'
	check "language zh_CN: the SMS is the Chinese template" spool_body_has "$ZH_SMS"
	check "language zh_CN: the SMS says the validity in Chinese" \
		spool_body_has '5 分钟内有效'
	check "language zh_CN: no English in the SMS" spool_body_lacks "$EN_SMS"
	svc en
	enrol bin +8613812345679
	LANG=zh_CN.UTF-8 login en bin code
	check "language en beats LANG=zh_CN.UTF-8: English prompt" \
		prompt_has 'Code sent by SMS to \+86 \*\*\*\*\*\*\*5679'
}

scn_auto_env() {
	new_env lang-auto
	conf
	svc test
	enrol daemon +8613812345678
	LANG=zh_CN.UTF-8 login test daemon code
	check "auto + LANG=zh_CN.UTF-8: PAM_SUCCESS" result_is PAM_SUCCESS
	check "auto + LANG=zh_CN.UTF-8: the prompt is Chinese" prompt_has "$ZH_PROMPT"
	check "auto + LANG=zh_CN.UTF-8: the SMS is Chinese" spool_body_has "$ZH_SMS"
	LANGUAGE=zh_CN:en LANG=C.UTF-8 login test daemon code
	check "auto + LANGUAGE=zh_CN:en: Chinese (LANGUAGE first)" prompt_has '^验证码'
}

scn_user_pref() {
	new_env lang-user
	conf
	svc test
	enrol daemon +8613812345678
	ctl user set daemon --lang zh_CN
	check "user set --lang zh_CN without --phone: exit 0" ctl_ok
	ctl user show daemon
	check "user show: language: zh_CN" grep -qx 'language: zh_CN' "$CTL_OUT"
	login test daemon code
	check "user preference zh_CN: PAM_SUCCESS" result_is PAM_SUCCESS
	check "user preference zh_CN: the prompt stays English (it must not tell who is enrolled)" \
		prompt_has "$EN_PROMPT"
	check "user preference zh_CN: the SMS is Chinese" spool_body_has "$ZH_SMS"
	ctl user set daemon --lang en
	LANG=zh_CN.UTF-8 OFFSET=400 login test daemon code
	check "user preference en, LANG=zh_CN.UTF-8: the prompt follows LANG (Chinese)" \
		prompt_has "$ZH_PROMPT"
	check "user preference en beats LANG=zh_CN.UTF-8 for the SMS: English" \
		spool_body_has "is your login code"
	ctl user set daemon --lang fr
	check "user set --lang fr is refused (exit 2)" test "$CTL_RC" = 2
	ctl user show daemon
	check "user show: the refused value changed nothing" \
		grep -qx 'language: en' "$CTL_OUT"
	ctl send-test daemon --lang zh_CN
	check "send-test --lang zh_CN: exit 0" ctl_ok
	check "send-test --lang zh_CN: the test message is Chinese" \
		spool_body_has 'pam_privauth 测试消息'
}

scn_default() {
	new_env lang-default
	conf
	svc test
	enrol daemon +8613812345678
	login test daemon wrong code
	check "default: PAM_SUCCESS" result_is PAM_SUCCESS
	check "default: the prompt is English" prompt_has "$EN_PROMPT"
	check "default: the error is English" error_has '^Wrong code\. 2 attempts left\.$'
	check "default: the SMS is the English template" spool_body_has "$EN_SMS"
	check "default: no Chinese in the SMS" spool_body_lacks "$ZH_SMS"
}

scn_no_locale() {
	new_env lang-nolocale
	conf
	svc zh
	enrol daemon +8613812345678
	mkdir -p "$T_DIR/nolocale"
	LOCPATH=$T_DIR/nolocale login zh daemon code
	check "no zh_CN locale: PAM_SUCCESS" result_is PAM_SUCCESS
	check "no zh_CN locale: the prompt falls back to English" prompt_has "$EN_PROMPT"
	check "no zh_CN locale: the SMS is still Chinese" spool_body_has "$ZH_SMS"
}

scn_consent() {
	new_env lang-consent
	CONF_EXTRA="locale_dir = \"$BUILD/locale\";" \
	CONF_SERVICES='zh = { language = "zh_CN"; };' write_conf require_consent=true
	svc zh
	enrol daemon +8613812345678
	login zh daemon =同意 code
	check "consent in Chinese: the question is Chinese" prompt_has '^输入 yes（或“同意”）表示同意：$'
	check "consent in Chinese: '同意' agrees, then the code logs in" result_is PAM_SUCCESS
}

scn_warning() {
	new_env lang-warning
	CONF_EXTRA="locale_dir = \"$BUILD/locale\";" \
		write_conf require_consent=false \
		'message_zh_CN="{code} 是您登录 {service} 的验证码，{validity}内有效。请勿将验证码告诉任何人，包括自称是管理员或客服的人员。如非本人操作，请忽略本短信。"'
	ctl check-config
	check "check-config: a two-segment Chinese template still loads (exit 0)" ctl_ok
	check "check-config: the warning names file, line and key" \
		grep -qE "privauth\.conf:[0-9]+: message_zh_CN: warning: .* needs 2 SMS segments \([0-9]+ UCS-2 characters > 70\)" "$CTL_OUT"
	check "check-config: prints language and locale_dir" \
		grep -qx "locale_dir = \"$BUILD/locale\";" "$CTL_OUT"
	svc test
	enrol daemon +8613812345678
	LANG=zh_CN.UTF-8 login test daemon code
	check "the module logs in with the warned template" result_is PAM_SUCCESS
	check "the long Chinese template is sent" spool_body_has '请忽略本短信'
}

# The password change (pam_sm_chauthtok) in the service's language.  The
# harness runs as root, so the policy only warns (enforce_for_root off).
scn_passwd() {
	new_env lang-passwd
	conf
	svc_raw zh "password requisite $MODULE conf=$T_CONF debug"
	LOGIN_N=$((LOGIN_N + 1))
	OUT=$T_DIR/chpw.$LOGIN_N
	pam_run "$OUT" "$OUT.err" --chauthtok --service zh --user daemon =password =password
	{ echo "## chauthtok zh daemon"; cat "$OUT"; } >> "$T_DIR/transcript"
	check "passwd, language zh_CN: the prompt is Chinese" prompt_has '^新密码：$'
	check "passwd, language zh_CN: the retype prompt is Chinese" prompt_has '^再次输入新密码：$'
	check "passwd, language zh_CN: the policy reason is Chinese" \
		error_has '^警告：这是常见密码或单词'
	check "passwd, language zh_CN: the root override is explained in Chinese" \
		error_has '^您是 root 用户'
	check "passwd, language zh_CN: PAM_SUCCESS" result_is PAM_SUCCESS
}

ALL="service auto_env user_pref default no_locale consent warning passwd"

if ! pamenv_init; then
	tap_not_ok "module and test tools are built and usable: $PAMENV_SKIP"
	tap_done
	exit 1
fi
if [ ! -f "$BUILD/locale/zh_CN/LC_MESSAGES/pam_privauth.mo" ]; then
	tap_not_ok "catalog $BUILD/locale/zh_CN/LC_MESSAGES/pam_privauth.mo is built (make all)"
	tap_done
	exit 1
fi
if ! locale -a 2> /dev/null | grep -qiE '^zh_CN\.utf-?8$'; then
	tap_not_ok "the zh_CN.UTF-8 locale is installed (tests/deps.sh)"
	tap_done
	exit 1
fi
# shellcheck disable=SC2086  # word splitting of the list is intended
[ $# -gt 0 ] || set -- $ALL
for s in "$@"; do
	"scn_$s"
done
tap_done
