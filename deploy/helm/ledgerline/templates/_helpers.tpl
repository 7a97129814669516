{{/* Names: every object is <release>-<component>, the operators' clusters are named in values. */}}
{{- define "ledgerline.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "ledgerline.labels" -}}
app.kubernetes.io/name: ledgerline
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ledgerline.selector" -}}
app.kubernetes.io/name: ledgerline
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The generated catalogue data (npm run topology -- strimzi --write). */}}
{{- define "ledgerline.strimzi" -}}
{{- .Files.Get "files/strimzi.json" -}}
{{- end -}}

{{/* Replication on a cluster of kafka.replicas brokers, as topology apply derives it (replicationFor). */}}
{{- define "ledgerline.replication" -}}
{{- $file := include "ledgerline.strimzi" . | fromJson -}}
{{- $known := len $file.replication -}}
{{- $brokers := min (int .Values.kafka.replicas) $known -}}
{{- index $file.replication (toString $brokers) | toJson -}}
{{- end -}}

{{- define "ledgerline.sasl" -}}
{{- if eq .Values.kafka.security "sasl_ssl" }}true{{ end -}}
{{- end -}}

{{- define "ledgerline.kafkaUser" -}}
{{- printf "%s-%s" .root.Values.kafka.name .role -}}
{{- end -}}

{{- define "ledgerline.bootstrap" -}}
{{- $port := 0 -}}
{{- range .Values.kafka.listeners }}{{ if eq .name $.Values.kafka.clientListener }}{{ $port = .port }}{{ end }}{{ end -}}
{{- if not $port }}{{ fail (printf "kafka.clientListener %q is not one of kafka.listeners" .Values.kafka.clientListener) }}{{ end -}}
{{- printf "%s-kafka-bootstrap:%v" .Values.kafka.name $port -}}
{{- end -}}

{{- define "ledgerline.registryUrl" -}}
{{- $host := printf "%s-registry:%v" (include "ledgerline.fullname" .) .Values.registry.port -}}
{{- if .Values.registry.auth.enabled -}}
http://$(REGISTRY_CLIENT_ID):$(REGISTRY_CLIENT_SECRET)@{{ $host }}/apis/ccompat/v7
{{- else -}}
http://{{ $host }}/apis/ccompat/v7
{{- end -}}
{{- end -}}

{{/* The Secret holding a runtime role's password: named in values, or the one the chart generates. */}}
{{- define "ledgerline.roleSecret" -}}
{{- .spec.passwordSecret | default (printf "%s-pg-%s" (include "ledgerline.fullname" .root) (.spec.name | replace "_" "-")) -}}
{{- end -}}

{{/* A Postgres URL for a role whose password is in $(DATABASE_PASSWORD) (Kubernetes expands it). */}}
{{- define "ledgerline.databaseUrl" -}}
{{- $v := .root.Values.postgres -}}
postgres://{{ .role }}:$(DATABASE_PASSWORD)@{{ $v.name }}-rw:5432/{{ $v.database }}
{{- if $v.tls }}?sslmode=verify-full&sslrootcert=/etc/ledgerline/postgres-ca/ca.crt{{ end -}}
{{- end -}}

{{/* Kafka and the registry, for a container acting as `role` (its KafkaUser on a SASL cluster). */}}
{{- define "ledgerline.kafkaEnv" -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ include "ledgerline.bootstrap" .root | quote }}
{{- if include "ledgerline.sasl" .root }}
- name: KAFKA_SECURITY_PROTOCOL
  value: SASL_SSL
- name: KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
- name: KAFKA_SASL_USERNAME
  value: {{ include "ledgerline.kafkaUser" . | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ include "ledgerline.kafkaUser" . | quote }}, key: password }
- name: KAFKA_SSL_CA_FILE
  value: /etc/ledgerline/kafka-ca/ca.crt
{{- end }}
{{- if .root.Values.registry.auth.enabled }}
- name: REGISTRY_CLIENT_ID
  valueFrom:
    secretKeyRef: { name: {{ .root.Values.registry.auth.clientSecret | quote }}, key: client-id }
- name: REGISTRY_CLIENT_SECRET
  valueFrom:
    secretKeyRef: { name: {{ .root.Values.registry.auth.clientSecret | quote }}, key: client-secret }
{{- end }}
- name: SCHEMA_REGISTRY_URL
  value: {{ include "ledgerline.registryUrl" .root | quote }}
- name: LOG_LEVEL
  value: {{ .root.Values.logLevel | quote }}
{{- end -}}

{{/* A role's password then its URL, under the variable the app reads. */}}
{{- define "ledgerline.databaseEnv" -}}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ .secret | quote }}, key: password }
- name: {{ .variable }}
  value: {{ include "ledgerline.databaseUrl" . | quote }}
{{- end -}}

{{- define "ledgerline.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* /tmp writable on a read-only root; the CAs of Kafka and Postgres when they are used. */}}
{{- define "ledgerline.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if include "ledgerline.sasl" .root }}
- name: kafka-ca
  mountPath: /etc/ledgerline/kafka-ca
  readOnly: true
{{- end }}
{{- if and .postgres .root.Values.postgres.tls }}
- name: postgres-ca
  mountPath: /etc/ledgerline/postgres-ca
  readOnly: true
{{- end }}
{{- end -}}

{{- define "ledgerline.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if include "ledgerline.sasl" .root }}
- name: kafka-ca
  secret:
    secretName: {{ printf "%s-cluster-ca-cert" .root.Values.kafka.name }}
    items: [{ key: ca.crt, path: ca.crt }]
{{- end }}
{{- if and .postgres .root.Values.postgres.tls }}
- name: postgres-ca
  secret:
    secretName: {{ printf "%s-ca" .root.Values.postgres.name }}
    items: [{ key: ca.crt, path: ca.crt }]
{{- end }}
{{- end -}}

{{- define "ledgerline.podSpecCommon" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "ledgerline.image" -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag -}}
{{- end -}}

{{/* Extra environment from values (name: value), after the chart's own. */}}
{{- define "ledgerline.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}
