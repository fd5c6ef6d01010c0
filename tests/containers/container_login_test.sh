#!/bin/bash
# container_login_test.sh - TAP: the .deb in a Debian bookworm container.
#
# A debootstrap'ed bookworm root (cached under $BUILD/containers) is copied
# and run in new mount/PID/UTS/IPC namespaces (tests/containers/lib.sh);
# it shares the host's loopback.  Inside: `dpkg -i` the package (its
# dependencies and maintainer scripts), pam-auth-update --enable privauth,
# a user with a phone, sshd on a free 127.0.0.1 port.  From outside, the
# real OpenSSH client answers password, privacy notice and code (read from
# the container's spool): right code in, wrong and expired codes out;
# then `login` on a pty inside; then `dpkg --purge` leaves no trace.
# Last, where podman runs, tests/containers/Containerfile is built on the
# same root imported as debian:bookworm and one login goes through it.
#
#   BUILD=build tests/containers/container_login_test.sh
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
HERE=$ROOT/tests/containers
. tests/lib/tap.sh
. tests/containers/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	tap_skip "container logins" "needs root"
	tap_done; exit
fi
T0=$(date +%s)
if ! out=$("$HERE/deps.sh" 2>&1); then
	tap_not_ok "container test dependencies ($out)"
	tap_done; exit
fi
tap_diag "$out"

ver=$(packaging/version.sh)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB=$BUILD/pkg/libpam-privauth_${ver}_${arch}.deb
if [ ! -f "$DEB" ] || [ -n "${PVA_REBUILD_DEB:-}" ]; then
	packaging/mkdeb.sh "$BUILD/pkg" >/dev/null
fi
tap_check "the .deb exists ($(basename "$DEB"))" test -f "$DEB"
[ -f "$DEB" ] || { tap_done; exit; }

t=$(date +%s)
if ! ct_rootfs "$BUILD"; then
	tap_not_ok "bookworm root filesystem (debootstrap)"
	tap_done; exit
fi
tap_ok "bookworm root filesystem: $([ "$CT_COLD" = 1 ] && echo "debootstrap (cold)" || echo cached) in $(( $(date +%s) - t )) s"

# Logs and transcripts stay in RUN after the test; the root copy goes.
RUN=$BUILD/containers/logs
rm -rf "$RUN" && mkdir -p "$RUN"
ct_copy "$BUILD/containers/ct-login" || { tap_not_ok "copy of the root"; tap_done; exit; }
if ! ct_start; then
	tap_not_ok "container starts"
	tap_done; exit
fi
tap_check "container runs: own PID namespace (sleep is PID 1 inside), hostname privauth-ct" \
	test "$(ct_exec sh -c 'cat /proc/1/comm; hostname' | tr '\n' ' ')" = "sleep privauth-ct "

# ---- install ------------------------------------------------------------
cp "$DEB" "$CT_ROOT/root/"
debname=$(basename "$DEB")
if ct_exec dpkg -i "/root/$debname" >"$RUN/dpkg-i.log" 2>&1; then
	tap_ok "dpkg -i $debname: dependencies already in the root, scripts ran"
else
	# a dependency the cached root lacks is a finding, not something to
	# paper over: report it, then fetch it so the login tests still run
	tap_not_ok "dpkg -i $debname: dependencies already in the root, scripts ran"
	tail -n 20 "$RUN/dpkg-i.log" | tap_diag
	if ! ct_exec sh -c 'apt-get update -q && apt-get install -f -y -q' >>"$RUN/dpkg-i.log" 2>&1; then
		tap_not_ok "dpkg -i $debname (even with apt-get -f install)"
		tail -n 20 "$RUN/dpkg-i.log" | tap_diag
		tap_done; exit
	fi
fi
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
R=$CT_ROOT
tap_check "module in /usr/lib/$ma/security, privauthctl in /usr/sbin" \
	test -f "$R/usr/lib/$ma/security/pam_privauth.so" -a -x "$R/usr/sbin/privauthctl"
