#!/usr/bin/env bash
# Side-by-side: Sluice's Go-style primitives (JMH) against Go 1.19 (`go test -bench`), in one
# run, alternating JMH and Go round by round. Prints a Markdown table of ns/op per workload
# (median over the rounds) with the ratio Sluice / Go (below 1 means Sluice is faster) and the
# target ratio of issue 17.
#
#   bench/go-vs-sluice.sh                      # 3 rounds
#   ROUNDS=5 JMH_OPTS="-wi 5 -i 8" bench/go-vs-sluice.sh
#   ONLY=locks bench/go-vs-sluice.sh           # only the Mutex and RWMutex rows (~1 min a round)
#   JAR=/tmp/before.jar ONLY=locks bench/go-vs-sluice.sh   # a prebuilt benchmarks.jar, e.g. of main
#
# Go side, with GOMAXPROCS=2: bench/go/parity_test.go (the channel shapes of GoChannelBenchmark,
# body for body) and Go's own standard-library benchmarks sync.BenchmarkMutexUncontended,
# BenchmarkMutex, BenchmarkRWMutexWrite100, BenchmarkWaitGroupUncontended and
# context.BenchmarkCommonParentCancel, which GoSyncBenchmark mirrors. Needs go (Debian:
# golang-go) and a JDK >= 21 (bin/find-java.sh finds one). ONLY=locks runs only the Mutex and
# RWMutex rows, adding BenchmarkRWMutexWrite10 and BenchmarkRWMutexWorkWrite10 (readers meet a
# writer ten times as often; the second also holds the read lock for 100 steps of work).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-3}
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -i 5 -w 1 -r 1"}
GO_BENCHTIME=${GO_BENCHTIME:-1s}
GO=${GO:-go}
ONLY=${ONLY:-}
case "$ONLY" in
  "") jmh_include='dev.sluice.bench.go.Go(Channel|Sync)Benchmark'
      go_std='^(BenchmarkMutexUncontended|BenchmarkMutex|BenchmarkRWMutexWrite100|BenchmarkWaitGroupUncontended|BenchmarkCommonParentCancel)$'
      go_pkgs="sync context" ;;
  locks) jmh_include='dev.sluice.bench.go.GoSyncBenchmark.(mutexUncontended|mutexContended|rwMutex\w+)$'
      go_std='^(BenchmarkMutexUncontended|BenchmarkMutex|BenchmarkRWMutexWrite100|BenchmarkRWMutexWrite10|BenchmarkRWMutexWorkWrite10)$'
      go_pkgs="sync" ;;
  *) echo "go-vs-sluice: ONLY must be empty or 'locks', was '$ONLY'" >&2; exit 2 ;;
esac
export GOMAXPROCS=2

