#!/bin/bash
# package_test.sh - TAP: `make deb` and `make rpm` build, lintian reports no
# error and no warning, rpmlint no error, and the packages hold what they
# should (module in the multiarch / lib64 security directory, privauthctl,
# the conffile, the pam-auth-update profile off by default, tmpfiles
# entry, man pages and catalogs when the tree has them).
#
#   BUILD=build tests/containers/package_test.sh
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
. tests/lib/tap.sh

if ! out=$(tests/containers/deps.sh 2>&1); then
	tap_not_ok "package test dependencies ($out)"
	tap_done; exit
fi
OUT=$BUILD/pkg
ver=$(packaging/version.sh)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
DEB=$OUT/libpam-privauth_${ver}_${arch}.deb
RPM=$OUT/pam_privauth-${ver}-1.$(uname -m).rpm
LOG=$BUILD/test-pkg
mkdir -p "$LOG"

t=$(date +%s)
rm -f "$DEB" "$RPM"
make -s BUILD="$BUILD" deb >"$LOG/make-deb.log" 2>&1
tap_check "make deb -> $(basename "$DEB") ($(( $(date +%s) - t )) s)" test -f "$DEB"
t=$(date +%s)
make -s BUILD="$BUILD" rpm >"$LOG/make-rpm.log" 2>&1
tap_check "make rpm -> $(basename "$RPM") ($(( $(date +%s) - t )) s)" test -f "$RPM"
for f in make-deb make-rpm; do
	grep -q . "$LOG/$f.log" && ! grep -q '^/' "$LOG/$f.log" && tail -n 15 "$LOG/$f.log" | tap_diag
done
tap_check "the checkout stays clean (no debian/ or build residue at the top)" \
	test ! -e debian -a ! -e pam_privauth-"$ver"

# ---- Debian -------------------------------------------------------------
if [ -f "$DEB" ]; then
	# lintian refuses to be happy as root; the .deb is world-readable.
	chmod 0644 "$DEB"
	lrc=0
	if id nobody >/dev/null 2>&1; then
		# a copy nobody can reach, wherever the checkout lives (/root...)
		ldir=$(mktemp -d /tmp/pva-lintian.XXXXXX)
		chmod 0755 "$ldir"
		cp "$DEB" "$ldir/"
		chmod 0644 "$ldir/$(basename "$DEB")"
		(cd / && runuser -u nobody -- lintian --pedantic "$ldir/$(basename "$DEB")") \
			>"$LOG/lintian.txt" 2>&1 || lrc=$?
		rm -rf "$ldir"
	else
		lintian --pedantic "$DEB" >"$LOG/lintian.txt" 2>&1 || lrc=$?
	fi
	tap_diag <"$LOG/lintian.txt"
	tap_check "lintian: ran (exit 0), no error, no warning" \
		eval '[ "$lrc" = 0 ] && ! grep -qE "^[EW]: " "$LOG/lintian.txt" && ! grep -q "^lintian: " "$LOG/lintian.txt"'
	c=$(dpkg-deb -c "$DEB" | awk '{ print $1, $6 }')
	has() { grep -qx -- "$1" <<<"$c"; }
	tap_check "deb: module /usr/lib/$ma/security/pam_privauth.so (0644)" \
		has "-rw-r--r-- ./usr/lib/$ma/security/pam_privauth.so"
	tap_check "deb: /usr/sbin/privauthctl (0755)" has "-rwxr-xr-x ./usr/sbin/privauthctl"
	tap_check "deb: /etc/privauth/privauth.conf is a conffile" \
		eval 'dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles | grep -qx /etc/privauth/privauth.conf'
	prof=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./usr/share/pam-configs/privauth 2>/dev/null)
	tap_check "deb: pam-auth-update profile: Default: no, auth after the password (Additional)" \
		eval 'grep -qx "Default: no" <<<"$prof" && grep -qx "Auth-Type: Additional" <<<"$prof" && grep -qE "^[[:space:]]+required[[:space:]]+pam_privauth.so" <<<"$prof"'
	tap_check "deb: tmpfiles.d entry makes /var/lib/privauth 0700" \
		eval 'dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./usr/lib/tmpfiles.d/libpam-privauth.conf | grep -qE "^d /var/lib/privauth 0700 root root"'
	ctl=$(dpkg-deb -f "$DEB" Depends)
	tap_check "deb: depends on libpam-runtime and the run-time libraries ($ctl)" \
		eval '( for d in libpam-runtime libsodium23 libcurl4 libconfig9 libjson-c5 libpam0g; do grep -q "$d" <<<"$ctl" || exit 1; done )'
	for m in man/*.5 man/*.8; do
		[ -f "$m" ] || continue
		s=${m##*.}
		tap_check "deb: man page $m" has "-rw-r--r-- ./usr/share/man/man$s/$(basename "$m").gz"
	done
	for po in po/*.po; do
		[ -f "$po" ] || continue
		l=$(basename "$po" .po)
		tap_check "deb: catalog $l" eval 'grep -q "./usr/share/locale/$l/LC_MESSAGES/.*\.mo$" <<<"$c"'
	done
else
	tap_skip "lintian and contents of the .deb" "no .deb"
fi

# ---- RPM ----------------------------------------------------------------
if [ -f "$RPM" ]; then
	{ echo "%global pkgversion $ver"; cat packaging/rpm/pam_privauth.spec; } >"$LOG/pam_privauth.spec"
	rpmlint -c packaging/rpm/rpmlint.toml "$RPM" "$LOG/pam_privauth.spec" >"$LOG/rpmlint.txt" 2>&1
	grep -E ': [EW]: |errors,' "$LOG/rpmlint.txt" | tap_diag
	tap_check "rpmlint: no error" eval '! grep -qE ": E: " "$LOG/rpmlint.txt" && grep -q " 0 errors" "$LOG/rpmlint.txt"'
	l=$(rpm -qlvp "$RPM" 2>/dev/null | awk '{ print $1, $NF }')
	tap_check "rpm: module in /usr/lib64/security" grep -qx -- "-rw-r--r-- /usr/lib64/security/pam_privauth.so" <<<"$l"
	tap_check "rpm: /etc/privauth/privauth.conf is %config(noreplace)" \
		eval 'rpm -qp --qf "[%{FILEFLAGS:fflags} %{FILENAMES}\n]" "$RPM" 2>/dev/null | grep -qx "cn /etc/privauth/privauth.conf"'
	tap_check "rpm: %dir /var/lib/privauth 0700" grep -qx -- "drwx------ /var/lib/privauth" <<<"$l"
	tap_check "rpm: %post runs privauthctl init" eval 'rpm -qp --scripts "$RPM" 2>/dev/null | grep -q "privauthctl init"'
	tap_check "rpm: version $ver from packaging/debian/changelog" \
		test "$(rpm -qp --qf '%{VERSION}' "$RPM" 2>/dev/null)" = "$ver"
else
	tap_skip "rpmlint and contents of the rpm" "no rpm"
fi
tap_done
