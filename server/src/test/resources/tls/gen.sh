#!/usr/bin/env bash
# Regenerates the test-only TLS material in this directory, valid for 100 years so that CI never
# meets an expired certificate: a CA, a server certificate for localhost/127.0.0.1, a client
# certificate, and a second CA (other-ca.pem) with a client certificate of its own
# (other-client.*), for "wrong CA" tests. Same approach as client/ and cli/src/test/resources/tls/gen.sh.
# Never use outside tests.
set -euo pipefail
cd "$(dirname "$0")"
days=36500
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days -subj "/CN=Sluice Test CA" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days $days \
  -subj "/CN=Some Other CA" 2>/dev/null
sign() { # who ca usage
  local who=$1 ca=$2 usage=$3
  openssl req -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr -subj "/CN=sluice-test-$who" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=%s\n' "$usage" > $who.ext
  openssl x509 -req -in $who.csr -CA $ca.pem -CAkey $ca.key -CAcreateserial -out $who.pem -days $days \
    -extfile $who.ext 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in $who.key -out $who.key.pk8 && mv $who.key.pk8 $who.key
  rm -f $who.csr $who.ext
}
sign server ca serverAuth
sign client ca clientAuth
sign other-client other-ca clientAuth
rm -f ca.srl other-ca.srl ca.key other-ca.key
