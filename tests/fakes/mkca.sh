#!/bin/sh
# mkca.sh DIR - TEST ONLY: make throwaway certificates for the loopback fakes.
#
# Writes into DIR (created if needed):
#   ca.pem                 the test CA (give it to the module as ca_file)
#   server.pem server.key  a server certificate signed by ca.pem,
#                          SAN IP:127.0.0.1, DNS:localhost
#   rogue-ca.pem           a second, independent CA
#   rogue.pem rogue.key    a server certificate for the same names signed by
#                          rogue-ca.pem (the "certificate from another CA" test)
#   server.pin             "sha256//BASE64" of server.pem's public key (for
#                          pinned_pubkey tests)
# Keys are EC P-256 (fast); everything is valid for 2 days.  Prints nothing
# on success; exit status non-zero on failure.
set -eu

dir=${1:?usage: mkca.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

ext=$(mktemp)
trap 'rm -f "$ext"' EXIT
cat >"$ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
EOF

# make_ca NAME SUBJECT
make_ca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$1.key" -out "$1.pem" -days 2 -subj "$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# make_leaf NAME CA
make_leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=127.0.0.1" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
		-CAcreateserial -out "$1.pem" -days 2 -extfile "$ext" 2>/dev/null
	rm -f "$1.csr"
}

make_ca ca "/CN=pam_privauth test CA"
make_leaf server ca
make_ca rogue-ca "/CN=pam_privauth rogue CA"
make_leaf rogue rogue-ca

pin=$(openssl x509 -in server.pem -pubkey -noout |
	openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | openssl base64 -A)
printf 'sha256//%s\n' "$pin" >server.pin
chmod 0644 ca.pem rogue-ca.pem server.pem rogue.pem server.pin
