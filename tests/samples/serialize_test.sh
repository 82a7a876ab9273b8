#!/usr/bin/env bash
# The portafx-serialize sample: Boost.Serialization values over Socket + SocketFile + Archive.
#
#   serialize_test.sh <path to portafx-serialize> demo|processes
#
# demo: runs `portafx-serialize demo` (server and client in two threads) and checks its last line.
# processes: starts `portafx-serialize server 0 --address 127.0.0.1 --count 2`, then a Python 3 client that
# sends an MFC-format string followed by a frame of an unknown encoding (the server must refuse it with
# badSchema and carry on), then a portafx-serialize client whose portfolio must come back summarised.
# Every wait is bounded (timeout). KEEP_WORK=1 keeps the outputs.
set -uo pipefail

bin=${1:?usage: serialize_test.sh <portafx-serialize> demo|processes}
mode=${2:-processes}
# shellcheck source-path=SCRIPTDIR source=read_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/read_port.sh"
port=  # set by read_port

work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    if [[ -n ${KEEP_WORK:-} ]]; then echo "work files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL (sample_serialize_$mode): $*" >&2
    local f
    for f in "$work"/*.out; do
        [[ -e $f ]] && { echo "--- $f" >&2; cat "$f" >&2; }
    done
    exit 1
}

if [[ $mode == demo ]]; then
    timeout 30 "$bin" demo >"$work/demo.out" 2>&1 || fail "demo exited with $?"
    [[ $(tail -n 1 "$work/demo.out") == "demo: ok" ]] || fail "demo did not end with 'demo: ok'"
    grep -q "^client: summary for Ada: 1000 trades, 2 instruments" "$work/demo.out" || fail "no summary line"
    echo "sample_serialize_demo: ok"
    exit 0
fi

timeout 30 "$bin" server 0 --address 127.0.0.1 --count 2 >"$work/server.out" 2>&1 &
server_pid=$!
read_port "$work/server.out" "$server_pid"

# A stranger: an MFC-format CString "hello", then a frame whose encoding byte (7) portafx does not know.
timeout 10 python3 - "$port" <<'PY' || fail "the Python client failed"
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(bytes([5]) + b"hello" + bytes([7]) + struct.pack("<I", 3) + b"abc")
s.shutdown(socket.SHUT_WR)
s.recv(16)  # the server closes without a reply
s.close()
PY

timeout 20 "$bin" client 127.0.0.1 "$port" --trades 500 >"$work/client.out" 2>&1 || fail "client exited with $?"
grep -q "^client: summary for Ada: 500 trades, 2 instruments" "$work/client.out" || fail "client got no summary"

wait "$server_pid"
status=$?
server_pid=
((status == 1)) || fail "the server should report one failed connection (exit 1), got $status"
grep -q "^server: bad message (badSchema): .*encoding 7" "$work/server.out" || fail "no badSchema line"
grep -q "^server: hello from portafx, 500 trades from Ada" "$work/server.out" || fail "no line for the client"
echo "sample_serialize_processes: ok"