command -v "$GO" >/dev/null || { echo "go-vs-sluice: $GO not found (apt-get install -y golang-go)" >&2; exit 1; }
# shellcheck source=../bin/find-java.sh
. "$root/bin/find-java.sh"
sluice_find_java || { echo "go-vs-sluice: no JDK >= 21 found" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

jar=${JAR:-$root/bench/target/benchmarks.jar}
if [ -n "${JAR:-}" ]; then
  [ -f "$jar" ] || { echo "go-vs-sluice: JAR=$jar not found" >&2; exit 1; }
elif [ ! -f "$jar" ] || [ -n "$(find "$root/concurrent/src/main" "$root/bench/src/main" -newer "$jar" -print -quit)" ]; then
  echo "go-vs-sluice: building the benchmarks..." >&2
  (cd "$root" && ./mvnw -q -B -o -DskipTests package -pl bench -am) >&2
fi

go_round() { # round -> $work/go-N.txt
  local out="$work/go-$1.txt"
  : >"$out"
  if [ -z "$ONLY" ]; then
    (cd "$root/bench/go" && GOFLAGS=-mod=mod "$GO" test -run '^$' -bench . -benchtime "$GO_BENCHTIME" .) >"$out"
  fi
  # shellcheck disable=SC2086
  "$GO" test -run '^$' -benchtime "$GO_BENCHTIME" -bench "$go_std" $go_pkgs >>"$out"
}

jmh_round() { # round -> $work/jmh-N.json
  # shellcheck disable=SC2086
  "$SLUICE_JAVA" -jar "$jar" "$jmh_include" $JMH_OPTS \
    -rf json -rff "$work/jmh-$1.json" >"$work/jmh-$1.log" 2>&1 ||
    { cat "$work/jmh-$1.log" >&2; exit 1; }
}

for r in $(seq 1 "$ROUNDS"); do
  echo "go-vs-sluice: round $r of $ROUNDS" >&2
  if [ $((r % 2)) -eq 1 ]; then go_round "$r"; jmh_round "$r"; else jmh_round "$r"; go_round "$r"; fi
done

python3 - "$work" "$ROUNDS" <<'PY'
import glob, json, re, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
# (label, JMH method, Go benchmark, target ratio)
rows = [
    ("chan buffered(16), 1 sender / 1 receiver", "GoChannelBenchmark.spsc16", "Spsc16", 1.0),
    ("chan buffered(16), 2 senders / 2 receivers", "GoChannelBenchmark.mpmc16", "Mpmc16", 1.0),
    ("chan unbuffered, 1 sender / 1 receiver", "GoChannelBenchmark.spsc0", "Spsc0", 1.0),
    ("ping-pong, one round trip", "GoChannelBenchmark.pingPong", "PingPong", 1.0),
    ("select over 2, one ready", "GoChannelBenchmark.selectOneReady", "SelectOneReady", 1.0),
    ("Mutex uncontended (sync.BenchmarkMutexUncontended)", "GoSyncBenchmark.mutexUncontended", "MutexUncontended", 1.2),
    ("Mutex contended (sync.BenchmarkMutex)", "GoSyncBenchmark.mutexContended", "Mutex", 1.2),
    ("RWMutex read-mostly (sync.BenchmarkRWMutexWrite100)", "GoSyncBenchmark.rwMutexWrite100", "RWMutexWrite100", 1.2),
    ("RWMutex, a write every 10 (sync.BenchmarkRWMutexWrite10)", "GoSyncBenchmark.rwMutexWrite10", "RWMutexWrite10", 1.2),
    ("RWMutex, work in readers, a write every 10 (sync.BenchmarkRWMutexWorkWrite10)", "GoSyncBenchmark.rwMutexWorkWrite10", "RWMutexWorkWrite10", 1.2),
    ("WaitGroup (sync.BenchmarkWaitGroupUncontended)", "GoSyncBenchmark.waitGroupUncontended", "WaitGroupUncontended", 1.2),
    ("context cancel, shared parent (context.BenchmarkCommonParentCancel)", "GoSyncBenchmark.commonParentCancel", "CommonParentCancel", 1.2),
]
java, go = {}, {}
for f in glob.glob(work + "/jmh-*.json"):
    for r in json.load(open(f)):
        name = ".".join(r["benchmark"].rsplit(".", 2)[-2:])
        m = r["primaryMetric"]
        ns = m["score"] if m["scoreUnit"] == "ns/op" else 1000.0 / m["score"]  # ops/us -> ns/op
        java.setdefault(name, []).append(ns)
for f in glob.glob(work + "/go-*.txt"):
    for line in open(f):
        m = re.match(r"Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op", line)
        if m:
            go.setdefault(m.group(1), []).append(float(m.group(2)))
print(f"| workload | Sluice ns/op | Go ns/op | Sluice ÷ Go | target | rounds |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
rows = [row for row in rows if row[1] in java or row[2] in go]  # ONLY= leaves some out
for label, j, g, target in rows:
    js, gs = java.get(j, []), go.get(g, [])
    if not js or not gs:
        print(f"| {label} | {'%.1f' % statistics.median(js) if js else 'n/a'} | {'%.1f' % statistics.median(gs) if gs else 'n/a'} | n/a | ≤ {target} | {min(len(js), len(gs))} |")
        continue
    jm, gm = statistics.median(js), statistics.median(gs)
    ok = "" if jm / gm <= target else " ✗"
    print(f"| {label} | {jm:.1f} | {gm:.1f} | {jm / gm:.2f}{ok} | ≤ {target} | {min(len(js), len(gs))} |")
print()
print("Per round (Sluice ns/op; Go ns/op):")
for label, j, g, _ in rows:
    print(f"  {g}: " + ", ".join("%.1f" % x for x in java.get(j, [])) + "; " + ", ".join("%.1f" % x for x in go.get(g, [])))
PY
