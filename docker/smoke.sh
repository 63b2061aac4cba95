#!/usr/bin/env bash
# Image smoke test: builds docker/Dockerfile with podman and runs the image for real, then drives it
# from the host with the CLI (health, set/get, queue pub/sub), stops it with SIGTERM and checks a
# clean exit, then restarts it on its data volume (durable mode, SLUICE_DATA_DIR=/data) after that
# clean stop and after a kill -9, and checks that a queued message and a cache key survived each.
# Run as root from anywhere:  docker/smoke.sh
#
# TEST HARNESS, not a way to build release images. This machine reaches no container registry, so:
#  - the base images the Dockerfile names (eclipse-temurin:25-jre, and :25-jdk only if asked for) are
#    replaced by local STAND-INS: a debootstrap'ed Debian bookworm minbase plus a runtime jlink'ed
#    from the host's JDK 25, tagged with those exact names (label dev.sluice.smoke.standin=true) and
#    built only when no image of that name exists; the rootfs tarball is cached in $SMOKE_CACHE;
#  - by default the image's `build` stage is SKIPPED: --build-arg JAR_STAGE=prebuilt copies the jar
#    the host built (dist/target/sluice.jar, rebuilt by ./sluice when stale) instead of compiling
#    inside the image. Everything from the runtime stage on (user, env, ports, HEALTHCHECK,
#    entrypoint) is the Dockerfile's own. SMOKE_BUILD=source runs the real build stage instead
#    (the Maven wrapper inside the build container; needs Maven Central, takes several minutes).
#
# Environment: SMOKE_BUILD=prebuilt|source, SMOKE_KEEP_IMAGE=1 (keep localhost/sluice:smoke),
# SMOKE_GRPC_PORT (17170), SMOKE_RESP_PORT (16380), SMOKE_METRICS_PORT (19464),
# SMOKE_CACHE (/var/cache/sluice-smoke). Every wait is bounded; the first failure ends the run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

start=$(date +%s)
step() { printf '\n=== smoke: %s (%ss elapsed)\n' "$1" "$(( $(date +%s) - start ))"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

mode=${SMOKE_BUILD:-prebuilt}
grpc_port=${SMOKE_GRPC_PORT:-17170}
resp_port=${SMOKE_RESP_PORT:-16380}
metrics_port=${SMOKE_METRICS_PORT:-19464}
cache_dir=${SMOKE_CACHE:-/var/cache/sluice-smoke}
image=localhost/sluice:smoke
name=sluice-smoke-$$
volume=sluice-smoke-data-$$
jre_image=docker.io/library/eclipse-temurin:25-jre
jdk_image=docker.io/library/eclipse-temurin:25-jdk
base_image=localhost/sluice-smoke/bookworm:minbase
# TOOLCHAIN.md: no container engine daemon; podman as root with these storage/cgroup/runtime choices.
# `tpod SECONDS args...` is the same with a time limit (timeout cannot run a shell function).
podman_opts=(--storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime runc)
pod() { podman "${podman_opts[@]}" "$@"; }
tpod() { local limit=$1; shift; timeout "$limit" podman "${podman_opts[@]}" "$@"; }

step "preconditions"
[ "$(id -u)" -eq 0 ] || fail "run as root (rootful podman with the vfs driver)"
case "$mode" in prebuilt|source) ;; *) fail "SMOKE_BUILD must be prebuilt or source, was '$mode'" ;; esac
for tool in podman runc timeout curl od; do
  command -v "$tool" >/dev/null || fail "'$tool' not found (apt-get install -y podman runc)"
done
for port in "$grpc_port" "$resp_port" "$metrics_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port is in use on 127.0.0.1"; fi
done
# shellcheck source=../bin/find-java.sh
source bin/find-java.sh
sluice_find_java
jdk_home=$(cd "$(dirname "$SLUICE_JAVA")/.." && pwd)
[ "$(sluice_java_major "$SLUICE_JAVA")" -ge 25 ] && [ -x "$jdk_home/bin/jlink" ] \
  || fail "need a JDK >= 25 with jlink for the stand-in runtime; found $SLUICE_JAVA"

