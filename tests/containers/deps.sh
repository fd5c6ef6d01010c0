#!/bin/sh
# deps.sh - what the package and container tests need on a Debian host,
# besides tests/deps.sh: package builders and linters, debootstrap for the
# bookworm root filesystem, podman where it can run, an ssh client and
# expect.  Idempotent; installs only what is missing.  Never starts a
# service (policy-rc.d while installing).
set -u
PKGS="debhelper dpkg-dev fakeroot gettext lintian rpm rpmlint debootstrap
podman crun runc uidmap openssh-client expect util-linux python3"
command -v dpkg-query >/dev/null 2>&1 || {
	echo "containers/deps: not a Debian host; install by hand: $PKGS"
	exit 1
}
missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = installed ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "containers/deps: all packages already installed"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "containers/deps: need root for:$missing"; exit 1; }
policy=/usr/sbin/policy-rc.d made=0
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy && chmod 0755 $policy && made=1
fi
rc=0
DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || rc=$?
# shellcheck disable=SC2086 # a word list
[ $rc -eq 0 ] && { DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends $missing >/dev/null || rc=$?; }
[ $made -eq 1 ] && rm -f $policy
echo "containers/deps: installed:$missing (apt-get rc=$rc)"
exit $rc
