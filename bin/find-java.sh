# Sourced by ./sluice, .ci/run and stress/run.sh: sets and exports SLUICE_JAVA, a `java` of
# version >= 21 (Sluice's goroutines are virtual threads). Order: $JAVA_HOME, then `java` on PATH,
# then the newest JDK under /usr/lib/jvm (override the directories with SLUICE_JVM_DIRS). The
# default `java` on our build machines is 17, so the scan is what usually finds one.

SLUICE_JAVA_MIN=21

# Prints the feature version (17, 21, 25...) of the given java binary, or nothing.
sluice_java_major() {
  local v
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  v=${v#1.}
  echo "${v%%[.+-]*}"
}

sluice_find_java() {
  local candidate major
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major=$(sluice_java_major "$candidate")
    if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge "$SLUICE_JAVA_MIN" ]; then
      SLUICE_JAVA="$candidate"; SLUICE_JAVA_MAJOR="$major"; export SLUICE_JAVA SLUICE_JAVA_MAJOR; return 0
    fi
  done
  local best="" best_major=0 dir
  for dir in ${SLUICE_JVM_DIRS:-/usr/lib/jvm}; do
    for candidate in "$dir"/*/bin/java; do
      [ -x "$candidate" ] || continue
      major=$(sluice_java_major "$candidate")
      if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge "$SLUICE_JAVA_MIN" ] && [ "$major" -gt "$best_major" ]; then
        best="$candidate"; best_major="$major"
      fi
    done
  done
  if [ -z "$best" ]; then
    echo "error: Sluice needs Java $SLUICE_JAVA_MIN or newer and found none." >&2
    echo "       Looked at \$JAVA_HOME, 'java' on PATH and ${SLUICE_JVM_DIRS:-/usr/lib/jvm}/*/bin/java." >&2
    echo "       Install a JDK >= $SLUICE_JAVA_MIN or point JAVA_HOME at one." >&2
    return 1
  fi
  SLUICE_JAVA="$best"; SLUICE_JAVA_MAJOR="$best_major"; export SLUICE_JAVA SLUICE_JAVA_MAJOR
}

# The JVM flags every Sluice process runs with, one per line, for the java sluice_find_java found:
# native access for Netty's epoll and gRPC's transport, and on Java 23+ sun.misc.Unsafe memory
# access, which Netty 4.2 no longer uses by default from Java 24 on: without it every copy out of a
# direct buffer goes through a ByteBuffer duplicate (14% of a RESP SET's CPU in a JFR profile).
sluice_jvm_flags() {
  echo "--enable-native-access=ALL-UNNAMED"
  if [ "${SLUICE_JAVA_MAJOR:-0}" -ge 23 ]; then
    echo "--sun-misc-unsafe-memory-access=allow"
  fi
}
