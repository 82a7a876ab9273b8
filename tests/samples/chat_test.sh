#!/usr/bin/env bash
# The portafx-chat sample: its demo, and a chat between portafx clients and one that is not portafx.
#
#   chat_test.sh <path to portafx-chat> demo|interop
#
# demo: runs `portafx-chat demo` and checks its exit status and its last line.
# interop: starts `portafx-chat server 0 --address 127.0.0.1 --max-clients 3`, reads the OS-chosen port from
# its first line, then runs three clients at once: two scripted portafx-chat clients and a Python 3 client
# (the `socket` module) that speaks MFC's CArchive bytes by hand. Every client must get every message (5),
# and the server must exit 0 once the three have left.
#
# Every wait is bounded: the server and every client run under `timeout`. KEEP_WORK=1 keeps the outputs.
set -uo pipefail  # no -e: every failure goes through fail() with a message

chat_bin=${1:?usage: chat_test.sh <portafx-chat> demo|interop}
mode=${2:-interop}

work=$(mktemp -d)
server_pid=
client_pids=()

cleanup() {
    local pid
    for pid in "${client_pids[@]}" $server_pid; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    if [[ -n ${KEEP_WORK:-} ]]; then
        echo "work files kept in $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

fail() {
    echo "FAIL (sample_chat_$mode): $*" >&2
    local f
    for f in "$work"/*.out "$work"/*.err; do
        if [[ -s $f ]]; then
            echo "--- ${f##*/} (last lines):" >&2
            tail -n 20 "$f" >&2
        fi
    done
    exit 1
}
# shellcheck source-path=SCRIPTDIR source=read_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/read_port.sh"

need() {
    command -v "$1" >/dev/null 2>&1 || fail "'$1' is not installed: run scripts/setup"
}

[[ -x $chat_bin ]] || fail "'$chat_bin' is not an executable"
need timeout

if [[ $mode == demo ]]; then
    rc=0
    timeout 30 "$chat_bin" demo >"$work/demo.out" 2>"$work/demo.err" || rc=$?
    ((rc == 0)) || fail "portafx-chat demo exited with status $rc"
    last=$(tail -n 1 "$work/demo.out")
    [[ $last == "demo: 3 clients, 6 messages, every client got all 6" ]] ||
        fail "the demo's last line is '$last'"
    grep -q '^server: listening on 127\.0\.0\.1:' "$work/demo.out" || fail "the demo did not print where it listens"
    for name in alice bob carol; do
        n=$(grep -c "^$name got: " "$work/demo.out")
        ((n == 6)) || fail "$name printed $n messages, expected 6"
    done
    echo "PASS: sample_chat_demo"
    exit 0
fi
[[ $mode == interop ]] || fail "unknown mode '$mode' (demo or interop)"
need python3

# --- the server ------------------------------------------------------------------------------------------

: >"$work/server.out"
timeout -k 5 40 "$chat_bin" server 0 --address 127.0.0.1 --max-clients 3 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
read_port "$work/server.out" "$server_pid"

# --- the three clients, at once --------------------------------------------------------------------------

long_line=$(printf 'a line of 300 bytes, which MFC prefixes with FF and a WORD. %.0s' 1 2 3 4 5)
expected=(
    "ann: hello from ann"
    "ann: grüße, ça va? 你好"
    "ben: hi ann"
    "ben: $long_line"
    "py: hello from python"
)

timeout 20 "$chat_bin" client 127.0.0.1 "$port" ann --say "hello from ann" --say "grüße, ça va? 你好" \
    --wait-for 5 >"$work/ann.out" 2>"$work/ann.err" &
client_pids+=($!)
timeout 20 "$chat_bin" client 127.0.0.1 "$port" ben --say "hi ann" \
    --say "$long_line" \
    --wait-for 5 >"$work/ben.out" 2>"$work/ben.err" &
client_pids+=($!)

