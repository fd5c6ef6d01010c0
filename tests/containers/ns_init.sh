#!/bin/bash
# ns_init.sh ROOT - PID 1 of a container started by lib.sh (ct_start):
# already in new mount/PID/UTS/IPC namespaces with ROOT/proc mounted.
# Sets up /dev, /run, /tmp under ROOT, then becomes `sleep infinity`
# chrooted to ROOT.  Mounts are private to the namespace.
set -eu
root=$1
hostname privauth-ct
mount -t tmpfs -o mode=0755,size=1m ct-dev "$root/dev"
for n in null zero full random urandom tty; do
	: >"$root/dev/$n"
	mount --bind "/dev/$n" "$root/dev/$n"
done
# The host's ptys, so a pty made outside (expect) has a name inside.
mkdir "$root/dev/pts" "$root/dev/shm"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777 ct-shm "$root/dev/shm"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t tmpfs -o mode=0755 ct-run "$root/run"
mkdir -m 0755 "$root/run/sshd" "$root/run/lock"
mount -t tmpfs -o mode=1777 ct-tmp "$root/tmp"
: >"$root/.ct-ready"
exec chroot "$root" /usr/bin/sleep infinity
