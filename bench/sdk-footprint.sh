#!/usr/bin/env bash
# What an application inherits from one client library: for each of sluice-client, jnats, Jedis and
# Lettuce, a throwaway Maven project under a temp dir that depends on that artifact alone; then
# `dependency:tree` (printed) and `dependency:copy-dependencies -DincludeScope=runtime`, counting the
# runtime jars (the library's own included) and their total size. Prints one Markdown table row per
# library. sluice-client comes from ~/.m2: install it first (./mvnw -o -q install -DskipTests).
#
#   bench/sdk-footprint.sh              # offline (-o): the peers' versions must be in ~/.m2
#   MVN_OFFLINE= bench/sdk-footprint.sh # let Maven fetch them from Maven Central
#   KEEP=1 bench/sdk-footprint.sh       # keep the projects and the copied jars (path printed)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/find-java.sh
source "$root/bin/find-java.sh"
sluice_find_java
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$SLUICE_JAVA")")")}

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$root/pom.xml" | head -1; }
# The peers: the versions the server's comparison tests and bench/ already use.
jnats=$(sed -n '/<artifactId>jnats<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p}' "$root/bench/pom.xml")
libs=(
  "dev.sluice:sluice-client:$version"
  "io.nats:jnats:$jnats"
  "redis.clients:jedis:$(prop jedis.version)"
  "io.lettuce:lettuce-core:$(prop lettuce.version)"
)
dep_plugin=org.apache.maven.plugins:maven-dependency-plugin:3.11.0
offline=${MVN_OFFLINE--o}

work=$(mktemp -d /tmp/sdk-footprint.XXXXXX)
[ -n "${KEEP:-}" ] && echo "projects in $work" >&2 || trap 'rm -rf "$work"' EXIT

echo "| library | runtime jars | total size |"
echo "|---|---:|---:|"
for gav in "${libs[@]}"; do
  IFS=: read -r g a v <<<"$gav"
  dir="$work/$a"
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>footprint</groupId>
  <artifactId>uses-$a</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>
  </dependencies>
</project>
EOF
  "$root/mvnw" $offline -q -B -f "$dir/pom.xml" "$dep_plugin:tree" -DoutputFile="$dir/tree.txt" >&2
  "$root/mvnw" $offline -q -B -f "$dir/pom.xml" "$dep_plugin:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$dir/jars" >&2
  sed 's/^/  /' "$dir/tree.txt" >&2
  n=$(find "$dir/jars" -name '*.jar' | wc -l)
  bytes=$(find "$dir/jars" -name '*.jar' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  awk -v a="$a:$v" -v n="$n" -v b="$bytes" 'BEGIN {printf "| `%s` | %d | %.2f MB (%d bytes) |\n", a, n, b / 1e6, b}'
done
