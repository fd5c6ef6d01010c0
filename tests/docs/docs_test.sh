#!/bin/bash
# docs_test.sh - the man pages are in step with the code, and render clean.
#
# Every configuration key, secrets key, provider type, privauthctl verb,
# sub-command and option, module argument and PAM entry point is extracted
# from the sources by doccheck.py (nothing is listed here) and must be
# documented in man/privauth.conf.5, man/privauthctl.8 or
# man/pam_privauth.8.  Each page must format without a single groff or man
# warning.  Self-checks prove the checks can fail: a made-up key, verb,
# option and module argument added to a copy of the sources, a key entry
# deleted from a copy of the page, and a broken page must all be reported.
# Needs python3, groff (groff-base) and man (man-db); no build, no root.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

PY=/usr/bin/python3
CHECK=$ROOT/tests/docs/doccheck.py
PAGES=(man/pam_privauth.8 man/privauth.conf.5 man/privauthctl.8)

for tool in "$PY" groff man; do
	if ! command -v "$tool" > /dev/null 2>&1; then
		tap_not_ok "$tool is installed (tests/deps.sh: groff-base, man-db)"
		tap_done
		exit 1
	fi
done

# ---- rendering without warnings ----

# groff_warnings PAGE: every warning groff or man prints for PAGE, on stdout.
groff_warnings() {
	local page=$1
	# plain troff (PostScript device): the pages must be ASCII-clean
	groff -man -ww -z "$page" 2>&1
	# what man does on a terminal: preconv, UTF-8 device
	LC_ALL=C.UTF-8 groff -k -man -ww -z -Tutf8 "$page" 2>&1
	# shellcheck disable=SC2069 # stderr is the result, the page is not
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 "$page" 2>&1 > /dev/null
}

for page in "${PAGES[@]}"; do
	if [ ! -f "$page" ]; then
		tap_not_ok "$page exists"
		continue
	fi
	w=$(groff_warnings "$page")
	if [ -z "$w" ]; then
		tap_ok "$page formats without warnings (groff -ww, man --warnings)"
	else
		tap_not_ok "$page formats without warnings (groff -ww, man --warnings)"
		printf '%s\n' "$w" | head -n 20 | tap_diag
	fi
	if LC_ALL=C grep -q '[^[:print:][:space:]]' "$page"; then
		tap_not_ok "$page is ASCII (write other characters as \\[uXXXX])"
	else
		tap_ok "$page is ASCII"
	fi
	rendered=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$page" 2> /dev/null |
		grep -c '[A-Za-z]')
	tap_check "$page renders to text ($rendered lines)" [ "${rendered:-0}" -gt 50 ]
done

# ---- everything the code knows is documented ----

