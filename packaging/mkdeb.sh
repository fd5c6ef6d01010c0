#!/bin/sh
# mkdeb.sh OUTDIR - build libpam-privauth_<version>_<arch>.deb into OUTDIR
# with dpkg-buildpackage, from a copy of the tree (packaging/debian becomes
# debian/ in the copy).  Build dependencies are checked (debian/control).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
case $out in /*) ;; *) out=$PWD/$out ;; esac
ver=$("$here/version.sh")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
work=$out/deb-build
src=$work/libpam-privauth-$ver
mkdir -p "$out"
rm -rf "$work"
"$here/srctree.sh" "$src"
rm -rf "$src/debian"
cp -a "$here/debian" "$src/debian"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/deb-build.log" 2>&1 || {
	echo "mkdeb: dpkg-buildpackage failed, last lines of $out/deb-build.log:" >&2
	tail -n 30 "$out/deb-build.log" >&2
	exit 1
}
deb=libpam-privauth_${ver}_${arch}.deb
mv -f "$work/$deb" "$out/$deb"
rm -rf "$work"
echo "$out/$deb"
