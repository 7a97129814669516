# shellcheck shell=bash
# Sourced by env.sh (and by setup.sh once the stack is up). With KAFKA_SECURITY_PROTOCOL=SASL_SSL the
# native stack's broker has its own CA and one SCRAM user per principal, which ops/stack/up.sh made in
# $LEDGERLINE_STATE/kafka/security. Each app gets its own user (<APP>_KAFKA_SASL_*), the tools the
# admin user, all the CA; a variable already set wins (e.g. a cluster of your own).
kafka_security_dir="$LEDGERLINE_STATE/kafka/security"
if [[ ${KAFKA_SECURITY_PROTOCOL:-} == SASL_SSL && -s $kafka_security_dir/credentials.env ]]; then
  kafka_password() { sed -n "s/^$1=//p" "$kafka_security_dir/credentials.env"; }
  : "${KAFKA_SSL_CA_FILE:=$kafka_security_dir/ca.pem}"
  : "${KAFKA_SASL_USERNAME:=admin}"
  : "${KAFKA_SASL_PASSWORD:=$(kafka_password admin)}"
  : "${GATEWAY_KAFKA_SASL_USERNAME:=gateway}"
  : "${GATEWAY_KAFKA_SASL_PASSWORD:=$(kafka_password gateway)}"
  : "${PROCESSOR_KAFKA_SASL_USERNAME:=processor}"
  : "${PROCESSOR_KAFKA_SASL_PASSWORD:=$(kafka_password processor)}"
  : "${LEDGER_SINK_KAFKA_SASL_USERNAME:=sink}"
  : "${LEDGER_SINK_KAFKA_SASL_PASSWORD:=$(kafka_password sink)}"
  : "${LEDGERLINE_KAFKA_SASL_USERNAME:=ops}"
  : "${LEDGERLINE_KAFKA_SASL_PASSWORD:=$(kafka_password ops)}"
  export KAFKA_SSL_CA_FILE KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD \
    GATEWAY_KAFKA_SASL_USERNAME GATEWAY_KAFKA_SASL_PASSWORD PROCESSOR_KAFKA_SASL_USERNAME \
    PROCESSOR_KAFKA_SASL_PASSWORD LEDGER_SINK_KAFKA_SASL_USERNAME LEDGER_SINK_KAFKA_SASL_PASSWORD \
    LEDGERLINE_KAFKA_SASL_USERNAME LEDGERLINE_KAFKA_SASL_PASSWORD
fi
