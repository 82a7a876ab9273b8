#!/usr/bin/env bash
# The portafx-echo sample against peers we did not write.
#
#   echo_interop_test.sh <path to portafx-echo> [socat|nc|client|demo]
#
# socat, nc, client: starts `portafx-echo server 0 --address A --max-clients 1`, reads the OS-chosen port
# from the server's first line, pipes text through the peer (socat, OpenBSD nc, or portafx-echo's own
# client), checks that the echo matches the input byte for byte, and that the server then exits 0.
# Done on 127.0.0.1 and on ::1 (the latter skipped, with a message, on hosts without IPv6 loopback).
# demo: runs `portafx-echo demo` and checks its exit status and the story it prints.
#
# Every wait is bounded: the server runs under `timeout`, and so does every peer.
set -uo pipefail  # no -e: every failure goes through fail() with a message

echo_bin=${1:?usage: echo_interop_test.sh <portafx-echo> [socat|nc|client|demo]}
mode=${2:-socat}

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
    echo "FAIL (sample_echo_$mode): $*" >&2
    local f
    for f in "$work"/server.out "$work"/server.err "$work"/peer.err; do
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
    command -v "$1" >/dev/null 2>&1 ||
        fail "'$1' is not installed: run scripts/setup (CI installs socat and netcat-openbsd)"
}

[[ -x $echo_bin ]] || fail "'$echo_bin' is not an executable"

# start_server ADDRESS: starts the server in the background; sets server_pid and port.
start_server() {
    : >"$work/server.out"
    : >"$work/server.err"
    timeout -k 5 20 "$echo_bin" server 0 --address "$1" --max-clients 1 \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    read_port "$work/server.out" "$server_pid"
}

# wait_server: the server must exit 0 on its own once its one client has gone (`timeout` bounds it).
wait_server() {
    local rc=0
    wait "$server_pid" || rc=$?
    server_pid=
    ((rc != 124 && rc != 137)) || fail "the server did not exit after its client disconnected (killed by timeout)"
    ((rc == 0)) || fail "the server exited with status $rc"
    grep -q '^accepted ' "$work/server.out" || fail "the server did not report the connection"
    grep -q '^client closed ' "$work/server.out" || fail "the server did not report the close"
}

# run_peer ADDRESS INPUT OUTPUT: sends INPUT through the peer tool to the server, the echo into OUTPUT.
run_peer() {
    local address=$1 input=$2 output=$3 rc=0
    case $mode in
    socat)
        local target="TCP:$address:$port"
        [[ $address == *:* ]] && target="TCP6:[$address]:$port"
        timeout 20 socat -t 5 - "$target" <"$input" >"$output" 2>"$work/peer.err" || rc=$?
        ;;
    nc)
        timeout 20 nc -N "$address" "$port" <"$input" >"$output" 2>"$work/peer.err" || rc=$?
        ;;
    client)
        local lines
        mapfile -t lines <"$input"
        timeout 20 "$echo_bin" client "$address" "$port" "${lines[@]}" >"$work/client.out" 2>"$work/peer.err" ||
            rc=$?
        sed -n 's/^echoed: //p' "$work/client.out" >"$output"
        grep -q '^closed$' "$work/client.out" || ((rc != 0)) || fail "the client did not print 'closed'"
        ;;
    esac
    ((rc == 0)) || fail "$mode to $address:$port exited with status $rc"
}

# check_echo NAME ADDRESS INPUT: one connection to a fresh server; the echo must equal INPUT exactly.
check_echo() {
    local name=$1 address=$2 input=$3
    start_server "$address"
    run_peer "$address" "$input" "$work/echo.out"
    if ! cmp -s "$input" "$work/echo.out"; then
        echo "--- expected vs got (first differences):" >&2
        diff <(head -c 2000 "$input" | od -c) <(head -c 2000 "$work/echo.out" | od -c) | head -n 20 >&2
        fail "$name: the echo through $mode on $address differs from the input" \
            "($(wc -c <"$input") bytes sent, $(wc -c <"$work/echo.out") received)"
    fi
    wait_server
    echo "ok: $name via $mode on $address ($(wc -c <"$input") bytes)"
}

have_ipv6_loopback() {
    # Linux lists ::1 here when loopback has IPv6; elsewhere, assume it does.
    [[ ! -r /proc/net/if_inet6 ]] || grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6
}

case $mode in
socat | nc)
    need "$mode"
    if [[ $mode == nc ]] && ! nc -h 2>&1 | grep -q -- '-N'; then
        fail "this nc has no -N option: install netcat-openbsd (run scripts/setup)"
    fi
    ;;
client) ;;
demo)
    need timeout
    rc=0
    timeout 30 "$echo_bin" demo >"$work/server.out" 2>"$work/server.err" || rc=$?
    ((rc == 0)) || fail "portafx-echo demo exited with status $rc"
    for expected in "server: listening on 127.0.0.1:" "client: connected" "server: accepted 127.0.0.1:" \
        "client: sent: hello" "server: echoed 6 bytes" "client: echoed: goodbye" "client: closed" \
        "server: client closed"; do
        grep -qF -- "$expected" "$work/server.out" || fail "the demo did not print '$expected'"
    done
    echo "PASS: sample_echo_demo"
    exit 0
    ;;
*) fail "unknown mode '$mode' (socat, nc, client or demo)" ;;
esac
need timeout

printf 'hello\nportafx echo\n\n  spaces\tand a tab  \ngr\xc3\xbc\xc3\x9fe\n' >"$work/lines.txt"
check_echo "short lines" 127.0.0.1 "$work/lines.txt"

if [[ $mode != client ]]; then
    printf 'no newline at the end' >"$work/partial.txt"
    check_echo "an unterminated line" 127.0.0.1 "$work/partial.txt"
    seq 1 200000 >"$work/big.txt"  # about 1.3 MB: more than the socket buffers hold
    check_echo "a large stream" 127.0.0.1 "$work/big.txt"
fi

if have_ipv6_loopback; then
    check_echo "short lines" ::1 "$work/lines.txt"
else
    echo "note: no IPv6 loopback on this host; the ::1 case is not run"
fi

if [[ $mode == client ]]; then
    # The server has gone, so its port is closed: the client must fail and say why.
    rc=0
    timeout 20 "$echo_bin" client 127.0.0.1 "$port" hello >"$work/client.out" 2>"$work/peer.err" || rc=$?
    ((rc != 0 && rc != 124)) || fail "the client to a closed port exited with status $rc, expected a failure"
    grep -q 'WSAECONNREFUSED' "$work/peer.err" || fail "the client did not say the connection was refused"
    echo "ok: client to a closed port fails with: $(head -n 1 "$work/peer.err")"
fi
echo "PASS: sample_echo_$mode"
