#!/usr/bin/env bash
# The portafx-tls-echo sample with a certificate from its own make-test-cert.sh:
#
#   tls_echo_test.sh <path to portafx-tls-echo> <path to make-test-cert.sh>
#
# 1. our client against our server (trusting the self-signed certificate): every line comes back;
# 2. openssl s_client against our server (verifying chain and host name): its line comes back;
# 3. our client without trusting the certificate fails with PFX_TLS_CERT_UNTRUSTED and OpenSSL's reason;
# 4. a plain-TCP client (socat) makes the server report PFX_TLS_NOT_TLS.
# Each server serves a fixed number of clients and exits; the port is read from its first line. Every wait is
# bounded (timeout on every process).
set -uo pipefail

bin=${1:?usage: tls_echo_test.sh <portafx-tls-echo> <make-test-cert.sh>}
make_cert=${2:?usage: tls_echo_test.sh <portafx-tls-echo> <make-test-cert.sh>}
work=$(mktemp -d)
server_pid=
port=

cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL (sample_tls_echo): $*" >&2
    local f
    for f in "$work"/*.out "$work"/*.err; do
        [[ -s $f ]] && { echo "--- ${f##*/}:" >&2; tail -n 15 "$f" >&2; }
    done
    exit 1
}
# shellcheck source-path=SCRIPTDIR source=read_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/read_port.sh"

command -v openssl >/dev/null || fail "openssl is not installed: run scripts/setup"
command -v socat >/dev/null || fail "socat is not installed: run scripts/setup"
bash "$make_cert" "$work/cert" >"$work/make-cert.out" 2>&1 || fail "make-test-cert.sh failed"

# start_server N: our server for N clients, in the background; sets port.
start_server() {
    timeout 30 "$bin" server 0 --address 127.0.0.1 --max-clients "$1" --cert "$work/cert/cert.pem" \
        --key "$work/cert/key.pem" >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    read_port "$work/server.out" "$server_pid"
}

wait_server() {
    wait "$server_pid"
    local rc=$?
    server_pid=
    ((rc == 0)) || fail "the server exited with $rc"
}

# 1 + 2 + 3 + 4 against one server that takes four clients.
start_server 4

timeout 15 "$bin" client localhost "$port" --ca "$work/cert/cert.pem" "hello" "TLS echo" "goodbye" \
    >"$work/client.out" 2>"$work/client.err" || fail "our client failed"
grep -q "^connected: TLSv1.3 .*peer CN=localhost (verified)" "$work/client.out" || fail "no verified TLS 1.3 line"
[[ $(grep -c '^echo: ' "$work/client.out") == 3 ]] || fail "not every line came back"

printf 'from openssl\n' | timeout 15 openssl s_client -connect "127.0.0.1:$port" -CAfile "$work/cert/cert.pem" \
    -verify_return_error -verify_hostname localhost -servername localhost -quiet -ign_eof \
    >"$work/s_client.out" 2>"$work/s_client.err" &
sc_pid=$!
for ((i = 0; i < 200; i++)); do
    grep -q "from openssl" "$work/s_client.out" && break
    kill -0 "$sc_pid" 2>/dev/null || break
    sleep 0.05  # paces the re-check of the file; the loop waits for the line
done
kill "$sc_pid" 2>/dev/null
wait "$sc_pid" 2>/dev/null
grep -q "^from openssl" "$work/s_client.out" || fail "openssl s_client did not get its line back"

if timeout 15 "$bin" client localhost "$port" "untrusted" >"$work/untrusted.out" 2>"$work/untrusted.err"; then
    fail "a client that does not trust the certificate connected"
fi
grep -q "PFX_TLS_CERT_UNTRUSTED 12002" "$work/untrusted.err" || fail "no PFX_TLS_CERT_UNTRUSTED error"
grep -q "self-signed certificate" "$work/untrusted.err" || fail "OpenSSL's reason is missing"

printf 'plain text\n' | timeout 10 socat -t 5 - "TCP:127.0.0.1:$port" >/dev/null 2>&1
wait_server
grep -q "PFX_TLS_NOT_TLS 12005" "$work/server.out" || fail "the server did not report the plain-TCP client"
grep -q "plain text" "$work/server.out" || fail "the server's message does not show what the peer sent"

echo "sample_tls_echo: our client, openssl s_client, an untrusting client and a plain client all behaved"
