{{/*
Names. fullname is "<release>-xyte-mcp" unless the release name already
holds the chart name, or fullnameOverride is set.
*/}}
{{- define "xyte-mcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "xyte-mcp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels: selector labels take a component (server, worker, migrate). */}}
{{- define "xyte-mcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "xyte-mcp.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "xyte-mcp.labels" -}}
{{ include "xyte-mcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: xyte-mcp
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "xyte-mcp.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "xyte-mcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "xyte-mcp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The host of the bundled PostgreSQL: its subchart's Service. */}}
{{- define "xyte-mcp.postgresqlHost" -}}
{{- default (printf "%s-postgresql" .Release.Name) .Values.postgresql.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The chart's own Secret holds only credentials given as values, each key only
when its value is non-empty. In multi-tenant mode it never holds an
organization key.
*/}}
{{- define "xyte-mcp.secretData" -}}
{{- $v := .Values -}}
{{- if and (not $v.multiTenant) $v.apiKey }}
api-key: {{ $v.apiKey | b64enc | quote }}
{{- end }}
{{- if and (not $v.multiTenant) $v.partnerApiKey }}
partner-api-key: {{ $v.partnerApiKey | b64enc | quote }}
{{- end }}
{{- with $v.userToken }}
user-token: {{ . | b64enc | quote }}
{{- end }}
{{- with $v.oauthToken }}
oauth-token: {{ . | b64enc | quote }}
{{- end }}
{{- with $v.webhookSecret }}
webhook-secret: {{ . | b64enc | quote }}
{{- end }}
{{- with $v.webhookOutSecret }}
webhook-out-secret: {{ . | b64enc | quote }}
{{- end }}
{{- if $v.tasks.enabled }}
{{- with $v.tasks.secret }}
task-secret: {{ . | b64enc | quote }}
{{- end }}
{{- if $v.postgresql.enabled }}
{{- $a := $v.postgresql.auth }}
{{- $url := printf "postgres://%s:%s@%s:5432/%s?sslmode=disable" ($a.username | urlquery) ($a.password | urlquery) (include "xyte-mcp.postgresqlHost" .) $a.database }}
database-url: {{ $url | b64enc | quote }}
{{- else if $v.tasks.database.url }}
database-url: {{ $v.tasks.database.url | b64enc | quote }}
{{- end }}
{{- end }}
{{- with $v.redis.url }}
redis-url: {{ . | b64enc | quote }}
{{- end }}
{{- end -}}

{{/*
secretEnv is one EnvVar read from a Secret. Arguments: root, env (the
variable), values key (in the chart's Secret), existing (name of the
user's Secret or ""), existingKey, required.
*/}}
{{- define "xyte-mcp.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      {{- if .existing }}
      name: {{ .existing | quote }}
      key: {{ .existingKey | quote }}
      {{- if not .required }}
      optional: true
      {{- end }}
      {{- else }}
      name: {{ include "xyte-mcp.fullname" .root }}
      key: {{ .key | quote }}
      {{- end }}
{{- end -}}

{{/*
env is the environment of every xyte-mcp container: settings come from the
ConfigMap (envFrom), credentials one by one from a Secret. XYTE_API_KEY is
never set in multi-tenant mode.
*/}}
{{- define "xyte-mcp.env" -}}
{{- $v := .Values -}}
{{- $es := $v.existingSecret -}}
{{- $k := $v.existingSecretKeys -}}
{{- if not $v.multiTenant }}
{{ include "xyte-mcp.secretEnv" (dict "root" . "env" "XYTE_API_KEY" "key" "api-key" "existing" (ternary "" $es (not (empty $v.apiKey))) "existingKey" $k.apiKey "required" true) }}
{{- end }}
{{- $creds := list (list "XYTE_USER_TOKEN" "user-token" $v.userToken $k.userToken) (list "XYTE_OAUTH_TOKEN" "oauth-token" $v.oauthToken $k.oauthToken) (list "XYTE_WEBHOOK_SECRET" "webhook-secret" $v.webhookSecret $k.webhookSecret) (list "XYTE_WEBHOOK_OUT_SECRET" "webhook-out-secret" $v.webhookOutSecret $k.webhookOutSecret) }}
{{- if not $v.multiTenant }}
{{- $creds = prepend $creds (list "XYTE_PARTNER_API_KEY" "partner-api-key" $v.partnerApiKey $k.partnerApiKey) }}
{{- end }}
{{- range $item := $creds }}
{{- if index $item 2 }}
{{ include "xyte-mcp.secretEnv" (dict "root" $ "env" (index $item 0) "key" (index $item 1) "existing" "" "required" true) }}
{{- else if $es }}
{{ include "xyte-mcp.secretEnv" (dict "root" $ "env" (index $item 0) "existing" $es "existingKey" (index $item 3) "required" false) }}
{{- end }}
{{- end }}
{{- if $v.tasks.enabled }}
{{- if $v.tasks.secret }}
{{ include "xyte-mcp.secretEnv" (dict "root" . "env" "XYTE_TASK_SECRET" "key" "task-secret" "existing" "" "required" true) }}
{{- else if $es }}
{{ include "xyte-mcp.secretEnv" (dict "root" . "env" "XYTE_TASK_SECRET" "existing" $es "existingKey" $k.taskSecret "required" $v.multiTenant) }}
{{- end }}
{{- if or $v.postgresql.enabled $v.tasks.database.url }}
{{ include "xyte-mcp.secretEnv" (dict "root" . "env" "DATABASE_URL" "key" "database-url" "existing" "" "required" true) }}
{{- else }}
{{ include "xyte-mcp.secretEnv" (dict "root" . "env" "DATABASE_URL" "existing" $v.tasks.database.existingSecret "existingKey" $v.tasks.database.existingSecretKey "required" true) }}
{{- end }}
{{- end }}
{{- if $v.redis.url }}
{{ include "xyte-mcp.secretEnv" (dict "root" . "env" "REDIS_URL" "key" "redis-url" "existing" "" "required" true) }}
{{- else if $v.redis.existingSecret }}
{{ include "xyte-mcp.secretEnv" (dict "root" . "env" "REDIS_URL" "existing" $v.redis.existingSecret "existingKey" $v.redis.existingSecretKey "required" true) }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The restricted Pod Security Standard, for every pod of the chart. */}}
{{- define "xyte-mcp.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "xyte-mcp.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
The pod annotations that roll pods when their configuration changes: a hash
of the rendered ConfigMap and Secret.
*/}}
{{- define "xyte-mcp.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/* Volumes every xyte-mcp pod mounts: the only places it may write. */}}
{{- define "xyte-mcp.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
- name: data
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{- define "xyte-mcp.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end -}}

{{/* The pod spec fields every xyte-mcp pod shares. */}}
{{- define "xyte-mcp.podCommon" -}}
serviceAccountName: {{ include "xyte-mcp.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "xyte-mcp.podSecurityContext" . | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
validate stops rendering with a clear message for combinations the schema
cannot express.
*/}}
{{- define "xyte-mcp.validate" -}}
{{- $v := .Values -}}
{{- if and $v.multiTenant $v.apiKey -}}
{{- fail "apiKey is set but multiTenant is true: a multi-tenant server holds no organization key (each request brings its own). Remove apiKey, or set multiTenant: false" -}}
{{- end -}}
{{- if and $v.multiTenant $v.partnerApiKey -}}
{{- fail "partnerApiKey is set but multiTenant is true: a server-wide partner key would serve every caller. Remove it, or set multiTenant: false" -}}
{{- end -}}
{{- if and (not $v.multiTenant) (not $v.apiKey) (not $v.existingSecret) -}}
{{- fail "multiTenant is false: set apiKey or existingSecret (with the key existingSecretKeys.apiKey), or set multiTenant: true" -}}
{{- end -}}
{{- if and $v.tasks.enabled (not $v.postgresql.enabled) (not $v.tasks.database.url) (not $v.tasks.database.existingSecret) -}}
{{- fail "tasks.enabled needs a PostgreSQL store: set postgresql.enabled (bundled), tasks.database.url or tasks.database.existingSecret" -}}
{{- end -}}
{{- if and $v.postgresql.enabled (not $v.tasks.enabled) -}}
{{- fail "postgresql.enabled is true but tasks.enabled is false: the bundled PostgreSQL only serves background tasks" -}}
{{- end -}}
{{- if and $v.postgresql.enabled (or $v.tasks.database.url $v.tasks.database.existingSecret) -}}
{{- fail "choose one task store: the bundled PostgreSQL (postgresql.enabled) or tasks.database, not both" -}}
{{- end -}}
{{- if and $v.postgresql.enabled (not $v.postgresql.auth.password) -}}
{{- fail "postgresql.auth.password is required for the bundled PostgreSQL; keep it the same across upgrades" -}}
{{- end -}}
{{- if and $v.tasks.enabled $v.multiTenant (not $v.tasks.secret) (not $v.existingSecret) -}}
{{- fail "tasks.enabled in multi-tenant mode needs tasks.secret (32 characters or more) or existingSecret holding existingSecretKeys.taskSecret: it seals callers' keys while their tasks wait" -}}
{{- end -}}
{{- if and $v.tasks.secret (lt (len $v.tasks.secret) 32) -}}
{{- fail "tasks.secret must be at least 32 characters" -}}
{{- end -}}
{{- if and $v.redis.url $v.redis.existingSecret -}}
{{- fail "set redis.url or redis.existingSecret, not both" -}}
{{- end -}}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) -}}
{{- fail "autoscaling.minReplicas is larger than autoscaling.maxReplicas" -}}
{{- end -}}
{{- if and $v.config.sessions (or $v.autoscaling.enabled (gt (int $v.replicaCount) 1)) -}}
{{- fail "config.sessions needs every request of a session on one pod: use replicaCount: 1 without autoscaling, or keep sessions off (the default, stateless)" -}}
{{- end -}}
{{- if and $v.config.allowAllCORS $v.config.corsOrigins -}}
{{- fail "set config.allowAllCORS or config.corsOrigins, not both" -}}
{{- end -}}
{{- end -}}