work=$(mktemp -d)
cleanup() {
  local code=$?
  pod rm -f --time 5 "$name" >/dev/null 2>&1 || true
  pod volume rm -f "$volume" >/dev/null 2>&1 || true
  if [ "${SMOKE_KEEP_IMAGE:-0}" != 1 ]; then pod rmi -f "$image" >/dev/null 2>&1 || true; fi
  # The build's intermediate stage images: dangling ones that did not exist before it.
  local id
  for id in $(pod images -q --filter dangling=true 2>/dev/null); do
    grep -qx "$id" "$work/dangling-before" 2>/dev/null || pod rmi "$id" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
  if [ "$code" -ne 0 ]; then echo "smoke: failed after $(( $(date +%s) - start ))s" >&2; fi
}
trap cleanup EXIT

step "jar on the host (./sluice rebuilds it when sources changed)"
timeout 900 ./sluice --version >/dev/null || fail "building dist/target/sluice.jar failed"
[ -f dist/target/sluice.jar ] || fail "dist/target/sluice.jar missing after the build"

has_image() { pod image exists "$1"; }

# Debian bookworm minbase as an image, from a cached rootfs tarball (debootstrap on first use).
ensure_base() {
  has_image "$base_image" && return 0
  local tarball=$cache_dir/bookworm-minbase.tar
  if [ ! -f "$tarball" ]; then
    command -v debootstrap >/dev/null || fail "'debootstrap' not found (apt-get install -y debootstrap)"
    echo "smoke: debootstrap bookworm minbase (first run only, ~3 min)"
    mkdir -p "$cache_dir"
    timeout 900 debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian \
      >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; fail "debootstrap failed"; }
    # Package caches and documentation only make every vfs layer copy bigger.
    rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/* \
      "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/locale/*
    tar -C "$work/rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$work/rootfs"
  fi
  tpod 300 import -q --change 'CMD ["/bin/bash"]' "$tarball" "$base_image" >/dev/null \
    || fail "podman import of $tarball failed"
}

# A stand-in for an eclipse-temurin image: the Debian base plus a Java runtime at the same place
# (/opt/java/openjdk, on PATH, JAVA_HOME) as in the real images.
standin() { # standin IMAGE-NAME KIND(jre|jdk)
  local target=$1 kind=$2 ctx=$work/standin-$2
  if has_image "$target"; then
    echo "smoke: using existing $target ($(pod image inspect -f '{{index .Labels "dev.sluice.smoke.standin"}}' "$target" \
      | sed 's/^true$/local stand-in/; s/^$/real image/'))"
    return 0
  fi
  ensure_base
  mkdir -p "$ctx"
  if [ "$kind" = jre ]; then
    # Every module of the JDK (as a Temurin JRE has the runtime ones) and a CDS archive for -Xshare.
    local modules
    # (jdk.jlink and jdk.jpackage, which needs it, cannot be linked from a JDK without jmods files,
    # JEP 493; a JRE has neither anyway.)
    modules=$("$jdk_home/bin/java" --list-modules | sed 's/@.*//' | grep -vx -e jdk.jlink -e jdk.jpackage | paste -sd, -)
    timeout 300 "$jdk_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files \
      --no-man-pages --generate-cds-archive --output "$ctx/java" || fail "jlink failed"
  else
    cp -rL "$jdk_home" "$ctx/java"   # -L: a Debian-packaged JDK links cacerts to /etc/ssl/certs
  fi
  cp -L --remove-destination "$jdk_home/lib/security/cacerts" "$ctx/java/lib/security/cacerts"
  cat >"$ctx/Containerfile" <<EOF
FROM $base_image
COPY java /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL dev.sluice.smoke.standin=true
EOF
  tpod 600 build --pull=never -q -t "$target" "$ctx" >/dev/null || fail "building stand-in $target failed"
  rm -rf "$ctx"
  echo "smoke: built stand-in $target"
}

step "base images (local stand-ins; no registry is reachable)"
standin "$jre_image" jre
build_args=(--build-arg JAR_STAGE=prebuilt)
if [ "$mode" = source ]; then
  standin "$jdk_image" jdk
  build_args=(--build-arg JAR_STAGE=build --network host)
