#!/bin/sh
# srctree.sh DEST - copy the source tree (tracked files and new files git
# does not ignore; without git, everything but build directories) to DEST,
# so packages build from a clean copy and the checkout stays untouched.
set -eu
dest=$1
cd "$(dirname "$0")/.."
rm -rf "$dest"
mkdir -p "$dest"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Files deleted in the work tree but still tracked are skipped.
	git ls-files -z -c -o --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -c --null -T - -f - | tar -x -f - -C "$dest"
else
	tar -c -f - --exclude='./build' --exclude='./build-*' . |
		tar -x -f - -C "$dest"
fi