# A client that knows nothing of portafx: MFC's bytes, packed by hand.
PYTHONIOENCODING=utf-8 timeout 20 python3 - 127.0.0.1 "$port" py "hello from python" 5 >"$work/py.out" 2>"$work/py.err" <<'PYTHON' &
import socket
import struct
import sys

host, port, name, line, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])


def pack_string(text):
    """A narrow CString: a length byte (FF + WORD from 255 bytes on), then the bytes."""
    data = text.encode("utf-8")
    if len(data) < 0xFF:
        return struct.pack("<B", len(data)) + data
    return struct.pack("<BH", 0xFF, len(data)) + data  # up to 0xFFFD bytes


def pack_message(close, text):
    """CHATSRVR's message: WORD close flag, CString text, CStringList (here a count of 0)."""
    return struct.pack("<H", close) + pack_string(text) + struct.pack("<H", 0)


class Reader:
    def __init__(self, sock):
        self.sock, self.buffer = sock, b""

    def take(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("the server closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def length(self):
        """MFC's string length: BYTE, FF + WORD, FF FFFF + DWORD, ... + QWORD; None for FF FE FF (UTF-16)."""
        n = self.unpack("<B")
        if n < 0xFF:
            return n
        n = self.unpack("<H")
        if n == 0xFFFE:
            return None
        if n < 0xFFFF:
            return n
        n = self.unpack("<I")
        return n if n < 0xFFFFFFFF else self.unpack("<Q")

    def string(self):
        n = self.length()
        if n is None:  # a UTF-16 string: its length follows the marker
            return self.take(2 * self.length()).decode("utf-16-le")
        return self.take(n).decode("utf-8")

    def count(self):
        n = self.unpack("<H")
        if n < 0xFFFF:
            return n
        n = self.unpack("<I")
        return n if n < 0xFFFFFFFF else self.unpack("<Q")

    def message(self):
        close = self.unpack("<H")
        text = self.string()
        items = [self.string() for _ in range(self.count())]
        return close, text, items


try:
    with socket.create_connection((host, port), timeout=15) as sock:
        sock.sendall(pack_message(0, f"{name}: {line}"))
        reader = Reader(sock)
        got = 0
        while got < expected:
            close, text, items = reader.message()
            if close:
                raise RuntimeError("the server closed the chat")
            for t in [text] + items:
                print(f"{name} got: {t}", flush=True)
            got += 1
        sock.sendall(pack_message(1, f"{name} has left"))
except Exception as e:  # noqa: BLE001 - any failure is reported the same way
    print(f"python client: {type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
PYTHON
client_pids+=($!)

names=(ann ben py)
for i in 0 1 2; do
    rc=0
    wait "${client_pids[$i]}" || rc=$?
    ((rc != 124)) || fail "client ${names[$i]} did not finish within 20 s"
    ((rc == 0)) || fail "client ${names[$i]} exited with status $rc"
done
client_pids=()

rc=0
wait "$server_pid" || rc=$?
server_pid=
((rc != 124 && rc != 137)) || fail "the server did not exit after its 3 clients left (killed by timeout)"
((rc == 0)) || fail "the server exited with status $rc"

# --- what everyone saw -----------------------------------------------------------------------------------

for name in "${names[@]}"; do
    for text in "${expected[@]}"; do
        grep -qxF -- "$name got: $text" "$work/$name.out" || fail "$name did not get '$text'"
    done
    n=$(grep -c "^$name got: " "$work/$name.out")
    ((n == ${#expected[@]})) || fail "$name got $n messages, expected ${#expected[@]}"
done
n=$(grep -c '^server: relay ' "$work/server.out")
((n == ${#expected[@]})) || fail "the server relayed $n messages, expected ${#expected[@]}"
n=$(grep -c 'said goodbye' "$work/server.out")
((n == 3)) || fail "$n clients said goodbye to the server, expected 3"
echo "ok: ann, ben (portafx-chat) and py (Python, MFC's bytes by hand) each got all ${#expected[@]} messages"
echo "PASS: sample_chat_interop"
