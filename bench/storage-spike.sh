#!/usr/bin/env bash
# The storage spike of issue #13: Apache Ratis's log (A) against a group-commit FileChannel log (B)
# and the disk's fsync latency, alternating rounds, then Ratis restart time with a large log.
# Figures and the decision: docs/design/storage-spike.md. Source: bench/src/main/java/dev/sluice/bench/storage/.
#
#   bench/storage-spike.sh                                   # 3 rounds + restart with 1 M entries (~10 min)
#   bench/storage-spike.sh --rounds=1 --seconds=1 --recovery-entries=20000   # a quick look
#   options: --peers=1,3  --seconds=3  --warmup-seconds=1  --dir=/path/on/the/disk/to/measure
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/find-java.sh
source "$root/bin/find-java.sh"
sluice_find_java
jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path "$root/*/target" -prune -o -path '*/src/main/*' -newer "$jar" -print -quit)" ]; then
  echo "storage-spike: building the benchmarks..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests package -pl bench -am) >&2
fi
echo "Sluice $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); $("$SLUICE_JAVA" -version 2>&1 | head -1); $(nproc) cores; disk of ${TMPDIR:-/tmp}: $(df -h "${TMPDIR:-/tmp}" | tail -1 | awk '{print $1}')"
exec "$SLUICE_JAVA" --enable-native-access=ALL-UNNAMED -Xms2g -Xmx2g -cp "$jar" dev.sluice.bench.storage.StorageSpike "$@"
