#!/usr/bin/env bash
# Renders docker/helm/sluice with its default values and with values-persistence.yaml, and checks
# the rendered manifests and docker/k8s/*.yaml with the same checker (render/check.go). Then makes
# sure the checker can fail: a copy of the chart with a probe on an undeclared port must be refused.
# Needs only Debian's golang-go, golang-github-masterminds-sprig-dev and golang-gopkg-yaml.v3-dev
# (GOPATH mode, offline). Run from anywhere; exit 0 only if everything passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v go >/dev/null || { echo "helm check: go is missing (apt-get install golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" GOFLAGS=
(cd "$here" && go build -o "$work/render" ./render)
r="$work/render"
"$r" template "$here/sluice" >"$work/default.yaml"
"$r" template "$here/sluice" -f "$here/values-persistence.yaml" >"$work/persistence.yaml"
grep -q '^kind: StatefulSet' "$work/default.yaml"
grep -q 'volumeClaimTemplates:' "$work/default.yaml" && { echo "helm check: default values must not claim a volume"; exit 1; }
grep -q 'volumeClaimTemplates:' "$work/persistence.yaml" || { echo "helm check: persistence values did not add a volumeClaimTemplate"; exit 1; }
for kind in StatefulSet Service PodDisruptionBudget NetworkPolicy; do
  grep -q "^kind: $kind" "$work/default.yaml" || { echo "helm check: no $kind rendered"; exit 1; }
done
"$r" check "$work/default.yaml"
"$r" check "$work/persistence.yaml"
"$r" check "$here"/../k8s/*.yaml
# The plain manifests are durable too: a StatefulSet whose claim is mounted at SLUICE_DATA_DIR.
k8s=$(cat "$here"/../k8s/*.yaml)
grep -q '^kind: StatefulSet' <<<"$k8s" || { echo "helm check: docker/k8s has no StatefulSet"; exit 1; }
grep -q 'volumeClaimTemplates:' <<<"$k8s" || { echo "helm check: docker/k8s claims no volume"; exit 1; }
grep -A1 'name: SLUICE_DATA_DIR' <<<"$k8s" | grep -q 'value: /data' || { echo "helm check: docker/k8s does not set SLUICE_DATA_DIR=/data"; exit 1; }
grep -q 'mountPath: /data' <<<"$k8s" || { echo "helm check: docker/k8s mounts nothing at /data"; exit 1; }
# The checker must be able to fail.
cp -r "$here/sluice" "$work/broken"
sed -i 's/path: {{ .liveness.path }}, port: metrics/path: {{ .liveness.path }}, port: nosuchport/' \
  "$work/broken/templates/statefulset.yaml"
"$r" template "$work/broken" >"$work/broken.yaml"
if "$r" check "$work/broken.yaml" 2>"$work/broken.err"; then
  echo "helm check: a probe on an undeclared port was not caught"; exit 1
fi
grep -q "livenessProbe port nosuchport" "$work/broken.err"
echo "helm check: ok"
