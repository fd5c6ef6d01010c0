# sshns.sh - a real sshd on 127.0.0.1 inside a private mount namespace.
#
# Source from bash (needs root, unshare, nsenter, setpriv, /usr/sbin/sshd):
#
#   . tests/lib/sshns.sh
#   sshns_init                      # temp dir, copies of the account files,
#                                   # cleanup trap on EXIT/INT/TERM
#   sshns_add_user                  # throw-away user in the COPIES only
#   sshns_write_conf 300            # $SSHNS_CONF for pam_privauth (code_ttl)
#   sshns_pam_stack [MODULE.so]     # private /etc/pam.d/sshd (pam_unix [+ MODULE])
#   sshns_start                     # sshd -D on 127.0.0.1:$SSHNS_PORT
#   sshns_exec CMD ARGS...          # run CMD inside the namespace
#   sshns_cleanup                   # (also run by the trap)
#
# The host's /etc is never written: in the namespace the copies of passwd,
# shadow, group and gshadow and a private pam.d directory are bind-mounted
# over the originals, and the user is added to the copies from outside with
# `useradd --prefix`.  sshd runs with the parent-death signal set, so it and
# its namespace go away even if the calling script is killed.
#
# Variables set: SSHNS_DIR SSHNS_PORT SSHNS_PID SSHNS_USER SSHNS_PASS
# SSHNS_UID SSHNS_HOME SSHNS_SPOOL SSHNS_STATE SSHNS_CONF SSHNS_LOG
# SSHNS_HOSTKEY_PUB.  Functions return non-zero with a message on stderr.

SSHNS_SSHD=/usr/sbin/sshd
SSHNS_ACCOUNT_FILES="passwd shadow group gshadow"

sshns_die() {
	echo "sshns: $*" >&2
	return 1
}

# Check the tools; create the temp tree; install the cleanup trap.
sshns_init() {
	[ "$(id -u)" -eq 0 ] || { sshns_die "must run as root"; return 1; }
	local t
	for t in unshare nsenter setpriv useradd ssh-keygen "$SSHNS_SSHD"; do
		command -v "$t" >/dev/null 2>&1 ||
			{ sshns_die "missing $t"; return 1; }
	done
	SSHNS_DIR=$(mktemp -d /tmp/privauth-sshns.XXXXXX) ||
		{ sshns_die "mktemp failed"; return 1; }
	trap sshns_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	chmod 0755 "$SSHNS_DIR"
	SSHNS_SPOOL=$SSHNS_DIR/spool
	SSHNS_STATE=$SSHNS_DIR/state
	SSHNS_CONF=$SSHNS_DIR/privauth.conf
	SSHNS_LOG=$SSHNS_DIR/sshd.log
	SSHNS_PID=
	mkdir -p "$SSHNS_DIR/root/etc/default" "$SSHNS_DIR/pam.d" \
		"$SSHNS_DIR/home" || return 1
	install -d -m 0700 "$SSHNS_SPOOL" || return 1
	local f
	for f in $SSHNS_ACCOUNT_FILES; do
		cp -p "/etc/$f" "$SSHNS_DIR/root/etc/$f" || return 1
	done
	# What useradd --prefix reads besides the account files.
	for f in login.defs subuid subgid default/useradd; do
		[ -e "/etc/$f" ] && cp -p "/etc/$f" "$SSHNS_DIR/root/etc/$f"
	done
	: >"$SSHNS_LOG"
	return 0
}

# A random password of letters and digits (no shell or PAM specials).
sshns_random_password() {
	local p
	p=$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 12)
	printf 'Pw-%s\n' "$p"
}

# SHA-512 crypt of the password on stdin.
sshns_hash() {
	if command -v openssl >/dev/null 2>&1; then
		openssl passwd -6 -stdin
	else
		/usr/bin/python3 -W ignore -c 'import crypt, sys
print(crypt.crypt(sys.stdin.readline().rstrip("\n"), crypt.METHOD_SHA512))'
	fi
}

