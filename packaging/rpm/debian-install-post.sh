#!/bin/bash
# debian-install-post.sh - what rpmbuild does after %install on Fedora,
# for rpmbuild on Debian (packaging/mkrpm.sh passes it as
# __os_install_post there): Debian's brp-compress needs bash, and its
# brp-strip needs `file` and only strips debug sections, while Fedora's
# find-debuginfo leaves the binaries fully stripped.
set -eu
[ -n "${RPM_BUILD_ROOT:-}" ] && [ "$RPM_BUILD_ROOT" != / ] || exit 0
/bin/bash /usr/lib/rpm/brp-compress
find "$RPM_BUILD_ROOT" -type f -print0 |
while IFS= read -r -d '' f; do
	if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		strip --strip-unneeded "$f"
	fi
done
