#!/bin/sh
# deps.sh - install what building and testing pam_privauth needs.
#
# Idempotent: asks the package database first and only installs what is
# missing (no index update when nothing is).  Installing openssh-server
# never leaves a host sshd running or enabled that was not there before.
# Prints one summary line.  Exit status 0 when everything is present.
set -u

DEB_PKGS="build-essential pkg-config libpam0g-dev libsodium-dev
libcurl4-openssl-dev libconfig-dev libjson-c-dev libcmocka-dev libpam-wrapper
libpamtest0-dev python3-pypamtest pamtester openssh-server openssh-client
expect python3-paramiko valgrind util-linux iproute2 passwd openssl
john-data python3-zxcvbn libzxcvbn-dev wamerican
libpwquality-dev libpam-pwquality cracklib-runtime
locales gettext python3-aiosmtpd
groff-base man-db"

RPM_PKGS="gcc make pkgconf-pkg-config pam-devel libsodium-devel libcurl-devel
libconfig-devel json-c-devel libcmocka-devel pam_wrapper python3-pam_wrapper
pamtester openssh-server openssh-clients expect python3-paramiko valgrind
util-linux iproute passwd shadow-utils openssl
glibc-langpack-zh gettext python3-aiosmtpd
groff-base man-db"

# Word count and one-line form of a whitespace-separated list.
count() {
	# shellcheck disable=SC2086 # splitting is the point
	set -- $1
	echo $#
}
oneline() {
	printf '%s' "$1" | tr -s ' \n' '  '
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "deps: need root to run: $*" >&2
		return 1
	fi
}

deb_missing() {
	for p in $DEB_PKGS; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
		[ "$st" = "installed" ] || printf '%s ' "$p"
	done
}

# The ssh units that were enabled before we touched anything.
ssh_units_enabled() {
	command -v systemctl >/dev/null 2>&1 || return 0
	for u in ssh.service ssh.socket sshd.service sshd.socket; do
		if systemctl is-enabled "$u" >/dev/null 2>&1; then
			printf '%s ' "$u"
		fi
	done
}

# Undo what the openssh-server maintainer scripts enabled, keeping what
# was enabled before the install.
ssh_units_restore() {
	before=$1
	command -v systemctl >/dev/null 2>&1 || return 0
	for u in ssh.service ssh.socket sshd.service sshd.socket; do
		case " $before " in *" $u "*) continue ;; esac
		if systemctl is-enabled "$u" >/dev/null 2>&1; then
			as_root systemctl disable "$u" >/dev/null 2>&1 ||
				echo "deps: could not disable $u" >&2
		fi
	done
	if [ -x /usr/sbin/update-rc.d ] && [ -e /etc/init.d/ssh ] &&
	   [ -z "$before" ]; then
		as_root update-rc.d ssh disable >/dev/null 2>&1 || true
	fi
}

deb_install() {
	missing=$(deb_missing)
	if [ -z "$missing" ]; then
		echo "deps: all $(count "$DEB_PKGS") packages already installed"
		return 0
	fi
	policy=/usr/sbin/policy-rc.d
	made_policy=0
	ssh_before=""
	case " $missing " in
	*" openssh-server "*)
		ssh_before=$(ssh_units_enabled)
		if [ ! -e "$policy" ]; then
			# 101 = "action forbidden": maintainer scripts start nothing.
			as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy &&
				chmod 0755 $policy" && made_policy=1
		fi
		;;
	esac
	pwq_before=$(grep -l pam_pwquality /etc/pam.d/common-password 2>/dev/null || true)
	export DEBIAN_FRONTEND=noninteractive
	rc=0
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ||
		rc=$?
	if [ "$rc" -eq 0 ]; then
		# shellcheck disable=SC2086 # word splitting wanted
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $missing >/dev/null || rc=$?
	fi
	[ "$made_policy" -eq 1 ] && as_root rm -f "$policy"
	case " $missing " in
	*" openssh-server "*) ssh_units_restore "$ssh_before" ;;
	esac
	case " $missing " in
	*" libpam-pwquality "*)
		# Its maintainer script enables pam_pwquality in the host's
		# common-password (pam-auth-update).  It is here for the
		# benchmark only: take it back out unless it was there before.
		if [ -z "$pwq_before" ] && command -v pam-auth-update >/dev/null &&
		   grep -q pam_pwquality /etc/pam.d/common-password 2>/dev/null; then
			as_root pam-auth-update --package --remove pwquality >/dev/null 2>&1 || true
		fi
		;;
	esac
	still=$(deb_missing)
	if [ "$rc" -ne 0 ] || [ -n "$still" ]; then
		echo "deps: FAILED (apt-get rc=$rc); still missing: ${still:-none}"
		return 1
	fi
	echo "deps: installed $(count "$missing") package(s): ${missing% }"
}

dnf_install() {
	echo "deps: dnf packages: $(oneline "$RPM_PKGS")"
	ssh_before=$(ssh_units_enabled)
	# shellcheck disable=SC2086
	if as_root dnf install -y -q --setopt=install_weak_deps=False \
		--skip-broken $RPM_PKGS >/dev/null; then
		ssh_units_restore "$ssh_before"
		echo "deps: dnf install done"
		return 0
	fi
	ssh_units_restore "$ssh_before"
	echo "deps: FAILED: dnf install (some names may differ on this release)"
	return 1
}

# The zh_CN.UTF-8 locale for the Chinese prompts (tests/i18n): Debian
# generates it from /etc/locale.gen; only when it is not there yet.
zh_locale() {
	if locale -a 2>/dev/null | grep -qiE '^zh_CN\.utf-?8$'; then
		return 0
	fi
	[ -f /etc/locale.gen ] && command -v locale-gen >/dev/null 2>&1 || return 0
	if ! grep -qE '^[[:space:]]*zh_CN\.UTF-8[[:space:]]+UTF-8' /etc/locale.gen; then
		as_root sed -i -E 's/^#[[:space:]]*(zh_CN\.UTF-8[[:space:]]+UTF-8)/\1/' \
			/etc/locale.gen || return 1
		grep -qE '^[[:space:]]*zh_CN\.UTF-8[[:space:]]+UTF-8' /etc/locale.gen ||
			as_root sh -c 'echo "zh_CN.UTF-8 UTF-8" >> /etc/locale.gen' || return 1
	fi
	if as_root locale-gen >/dev/null 2>&1; then
		echo "deps: generated the zh_CN.UTF-8 locale"
	else
		echo "deps: FAILED: locale-gen (zh_CN.UTF-8)"
		return 1
	fi
}

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
	deb_install && zh_locale
elif command -v dnf >/dev/null 2>&1; then
	dnf_install
else
	echo "deps: FAILED: neither apt-get nor dnf found; install by hand:" \
		"$(oneline "$DEB_PKGS")"
	exit 1
fi
