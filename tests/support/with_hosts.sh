#!/usr/bin/env bash
# with_hosts.sh HOSTS_FILE COMMAND [ARG...]: runs COMMAND with HOSTS_FILE as /etc/hosts, in a private mount
# namespace (unshare -m; needs root or user namespaces), so that a test can resolve names with both an IPv6
# and an IPv4 address without touching the machine's /etc/hosts. Where that is not possible it runs COMMAND
# as it is and says so; the tests that need those names then skip themselves with a message.
set -uo pipefail
hosts=${1:?usage: with_hosts.sh HOSTS_FILE COMMAND [ARG...]}
shift
if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
    # shellcheck disable=SC2016  # expanded by the inner shell
    exec unshare -m bash -c '
        mount --bind "$0" /etc/hosts 2>/dev/null ||
            echo "with_hosts.sh: cannot bind-mount $0 on /etc/hosts; running without it" >&2
        exec "$@"' "$hosts" "$@"
fi
echo "with_hosts.sh: cannot make a private mount namespace (unshare -m); running without $hosts" >&2
exec "$@"