tap_check "postinst made /var/lib/privauth (0700) and the host key (0600)" \
	test "$(stat -c %a "$R/var/lib/privauth" 2>/dev/null) $(stat -c %a "$R/var/lib/privauth/host.key" 2>/dev/null)" = "700 600"
tap_check "/etc/privauth/privauth.conf is a conffile" \
	grep -qx ' */etc/privauth/privauth.conf [0-9a-f]*' <(ct_exec dpkg-query -W -f='${Conffiles}\n' libpam-privauth)
tap_check "profile /usr/share/pam-configs/privauth installed, not enabled by default" \
	eval 'test -f "$R/usr/share/pam-configs/privauth" && ! grep -rq pam_privauth "$R/etc/pam.d"'

# ---- configure: module for sshd and login, a user with a phone ----------
install -m 0644 "$HERE/privauth.conf" "$R/etc/privauth/privauth.conf"
install -m 0644 "$HERE/sshd_config" "$R/etc/ssh/sshd_config.d/privauth.conf"
install -d -m 0700 "$R/var/spool/sms/outgoing"
SPOOL=$R/var/spool/sms/outgoing
ct_exec pam-auth-update --enable privauth >"$RUN/pam-auth-update.log" 2>&1
tap_check "pam-auth-update --enable privauth: common-auth runs pam_privauth after pam_unix" \
	awk '/pam_unix.so/ { u = NR } /pam_privauth.so/ { p = NR } END { exit !(u && p > u) }' \
	"$R/etc/pam.d/common-auth"
grep -E 'pam_(unix|deny|permit|privauth)' "$R/etc/pam.d/common-auth" | tap_diag
PW=Pw-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 12)
ct_exec useradd -m -s /bin/bash demo
printf 'demo:%s\n' "$PW" | ct_exec chpasswd
ct_exec privauthctl user set demo --phone +8613812345678 >"$RUN/enrol.log" 2>&1
tap_check "privauthctl check-config and user set inside the container" \
	eval 'ct_exec privauthctl check-config --service sshd >/dev/null && grep -q "\*\*\*\*\*\*\*5678" "$RUN/enrol.log"'

# ---- sshd inside, the real ssh client outside ---------------------------
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ct_exec /usr/sbin/sshd -D -e -o "Port $PORT" -o "ListenAddress 127.0.0.1" \
	>"$RUN/sshd.log" 2>&1 &
for _ in $(seq 1 50); do
	grep -q "Server listening on 127.0.0.1 port $PORT" "$RUN/sshd.log" && break
	sleep 0.1
done
tap_check "sshd of the container listens on 127.0.0.1:$PORT" \
	grep -q "Server listening on 127.0.0.1 port $PORT" "$RUN/sshd.log"
KH=$RUN/known_hosts
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$R/etc/ssh/ssh_host_ed25519_key.pub")" >"$KH"
SSH=(ssh -F /dev/null -p "$PORT" -o UserKnownHostsFile="$KH"
	-o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
	-o PreferredAuthentications=keyboard-interactive -o PubkeyAuthentication=no
	-o NumberOfPasswordPrompts=1 -o ConnectTimeout=10 -o LogLevel=ERROR
	demo@127.0.0.1 'echo LOGIN-OK-$((6*7))')
