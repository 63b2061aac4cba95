#!/usr/bin/env bash
# Side-by-side: the same redis-benchmark workloads against Redis and against Sluice's RESP
# listener, in one run, on loopback. Prints a table with requests/s, p50 and Sluice/Redis ratios.
#
#   bench/redis-vs-sluice.sh                 # 50 clients, 100k requests, -P 1 and -P 16
#   REQUESTS=200000 CLIENTS=50 bench/redis-vs-sluice.sh
#
# Needs redis-server and redis-benchmark (Debian: apt-get install -y redis-server redis-tools).
# Sluice is started with ./sluice server (built on first use). Both listen on 127.0.0.1 only.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-ping,set,get,incr,lpush,rpop,mset}
REDIS_PORT=${REDIS_PORT:-16379}
SLUICE_PORT=${SLUICE_PORT:-16380}
SLUICE_GRPC=${SLUICE_GRPC:-17070}

for exe in redis-server redis-benchmark redis-cli; do
  command -v "$exe" >/dev/null || { echo "redis-vs-sluice: $exe not found (apt-get install -y redis-server redis-tools)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() { # port name logfile
  for _ in $(seq 1 600); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.1
  done
  echo "redis-vs-sluice: $2 did not answer PING on port $1; its log:" >&2
  cat "$3" >&2
  exit 1
}

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize no \
  >"$work/redis.log" 2>&1 &
pids+=($!)
SLUICE_RESP_PORT=$SLUICE_PORT SLUICE_GRPC_PORT=$SLUICE_GRPC SLUICE_RESP_LIST_MAX_LENGTH=10000000 \
  "$root/sluice" server >"$work/sluice.log" 2>&1 &
pids+=($!)
wait_ready "$REDIS_PORT" redis "$work/redis.log"
wait_ready "$SLUICE_PORT" sluice "$work/sluice.log"

run() { # name port pipeline -> csv lines "name,P,test,rps,p50"
  redis-benchmark -h 127.0.0.1 -p "$2" -c "$CLIENTS" -n "$REQUESTS" -P "$3" -t "$TESTS" --csv 2>/dev/null |
    tail -n +2 | tr -d '"' | awk -F, -v n="$1" -v p="$3" '{print n "," p "," $1 "," $2 "," $5}'
}

results="$work/results.csv"
for p in 1 16; do
  # Warm Sluice's JIT with a short untimed pass, then measure both back to back.
  redis-benchmark -h 127.0.0.1 -p "$SLUICE_PORT" -c "$CLIENTS" -n 20000 -P "$p" -t "$TESTS" -q >/dev/null 2>&1
  run redis "$REDIS_PORT" "$p" >>"$results"
  run sluice "$SLUICE_PORT" "$p" >>"$results"
done

echo "redis-benchmark -c $CLIENTS -n $REQUESTS -t $TESTS; $(redis-server --version | awk '{print $1, $2, $3}'); $(nproc) cores"
echo
printf '| %-16s | %3s | %12s | %12s | %7s | %9s | %10s | %9s |\n' test P "redis req/s" "sluice req/s" "ratio" "redis p50" "sluice p50" "p50 ratio"
echo '|---|---|---|---|---|---|---|---|'
awk -F, '
  $1 == "redis"  { r[$3 "," $2] = $4; rl[$3 "," $2] = $5; order[++n] = $3 "," $2 }
  $1 == "sluice" { s[$3 "," $2] = $4; sl[$3 "," $2] = $5 }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]; split(k, a, ",");
      ratio = (r[k] > 0) ? s[k] / r[k] : 0;
      lr = (rl[k] > 0) ? sl[k] / rl[k] : 0;
      printf "| %-16s | %3s | %12.0f | %12.0f | %6.2fx | %7.3f ms | %7.3f ms | %8.2fx |\n", a[1], a[2], r[k], s[k], ratio, rl[k], sl[k], lr
    }
  }' "$results"
echo
echo "ratio = sluice/redis requests per second (above 1: Sluice faster); p50 ratio = sluice/redis (below 1: Sluice faster)"
