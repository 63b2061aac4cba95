#!/usr/bin/env bash
# Side-by-side: the same queue work through jnats against NATS JetStream (memory and file
# storage) and through the Sluice SDK against Sluice, in one run, alternating rounds, on loopback.
# Prints every run, then a table of medians and Sluice/JetStream ratios. See
# bench/src/main/java/dev/sluice/bench/queue/QueueVsJetStream.java for the scenarios.
#
#   bench/queue-vs-jetstream.sh                          # 3 rounds of every scenario (~10 min)
#   bench/queue-vs-jetstream.sh --rounds=1 --scale=0.2   # a quick look
#   bench/queue-vs-jetstream.sh --scenarios=e2e-1x1,sync-publish --brokers=jetstream-memory,sluice
#   bench/queue-vs-jetstream.sh --durable                # durable mode (issue #13), below
#
# --durable (the first argument; the rest go to the harness as above): Sluice runs durable, two
# servers, each with --data-dir on a temporary directory, one with --fsync everysec
# (sluice-everysec, port SLUICE_GRPC+1) and one with --fsync always (sluice-always, +2), and the
# anchor is JetStream file storage at its default sync (nats-server -js: acknowledged once written
# to the OS, fsynced by a timer, not per message; see docs/benchmarks.md). The brokers default
# to jetstream-file,sluice-everysec,sluice-always and the ratios are over jetstream-file. The
# in-memory Sluice is not started then. SLUICE_JFR=DIR records a JFR file per durable server
# (wall-clock and allocation profile, settings=profile) into DIR.
#
# Needs nats-server (Debian: apt-get install -y nats-server). Sluice is started with
# ./sluice server (built on first use); both listen on 127.0.0.1 only.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NATS_PORT=${NATS_PORT:-14222}
SLUICE_GRPC=${SLUICE_GRPC:-17170}
# shellcheck source=../bin/find-java.sh
source "$root/bin/find-java.sh"
sluice_find_java

command -v nats-server >/dev/null || { echo "queue-vs-jetstream: nats-server not found (apt-get install -y nats-server)" >&2; exit 1; }

durable=false
if [ "${1:-}" = "--durable" ]; then
  durable=true
  shift
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

jar="$root/bench/target/benchmarks.jar"
stale() { [ ! -f "$1" ] || [ -n "$(find "$root" -path "$root/*/target" -prune -o -path '*/src/main/*' -newer "$1" -print -quit)" ]; }
# Both jars here, before any server starts: two launchers building at once break each other's build.
if stale "$jar" || stale "$root/dist/target/sluice.jar"; then
  echo "queue-vs-jetstream: building the benchmarks..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests package -pl bench,dist -am) >&2
fi

nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$work/nats" >"$work/nats.log" 2>&1 &
pids+=($!)
harness=(--nats="nats://127.0.0.1:$NATS_PORT")
logs=()
if $durable; then
  port=$SLUICE_GRPC
  for policy in everysec always; do
    port=$((port + 1))
    mkdir "$work/data-$policy"
    (
      if [ -n "${SLUICE_JFR:-}" ]; then
        mkdir -p "$SLUICE_JFR"
        export JAVA_TOOL_OPTIONS="-XX:StartFlightRecording=settings=profile,jdk.ExecutionSample#period=2ms,jdk.NativeMethodSample#period=5ms,filename=$SLUICE_JFR/sluice-$policy.jfr"
      fi
      SLUICE_GRPC_PORT=$port SLUICE_RESP_PORT=0 SLUICE_METRICS_PORT=0 exec "$root/sluice" server \
        --data-dir "$work/data-$policy" --fsync "$policy"
    ) >"$work/sluice-$policy.log" 2>&1 &
    pids+=($!)
    logs+=("$work/sluice-$policy.log")
    harness+=(--sluice-"$policy"="127.0.0.1:$port")
  done
  harness+=(--brokers=jetstream-file,sluice-everysec,sluice-always --anchor=jetstream-file)
else
  SLUICE_GRPC_PORT=$SLUICE_GRPC SLUICE_RESP_PORT=0 SLUICE_METRICS_PORT=0 "$root/sluice" server >"$work/sluice.log" 2>&1 &
  pids+=($!)
  logs+=("$work/sluice.log")
  harness+=(--sluice="127.0.0.1:$SLUICE_GRPC")
fi

started() {
  grep -q "Server is ready" "$work/nats.log" || return 1
  for l in "${logs[@]}"; do grep -q "started" "$l" || return 1; done
}
for _ in $(seq 1 300); do
  started && break
  sleep 0.1
done
grep -q "Server is ready" "$work/nats.log" || { cat "$work/nats.log" >&2; echo "queue-vs-jetstream: nats-server did not start" >&2; exit 1; }
for l in "${logs[@]}"; do
  grep -q "started" "$l" || { cat "$l" >&2; echo "queue-vs-jetstream: sluice did not start ($l)" >&2; exit 1; }
done

echo "$(nats-server --version); Sluice $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); $("$SLUICE_JAVA" -version 2>&1 | head -1); $(nproc) cores"
"$SLUICE_JAVA" --enable-native-access=ALL-UNNAMED -Xms1g -Xmx1g -cp "$jar" dev.sluice.bench.queue.QueueVsJetStream \
  "${harness[@]}" "$@"