N=0
# login_as WANT_RC MODE TTL CMD...: one answered login, transcript kept.
login_as() {
	local want=$1 mode=$2 ttl=$3 rc
	shift 3
	N=$((N + 1))
	rm -f "$SPOOL"/*
	LOG=$RUN/login.$N.log
	"$HERE/answer_login.exp" "$mode" "$SPOOL" "$PW" "$ttl" "$@" >"$LOG" 2>&1
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "exit $rc, expected $want; transcript:" | tap_diag
	tail -n 25 "$LOG" | tap_diag
	tail -n 10 "$RUN/sshd.log" | tap_diag
	return 1
}
spool_to() {
	grep -qx 'To: 8613812345678' "$SPOOL"/* 2>/dev/null
}
tap_check "ssh: password, notice, right code from the spool -> logged in" \
	eval 'login_as 0 right 0 "${SSH[@]}" && grep -q "(1 code prompt" "$LOG"'
tap_check "ssh: the code went to the spool as 'To: 8613812345678'" spool_to
tap_check "ssh: the first login showed the privacy notice and it was answered yes" \
	grep -q 'Type yes to agree' "$LOG"
tap_check "ssh: code prompt shows the masked number only" \
	eval 'grep -q "\*\*\*\*\*\*\*5678" "$LOG" && ! grep -q 8613812345678 "$LOG"'
tap_check "ssh: wrong codes -> refused after max_attempts (3 code prompts)" \
	eval 'login_as 1 wrong 0 "${SSH[@]}" && grep -q "(3 code prompt" "$LOG"'
sed -i 's/sshd = { code_ttl = 300; };/sshd = { code_ttl = 10; };/' "$R/etc/privauth/privauth.conf"
tap_check "ssh: the right code after code_ttl (10 s) -> refused, no second code prompt" \
	eval 'grep -q "sshd = { code_ttl = 10; }" "$R/etc/privauth/privauth.conf" && login_as 1 expired 10 "${SSH[@]}" && grep -q "(1 code prompt" "$LOG"'
sed -i 's/sshd = { code_ttl = 10; };/sshd = { code_ttl = 300; };/' "$R/etc/privauth/privauth.conf"

# ---- login on a pty inside the container --------------------------------
LOGIN=(nsenter --target "$CT_PID" --mount --pid --uts --ipc --root --wd --
	/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb LANG=C.UTF-8
	/bin/login demo)
tap_check "login on a pty inside: password, code -> a shell" \
	eval 'login_as 0 right 0 "${LOGIN[@]}" && grep -q "(1 code prompt" "$LOG"'
tap_check "login asked for a code (the module ran for login)" grep -q 'Code (r = resend' "$LOG"
tap_check "login on a pty inside: wrong codes -> refused" \
	eval 'login_as 1 wrong 0 "${LOGIN[@]}" && grep -q "Wrong code. Too many attempts" "$LOG"'

# ---- purge --------------------------------------------------------------
ct_exec dpkg --purge libpam-privauth >"$RUN/purge.log" 2>&1
tap_check "dpkg --purge libpam-privauth" eval '! ct_exec dpkg-query -W libpam-privauth >/dev/null 2>&1'
tap_check "no pam_privauth line left in the container's /etc/pam.d" \
	eval '! grep -rn pam_privauth "$R/etc/pam.d"'
left=$(cd "$R" && ls -d "usr/lib/$ma/security/pam_privauth.so" usr/sbin/privauthctl \
	usr/share/pam-configs/privauth etc/privauth var/lib/privauth 2>/dev/null)
tap_check "module, privauthctl, profile, /etc/privauth, /var/lib/privauth gone${left:+ (left: $left)}" \
	test -z "$left"
tap_check "after the purge ssh logs in with the password alone (no code prompt)" \
	eval 'login_as 0 right 0 "${SSH[@]}" && grep -q "0 code prompt" "$LOG"'
ct_stop
ct_cleanup
tap_diag "namespace container part: $(( $(date +%s) - T0 )) s"

# ---- podman: the Containerfile on the same root -------------------------
# The root is imported as debian:bookworm into a private podman store under
# $BUILD, so the Containerfile is built unchanged.  RUN steps use chroot
# isolation (no OCI runtime needed).  The image then runs under `podman
# run` with runc: crun refuses this machine's hybrid cgroup layout, and the
# missing CAP_SYS_RESOURCE means the container's rlimits must stay within
# ours (nofile as now, nproc 4096).  Where even that fails, the built
# image's root runs in the namespaces above.
podman_try() {
	local P=(podman --root "$BUILD/containers/podman/storage"
		--runroot "$BUILD/containers/podman/run" --cgroup-manager cgroupfs
		--events-backend none)
	local RL=(--ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
	command -v runc >/dev/null 2>&1 && P+=(--runtime runc)
	local ctx=$BUILD/containers/podman/context img=localhost/privauth-demo:ci
	local plog=$RUN/podman.log mnt cmd _
	if ! command -v podman >/dev/null 2>&1; then
		tap_skip "podman build and login" "podman is not installed"; return
	fi
	if ! "${P[@]}" info >"$plog" 2>&1; then
		tap_skip "podman build and login" "podman cannot run here: $(tail -n 1 "$plog")"
		return
	fi
	ct_rootfs_tar || { tap_not_ok "root tarball for podman import"; return; }
	if ! "${P[@]}" image exists docker.io/library/debian:bookworm ||
	   [ "$CT_TAR" -nt "$BUILD/containers/podman/imported" ]; then
		"${P[@]}" import "$CT_TAR" docker.io/library/debian:bookworm >>"$plog" 2>&1 ||
			{ tap_not_ok "podman import of the root"; tail -n 5 "$plog" | tap_diag; return; }
		touch "$BUILD/containers/podman/imported"
	fi
	rm -rf "$ctx" && mkdir -p "$ctx"
	cp "$HERE/Containerfile" "$HERE/privauth.conf" "$HERE/sshd_config" "$DEB" "$ctx/"
	if ! "${P[@]}" build --isolation=chroot --pull=never --network=host \
		-t "$img" "$ctx" >>"$plog" 2>&1; then
		tap_not_ok "podman build of tests/containers/Containerfile"
		tail -n 20 "$plog" | tap_diag
		return
	fi
	tap_ok "podman build of tests/containers/Containerfile (FROM the debootstrap root)"
	cmd=$("${P[@]}" image inspect --format '{{range .Config.Cmd}}{{.}} {{end}}' "$img")
	PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	PW=demo
	if "${P[@]}" run --rm --network=host "${RL[@]}" "$img" true >>"$plog" 2>&1; then
		"${P[@]}" rm -f privauth-ci >/dev/null 2>&1
		# shellcheck disable=SC2086 # the image's CMD, split into words
		"${P[@]}" run -d --name privauth-ci --network=host "${RL[@]}" "$img" \
			$cmd -o "Port $PORT" -o "ListenAddress 127.0.0.1" >>"$plog" 2>&1
		mnt=$("${P[@]}" mount privauth-ci)
		how="podman run"
		# never let an empty mount point turn into the host's own spool
		if [ -z "$mnt" ] || [ ! -d "$mnt/var/spool/sms/outgoing" ]; then
			tap_not_ok "podman mount of the running container"
			"${P[@]}" rm -f privauth-ci >/dev/null 2>&1
			return
		fi
	else
		tap_diag "podman run cannot start containers here ($(grep -i error "$plog" | tail -n 1));" \
			"running the built image's root in namespaces instead"
		mnt=$("${P[@]}" image mount "$img") && ct_copy "$BUILD/containers/ct-podman" "$mnt"
		"${P[@]}" image unmount "$img" >/dev/null 2>&1
		ct_start || { tap_not_ok "the image's root starts"; return; }
		mnt=$CT_ROOT
		# shellcheck disable=SC2086
		ct_exec $cmd -o "Port $PORT" -o "ListenAddress 127.0.0.1" >"$plog.sshd" 2>&1 &
		how="namespaces"
	fi
	for _ in $(seq 1 50); do
		ssh-keyscan -p "$PORT" 127.0.0.1 >/dev/null 2>&1 && break
		sleep 0.1
	done
	SPOOL=$mnt/var/spool/sms/outgoing
	KH=$RUN/known_hosts.podman
	echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$mnt/etc/ssh/ssh_host_ed25519_key.pub")" >"$KH"
	SSH[4]=$PORT; SSH[6]=UserKnownHostsFile=$KH
	tap_check "image built from the Containerfile ($how, CMD $cmd): ssh as demo, password and code -> logged in" \
		eval 'login_as 0 right 0 "${SSH[@]}" && grep -q "(1 code prompt" "$LOG"'
	if [ "$how" = "podman run" ]; then
		"${P[@]}" rm -f privauth-ci >/dev/null 2>&1
	else
		ct_cleanup
	fi
	# Earlier builds' layers (the tag moved on).
	"${P[@]}" image prune -f >/dev/null 2>&1
}
podman_try
tap_diag "total $(( $(date +%s) - T0 )) s"
tap_done