list=$("$PY" "$CHECK" pam_privauth man --list 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
	tap_ok "extract keys, verbs and arguments from the sources"
	printf '%s\n' "$list" | awk -F': ' '{ print $1 }' | sort | uniq -c |
		sed 's/^ */extracted /' | tap_diag
else
	tap_not_ok "extract keys, verbs and arguments from the sources"
	printf '%s\n' "$list" | tail -n 5 | tap_diag
fi
# Each kind must have been found at all (an extractor that finds nothing
# would make the check below pass vacuously).
for kind in key secret provider-type verb sub-verb usage-command option \
	module-arg entry-point; do
	n=$(printf '%s\n' "$list" | grep -c "^$kind: ")
	tap_check "sources yield at least one $kind ($n)" [ "$n" -gt 0 ]
done
n=$(printf '%s\n' "$list" | grep '^key: ' | awk '{ print $2 }' | sort -u | wc -l)
tap_check "keys come from several key arrays ($n)" [ "$n" -ge 5 ]

out=$("$PY" "$CHECK" pam_privauth man 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
	tap_ok "every key, verb, option and module argument is in the man pages"
else
	tap_not_ok "every key, verb, option and module argument is in the man pages"
	printf '%s\n' "$out" | tap_diag
fi

# ---- self-checks: the checks above can fail ----

tap_mkenv docs || exit 1
cp -a pam_privauth "$T_DIR/src"
cp -a man "$T_DIR/man"
S=$T_DIR/src
# A made-up key in service_keys and in a provider type's keys, a made-up
# verb in the dispatch, option, and module argument.
"$PY" - "$S" << 'EOF'
import re, sys
src = sys.argv[1]
def edit(path, pattern, repl):
    p = src + "/" + path
    t = open(p).read()
    n = re.subn(pattern, repl, t, count=1)
    if n[1] != 1:
        sys.exit("self-check: cannot edit %s (%s)" % (path, pattern))
    open(p, "w").write(n[0])
edit("core/config.c", r'(service_keys\[\]\s*=\s*\{)', r'\1 "zz_madeup_service_key",')
edit("delivery/spool.c", r'(spool_keys\[\]\s*=\s*\{)', r'\1 "zz_madeup_spool_key",')
edit("cli/verbs.c", r'(strcmp\(argv\[0\], "check-config"\) == 0\))',
     r'strcmp(argv[0], "zz-madeup-verb") == 0 || \1')
edit("cli/verbs.c", r'(strcmp\(argv\[0\], "check-config"\) == 0\))',
     r'strcmp(argv[1], "--zz-madeup-option") == 0 || \1')
edit("pam/args.c", r'(strcmp\(argv\[i\], "debug"\) == 0)',
     r'strcmp(argv[i], "zz_madeup_arg") == 0 || \1')
EOF
out=$("$PY" "$CHECK" "$S" man 2>&1)
rc=$?
tap_check "self-check: the altered sources fail the check (exit $rc)" [ "$rc" -eq 1 ]
for item in "key zz_madeup_service_key" "key zz_madeup_spool_key" \
	"verb zz-madeup-verb" "option --zz-madeup-option" \
	"module argument zz_madeup_arg"; do
	if printf '%s\n' "$out" | grep -q "missing: .*${item}\b"; then
		tap_ok "self-check: made-up $item is reported missing"
	else
		tap_not_ok "self-check: made-up $item is reported missing"
		printf '%s\n' "$out" | tap_diag
	fi
done
# Nothing real is reported: only the made-up items.
extra=$(printf '%s\n' "$out" | grep '^missing:' | grep -vc zz)
tap_check "self-check: only the made-up items are reported ($extra others)" [ "$extra" -eq 0 ]

# A key whose entry is deleted from the page (it is still mentioned in
# bold elsewhere, which is not enough for a configuration key).
sed -i '/^\.BR code_ttl /d' "$T_DIR/man/privauth.conf.5"
out=$("$PY" "$CHECK" pam_privauth "$T_DIR/man" 2>&1)
if printf '%s\n' "$out" | grep -q 'missing: .*key code_ttl '; then
	tap_ok "self-check: a key without its .TP entry is reported"
else
	tap_not_ok "self-check: a key without its .TP entry is reported"
	printf '%s\n' "$out" | tap_diag
fi
# A verb no longer in bold in privauthctl.8.
sed -i 's/^\.B purge$/purge/; s/^\.BR purge /.RI purge /; s/privauthctl purge/privauthctl \\fRpurge/' \
	"$T_DIR/man/privauthctl.8"
out=$("$PY" "$CHECK" pam_privauth "$T_DIR/man" 2>&1)
if printf '%s\n' "$out" | grep -q 'missing: privauthctl.8: verb purge '; then
	tap_ok "self-check: a verb not in bold is reported"
else
	tap_not_ok "self-check: a verb not in bold is reported"
	printf '%s\n' "$out" | tap_diag
fi

# A page with mistakes must produce warnings.
{
	cat man/privauthctl.8
	printf '.SH BROKEN\n.TP\n\\fQbad font\\fR and an undefined string \\*[nosuch]\n'
} > "$T_DIR/broken.8"
w=$(groff_warnings "$T_DIR/broken.8")
if [ -n "$w" ]; then
	tap_ok "self-check: the warning check catches a broken page"
else
	tap_not_ok "self-check: the warning check catches a broken page"
fi

# ---- make install puts the pages in place ----
n=$(make -n install DESTDIR="$T_DIR/root" BUILD="$T_DIR/build" 2> /dev/null |
	grep -cE 'man/privauth\.conf\.5 .*man5/|man/pam_privauth\.8 man/privauthctl\.8 .*man8/')
tap_check "make install installs the man pages to MANDIR/man5 and man8 ($n)" [ "$n" -eq 2 ]

tap_done
