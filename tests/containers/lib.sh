# lib.sh - a Debian bookworm "container" made of Linux namespaces, for the
# package tests (source from bash; needs root, debootstrap, unshare,
# nsenter, setpriv).
#
#   ct_rootfs BUILD      debootstrap --variant=minbase bookworm with the
#                        module's run-time libraries and openssh-server,
#                        cached in BUILD/containers/rootfs-bookworm (a
#                        stamp names suite, packages and mirror; a changed
#                        list rebuilds it).  Sets CT_CACHE, CT_COLD (1 when
#                        it was built now).
#   ct_rootfs_tar        CT_CACHE as a tarball (for podman import), cached
#                        too: CT_TAR
#   ct_copy DIR [SRC]    a private copy of the cached root (or of SRC):
#                        CT_ROOT=DIR/root
#   ct_start             PID 1 (`sleep infinity`, chrooted to CT_ROOT) in
#                        new mount, PID, UTS and IPC namespaces; the host's
#                        network namespace is shared (loopback only is used).
#                        /dev (a few nodes and the host's /dev/pts), /run,
#                        /tmp are private mounts.  Sets CT_PID.
#   ct_exec CMD ARGS...  run CMD inside (clean environment, cwd /)
#   ct_stop              kill the PID namespace; ct_cleanup also removes
#                        the copy (the EXIT trap set by ct_copy calls it)
#
# Nothing of the host is written except under BUILD; the container's
# processes die with the calling script (parent-death signal).

CT_SUITE=bookworm
CT_INCLUDE=openssh-server,libsodium23,libcurl4,libconfig9,libjson-c5,libzxcvbn0
CT_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CT_PID=
CT_ROOT=
CT_RUNDIR=

ct_die() {
	echo "ct: $*" >&2
	return 1
}

# The Debian mirror apt uses on this host (deb822 or one-line sources).
ct_mirror() {
	local m
	[ -n "${PVA_DEBIAN_MIRROR:-}" ] && { echo "$PVA_DEBIAN_MIRROR"; return; }
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]+/debian/?' |
		grep -v security | head -n 1)
	echo "${m:-http://deb.debian.org/debian}"
}

ct_rootfs() {
	local build=$1 stamp want mirror log
	case $build in /*) ;; *) build=$PWD/$build ;; esac
	mkdir -p "$build/containers" || return 1
	CT_CACHE=$build/containers/rootfs-$CT_SUITE
	stamp=$CT_CACHE.stamp
	mirror=$(ct_mirror)
	want="suite=$CT_SUITE variant=minbase include=$CT_INCLUDE mirror=$mirror"
	CT_COLD=0
	if [ -d "$CT_CACHE" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		return 0
	fi
	CT_COLD=1
	rm -rf "$CT_CACHE" "$CT_CACHE.new" "$stamp" "$build/containers/rootfs-$CT_SUITE.tar"
	log=$build/containers/debootstrap.log
	if ! debootstrap --variant=minbase --include="$CT_INCLUDE" "$CT_SUITE" \
		"$CT_CACHE.new" "$mirror" >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		rm -rf "$CT_CACHE.new"
		ct_die "debootstrap failed (log: $log)"
		return 1
	fi
	# No maintainer script may start a daemon inside; no package caches.
	printf '#!/bin/sh\nexit 101\n' >"$CT_CACHE.new/usr/sbin/policy-rc.d"
	chmod 0755 "$CT_CACHE.new/usr/sbin/policy-rc.d"
	rm -rf "$CT_CACHE.new"/var/cache/apt/archives/*.deb
	mv "$CT_CACHE.new" "$CT_CACHE" && echo "$want" >"$stamp"
}

ct_rootfs_tar() {
	CT_TAR=$CT_CACHE.tar
	[ -f "$CT_TAR" ] && [ "$CT_TAR" -nt "$CT_CACHE.stamp" ] && return 0
	tar --numeric-owner -C "$CT_CACHE" -cf "$CT_TAR.new" . &&
		mv "$CT_TAR.new" "$CT_TAR"
}

ct_copy() {
	local src=${2:-$CT_CACHE}
	ct_cleanup
	CT_RUNDIR=$1
	mkdir -p "$CT_RUNDIR" || return 1
	CT_ROOT=$CT_RUNDIR/root
	trap ct_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cp -a --reflink=auto "$src" "$CT_ROOT"
}

ct_start() {
	local u _
	[ -d "$CT_ROOT" ] || { ct_die "no root (ct_copy first)"; return 1; }
	rm -f "$CT_ROOT/.ct-ready"
	setpriv --pdeathsig KILL -- \
	unshare --mount --pid --uts --ipc --fork --propagation private \
		--mount-proc="$CT_ROOT/proc" -- \
		/bin/bash "$CT_LIBDIR/ns_init.sh" "$CT_ROOT" \
		</dev/null >"$CT_RUNDIR/init.log" 2>&1 &
	u=$!
	for _ in $(seq 1 100); do
		CT_PID=$(cat "/proc/$u/task/$u/children" 2>/dev/null | awk '{print $1}')
		if [ -n "$CT_PID" ] && [ -e "$CT_ROOT/.ct-ready" ] &&
		   [ "$(readlink "/proc/$CT_PID/exe" 2>/dev/null)" = "$CT_ROOT/usr/bin/sleep" ]; then
			CT_UNSHARE=$u
			return 0
		fi
		kill -0 "$u" 2>/dev/null || break
		sleep 0.1
	done
	CT_PID=
	cat "$CT_RUNDIR/init.log" >&2
	ct_die "container did not start"
}

ct_exec() {
	[ -n "$CT_PID" ] || { ct_die "container not running"; return 1; }
	nsenter --target "$CT_PID" --mount --pid --uts --ipc --root --wd -- \
		/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}

ct_stop() {
	[ -n "${CT_PID:-}" ] || return 0
	kill -KILL "$CT_PID" 2>/dev/null
	wait "$CT_UNSHARE" 2>/dev/null
	CT_PID=
}

ct_cleanup() {
	ct_stop
	if [ -n "${CT_RUNDIR:-}" ] && [ -d "$CT_RUNDIR" ]; then
		# Every mount was private to the container's namespace.
		if findmnt -rn -o TARGET | grep -qF "$CT_RUNDIR/"; then
			echo "ct: mounts left under $CT_RUNDIR, not removing it" >&2
		else
			rm -rf "$CT_RUNDIR"
		fi
	fi
	CT_RUNDIR=
}