# sshns_add_user [NAME [PASSWORD]]: add the user to the copies only.
sshns_add_user() {
	SSHNS_USER=${1:-privdemo}
	SSHNS_PASS=${2:-$(sshns_random_password)}
	SSHNS_HOME=$SSHNS_DIR/home/$SSHNS_USER
	local root=$SSHNS_DIR/root hash gid
	hash=$(printf '%s\n' "$SSHNS_PASS" | sshns_hash)
	if [ -z "$hash" ]; then
		sshns_die "cannot hash the password"
		return 1
	fi
	# -l: no lastlog/faillog entries (those live in the host's /var/log).
	useradd --prefix "$root" -l -M -U -s /bin/sh -d "$SSHNS_HOME" \
		-c "privauth throw-away" -p "$hash" "$SSHNS_USER" ||
		{ sshns_die "useradd --prefix failed"; return 1; }
	SSHNS_UID=$(awk -F: -v u="$SSHNS_USER" '$1 == u { print $3 }' \
		"$root/etc/passwd")
	gid=$(awk -F: -v u="$SSHNS_USER" '$1 == u { print $4 }' \
		"$root/etc/passwd")
	if [ -z "$SSHNS_UID" ] || [ -z "$gid" ]; then
		sshns_die "user missing from the copy"
		return 1
	fi
	install -d -m 0700 -o "$SSHNS_UID" -g "$gid" "$SSHNS_HOME"
}

# Replace a file of the temp tree atomically with stdin.
sshns_put() {
	local dst=$1 mode=$2 tmp
	tmp=$(mktemp "$dst.XXXXXX") || return 1
	if ! { cat >"$tmp" && chmod "$mode" "$tmp" && mv -f "$tmp" "$dst"; }; then
		rm -f "$tmp"
		return 1
	fi
}

# sshns_write_conf TTL [EXTRA]: the module's configuration; EXTRA is
# appended inside services.sshd.
sshns_write_conf() {
	local ttl=${1:-300} extra=${2:-}
	sshns_put "$SSHNS_CONF" 0644 <<EOF
# privauth.conf written by tests/lib/sshns.sh for a throw-away sshd.
state_dir = "$SSHNS_STATE";
host_key = "$SSHNS_STATE/host.key";
providers = {
	spool = { type = "spool"; dir = "$SSHNS_SPOOL"; };
};
defaults = {
	providers = ["spool"];
	code_ttl = 300;
};
services = {
	sshd = { code_ttl = $ttl;${extra:+ $extra} };
};
EOF
}

