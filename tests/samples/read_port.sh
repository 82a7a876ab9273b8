# shellcheck shell=bash
# Sourced by the sample tests. read_port OUTFILE PID: waits (bounded, ~10 s) for the server's first line
# "listening on <addr>:<port>" in OUTFILE and sets `port`; calls the script's `fail` otherwise. The short
# pause only paces the re-check of the file; it waits for the line, not for a time.
read_port() {
    local out=$1 pid=$2 line='' i
    for ((i = 0; i < 200; i++)); do
        IFS= read -r line <"$out" && break
        if ! kill -0 "$pid" 2>/dev/null; then
            IFS= read -r line <"$out"
            break
        fi
        sleep 0.05
    done
    [[ $line == "listening on "* ]] ||
        fail "the server did not print 'listening on <addr>:<port>' within 10 s (first line: '$line')"
    port=${line##*:}  # sets the caller's `port`
    if ! [[ $port =~ ^[0-9]+$ ]] || ((port == 0)); then
        fail "no port in the server's first line '$line'"
    fi
}
