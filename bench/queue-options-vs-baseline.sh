#!/usr/bin/env bash
# The plain queue path of this build against a baseline build, and the cost of each queue option
# (dedup ids, priorities, ordering keys), through `sluice bench queue` (SDK and network).
#
#   git archive main | tar -x -C /tmp/base && (cd /tmp/base && ./mvnw -q -B -DskipTests package -pl dist -am)
#   bench/queue-options-vs-baseline.sh /tmp/base/dist/target/sluice.jar      # ROUNDS=4 N=100000
#
# Each round starts one server per build (127.0.0.1, a free port, -Xms1g -Xmx1g), warms it with
# three untimed runs, then measures one run without options; on this build also one run per
# option (on fresh queues). Rounds alternate which build goes first. Prints one JSON line per run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/find-java.sh
source "$root/bin/find-java.sh"
sluice_find_java
BASE=${1:?usage: $0 BASELINE_SLUICE_JAR}
THIS="$root/dist/target/sluice.jar"
[ -f "$THIS" ] || (cd "$root" && ./mvnw -q -B -DskipTests package -pl dist -am)
ROUNDS=${ROUNDS:-4}
N=${N:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
run_build() { # name jar
  local name=$1 jar=$2 p pid cli r
  p=$(free_port)
  SLUICE_GRPC_PORT=$p SLUICE_RESP_PORT=0 SLUICE_METRICS_PORT=0 "$SLUICE_JAVA" --enable-native-access=ALL-UNNAMED \
    -Xms1g -Xmx1g -jar "$jar" server --host 127.0.0.1 >"$work/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 150); do grep -q "started" "$work/$name.log" && break; sleep 0.2; done
  cli=("$SLUICE_JAVA" --enable-native-access=ALL-UNNAMED -jar "$jar" --server "127.0.0.1:$p" bench queue -c 1
       --batch 100 --consumers 1 -d 128)
  for w in 1 2 3; do "${cli[@]}" -n "$N" --queue "warm$w" >/dev/null; done
  r=$("${cli[@]}" -n "$N" --queue timed --json | grep end-to-end)
  echo "{\"build\":\"$name\",\"option\":\"none\",\"result\":$r}"
  if [ "$name" = this ]; then
    for opt in --dedup --priorities "--ordering-keys 1000"; do
      # shellcheck disable=SC2086
      r=$("${cli[@]}" -n "$N" --queue "t${opt//[^a-z]/}" $opt --json | grep end-to-end)
      echo "{\"build\":\"$name\",\"option\":\"${opt//[^a-z]/}\",\"result\":$r}"
    done
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then run_build base "$BASE"; run_build this "$THIS"; else run_build this "$THIS"; run_build base "$BASE"; fi
done
