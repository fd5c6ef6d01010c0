#!/bin/sh
# mkrpm.sh OUTDIR - build pam_privauth-<version>-1.<arch>.rpm into OUTDIR
# with rpmbuild from a tarball of the tree.  On Debian (no rpm database of
# build dependencies) with --nodeps.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
case $out in /*) ;; *) out=$PWD/$out ;; esac
ver=$("$here/version.sh")
top=$out/rpm-build
rm -rf "$top"
mkdir -p "$top/SOURCES" "$top/tmp"
"$here/srctree.sh" "$top/tmp/pam_privauth-$ver"
tar -C "$top/tmp" -czf "$top/SOURCES/pam_privauth-$ver.tar.gz" "pam_privauth-$ver"
rm -rf "$top/tmp"
set -- --define "_topdir $top" --define "pkgversion $ver"
if [ -e /etc/debian_version ]; then
	set -- "$@" --nodeps \
		--define "__os_install_post $here/rpm/debian-install-post.sh"
fi
rpmbuild -bb "$@" \
	"$here/rpm/pam_privauth.spec" >"$out/rpm-build.log" 2>&1 || {
	echo "mkrpm: rpmbuild failed, last lines of $out/rpm-build.log:" >&2
	tail -n 30 "$out/rpm-build.log" >&2
	exit 1
}
for f in "$top"/RPMS/*/*.rpm; do
	mv -f "$f" "$out/"
	echo "$out/${f##*/}"
done
rm -rf "$top"
