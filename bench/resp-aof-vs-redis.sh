#!/usr/bin/env bash
# Durable RESP writes side by side (issue #13): Sluice with --data-dir and --fsync P against
# redis-server --appendonly yes --appendfsync P, redis-benchmark SET at -P 16 and -P 1, rounds
# alternating between the two. Needs redis-server, redis-benchmark and dist/target/sluice.jar
# (./mvnw -B -o -q -DskipTests package). Loopback ports 16400 (Sluice) and 16401 (Redis).
#
#   bench/resp-aof-vs-redis.sh [-t TESTS] [ROUNDS]   # default: -t set, 2 rounds per policy
#
# -t takes redis-benchmark's test names, comma-separated (e.g. lpush,rpush,lpop,hset,sadd,zadd:
# database 0's lists, hashes, sets and sorted sets, which Sluice keeps in the RESP keyspace and
# journals as command records); each test runs against Sluice, then against Redis, in turn.
# Sluice runs with --resp-list-max-length 10000000: its default (100000) refuses the 400k-element
# list redis-benchmark builds, and Redis has no such limit.
set -euo pipefail
tests=set
if [ "${1:-}" = "-t" ]; then
  tests=$2
  shift 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/find-java.sh
source "$root/bin/find-java.sh"
sluice_find_java
mapfile -t jvm_flags < <(sluice_jvm_flags)
jar="$root/dist/target/sluice.jar"
[ -f "$jar" ] || { echo "bench: $jar is missing: ./mvnw -B -o -q -DskipTests package" >&2; exit 1; }
rounds=${1:-2}
# rps PORT TEST N PIPELINE
rps() {
  local name
  name=$(echo "$2" | tr '[:lower:]' '[:upper:]')
  redis-benchmark -p "$1" -t "$2" -n "$3" -c 50 -P "$4" --csv | grep "^\"$name" | head -1 | cut -d, -f2 | tr -d '"'
}
for policy in everysec always; do
  for round in $(seq "$rounds"); do
    d=$(mktemp -d)
    "$SLUICE_JAVA" "${jvm_flags[@]}" -Xms1g -Xmx1g -jar "$jar" server --grpc-port 0 --metrics false --resp-port 16400 \
      --resp-list-max-length 10000000 --data-dir "$d/sluice" --fsync "$policy" > "$d/sluice.log" 2>&1 &
    sluice=$!
    mkdir "$d/redis"
    redis-server --port 16401 --dir "$d/redis" --appendonly yes --appendfsync "$policy" --save "" > "$d/redis.log" 2>&1 &
    redis=$!
    for _ in $(seq 100); do
      redis-cli -p 16400 ping >/dev/null 2>&1 && redis-cli -p 16401 ping >/dev/null 2>&1 && break
      sleep 0.2
    done
    for _ in 1 2 3; do rps 16400 set 400000 16 >/dev/null; done # JIT warm-up: C2 needs a few 100k requests here
    for t in ${tests//,/ }; do
      for p in 16 1; do
        n=$([ "$p" = 16 ] && echo 400000 || echo 50000)
        s=$(rps 16400 "$t" "$n" "$p")
        r=$(rps 16401 "$t" "$n" "$p")
        echo "fsync=$policy round=$round $t -P $p: sluice $s/s redis $r/s ratio $(awk -v a="$s" -v b="$r" 'BEGIN{printf "%.2f", a/b}')"
      done
    done
    kill "$sluice" "$redis"
    wait "$sluice" "$redis" 2>/dev/null || true
    rm -rf "$d"
  done
done
