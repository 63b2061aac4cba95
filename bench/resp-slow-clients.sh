#!/usr/bin/env bash
# RSS under slow Redis-protocol clients (issue #21): starts `./sluice server` (its default heap and
# --max-client-memory, or what SLUICE_* variables say), opens N connections that each send HOLD MiB of
# a SET whose bulk string declares 32 MiB and never finish it, and prints the server's RSS before,
# while the clients hold their sockets, and after they close, with the client-memory metrics.
# Loopback ports 17171 (gRPC), 16479 (RESP), 19563 (metrics). Needs python3, curl, ss.
#
#   bench/resp-slow-clients.sh [N=50] [HOLD_MIB=8]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-50} hold=${2:-8}
log=$(mktemp)
SLUICE_GRPC_PORT=17171 SLUICE_RESP_PORT=16479 SLUICE_METRICS_PORT=19563 "$root/sluice" server >"$log" 2>&1 &
trap 'kill "$(ss -ltnpH "sport = :16479" | sed -E "s/.*pid=([0-9]+).*/\1/")" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 300); do grep -q started "$log" && break; sleep 0.2; done
grep -q started "$log" || { cat "$log"; echo "bench: server did not start" >&2; exit 1; }
pid=$(ss -ltnpH "sport = :16479" | sed -E 's/.*pid=([0-9]+).*/\1/')
python3 - "$pid" "$n" "$hold" <<'PY'
import socket, sys, time
pid, n, hold = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) << 20
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
print("rss_before_mib", rss())
socks, chunk = [], b"x" * 65536
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", 16479)); s.settimeout(10)
    try:
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % (32 << 20))
        for _ in range(hold // len(chunk)):
            s.sendall(chunk)
    except OSError:
        pass  # closed by the server mid-send
    socks.append(s)
time.sleep(3)
print("rss_held_mib", rss())
for s in socks:
    s.close()
time.sleep(2)
print("rss_after_mib", rss())
PY
curl -fsS http://127.0.0.1:19563/metrics | grep -E '^sluice_client_memory|^sluice_connections_closed_total\{protocol="resp",reason="client_memory"'