fi

step "podman build -f docker/Dockerfile ($mode jar)"
pod images -q --filter dangling=true >"$work/dangling-before"
# --format docker: the OCI image format has no HEALTHCHECK, and podman drops it from OCI images.
tpod 1200 build --pull=never --format docker -f docker/Dockerfile "${build_args[@]}" -t "$image" . >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log"; fail "podman build failed (log above)"; }
[ "$(pod image inspect -f '{{.Config.User}}' "$image")" = 10001:10001 ] || fail "image does not run as user 10001"

step "run (read-only root filesystem, ports on loopback, durable mode on a named volume at /data)"
# podman runs health timers through systemd, which this machine lacks; it logs "unable to get
# systemd connection" errors on run and stop (kept out of the output, shown on failure). The script
# runs the image's HEALTHCHECK command itself below.
# A bearer token, as a real deployment has: without one, a server bound to 0.0.0.0 is in protected
# mode and serves loopback peers only, and the published ports' traffic is not loopback inside.
token=smoke-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
tpod 60 run -d --name "$name" -e SLUICE_AUTH_TOKENS="$token" --read-only --tmpfs /tmp:rw,exec,size=64m \
  -v "$volume:/data" -e SLUICE_DATA_DIR=/data \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -p "127.0.0.1:$grpc_port:7070" -p "127.0.0.1:$resp_port:6380" -p "127.0.0.1:$metrics_port:9464" \
  "$image" >/dev/null 2>"$work/run.err" || { cat "$work/run.err"; fail "podman run failed"; }
logs() { pod logs "$name" 2>&1; }
# A here-string, not a pipe: with pipefail, `logs | grep -q` can fail when grep exits first.
logs_have() { grep -q -- "$1" <<<"$(logs)"; }
for _ in $(seq 1 120); do
  logs_have "started" && break
  [ "$(pod inspect -f '{{.State.Running}}' "$name")" = true ] || { logs; fail "container exited before starting"; }
  sleep 0.5
done
logs_have "started" || { logs; fail "no 'started' line within 60s"; }
logs_have "grpc=0.0.0.0:7070" || { logs; fail "server does not listen on 0.0.0.0:7070 (SLUICE_HOST)"; }
logs_have "data dir /data: recovered" || { logs; fail "the server did not start in durable mode on /data"; }
[ "$(tpod 30 exec "$name" id -u)" = 10001 ] || fail "the server process is not uid 10001"

step "HEALTHCHECK (the image's own command, run by podman)"
healthy=0
for _ in $(seq 1 10); do
  if tpod 30 healthcheck run "$name" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 2
done
if [ "$healthy" != 1 ]; then
  logs
  tpod 30 healthcheck run "$name" || true
  pod inspect -f '{{json .State.Health}}' "$name" || true
  fail "podman healthcheck run did not report healthy within 10 tries"
fi
# It is the HTTP check (GET /healthz on the metrics port), and it can fail: the same command
# pointed at a port where nothing listens must exit non-zero.
hc=$(pod inspect -f '{{index .Config.Healthcheck.Test 3}}' "$name")
grep -q 'GET /healthz' <<<"$hc" || fail "the image's HEALTHCHECK does not GET /healthz: $hc"
if tpod 30 exec -e SLUICE_METRICS_PORT=1 "$name" bash -c "$hc" 2>/dev/null; then
  fail "the HEALTHCHECK command passed against a port with no listener"
fi

