#!/usr/bin/env bash
# The portafx-file-transfer sample: a random file sent to a receiver over plain TCP or over TLS (certificate
# from samples/tls_echo/make-test-cert.sh), compared byte for byte and by sha256sum afterwards.
#
#   file_transfer_test.sh <portafx-file-transfer> <make-test-cert.sh> plain|tls
#
# Also checks the progress bar reached 100 % and both sides printed the throughput and "verified". Every
# process runs under `timeout`; the receiver's port is read from its first line.
set -uo pipefail

bin=${1:?usage: file_transfer_test.sh <portafx-file-transfer> <make-test-cert.sh> plain|tls}
make_cert=${2:?}
mode=${3:-plain}
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
    echo "FAIL (sample_file_transfer_$mode): $*" >&2
    local f
    for f in "$work"/*.out "$work"/*.err; do
        [[ -s $f ]] && { echo "--- ${f##*/}:" >&2; tail -c 2000 "$f" >&2; echo >&2; }
    done
    exit 1
}
# shellcheck source-path=SCRIPTDIR source=read_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/read_port.sh"

head -c $((12 * 1024 * 1024 + 12345)) /dev/urandom >"$work/input.bin" || fail "cannot make the input file"

receive_tls=()
send_tls=()
if [[ $mode == tls ]]; then
    bash "$make_cert" "$work/cert" >"$work/make-cert.out" 2>&1 || fail "make-test-cert.sh failed"
    receive_tls=(--tls --cert "$work/cert/cert.pem" --key "$work/cert/key.pem")
    send_tls=(--tls --ca "$work/cert/cert.pem")
fi

timeout 60 "$bin" receive 0 "$work/output.bin" --address 127.0.0.1 "${receive_tls[@]}" \
    >"$work/receiver.out" 2>"$work/receiver.err" &
server_pid=$!
read_port "$work/receiver.out" "$server_pid"

timeout 60 "$bin" send localhost "$port" "$work/input.bin" "${send_tls[@]}" \
    >"$work/sender.out" 2>"$work/sender.err" || fail "the sender failed"
wait "$server_pid"
rc=$?
server_pid=
((rc == 0)) || fail "the receiver exited with $rc"

cmp -s "$work/input.bin" "$work/output.bin" || fail "the received file differs from the sent one"
[[ $(sha256sum <"$work/input.bin") == $(sha256sum <"$work/output.bin") ]] || fail "sha256sum differs"
want=$(sha256sum <"$work/input.bin" | cut -d' ' -f1)
grep -q "^sha256 $want verified by the receiver" "$work/sender.out" || fail "the sender did not report the verification"
grep -q "^sha256 $want verified" "$work/receiver.out" || fail "the receiver did not verify the checksum"
grep -q "100%" "$work/sender.err" || fail "the sender's progress bar did not reach 100%"
grep -q "MiB/s" "$work/sender.out" || fail "no throughput from the sender"
grep -q "^received 12595257 bytes in .* MiB/s" "$work/receiver.out" || fail "no throughput from the receiver"
if [[ $mode == tls ]]; then
    grep -q "^TLS: TLSv1.3 .*server CN=localhost (verified)" "$work/sender.out" || fail "not a verified TLS transfer"
fi
echo "sample_file_transfer_$mode: $(grep '^sent' "$work/sender.out")"
