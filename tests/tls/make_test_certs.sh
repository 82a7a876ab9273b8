#!/usr/bin/env bash
# Makes the certificates the TLS tests use, with the openssl command, into directory $1:
#   ca.pem / ca.key            a test CA
#   server.pem / server.key    CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1, signed by the CA
#   other.pem / other.key      CN=other.example, SAN DNS:other.example only (host-name mismatch)
#   expired.pem / expired.key  localhost SANs, signed by the CA, valid only in 2020
#   self.pem / self.key        self-signed localhost (not trusted by the CA)
#   client.pem / client.key    CN=portafx-client, clientAuth, signed by the CA (mutual TLS)
#   rogue-client.pem / .key    a client certificate signed by a CA nobody trusts
set -euo pipefail
dir=${1:?usage: make_test_certs.sh <dir>}
mkdir -p "$dir"
cd "$dir"
exec 3>&2 2>openssl.log  # openssl chatter goes to a log; a failure prints it
show_log() {
    local rc=$?
    if ((rc != 0)); then cat openssl.log >&3; fi
}
trap show_log EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# The CA, and a second one for the rogue client.
key ca.key
openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=portafx test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
key rogue-ca.key
openssl req -x509 -new -key rogue-ca.key -sha256 -days 30 -subj "/CN=rogue CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out rogue-ca.pem

# sign <name> <subject> <extensions> [ca]: a key, a request, and a certificate signed by the CA for 30 days.
sign() {
    local name=$1 subject=$2 ext=$3 ca=${4:-ca}
    key "$name.key"
    openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr"
    printf '%b' "$ext" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial -days 30 -sha256 \
        -extfile "$name.ext" -out "$name.pem"
}
server_ext='basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n'
sign server "/CN=localhost" "$server_ext"
sign other "/CN=other.example" 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:other.example\n'
client_ext='basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n'
sign client "/CN=portafx-client" "$client_ext"
sign rogue-client "/CN=rogue-client" "$client_ext" rogue-ca

# Self-signed localhost.
key self.key
openssl req -x509 -new -key self.key -sha256 -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out self.pem

# Expired: `openssl x509` (3.0) cannot back-date, `openssl ca` can, with a throw-away CA database.
key expired.key
openssl req -new -key expired.key -subj "/CN=localhost" -out expired.csr
mkdir -p ca-db
: >ca-db/index.txt
echo 1000 >ca-db/serial
cat >ca-db/ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = ca-db
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
x509_extensions = server_ext
[ any ]
commonName = supplied
[ server_ext ]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
CNF
openssl ca -batch -config ca-db/ca.cnf -startdate 20200101000000Z -enddate 20200201000000Z \
    -in expired.csr -out expired.pem -notext

# Chains for the server certificates (leaf + CA is not needed: the CA is the trust anchor).
for f in ca server other client rogue-client self expired; do test -s "$f.pem"; done
echo "test certificates in $PWD" >&3
