#!/usr/bin/env bash
# The portafx-mfc-port sample: MFC-style server and clients, and a client that is not portafx.
#
#   mfc_port_test.sh <path to portafx-mfc-port>
#
# Starts `portafx-mfc-port server 0 --max-clients 3`, reads its ports from its first two lines, then runs three
# clients at once: two portafx-mfc-port clients (each also uploads a block through its CAsyncSocket's OnSend loop
# to the server's worker-thread upload service) and a Python 3 client (the `socket` module) that writes and parses
# the bytes of the same program built by Visual Studio in Unicode: CMsg = WORD close, CString (FF FE FF + UTF-16LE),
# CStringList (count + strings). Every client must see every line (5); the server must exit 0 once all have left.
#
# Every wait is bounded: the server and every client run under `timeout`. KEEP_WORK=1 keeps the outputs.
set -uo pipefail  # no -e: every failure goes through fail() with a message

bin=${1:?usage: mfc_port_test.sh <portafx-mfc-port>}

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
    echo "FAIL (sample_mfc_port): $*" >&2
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

[[ -x $bin ]] || fail "'$bin' is not an executable"
command -v timeout >/dev/null 2>&1 || fail "'timeout' is not installed"
command -v python3 >/dev/null 2>&1 || fail "'python3' is not installed: run scripts/setup"

# --- the server ------------------------------------------------------------------------------------------

: >"$work/server.out"
timeout -k 5 40 "$bin" server 0 --max-clients 3 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
read_port "$work/server.out" "$server_pid"
upload_port=
for ((i = 0; i < 200; i++)); do
    upload_port=$(sed -n 's/^uploads on .*:\([0-9][0-9]*\)$/\1/p' "$work/server.out")
    [[ -n $upload_port ]] && break
    sleep 0.05  # paces the re-check of the file; waits for the line, not for a time
done
[[ -n $upload_port ]] || fail "the server did not print 'uploads on <addr>:<port>'"

# --- the three clients, at once --------------------------------------------------------------------------

long_line=$(printf 'a line of 300 characters, which MFC prefixes with FF and a WORD. %.0s' 1 2 3 4 5)
expected=(
    "ann: hello from ann"
    "ann: grüße, ça va? 你好"
    "ben: hi ann"
    "ben: $long_line"
    "py: hello from python, in UTF-16"
)

timeout 20 "$bin" client 127.0.0.1 "$port" ann --upload "$upload_port" 2000000 --say "hello from ann" \
    --say "grüße, ça va? 你好" --wait-for 5 >"$work/ann.out" 2>"$work/ann.err" &
client_pids+=($!)
timeout 20 "$bin" client 127.0.0.1 "$port" ben --upload "$upload_port" 3000000 --say "hi ann" \
    --say "$long_line" --wait-for 5 >"$work/ben.out" 2>"$work/ben.err" &
client_pids+=($!)

# A client that knows nothing of portafx: the Unicode MFC build's bytes, packed by hand.
PYTHONIOENCODING=utf-8 timeout 20 python3 - 127.0.0.1 "$port" py "hello from python, in UTF-16" 5 \
    >"$work/py.out" 2>"$work/py.err" <<'PYTHON' &
import socket
import struct
import sys

host, port, name, line, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])


def pack_string(text):
    """A Unicode build's CString: FF FE FF, then the length in UTF-16 units (FF + WORD from 255), then UTF-16LE."""
    data = text.encode("utf-16-le")
    n = len(data) // 2
    length = struct.pack("<B", n) if n < 0xFF else struct.pack("<BH", 0xFF, n)
    return b"\xff\xfe\xff" + length + data


def pack_message(close, text):
    """CMsg: WORD m_bClose, CString m_strText, CStringList m_msgList (here empty: a count of 0)."""
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
        n = self.unpack("<B")
        if n < 0xFF:
            return n
        n = self.unpack("<H")
        if n == 0xFFFE:
            return None  # the Unicode marker: the length follows
        if n < 0xFFFF:
            return n
        n = self.unpack("<I")
        return n if n < 0xFFFFFFFF else self.unpack("<Q")

    def string(self):
        n = self.length()
        if n is not None:
            raise ValueError("an 8-bit CString: the server should write Unicode ones (FF FE FF)")
        return self.take(2 * self.length()).decode("utf-16-le")

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
            for item in items:
                print(f"{name} got: {item}", flush=True)
                got += 1
        sock.sendall(pack_message(1, f"{name} has left"))
        sock.shutdown(socket.SHUT_WR)
        if sock.recv(1) != b"":
            raise RuntimeError("bytes after the goodbye")
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
    ((n == ${#expected[@]})) || fail "$name got $n lines, expected ${#expected[@]}"
done
for name in ann ben; do
    grep -qE "^$name upload: received [0-9]+ bytes, checksum [0-9a-f]{8} \(([1-9][0-9]*) times WSAEWOULDBLOCK, resumed in OnSend\), verified$" \
        "$work/$name.out" || fail "$name's upload was not verified after at least one WSAEWOULDBLOCK"
done
n=$(grep -c '^server: upload from .* in a worker thread: received' "$work/server.out")
((n == 2)) || fail "the server's worker threads handled $n uploads, expected 2"
n=$(grep -c '^server: relay ' "$work/server.out")
((n == ${#expected[@]})) || fail "the server relayed $n lines, expected ${#expected[@]}"
n=$(grep -c 'said goodbye' "$work/server.out")
((n == 3)) || fail "$n clients said goodbye to the server, expected 3"
grep -qx 'server: all 3 clients have left' "$work/server.out" || fail "the server did not see all 3 clients leave"
echo "ok: ann, ben (MFC code on portafx) and py (Python, the Unicode MFC build's bytes) each saw all ${#expected[@]} lines"
echo "PASS: sample_mfc_port"
