#!/bin/bash
# The image's entrypoint: the server's heap from the cache budget or SLUICE_HEAP (bin/jvm-heap.sh),
# then exec, so that java is PID 1 and receives SIGTERM itself.
set -euo pipefail
# shellcheck source=../bin/jvm-heap.sh
source /opt/sluice/jvm-heap.sh
jvm=()
if [ "${1:-}" = "server" ]; then
  flags=$(sluice_heap_flags "${@:2}") || exit 2
  [ -z "$flags" ] || mapfile -t jvm <<<"$flags"
fi
exec java "${jvm[@]}" -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData --enable-native-access=ALL-UNNAMED \
  --sun-misc-unsafe-memory-access=allow \
  -jar /opt/sluice/sluice.jar "$@"
