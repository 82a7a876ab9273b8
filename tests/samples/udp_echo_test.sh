#!/usr/bin/env bash
# The portafx-udp-echo sample against socat, in both roles, over IPv4 and IPv6.
#
#   udp_echo_test.sh <path to portafx-udp-echo> socat|client
#
# socat: starts `portafx-udp-echo server 0 --address A --buffer 16 --max-datagrams 3`, reads the OS-chosen
# port from its first line, and has socat (as a coprocess) send three datagrams: a line that fits, one
# longer than the server's 16-byte buffer (whose echo must be its first 16 bytes: WSAEMSGSIZE handled), and
# a last line; each echo must come back to socat, and the server must then exit 0.
# client: starts socat as a UDP echo server (`UDP-LISTEN:0 PIPE`), finds its port with `ss`, and runs
# `portafx-udp-echo client` against it by address and by host name.
#
# Every wait is bounded: the server runs under `timeout`, socat with an idle timeout (-T), reads with -t.
set -uo pipefail  # no -e: every failure goes through fail() with a message

bin=${1:?usage: udp_echo_test.sh <portafx-udp-echo> socat|client}
mode=${2:-socat}

work=$(mktemp -d)
pids=()
port=  # set by read_port

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL (sample_udp_echo_$mode): $*" >&2
    local f
    for f in "$work"/*.out "$work"/*.err; do
        if [[ -s $f ]]; then
            echo "--- ${f##*/} (last lines):" >&2
            tail -n 15 "$f" >&2
        fi
    done
    exit 1
}
# shellcheck source-path=SCRIPTDIR source=read_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/read_port.sh"

need() {
    command -v "$1" >/dev/null 2>&1 || fail "'$1' is not installed: run scripts/setup"
}

[[ -x $bin ]] || fail "'$bin' is not an executable"
need socat
need timeout

# socat as the client of our server.
server_with_socat() {
    local address=$1 family=$2 host=$1 reply server_pid
    [[ $family == 6 ]] && host="[$address]"
    : >"$work/server.out"
    timeout -k 5 20 "$bin" server 0 --address "$address" --buffer 16 --max-datagrams 3 \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    pids+=("$server_pid")
    read_port "$work/server.out" "$server_pid"

    coproc SOCAT { exec socat -T 10 STDIO "UDP$family-CONNECT:$host:$port" 2>"$work/socat.err"; }
    pids+=("$SOCAT_PID")
    printf 'hello over UDP\n' >&"${SOCAT[1]}"
    IFS= read -r -t 5 reply <&"${SOCAT[0]}" || fail "no echo of the first datagram over IPv$family"
    [[ $reply == "hello over UDP" ]] || fail "the first echo was '$reply'"
    printf 'a line much longer than sixteen bytes\n' >&"${SOCAT[1]}"
    IFS= read -r -t 5 -N 16 reply <&"${SOCAT[0]}" || fail "no echo of the long datagram over IPv$family"
    [[ $reply == "a line much long" ]] || fail "the long datagram's echo was '$reply', not its first 16 bytes"
    printf 'bye\n' >&"${SOCAT[1]}"
    IFS= read -r -t 5 reply <&"${SOCAT[0]}" || fail "no echo of the last datagram over IPv$family"
    [[ $reply == "bye" ]] || fail "the last echo was '$reply'"
    local to_socat=${SOCAT[1]}
    exec {to_socat}>&-  # socat sees the end of its input and exits

    local rc=0
    wait "$server_pid" || rc=$?
    ((rc == 0)) || fail "the server exited with status $rc over IPv$family"
    grep -q '^truncated: the datagram had 38 bytes; the first 16 were kept$' "$work/server.out" ||
        fail "the server did not report the truncated datagram"
    n=$(grep -c '^echoed ' "$work/server.out")
    ((n == 3)) || fail "the server echoed $n datagrams, expected 3"
    wait "$SOCAT_PID" 2>/dev/null
    echo "ok: socat -> portafx-udp-echo server over IPv$family"
}

# Our client against socat as the echo server.
client_with_socat() {
    local address=$1 family=$2 name=$3 host=$1 socat_pid socat_port='' i line rc
    [[ $family == 6 ]] && host="[$address]"
    socat -T 10 "UDP$family-LISTEN:0,bind=$host" PIPE 2>"$work/socat.err" &
    socat_pid=$!
    pids+=("$socat_pid")
    for ((i = 0; i < 200; i++)); do  # until socat's socket shows (bounded; the pause paces the re-check)
        line=$(ss -Huanp 2>/dev/null | grep -F "pid=$socat_pid," | head -n 1)
        if [[ -n $line ]]; then
            socat_port=$(awk '{ n = split($4, p, ":"); print p[n] }' <<<"$line")
            break
        fi
        kill -0 "$socat_pid" 2>/dev/null || fail "socat exited: $(cat "$work/socat.err")"
        sleep 0.05
    done
    [[ $socat_port =~ ^[0-9]+$ ]] || fail "cannot find socat's UDP port with ss"
    rc=0
    timeout 20 "$bin" client "$name" "$socat_port" "first message" "second" "third one" \
        >"$work/client.out" 2>"$work/client.err" || rc=$?
    ((rc == 0)) || fail "portafx-udp-echo client exited with status $rc (to $name)"
    n=$(grep -c "^echo from $address" "$work/client.out")
    [[ $family == 6 ]] && n=$(grep -c "^echo from \[$address\]" "$work/client.out")
    ((n == 3)) || fail "the client printed $n echoes from $address, expected 3"
    kill "$socat_pid" 2>/dev/null
    wait "$socat_pid" 2>/dev/null
    echo "ok: portafx-udp-echo client -> socat over IPv$family (to $name)"
}

case $mode in
socat)
    server_with_socat 127.0.0.1 4
    server_with_socat ::1 6
    ;;
client)
    need ss
    client_with_socat 127.0.0.1 4 127.0.0.1
    client_with_socat 127.0.0.1 4 localhost
    client_with_socat ::1 6 ::1
    ;;
*) fail "unknown mode '$mode' (socat or client)" ;;
esac
echo "PASS: sample_udp_echo_$mode"