# sshns_pam_stack [MODULE [ARGS]]: the private /etc/pam.d/sshd and other.
sshns_pam_stack() {
	local module=${1:-} args=${2:-} line=""
	if [ -n "$module" ]; then
		case $module in /*) ;; *) module=$(pwd)/$module ;; esac
		[ -f "$module" ] || { sshns_die "no module $module"; return 1; }
		line="auth     required  $module conf=$SSHNS_CONF${args:+ $args}"
	fi
	sshns_put "$SSHNS_DIR/pam.d/sshd" 0644 <<EOF || return 1
# Private PAM stack of the namespace sshd (tests/lib/sshns.sh).
auth     requisite pam_unix.so
$line
account  required  pam_unix.so
session  required  pam_permit.so
password required  pam_deny.so
EOF
	sshns_put "$SSHNS_DIR/pam.d/other" 0644 <<EOF
auth     required  pam_deny.so
account  required  pam_deny.so
session  required  pam_deny.so
password required  pam_deny.so
EOF
}

sshns_free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

sshns_write_sshd_config() {
	sshns_put "$SSHNS_DIR/sshd_config" 0644 <<EOF
# Throw-away sshd of tests/lib/sshns.sh; loopback only.
ListenAddress 127.0.0.1
Port $SSHNS_PORT
HostKey $SSHNS_DIR/ssh_host_ed25519_key
PidFile $SSHNS_DIR/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
AuthenticationMethods keyboard-interactive
AuthorizedKeysFile none
PermitRootLogin no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
LoginGraceTime 120
LogLevel VERBOSE
EOF
}

# Wait until sshd logs that it listens; 1 when it died or took too long.
sshns_wait_listening() {
	local _
	for _ in $(seq 1 100); do
		kill -0 "$SSHNS_PID" 2>/dev/null || return 1
		grep -q "Server listening on 127.0.0.1 port $SSHNS_PORT" \
			"$SSHNS_LOG" && return 0
		sleep 0.1
	done
	return 1
}

# Start sshd in a new mount namespace (a few tries on port races).
sshns_start() {
	local _
	mkdir -p /run/sshd && chmod 0755 /run/sshd
	[ -e "$SSHNS_DIR/ssh_host_ed25519_key" ] ||
		ssh-keygen -q -t ed25519 -N '' -C sshns \
			-f "$SSHNS_DIR/ssh_host_ed25519_key" || return 1
	# shellcheck disable=SC2034 # for the caller
	SSHNS_HOSTKEY_PUB=$SSHNS_DIR/ssh_host_ed25519_key.pub
	for _ in 1 2 3; do
		SSHNS_PORT=$(sshns_free_port) || return 1
		sshns_write_sshd_config || return 1
		"$SSHNS_SSHD" -t -f "$SSHNS_DIR/sshd_config" ||
			{ sshns_die "sshd -t rejects the config"; return 1; }
		# shellcheck disable=SC2016 # expanded by the inner shell
		setpriv --pdeathsig TERM -- \
		unshare --mount --propagation private -- /bin/sh -c '
			set -e
			for f in $2; do
				mount --bind "$1/root/etc/$f" "/etc/$f"
			done
			mount --bind "$1/pam.d" /etc/pam.d
			exec "$3" -D -e -f "$1/sshd_config"' sshns \
			"$SSHNS_DIR" "$SSHNS_ACCOUNT_FILES" "$SSHNS_SSHD" \
			</dev/null >>"$SSHNS_LOG" 2>&1 &
		SSHNS_PID=$!
		sshns_wait_listening && return 0
		sshns_stop
	done
	sshns_die "sshd did not start; its log:"
	sed 's/^/  | /' "$SSHNS_LOG" >&2
	return 1
}

# sshns_exec CMD ARGS...: run inside the namespace (sees the user).
sshns_exec() {
	[ -n "$SSHNS_PID" ] || { sshns_die "sshd not running"; return 1; }
	# Entering a mount namespace resets the directory: keep ours.
	nsenter --target "$SSHNS_PID" --mount --wd="$PWD" -- "$@"
}

# Every process still in the namespace (sshd's session children).
sshns_ns_pids() {
	local ns=$1 p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] &&
			printf '%s\n' "${p#/proc/}"
	done
	return 0
}

# Stop sshd and anything it left in its namespace.
sshns_stop() {
	[ -n "${SSHNS_PID:-}" ] || return 0
	local ns _ p
	ns=$(readlink "/proc/$SSHNS_PID/ns/mnt" 2>/dev/null)
	kill -TERM "$SSHNS_PID" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$SSHNS_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SSHNS_PID" 2>/dev/null
	wait "$SSHNS_PID" 2>/dev/null
	if [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/$$/ns/mnt)" ]; then
		for p in $(sshns_ns_pids "$ns"); do
			kill -TERM "$p" 2>/dev/null
		done
	fi
	SSHNS_PID=
	return 0
}

sshns_cleanup() {
	sshns_stop
	case ${SSHNS_DIR:-} in
	/tmp/privauth-sshns.*) rm -rf "$SSHNS_DIR" ;;
	esac
	SSHNS_DIR=
}
