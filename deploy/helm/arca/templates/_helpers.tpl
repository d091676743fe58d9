{{/* Names and labels. */}}
{{- define "arca.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "arca.fullname" -}}
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

{{/* A name for an object of one job and subject: CronJob names may have 52 characters. */}}
{{- define "arca.jobName" -}}
{{- printf "%s-%s-%s" (include "arca.fullname" .root) .job .subject | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "arca.selectorLabels" -}}
app.kubernetes.io/name: {{ include "arca.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "arca.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "arca.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "arca.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "arca.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "arca.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Paths inside the pods. */}}
{{- define "arca.configFile" -}}/etc/arca/arca.yaml{{- end -}}
{{- define "arca.publicKeyFile" -}}/etc/arca/keys/backup.pub.asc{{- end -}}
{{- define "arca.privateKeyFile" -}}/etc/arca/keys/backup.key.asc{{- end -}}
{{- define "arca.gcpCredentialsFile" -}}/etc/arca/gcp/credentials.json{{- end -}}
{{- define "arca.volumePath" -}}/var/lib/arca/volume{{- end -}}

{{/* The repositories stored on the chart's volume: their names as a JSON list. */}}
{{- define "arca.localRepositories" -}}
{{- $local := list -}}
{{- range $name, $repo := .Values.repositories -}}
{{- if not $repo.url -}}{{- $local = append $local $name -}}{{- end -}}
{{- end -}}
{{- if gt (len $local) 1 -}}
{{- fail (printf "repositories %s have no url: only one repository can be on the chart's volume" (join ", " $local)) -}}
{{- end -}}
{{- toJson $local -}}
{{- end -}}

{{- define "arca.usesVolume" -}}
{{- if fromJsonArray (include "arca.localRepositories" .) -}}true{{- end -}}
{{- end -}}

{{- define "arca.repositoryUrl" -}}
{{- default (printf "%s/repository" (include "arca.volumePath" .root)) .repo.url -}}
{{- end -}}

{{/* The subject's namespaces for Kubernetes capture (sources.k8s-namespace: a list or a comma list), as a JSON list. */}}
{{- define "arca.captureNamespaces" -}}
{{- $sources := default dict .sources -}}
{{- $given := get $sources "k8s-namespace" -}}
{{- $out := list -}}
{{- if kindIs "slice" $given -}}
{{- range $given -}}{{- range splitList "," (toString .) -}}{{- if trim . -}}{{- $out = append $out (trim .) -}}{{- end -}}{{- end -}}{{- end -}}
{{- else if $given -}}
{{- range splitList "," (toString $given) -}}{{- if trim . -}}{{- $out = append $out (trim .) -}}{{- end -}}{{- end -}}
{{- end -}}
{{- toJson ($out | uniq) -}}
{{- end -}}

{{/* A comma list or list of kinds (k8s-kinds) as a JSON list; configmap,secret by default. */}}
{{- define "arca.kinds" -}}
{{- $given := .kinds -}}
{{- $out := list -}}
{{- if kindIs "slice" $given -}}
{{- range $given -}}{{- range splitList "," (toString .) -}}{{- if trim . -}}{{- $out = append $out (trim . | lower) -}}{{- end -}}{{- end -}}{{- end -}}
{{- else if $given -}}
{{- range splitList "," (toString $given) -}}{{- if trim . -}}{{- $out = append $out (trim . | lower) -}}{{- end -}}{{- end -}}
{{- else -}}
{{- $out = list "configmap" "secret" -}}
{{- end -}}
{{- toJson ($out | uniq) -}}
{{- end -}}

{{/* The API group and resource of a kind Arca's Kubernetes source knows (docs/kubernetes.md), as "group/resource". */}}
{{- define "arca.kindResource" -}}
{{- $map := dict
  "serviceaccount" "/serviceaccounts" "serviceaccounts" "/serviceaccounts" "sa" "/serviceaccounts"
  "role" "rbac.authorization.k8s.io/roles" "roles" "rbac.authorization.k8s.io/roles"
  "rolebinding" "rbac.authorization.k8s.io/rolebindings" "rolebindings" "rbac.authorization.k8s.io/rolebindings"
  "configmap" "/configmaps" "configmaps" "/configmaps" "cm" "/configmaps"
  "secret" "/secrets" "secrets" "/secrets"
  "persistentvolumeclaim" "/persistentvolumeclaims" "persistentvolumeclaims" "/persistentvolumeclaims" "pvc" "/persistentvolumeclaims"
  "service" "/services" "services" "/services" "svc" "/services"
  "deployment" "apps/deployments" "deployments" "apps/deployments" "deploy" "apps/deployments"
  "statefulset" "apps/statefulsets" "statefulsets" "apps/statefulsets" "sts" "apps/statefulsets"
  "daemonset" "apps/daemonsets" "daemonsets" "apps/daemonsets" "ds" "apps/daemonsets"
  "cronjob" "batch/cronjobs" "cronjobs" "batch/cronjobs" "cj" "batch/cronjobs"
  "ingress" "networking.k8s.io/ingresses" "ingresses" "networking.k8s.io/ingresses" "ing" "networking.k8s.io/ingresses"
  "networkpolicy" "networking.k8s.io/networkpolicies" "networkpolicies" "networking.k8s.io/networkpolicies" "netpol" "networking.k8s.io/networkpolicies"
  "poddisruptionbudget" "policy/poddisruptionbudgets" "poddisruptionbudgets" "policy/poddisruptionbudgets" "pdb" "policy/poddisruptionbudgets"
  "horizontalpodautoscaler" "autoscaling/horizontalpodautoscalers" "horizontalpodautoscalers" "autoscaling/horizontalpodautoscalers" "hpa" "autoscaling/horizontalpodautoscalers"
-}}
{{- $r := get $map . -}}
{{- if not $r -}}{{- fail (printf "k8s-kinds: unknown kind '%s' (see docs/kubernetes.md)" .) -}}{{- end -}}
{{- $r -}}
{{- end -}}

{{/* Role rules for a list of kinds and verbs: {"kinds": [...], "verbs": [...]}. */}}
{{- define "arca.kindRules" -}}
{{- $byGroup := dict -}}
{{- range .kinds -}}
{{- $gr := include "arca.kindResource" . -}}
{{- $group := regexReplaceAll "/[^/]*$" $gr "" -}}
{{- $resource := regexReplaceAll "^.*/" $gr "" -}}
{{- $_ := set $byGroup $group (append (get $byGroup $group | default list) $resource | uniq) -}}
{{- end -}}
{{- range $group := keys $byGroup | sortAlpha }}
- apiGroups: [{{ $group | quote }}]
  resources: {{ get $byGroup $group | sortAlpha | toJson }}
  verbs: {{ $.verbs | toJson }}
{{- end -}}
{{- end -}}

{{/* Namespace -> kinds captured there by any subject, as JSON. */}}
{{- define "arca.capture" -}}
{{- $out := dict -}}
{{- range $name, $s := .Values.subjects -}}
{{- $kinds := fromJsonArray (include "arca.kinds" (dict "kinds" (get (default dict $s.sources) "k8s-kinds"))) -}}
{{- range fromJsonArray (include "arca.captureNamespaces" $s) -}}
{{- $_ := set $out . (concat (get $out . | default list) $kinds | uniq) -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- define "arca.subjectCaptures" -}}
{{- if fromJsonArray (include "arca.captureNamespaces" .) -}}true{{- end -}}
{{- end -}}

{{/* The schedules of a subject: the defaults with the subject's keys over them. */}}
{{- define "arca.schedules" -}}
{{- $out := dict -}}
{{- $own := default dict .subject.schedules -}}
{{- range $key, $value := .root.Values.schedules -}}
{{- $_ := set $out $key (ternary (get $own $key) $value (hasKey $own $key)) -}}
{{- end -}}
{{- range $key, $value := $own -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- define "arca.leaderElection" -}}
{{- if gt (int .Values.server.replicas) 1 -}}true{{- end -}}
{{- end -}}

{{- define "arca.serverEnabled" -}}
{{- if or (eq .Values.mode "server") .Values.server.enabled -}}true{{- end -}}
{{- end -}}

{{/* The environment variable holding a subject's database password in the server. */}}
{{- define "arca.passwordEnv" -}}
{{- printf "ARCA_DB_PASSWORD_%s" (regexReplaceAll "[^A-Z0-9]" (upper .) "_") -}}
{{- end -}}

{{/* arca.yaml, rendered from the values (schema: docs/arca.schema.json). */}}
{{- define "arca.config" -}}
{{- $root := . -}}
{{- $v := .Values -}}
{{- $server := eq $v.mode "server" -}}
{{- $repos := dict -}}
{{- range $name, $r := $v.repositories -}}
{{- $repo := dict "url" (include "arca.repositoryUrl" (dict "root" $root "repo" $r)) -}}
{{- if $v.encryption.publicKey.secretName -}}{{- $_ := set $repo "encryptTo" (list (include "arca.publicKeyFile" $root)) -}}{{- end -}}
{{- if $v.encryption.passphrase.secretName -}}{{- $_ := set $repo "passphraseEnv" "ARCA_PASSPHRASE" -}}{{- end -}}
{{- if $v.encryption.privateKey.secretName -}}
{{- $_ := set $repo "privateKeyFile" (include "arca.privateKeyFile" $root) -}}
{{- if $v.encryption.privateKey.passphraseKey -}}{{- $_ := set $repo "privateKeyPassphraseEnv" "ARCA_PRIVATE_KEY_PASSPHRASE" -}}{{- end -}}
{{- end -}}
{{- $_ := set $repos $name $repo -}}
{{- end -}}
{{- $subjects := dict -}}
{{- range $name, $s := $v.subjects -}}
{{- $subject := dict "repositories" (default (keys $v.repositories | sortAlpha) $s.repositories) -}}
{{- if $s.database -}}{{- $_ := set $subject "database" $s.database -}}{{- end -}}
{{- if and $server $s.passwordSecret -}}{{- if $s.passwordSecret.name -}}{{- $_ := set $subject "passwordEnv" (include "arca.passwordEnv" $name) -}}{{- end -}}{{- end -}}
{{- with $s.sources -}}{{- $_ := set $subject "sources" . -}}{{- end -}}
{{- with $s.backup -}}{{- $_ := set $subject "backup" . -}}{{- end -}}
{{- if $server -}}
{{- $sched := dict -}}
{{- range $key, $value := fromJson (include "arca.schedules" (dict "root" $root "subject" $s)) -}}
{{- if $value -}}{{- $_ := set $sched $key $value -}}{{- end -}}
{{- end -}}
{{- if $sched -}}{{- $_ := set $subject "schedules" $sched -}}{{- end -}}
{{- end -}}
{{- with $s.objectives -}}{{- $_ := set $subject "objectives" . -}}{{- end -}}
{{- with (default $v.retention $s.retention) -}}{{- $_ := set $subject "retention" . -}}{{- end -}}
{{- $drill := dict -}}
{{- $ownDrill := default dict $s.drill -}}
{{- with (default $v.drill.server $ownDrill.server) -}}{{- $_ := set $drill "server" . -}}{{- end -}}
{{- with (default $v.drill.checks $ownDrill.checks) -}}{{- $_ := set $drill "checks" . -}}{{- end -}}
{{- if $drill -}}{{- $_ := set $subject "drill" $drill -}}{{- end -}}
{{- $_ := set $subjects $name $subject -}}
{{- end -}}
{{- $config := dict "repositories" $repos "subjects" $subjects -}}
{{- with $v.notifications -}}{{- $_ := set $config "notifications" . -}}{{- end -}}
{{- with $v.runs -}}{{- $_ := set $config "runs" . -}}{{- end -}}
{{- if include "arca.serverEnabled" $root -}}
{{- $srv := deepCopy $v.server.settings -}}
{{- $_ := set $srv "listen" (printf "0.0.0.0:%d" (int $v.server.port)) -}}
{{- $tokens := dict "readEnv" "ARCA_READ_TOKENS" -}}
{{- if $v.server.tokens.operatorKey -}}{{- $_ := set $tokens "operatorEnv" "ARCA_OPERATOR_TOKENS" -}}{{- end -}}
{{- $_ := set $srv "tokens" $tokens -}}
{{- if include "arca.leaderElection" $root -}}
{{- $_ := set $srv "leaderElection" (dict "enabled" true "namespace" $root.Release.Namespace "name" (printf "%s-server" (include "arca.fullname" $root))) -}}
{{- end -}}
{{- $_ := set $config "server" $srv -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/*
The pod template spec of every Arca container.
  root: the top context; component: label; args: arca's arguments; restartPolicy;
  resources; needs: {db: subject whose password (or restore's), publicKey, privateKey,
  drillPassword, passwords (server: every subject's), tokens, api, config};
  container: extra container YAML (ports, probes); terminationGracePeriodSeconds.
*/}}
{{- define "arca.podTemplate" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $n := .needs -}}
{{- $pub := and $n.publicKey $v.encryption.publicKey.secretName -}}
{{- $priv := and $n.privateKey $v.encryption.privateKey.secretName -}}
{{- $gcp := $v.credentials.gcp.secretName -}}
{{- $config := and $n.config $v.subjects -}}
metadata:
  labels:
    {{- include "arca.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- with .subject }}
    arca-subject: {{ . | quote }}
    {{- end }}
    {{- if $v.serviceAccount.workloadIdentity.azureClientId }}
    azure.workload.identity/use: "true"
    {{- end }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if or $v.podAnnotations $config }}
  annotations:
    {{- if $config }}
    checksum/config: {{ include "arca.config" $root | sha256sum }}
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
spec:
  serviceAccountName: {{ include "arca.serviceAccountName" $root }}
  automountServiceAccountToken: {{ $n.api | default false }}
  restartPolicy: {{ .restartPolicy }}
  {{- with .terminationGracePeriodSeconds }}
  terminationGracePeriodSeconds: {{ . }}
  {{- end }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: arca
      image: {{ include "arca.image" $root | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      args:
        {{- toYaml .args | nindent 8 }}
      env:
        {{- with $n.db }}
        {{- if .name }}
        - name: PGPASSWORD
          valueFrom:
            secretKeyRef: {name: {{ .name | quote }}, key: {{ .key | quote }}}
        - name: ARCA_DB_PASSWORD
          valueFrom:
            secretKeyRef: {name: {{ .name | quote }}, key: {{ .key | quote }}}
        {{- end }}
        {{- end }}
        {{- if $n.passwords }}
        {{- range $name, $s := $v.subjects }}
        {{- if and $s.passwordSecret $s.passwordSecret.name }}
        - name: {{ include "arca.passwordEnv" $name }}
          valueFrom:
            secretKeyRef: {name: {{ $s.passwordSecret.name | quote }}, key: {{ $s.passwordSecret.key | default "password" | quote }}}
        {{- end }}
        {{- end }}
        {{- end }}
        {{- if and $n.drillPassword $v.drill.passwordSecret.name }}
        - name: PGPASSWORD
          valueFrom:
            secretKeyRef: {name: {{ $v.drill.passwordSecret.name | quote }}, key: {{ $v.drill.passwordSecret.key | quote }}}
        {{- end }}
        {{- if $v.encryption.passphrase.secretName }}
        - name: ARCA_PASSPHRASE
          valueFrom:
            secretKeyRef: {name: {{ $v.encryption.passphrase.secretName | quote }}, key: {{ $v.encryption.passphrase.key | quote }}}
        {{- end }}
        {{- if and $priv $v.encryption.privateKey.passphraseKey }}
        - name: ARCA_PRIVATE_KEY_PASSPHRASE
          valueFrom:
            secretKeyRef: {name: {{ $v.encryption.privateKey.secretName | quote }}, key: {{ $v.encryption.privateKey.passphraseKey | quote }}}
        {{- end }}
        {{- if $n.tokens }}
        - name: ARCA_READ_TOKENS
          valueFrom:
            secretKeyRef: {name: {{ $v.server.tokens.secretName | quote }}, key: {{ $v.server.tokens.readKey | quote }}}
        {{- if $v.server.tokens.operatorKey }}
        - name: ARCA_OPERATOR_TOKENS
          valueFrom:
            secretKeyRef: {name: {{ $v.server.tokens.secretName | quote }}, key: {{ $v.server.tokens.operatorKey | quote }}}
        {{- end }}
        {{- end }}
        {{- with $v.credentials.aws.region }}
        - name: AWS_REGION
          value: {{ . | quote }}
        {{- end }}
        {{- if $gcp }}
        - name: GOOGLE_APPLICATION_CREDENTIALS
          value: {{ include "arca.gcpCredentialsFile" $root }}
        {{- end }}
        {{- with $v.javaOpts }}
        - name: ARCA_JAVA_OPTS
          value: {{ . | quote }}
        {{- end }}
        {{- with $v.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if or $v.credentials.aws.secretName $v.credentials.azure.secretName $v.envFrom }}
      envFrom:
        {{- with $v.credentials.aws.secretName }}
        - secretRef: {name: {{ . | quote }}}
        {{- end }}
        {{- with $v.credentials.azure.secretName }}
        - secretRef: {name: {{ . | quote }}}
        {{- end }}
        {{- with $v.envFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      {{- with .container }}
      {{- . | nindent 6 }}
      {{- end }}
      resources:
        {{- toYaml (default $v.resources .resources) | nindent 8 }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      volumeMounts:
        {{- if or $config $pub $priv $gcp }}
        - name: config
          mountPath: /etc/arca
          readOnly: true
        {{- end }}
        - name: tmp
          mountPath: /tmp
        - name: home
          mountPath: /var/lib/arca
        {{- if include "arca.usesVolume" $root }}
        - name: repository
          mountPath: {{ include "arca.volumePath" $root }}
        {{- end }}
  volumes:
    {{- if or $config $pub $priv $gcp }}
    - name: config
      projected:
        defaultMode: 288  # 0440: owner and group (fsGroup) read
        sources:
          {{- if $config }}
          - configMap:
              name: {{ include "arca.fullname" $root }}-config
              items:
                - {key: arca.yaml, path: arca.yaml}
          {{- end }}
          {{- if $pub }}
          - secret:
              name: {{ $v.encryption.publicKey.secretName | quote }}
              items:
                - {key: {{ $v.encryption.publicKey.key | quote }}, path: keys/backup.pub.asc}
          {{- end }}
          {{- if $priv }}
          - secret:
              name: {{ $v.encryption.privateKey.secretName | quote }}
              items:
                - {key: {{ $v.encryption.privateKey.key | quote }}, path: keys/backup.key.asc}
          {{- end }}
          {{- if $gcp }}
          - secret:
              name: {{ $gcp | quote }}
              items:
                - {key: {{ $v.credentials.gcp.key | quote }}, path: gcp/credentials.json}
          {{- end }}
    {{- end }}
    - name: tmp
      {{- if $v.tmpSizeLimit }}
      emptyDir: {sizeLimit: {{ $v.tmpSizeLimit | quote }}}
      {{- else }}
      emptyDir: {}
      {{- end }}
    - name: home
      emptyDir: {}
    {{- if include "arca.usesVolume" $root }}
    - name: repository
      persistentVolumeClaim:
        claimName: {{ default (printf "%s-repository" (include "arca.fullname" $root)) $v.persistence.existingClaim }}
    {{- end }}
{{- end -}}
