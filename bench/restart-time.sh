#!/usr/bin/env bash
# Restart time of a durable server (issue #13): fills a server started with --data-dir through the
# real paths (N cache keys with redis-cli --pipe over RESP; N queued messages with the CLI's
# `sluice pub QUEUE -` over gRPC), stops it (kill -9, and a clean SIGTERM stop), starts it again
# and reports, per restart: the time from exec to /readyz answering "ready", the server's own log
# line "recovered N records in T ms", and whether every key / message is back. Once with the
# journal only (no snapshot: --snapshot-bytes 100GiB) and once with everything in a snapshot (a
# start with --snapshot-bytes 1MiB takes one of the whole state within a second).
# Needs redis-cli, curl and dist/target/sluice.jar (./mvnw -B -o -q -DskipTests package).
# Loopback ports 16410-16499 (gRPC, RESP, metrics: three per start).
#
#   bench/restart-time.sh [--count=1000000] [--workloads=cache,queue] [--value-bytes=100] [--fsync=everysec]
#   RESTART_JFR=DIR bench/restart-time.sh ...   # also record each restart with JFR into DIR (written when
#                                               # that server stops cleanly: not for those killed with -9)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/find-java.sh
source "$root/bin/find-java.sh"
sluice_find_java
jar="$root/dist/target/sluice.jar"
[ -f "$jar" ] || { echo "bench: $jar is missing: ./mvnw -B -o -q -DskipTests package" >&2; exit 1; }
for tool in redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

count=1000000 workloads=cache,queue value_bytes=100 fsync=everysec
for arg in "$@"; do
  case $arg in
    --count=*) count=${arg#*=} ;;
    --workloads=*) workloads=${arg#*=} ;;
    --value-bytes=*) value_bytes=${arg#*=} ;;
    --fsync=*) fsync=${arg#*=} ;;
    *) echo "bench: unknown argument $arg" >&2; exit 2 ;;
  esac
done
# Each start takes the next three ports from 16410 on: the ports of a server that just closed
# client connections can stay in TIME_WAIT for a minute, and the gRPC listener cannot bind then.
starts=0
queue=bench-restart
work=$(mktemp -d)
pid=
cleanup() { [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start LOG SNAPSHOT_BYTES [JFR_FILE]: a server on $work/data; sets pid and t0 (ns)
start() {
  local jfr=()
  [ -z "${3:-}" ] || jfr=("-XX:StartFlightRecording=filename=$3,settings=profile")
  grpc=$((16410 + 3 * (starts % 30))) resp=$((16411 + 3 * (starts % 30))) metrics=$((16412 + 3 * (starts % 30)))
  starts=$((starts + 1))
  t0=$(date +%s%N)
  "$SLUICE_JAVA" -Xms4g -Xmx4g --enable-native-access=ALL-UNNAMED "${jfr[@]}" -jar "$jar" server \
    --host 127.0.0.1 --grpc-port $grpc --resp-port $resp --metrics-port $metrics \
    --data-dir "$work/data" --fsync "$fsync" --snapshot-bytes "$2" \
    --cache-max-bytes 2GiB --queue-max-bytes 2GiB >"$1" 2>&1 &
  pid=$!
}

# ready LOG: waits (at most 20 min) for /readyz; sets ready_ms
ready() {
  for _ in $(seq 1 60000); do
    if [ "$(curl -s --max-time 1 "http://127.0.0.1:$metrics/readyz" 2>/dev/null)" = ready ]; then
      ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$1"; echo "bench: the server exited" >&2; exit 1; }
    sleep 0.02
  done
  echo "bench: not ready after 20 minutes" >&2; exit 1
}

# stop kill9|term
stop() {
  if [ "$1" = kill9 ]; then kill -9 "$pid"; else kill -TERM "$pid"; fi
  wait "$pid" 2>/dev/null || true
  pid=
}

sample() { # sample NAME: the value of the first sample of NAME in /metrics
  curl -fsS "http://127.0.0.1:$metrics/metrics" | awk -v n="$1" '!found && ($1 == n || index($1, n "{") == 1) {print $2; found = 1}'
}

stored() { # how many keys or messages the server holds
  if [ "$1" = cache ]; then sample sluice_cache_entries; else sample sluice_queue_ready_messages; fi
}

fill() {
  if [ "$1" = cache ]; then
    awk -v n="$count" -v vb="$value_bytes" 'BEGIN {
      v = sprintf("%0" vb "d", 0)
      for (i = 0; i < n; i++) {
        k = "key:" i
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v
      }
    }' | redis-cli -p $resp --pipe >"$work/fill.out"
    tail -1 "$work/fill.out"
  else
    cli queue create $queue --max-ready "$count" >/dev/null
    awk -v n="$count" -v vb="$value_bytes" 'BEGIN { v = sprintf("%0" vb "d", 0); for (i = 0; i < n; i++) print v }' \
      | cli pub $queue - >/dev/null
  fi
}

cli() { SLUICE_SERVER=127.0.0.1:$grpc "$SLUICE_JAVA" --enable-native-access=ALL-UNNAMED -jar "$jar" --timeout 300s "$@"; }

# restart WORKLOAD CASE SNAPSHOT_BYTES: starts, waits for ready, prints one result line
restart() {
  local log="$work/$1-$2.log" jfr=
  # (JFR splits its options at commas: the file name has only [a-z0-9-])
  [ -z "${RESTART_JFR:-}" ] || { mkdir -p "$RESTART_JFR"; jfr="$RESTART_JFR/$1-$(tr -cs 'a-z0-9' '-' <<<"$2" | sed 's/-$//').jfr"; }
  start "$log" "$3" "$jfr"
  ready "$log"
  local line n
  line=$(grep -o 'recovered [0-9]* records in [0-9]* ms' "$log" | head -1)
  n=$(stored "$1")
  printf '%-6s %-28s ready %6d ms   %-36s holds %s of %s   data dir %s\n' "$1" "$2" "$ready_ms" "$line" \
    "${n%.0}" "$count" "$(du -sh "$work/data" | cut -f1)"
}

echo "restart time: $count ${value_bytes}-byte values per workload, --fsync $fsync, $(nproc) cores, $("$SLUICE_JAVA" -version 2>&1 | head -1)"
for w in ${workloads//,/ }; do
  rm -rf "$work/data"
  start "$work/$w-fill.log" 100GiB
  ready "$work/$w-fill.log"
  # the anchor: the same start on an empty data dir (JVM start, listeners), in this run
  printf '%-6s %-28s ready %6d ms\n' "$w" "empty data dir (anchor)" "$ready_ms"
  fs=$(date +%s%N)
  fill "$w"
  echo "$w    filled in $(( ($(date +%s%N) - fs) / 1000000 )) ms, holds $(stored "$w")"
  sleep 2 # --fsync everysec: let the last second reach the disk before the kill
  stop kill9
  restart "$w" "journal, after kill -9" 100GiB
  stop term
  restart "$w" "journal, after clean stop" 100GiB
  stop term
  # a start with a 1 MiB threshold snapshots the whole state at its first check (every second)
  start "$work/$w-snap.log" 1MiB
  ready "$work/$w-snap.log"
  for _ in $(seq 1 1200); do
    [ "$(sample sluice_storage_snapshots_total)" != 0.0 ] && break
    sleep 0.5
  done
  grep -o 'snapshot .* bytes in [0-9]* ms' "$work/$w-snap.log" | head -1
  stop term
  restart "$w" "snapshot, after clean stop" 1MiB
  stop kill9
  restart "$w" "snapshot, after kill -9" 1MiB
  stop term
done
