# shellcheck shell=bash
# Heap flags for the Sluice server, shared by ./sluice and the container image's entrypoint.
#
# The server keeps everything in memory, so without -Xmx the JVM may grow to a quarter of the
# machine (or a percentage of a container limit) whatever the cache is configured for, and RSS follows
# the heap, not the live data. So:
#   SLUICE_HEAP=SIZE            -Xmx and -Xms SIZE (e.g. 2g, 768m, 1GiB)
#   otherwise                   -Xmx = -Xms = 1.5 x the cache budget + 128 MiB, the budget read from
#                               --cache-max-bytes or SLUICE_CACHE_MAX_BYTES (default 256MiB: 512 MiB)
#   -XX:MaxDirectMemorySize     half the heap (Netty's buffers; --max-client-memory defaults to
#                               a quarter of the heap, inside this)
# An -Xmx already in JDK_JAVA_OPTIONS or JAVA_TOOL_OPTIONS wins: then nothing is added.
#
# sluice_heap_flags ARGS...  prints the flags, one per line, for the server's arguments ARGS.

sluice_size_bytes() { # "256MiB", "1g", "512m", "1048576" -> bytes; empty on error
  local v=${1,,} n unit
  v=${v// /}
  if [[ $v =~ ^([0-9]+)([kmg]?)(i?b?)$ ]]; then
    n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]}
    case $unit in
      k) echo $((n << 10)) ;;
      m) echo $((n << 20)) ;;
      g) echo $((n << 30)) ;;
      *) echo "$n" ;;
    esac
  fi
}

sluice_heap_flags() {
  case " ${JDK_JAVA_OPTIONS:-} ${JAVA_TOOL_OPTIONS:-} " in
    *" -Xmx"*) return 0 ;;
  esac
  local heap
  if [ -n "${SLUICE_HEAP:-}" ]; then
    heap=$(sluice_size_bytes "$SLUICE_HEAP")
    if [ -z "$heap" ]; then
      echo "sluice: SLUICE_HEAP='$SLUICE_HEAP' is not a size (examples: 512m, 2g, 1GiB)" >&2
      return 2
    fi
  else
    local budget=${SLUICE_CACHE_MAX_BYTES:-256MiB} prev=""
    for a in "$@"; do
      case $a in
        --cache-max-bytes=*) budget=${a#*=} ;;
      esac
      [ "$prev" = "--cache-max-bytes" ] && budget=$a
      prev=$a
    done
    local b
    b=$(sluice_size_bytes "$budget")
    [ -n "$b" ] || return 0 # the server reports the bad size itself
    heap=$((b + b / 2 + (128 << 20)))
  fi
  local mib=$(((heap + (1 << 20) - 1) >> 20))
  echo "-Xmx${mib}m"
  # The whole heap from the start: a heap that grows (and shrinks) page-faults its new memory
  # while serving; with 64 KiB queue messages that cost the server half its CPU (docs/benchmarks.md).
  echo "-Xms${mib}m"
  echo "-XX:MaxDirectMemorySize=$((mib / 2 > 64 ? mib / 2 : 64))m"
}
