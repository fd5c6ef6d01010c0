#!/bin/bash
# po_test.sh - the Simplified Chinese catalog covers every message.
#
# Extracts every _() / N_() msgid from all sources under pam_privauth/
# (not only po/POTFILES, so a file missing there is caught too) and fails
# when one is missing from po/zh_CN.po, untranslated or fuzzy, when
# msgfmt --check refuses the catalog, when a source with such strings is
# not listed in po/POTFILES, or when po/pam_privauth.pot lacks a msgid
# (run `make pot`).  Also shows that the check fails on an unknown msgid.
# Output is TAP.  Needs gettext (tests/deps.sh).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
cd "$ROOT" || exit 1

if ! command -v xgettext > /dev/null || ! command -v msgfmt > /dev/null; then
	tap_skip "po catalog checks" "gettext is not installed (tests/deps.sh)"
	tap_done
	exit
fi
tap_mkenv po || exit 1
PO=po/zh_CN.po

# The sources with translatable strings, one per line.
i18n_sources() {
	grep -rlE --include='*.c' --include='*.h' '(^|[^A-Za-z0-9_])N?_\(' "$@" |
		grep -v 'core/i18n\.h$' | sort
}

# extract OUT.pot SOURCE...
extract() {
	local out=$1
	shift
	xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 --language=C \
		--omit-header -o "$out" "$@" 2> "$T_DIR/xgettext.err" || return 1
	[ -f "$out" ] || : > "$out"
}

# missing PO POT: print the msgids of POT that PO lacks, leaves untranslated
# or marks fuzzy (one per line); status 0 when there are none.
missing() {
	local po=$1 pot=$2 merged=$T_DIR/merged.po bad
	msgmerge --quiet --no-fuzzy-matching -o "$merged" "$po" "$pot" || return 1
	bad=$( { msgattrib --no-wrap --untranslated --no-obsolete "$merged"
		 msgattrib --no-wrap --only-fuzzy --no-obsolete "$merged"; } |
		sed -n 's/^msgid "\(..*\)"$/\1/p')
	[ -z "$bad" ] && return 0
	printf '%s\n' "$bad"
	return 1
}

mapfile -t SRCS < <(i18n_sources pam_privauth)
tap_diag "sources with msgids: ${SRCS[*]}"
if [ "${#SRCS[@]}" -gt 0 ] && extract "$T_DIR/src.pot" "${SRCS[@]}"; then
	tap_ok "xgettext extracts the msgids of ${#SRCS[@]} source files"
else
	tap_not_ok "xgettext extracts the msgids"
	tap_diag < "$T_DIR/xgettext.err"
fi
N_IDS=$(grep -c '^msgid ' "$T_DIR/src.pot")
tap_check "the sources hold translatable strings ($N_IDS msgids)" [ "$N_IDS" -gt 20 ]

if msgfmt --check --statistics -o "$T_DIR/zh_CN.mo" "$PO" 2> "$T_DIR/msgfmt.err"; then
	tap_ok "msgfmt --check accepts $PO ($(tail -n 1 "$T_DIR/msgfmt.err"))"
else
	tap_not_ok "msgfmt --check accepts $PO"
	tap_diag < "$T_DIR/msgfmt.err"
fi

if out=$(missing "$PO" "$T_DIR/src.pot"); then
	tap_ok "every msgid of the sources is translated in $PO (none missing or fuzzy)"
else
	tap_not_ok "every msgid of the sources is translated in $PO"
	printf 'missing, untranslated or fuzzy: %s\n' "$out" | head -n 40 | tap_diag
fi

unlisted=""
for f in "${SRCS[@]}"; do
	grep -qxF "$f" po/POTFILES || unlisted="$unlisted $f"
done
tap_check "po/POTFILES lists every source with msgids${unlisted:+ (missing:$unlisted)}" \
	[ -z "$unlisted" ]

if msgcmp --use-untranslated po/pam_privauth.pot "$T_DIR/src.pot" \
	> "$T_DIR/msgcmp.out" 2>&1; then
	tap_ok "po/pam_privauth.pot holds every msgid (make pot is current)"
else
	tap_not_ok "po/pam_privauth.pot holds every msgid (run make pot)"
	head -n 20 "$T_DIR/msgcmp.out" | tap_diag
fi

# The c-format directives of each translation match its msgid (msgfmt
# --check does it; shown here on a broken copy so the check can fail).
sed '0,/^msgstr "%lld 分钟"$/s//msgstr "%s 分钟"/' "$PO" > "$T_DIR/broken.po"
if msgfmt --check -o /dev/null "$T_DIR/broken.po" 2> /dev/null; then
	tap_not_ok "msgfmt --check refuses a translation with a different directive"
else
	tap_ok "msgfmt --check refuses a translation with a different directive"
fi

# The coverage check itself fails on a msgid the catalog does not have.
printf 'static const char *x(void) { return _("A message nobody translated yet."); }\n' \
	> "$T_DIR/new.c"
extract "$T_DIR/new.pot" "${SRCS[@]}" "$T_DIR/new.c"
out=$(missing "$PO" "$T_DIR/new.pot")
tap_check "the coverage check catches a new untranslated msgid" \
	[ "$out" = "A message nobody translated yet." ]

tap_done
