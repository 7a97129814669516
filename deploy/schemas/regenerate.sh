#!/usr/bin/env bash
# Regenerates the vendored schemas from their pinned sources (needs the network: the Go module proxy and
# raw.githubusercontent.com). The tests never run this; they read only what it wrote. To move a pin,
# change it here and in README.md, run this, and review the diff.
set -euo pipefail
cd "$(dirname -- "$0")"
KUBERNETES=1.35.4         # k8s.io/kubernetes module: api/openapi-spec/swagger.json
STRIMZI=1.2.0             # strimzi/strimzi-kafka-operator tag (Kafka 4.2.x supported)
CNPG=v1.30.0              # cloudnative-pg/cloudnative-pg tag
PROMETHEUS_OPERATOR=v0.93.0 # prometheus-operator/prometheus-operator tag
go=$(command -v go || echo /usr/local/go/bin/go)
src=$(mktemp -d -t ledgerline-schemas.XXXXXX)
trap 'rm -rf "$src"' EXIT
get() { curl -fsSL --retry 3 -o "$src/$1" "https://raw.githubusercontent.com/$2"; }
for crd in 040-Crd-kafka 043-Crd-kafkatopic 044-Crd-kafkauser 045-Crd-kafkanodepool; do
  get "strimzi-$crd.yaml" "strimzi/strimzi-kafka-operator/$STRIMZI/packaging/install/cluster-operator/$crd.yaml"
done
for crd in clusters databases; do
  get "cnpg-$crd.yaml" "cloudnative-pg/cloudnative-pg/$CNPG/config/crd/bases/postgresql.cnpg.io_$crd.yaml"
done
for crd in servicemonitors prometheusrules; do
  get "monitoring-$crd.yaml" \
    "prometheus-operator/prometheus-operator/$PROMETHEUS_OPERATOR/example/prometheus-operator-crd/monitoring.coreos.com_$crd.yaml"
done
swagger="$(GOFLAGS=-mod=mod "$go" mod download -json "k8s.io/kubernetes@v$KUBERNETES" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')/api/openapi-spec/swagger.json"
rm -rf kubernetes crds
node convert.ts kubernetes "$swagger" "$KUBERNETES"
node convert.ts crd "$src"/*.yaml
