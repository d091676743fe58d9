{{/* The restore Job's settings, as JSON: subject, to, namespace, hooks, api, kinds. */}}
{{- define "arca.restore" -}}
{{- $v := .Values -}}
{{- $r := $v.restore -}}
{{- $subjectName := $r.subject -}}
{{- if not $subjectName -}}
{{- if ne (len $v.subjects) 1 -}}{{- fail "restore.subject: name the subject whose backup is restored (there is not exactly one)" -}}{{- end -}}
{{- $subjectName = keys $v.subjects | first -}}
{{- end -}}
{{- $subject := get $v.subjects $subjectName -}}
{{- if not $subject -}}{{- fail (printf "restore.subject: no subject named '%s'" $subjectName) -}}{{- end -}}
{{- $to := default $subject.database $r.to -}}
{{- $k8sNamespace := "" -}}
{{- if or $r.kubernetesObjects $r.namespace -}}{{- $k8sNamespace = default .Release.Namespace $r.namespace -}}{{- end -}}
{{- if and (not $to) (not $r.kubernetesObjects) -}}{{- fail "restore.to: the target database (the subject has no database)" -}}{{- end -}}
{{- $hooks := concat $r.scaleDown $r.rolloutRestart -}}
{{- $kinds := list -}}
{{- if $r.kubernetesObjects -}}{{- $kinds = fromJsonArray (include "arca.kinds" (dict "kinds" (get (default dict $subject.sources) "k8s-kinds"))) -}}{{- end -}}
{{- toJson (dict "subject" $subjectName "to" $to "namespace" (default .Release.Namespace $r.namespace) "k8sNamespace" $k8sNamespace "api" (or (gt (len $hooks) 0) $r.kubernetesObjects) "kinds" $kinds) -}}
{{- end -}}
