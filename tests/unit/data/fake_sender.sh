#!/bin/sh
# fake_sender.sh - a stand-in SMS command for tests/unit/test_command.c.
#
#   fake_sender.sh MODE OUTDIR [ARGS...]
#
# capture  record stdin, argv, the initial environment, descriptors,
#          process group and signal state under OUTDIR, then exit 0
# exit N   exit with status N (ARGS[0]) without reading stdin
# sleep    record its pid and its background child's pid, then sleep 30
# signal   kill itself with SIGKILL
mode=$1
out=$2
case "$mode" in
capture)
	cat > "$out/stdin"
	shift 2
	printf '%s\n' "$@" > "$out/argv"
	cat /proc/$$/environ > "$out/environ"
	# read the links before any redirection of this shell's own output
	fd1=$(readlink /proc/$$/fd/1)
	fd2=$(readlink /proc/$$/fd/2)
	echo "$fd1" > "$out/fd1"
	echo "$fd2" > "$out/fd2"
	if [ -e /proc/$$/fd/50 ]; then echo open; else echo closed; fi > "$out/fd50"
	# field 5 of /proc/PID/stat is the process group
	read -r stat < /proc/$$/stat
	set -- ${stat##*) }
	[ "$3" = "$$" ] && echo leader > "$out/pgrp" || echo "not $3" > "$out/pgrp"
	exit 0
	;;
exit)
	exit "$3"
	;;
sleep)
	echo $$ > "$out/pid"
	sleep 30 &
	echo $! > "$out/child"
	wait
	echo finished > "$out/finished"
	;;
signal)
	kill -9 $$
	;;
*)
	exit 64
	;;
esac
