#!/usr/bin/env bash
# Side-by-side: the same queue work through jnats against NATS JetStream (memory and file
# storage) and through the Sluice SDK against Sluice, in one run, alternating rounds, on loopback.
# Prints every run, then a table of medians and Sluice/JetStream ratios. See
# bench/src/main/java/dev/sluice/bench/queue/QueueVsJetStream.java for the scenarios.
#
#   bench/queue-vs-jetstream.sh                          # 3 rounds of every scenario (~10 min)
#   bench/queue-vs-jetstream.sh --rounds=1 --scale=0.2   # a quick look
#   bench/queue-vs-jetstream.sh --scenarios=e2e-1x1,sync-publish --brokers=jetstream-memory,sluice
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

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path "$root/*/target" -prune -o -path '*/src/main/*' -newer "$jar" -print -quit)" ]; then
  echo "queue-vs-jetstream: building the benchmarks..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests package -pl bench,dist -am) >&2
fi

nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$work/nats" >"$work/nats.log" 2>&1 &
pids+=($!)
SLUICE_GRPC_PORT=$SLUICE_GRPC SLUICE_RESP_PORT=0 SLUICE_METRICS_PORT=0 "$root/sluice" server >"$work/sluice.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 300); do
  grep -q "Server is ready" "$work/nats.log" && grep -q "started" "$work/sluice.log" && break
  sleep 0.1
done
grep -q "Server is ready" "$work/nats.log" || { cat "$work/nats.log" >&2; echo "queue-vs-jetstream: nats-server did not start" >&2; exit 1; }
grep -q "started" "$work/sluice.log" || { cat "$work/sluice.log" >&2; echo "queue-vs-jetstream: sluice did not start" >&2; exit 1; }

echo "$(nats-server --version); Sluice $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); $("$SLUICE_JAVA" -version 2>&1 | head -1); $(nproc) cores"
"$SLUICE_JAVA" --enable-native-access=ALL-UNNAMED -Xms1g -Xmx1g -cp "$jar" dev.sluice.bench.queue.QueueVsJetStream \
  --nats="nats://127.0.0.1:$NATS_PORT" --sluice="127.0.0.1:$SLUICE_GRPC" "$@"
