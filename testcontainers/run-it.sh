#!/usr/bin/env bash
# Runs SluiceContainerIT against podman: builds the image with docker/smoke.sh (kept as
# localhost/sluice:smoke), serves podman's Docker-compatible API on a private socket, and runs the
# test with DOCKER_HOST pointing at it. Root only (rootful podman with the options of TOOLCHAIN.md).
#
#   testcontainers/run-it.sh                 # build the image, then test it
#   RUN_IT_IMAGE=localhost/sluice:smoke RUN_IT_BUILD=0 testcontainers/run-it.sh   # reuse the image
#
# Every wait is bounded; the podman service this script starts is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
image=${RUN_IT_IMAGE:-localhost/sluice:smoke}
fail() { echo "run-it: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root (rootful podman)"
command -v podman >/dev/null || fail "podman not found (apt-get install -y podman runc)"
podman_opts=(--storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime runc)

if [ "${RUN_IT_BUILD:-1}" = 1 ]; then
  SMOKE_KEEP_IMAGE=1 timeout 1200 docker/smoke.sh || fail "docker/smoke.sh (image build and smoke run) failed"
fi
podman "${podman_opts[@]}" image exists "$image" || fail "image $image not found"

work=$(mktemp -d)
sock=$work/podman.sock
podman "${podman_opts[@]}" system service --time 0 "unix://$sock" >"$work/service.log" 2>&1 &
service=$!
cleanup() {
  kill "$service" 2>/dev/null || true
  wait "$service" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 50); do
  [ -S "$sock" ] && break
  kill -0 "$service" 2>/dev/null || { cat "$work/service.log"; fail "podman system service exited"; }
  sleep 0.2
done
[ -S "$sock" ] || fail "no API socket at $sock after 10s"

# shellcheck source=../bin/find-java.sh
source bin/find-java.sh
sluice_find_java
export JAVA_HOME=${JAVA_HOME:-$(cd "$(dirname "$SLUICE_JAVA")/.." && pwd)}
export DOCKER_HOST=unix://$sock TESTCONTAINERS_RYUK_DISABLED=true
out=$work/mvn.log
timeout 900 ./mvnw -B -o -pl testcontainers -am test -Dtest='SluiceContainerIT' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsluice.image="$image" >"$out" 2>&1 || { tail -80 "$out"; fail "SluiceContainerIT failed"; }
grep -E 'Tests run:.*SluiceContainerIT' "$out" || true
# A run in which every test was skipped is not a pass here: the runtime and the image were meant to be there.
if grep -qE 'Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: [1-9]' "$out"; then
  grep -A3 'SluiceContainerIT' "testcontainers/target/surefire-reports/TEST-dev.sluice.testcontainers.SluiceContainerIT.xml" | head -20
  fail "SluiceContainerIT skipped its tests (see the reason above)"
fi
echo "run-it: passed"