step "CLI from the host against the published ports"
export SLUICE_SERVER=127.0.0.1:$grpc_port SLUICE_TOKEN=$token
cli() { timeout 60 "$SLUICE_JAVA" --enable-native-access=ALL-UNNAMED -jar dist/target/sluice.jar --timeout 10s "$@"; }
[ "$(cli health)" = SERVING ] || fail "sluice health did not print SERVING"
[ "$(cli set smoke:greeting hello)" = "OK (version 1)" ] || fail "set did not answer 'OK (version 1)'"
[ "$(cli get smoke:greeting)" = hello ] || fail "get did not return the value just set"
cli queue create smoke-jobs >/dev/null || fail "queue create failed"
printf 'one\ntwo\n' | cli pub smoke-jobs - >/dev/null || fail "pub failed"
[ "$(cli sub smoke-jobs --count 2 --wait 30s | tr '\n' ' ')" = "one two " ] || fail "sub did not receive 'one two'"
# The bundled CLI inside the container (SLUICE_SERVER is preset there).
[ "$(tpod 60 exec -e SLUICE_TOKEN="$token" "$name" java -XX:TieredStopAtLevel=1 -jar /opt/sluice/sluice.jar get smoke:greeting)" = hello ] \
  || fail "the CLI inside the container could not read the key"

# Metrics: only where the server has the endpoint (its startup log names the /metrics URL).
if logs_have "/metrics"; then
  metrics=$(curl -sf --max-time 10 "http://127.0.0.1:$metrics_port/metrics") || fail "GET /metrics failed"
  grep -q "^# TYPE" <<<"$metrics" || fail "/metrics answered without Prometheus text"
else
  echo "smoke: /metrics not checked: this server build logs no metrics endpoint"
fi

# Left for the restarts below: a message nobody consumes and a key.
cli queue create smoke-kept >/dev/null || fail "queue create smoke-kept failed"
cli pub smoke-kept survivor >/dev/null || fail "pub to smoke-kept failed"
[ "$(cli set smoke:kept before-restart)" = "OK (version 1)" ] || fail "set smoke:kept failed"

step "podman stop: SIGTERM, graceful stop, exit 0"
tpod 60 stop --time 30 "$name" >/dev/null 2>"$work/stop.err" || { cat "$work/stop.err"; fail "podman stop failed"; }
code=$(pod inspect -f '{{.State.ExitCode}}' "$name")
logs | tail -n 5 || true
[ "$code" = 0 ] || fail "container exited with $code after SIGTERM, expected 0"
logs_have "stopping (grace" || fail "no 'stopping (grace ...)' line: SIGTERM did not reach the JVM"
logs_have "stopped" || fail "no 'stopped' line after SIGTERM"

# restarted WHY: starts the stopped container again (same volume) and waits for its next start line.
restarted() {
  local before
  before=$(grep -c " started in " <<<"$(logs)" || true)
  tpod 60 start "$name" >/dev/null 2>"$work/start.err" || { cat "$work/start.err"; fail "podman start ($1) failed"; }
  for _ in $(seq 1 120); do
    [ "$(grep -c " started in " <<<"$(logs)" || true)" -gt "$before" ] && return 0
    sleep 0.5
  done
  logs; fail "no new 'started' line within 60s after $1"
}

step "restart after the clean stop: the queued message and the key survived"
restarted "the clean stop"
grep "recovered" <<<"$(logs)" | tail -n 1
[ "$(cli get smoke:kept)" = before-restart ] || fail "smoke:kept did not survive the clean restart"
[ "$(cli set smoke:kept before-kill)" = "OK (version 2)" ] || fail "smoke:kept's version went backwards or the set failed"
cli pub smoke-kept second >/dev/null || fail "pub after the restart failed"

step "kill -9 and restart: what was acknowledged (--fsync always) survived"
tpod 60 kill --signal KILL "$name" >/dev/null 2>"$work/kill.err" || { cat "$work/kill.err"; fail "podman kill failed"; }
for _ in $(seq 1 60); do
  [ "$(pod inspect -f '{{.State.Running}}' "$name")" = false ] && break
  sleep 0.5
done
restarted "kill -9"
grep "recovered" <<<"$(logs)" | tail -n 1
[ "$(cli get smoke:kept)" = before-kill ] || fail "smoke:kept did not survive kill -9"
[ "$(cli sub smoke-kept --count 2 --wait 30s | tr '\n' ' ')" = "survivor second " ] \
  || fail "the queued messages did not survive both restarts"
tpod 60 stop --time 30 "$name" >/dev/null 2>"$work/stop.err" || { cat "$work/stop.err"; fail "the last podman stop failed"; }

step "passed in $(( $(date +%s) - start ))s"
