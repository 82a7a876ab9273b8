#!/usr/bin/env bash
# Makes a self-signed test certificate for portafx-tls-echo (and portafx-file-transfer --tls):
#
#   make-test-cert.sh [dir] [days]     -> dir/cert.pem, dir/key.pem (default dir: the current one, 30 days)
#
# The certificate is for CN=localhost with subjectAltName DNS:localhost, IP:127.0.0.1 and IP:::1, so a client
# that trusts it (--ca dir/cert.pem) can verify both the chain and the host name. For testing only.
set -euo pipefail
dir=${1:-.}
days=${2:-30}
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days "$days" \
    -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
chmod 600 "$dir/key.pem"
echo "made $dir/cert.pem and $dir/key.pem (self-signed, CN=localhost, $days days)"
