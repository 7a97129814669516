#!/usr/bin/env bash
# Makes a CA and a broker certificate for 127.0.0.1 in DIR (once: existing files are kept), as PEM files
# Kafka reads directly: ca.pem (the clients' KAFKA_SSL_CA_FILE and the broker's trust store) and
# broker-keystore.pem (an unencrypted PKCS#8 key, then the certificate chain). Used by ops/stack/up.sh
# and by the tests' throwaway secure broker.
#   bash ops/stack/kafka-certs.sh DIR
set -euo pipefail
dir=${1:?usage: kafka-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
[[ -s broker-keystore.pem && -s ca.pem ]] && exit 0
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 825 \
  -subj "/CN=ledgerline CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.crt -days 825 \
  -extfile san.ext 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.pk8
cat broker.pk8 broker.crt ca.pem >broker-keystore.pem
