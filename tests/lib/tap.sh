# tap.sh - small TAP helpers for the shell test scripts (source it).
#
#   tap_ok NAME / tap_not_ok NAME     one result line, numbered
#   tap_check NAME CMD...             ok when CMD succeeds
#   tap_diag TEXT...                  "# " diagnostic lines (stdin if no args)
#   tap_skip NAME REASON              "ok N - NAME # SKIP REASON"
#   tap_done                          "1..N" and the exit status (0 = all ok)
#   tap_mkenv [NAME]                  a fresh temp environment, see below
#   tap_cleanup                       removes every environment made
#
# tap_mkenv creates a private directory (mode 0700, under $TMPDIR or /tmp)
# and sets:
#   T_DIR    the directory
#   T_CONF   T_DIR/privauth.conf (path only; the test writes it)
#   T_SPOOL  T_DIR/spool         (0700)
#   T_STATE  T_DIR/state         (0700, root)
#   T_SVC    T_DIR/pam.d: a pam_wrapper service directory holding an
#            `other` file that denies everything
# Directories are removed by tap_cleanup, which tap_done calls unless
# TAP_KEEP=1 (keeps them for a post-mortem).

TAP_N=0
TAP_FAILED=0
TAP_DIRS=()

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

tap_not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

tap_diag() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" | sed 's/^/# /'
	else
		sed 's/^/# /'
	fi
}

tap_check() {
	local name=$1
	shift
	if "$@"; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
	fi
}

tap_mkenv() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/pva-${1:-test}.XXXXXX") || return 1
	chmod 0700 "$d"
	TAP_DIRS+=("$d")
	T_DIR=$d
	T_CONF=$d/privauth.conf
	T_SPOOL=$d/spool
	T_STATE=$d/state
	T_SVC=$d/pam.d
	mkdir -m 0700 "$T_SPOOL" "$T_STATE" "$T_SVC" || return 1
	echo "auth required pam_deny.so" > "$T_SVC/other"
}

tap_cleanup() {
	local d
	[ "${TAP_KEEP:-0}" = 1 ] && return 0
	for d in "${TAP_DIRS[@]}"; do
		case $d in
		/*/pva-*) rm -rf -- "$d" ;;
		esac
	done
	TAP_DIRS=()
}

tap_done() {
	echo "1..$TAP_N"
	tap_cleanup
	[ "$TAP_FAILED" -eq 0 ]
}
