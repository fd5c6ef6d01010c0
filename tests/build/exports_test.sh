#!/bin/bash
# Build properties: the module exports only pam_sm_*, is linked RELRO/now,
# and the shared library underneath has no PAM dependency.
set -u
B=${BUILD:-build}
n=0 bad=0
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; bad=1; fi; }

exports=$(nm -D --defined-only "$B/pam_privauth.so" | awk '{print $3}' | sort)
t "module exports only pam_sm_* ($(echo $exports | tr '\n' ' '))" \
  '[ -n "$exports" ] && ! echo "$exports" | grep -qv "^pam_sm_"'
t "module exports pam_sm_authenticate" 'echo "$exports" | grep -qx pam_sm_authenticate'
t "module exports pam_sm_chauthtok" 'echo "$exports" | grep -qx pam_sm_chauthtok'
t "module exports exactly pam_sm_acct_mgmt, pam_sm_authenticate, pam_sm_chauthtok and pam_sm_setcred" \
  '[ "$(echo $exports)" = "pam_sm_acct_mgmt pam_sm_authenticate pam_sm_chauthtok pam_sm_setcred" ]'
t "module is linked with full RELRO (BIND_NOW)" \
  'readelf -d "$B/pam_privauth.so" | grep -qE "BIND_NOW|FLAGS.*NOW"'
t "module is NODELETE (libcurl is initialised once and never unloaded under the host)" \
  'readelf -d "$B/pam_privauth.so" | grep -q "FLAGS_1.*NODELETE"'
t "module has a GNU_RELRO segment" 'readelf -lW "$B/pam_privauth.so" | grep -q GNU_RELRO'
t "internal library references no PAM symbol" \
  '! nm -u "$B/libprivauth.a" 2>/dev/null | grep -qE "\\b(pam_|_pam)"'
t "privauthctl does not link libpam" '! ldd "$B/privauthctl" | grep -q libpam'
t "dlsym finds pam_sm_authenticate and pam_sm_chauthtok but no internal pva_* symbol" \
  '/usr/bin/python3 -c "import ctypes,sys; l=ctypes.CDLL(sys.argv[1]); l.pam_sm_authenticate; l.pam_sm_chauthtok; sys.exit(0 if not hasattr(l,\"pva_flow_authenticate\") else 1)" "$B/pam_privauth.so" 2>/dev/null'

# make install into a scratch root, Debian and RPM-style layouts
D=$(mktemp -d)
make -s BUILD="$B" install DESTDIR="$D/deb" PREFIX=/usr >/dev/null 2>&1
ma=$(gcc -print-multiarch)
t "make install (Debian): module in /usr/lib/$ma/security, privauthctl in /usr/sbin, config in /etc/privauth" \
  '[ -f "$D/deb/usr/lib/$ma/security/pam_privauth.so" ] && [ -x "$D/deb/usr/sbin/privauthctl" ] && [ -f "$D/deb/etc/privauth/privauth.conf" ]'
make -s BUILD="$B" install DESTDIR="$D/rpm" PREFIX=/usr PAMDIR=/usr/lib64/security >/dev/null 2>&1
t "make install PAMDIR=/usr/lib64/security (RPM layout)" '[ -f "$D/rpm/usr/lib64/security/pam_privauth.so" ]'
rm -rf "$D"
exit $bad
