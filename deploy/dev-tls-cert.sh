#!/bin/sh
# A private CA and a server certificate it signed, for trying TLS and for the tests:
#
#   deploy/dev-tls-cert.sh DIR [NAME ...]
#
# writes DIR/ca.pem (what clients trust: --tls-ca), DIR/server.pem and DIR/server.key (what
# the server serves: tls_certificate, tls_private_key; the key and the CA's key are mode 0600).
# NAMEs are the DNS names and IP addresses the certificate is valid for (default: localhost
# 127.0.0.1 ::1). Valid for 30 days. Needs the openssl command (OpenSSL 1.1.1 or later, or
# LibreSSL). For production, use certificates from your organisation's CA.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 DIR [NAME ...]" >&2; exit 2; }
dir=$1
shift
[ $# -ge 1 ] || set -- localhost 127.0.0.1 ::1
cn=$1
san=""
for name in "$@"; do
    if printf '%s' "$name" | grep -Eq '^[0-9.]+$|:'; then kind=IP; else kind=DNS; fi
    san="${san:+$san,}$kind:$name"
done

# openssl chatters on stderr; show it only when it fails.
quiet() { out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; echo "$0: openssl failed" >&2; exit 1; }; }

mkdir -p "$dir"
cd "$dir"
umask 077
quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=Caseload private CA" -keyout ca.key -out ca.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
quiet openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=$cn" -keyout server.key -out server.csr
printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san" >server.ext
quiet openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext -out server.pem
rm -f server.csr server.ext ca.srl
chmod 644 ca.pem server.pem
