{{/*
Every Kubernetes API call the operator makes, and nothing more. Audit here: the ClusterRole
(all namespaces) and the per-namespace Roles (watchNamespaces) both render this list.
Deployments are patched (server-side apply or a JSON patch), never replaced; events are only
created. SafeRollouts keep `update` for the operator framework's finalizer and status writes.
Nodes are only listed: for their kubelet versions (the oldest decides whether the preStop sleep
action and native sidecars can run) and their InternalIPs (each node's kube-proxy metrics time
the data-plane leg of endpoint removal). They are cluster-scoped, so only the cluster-wide install
can grant it; with watchNamespaces the operator uses the API server's version instead and measures
the control-plane leg only.
Pods and EndpointSlices are only listed and watched, to follow rollouts and time endpoint removal.
Namespaces are only read one by one (get), for the mesh injection labels of a target's namespace;
a Role may grant it too, since the API server counts a namespace object as inside itself.
*/}}
{{- define "saferollout.rbacRules" -}}
- apiGroups: ["saferollout.io"]
  resources: ["saferollouts"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["saferollout.io"]
  resources: ["saferollouts/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["saferollout.io"]
  resources: ["saferollouts/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- if empty .Values.watchNamespaces }}
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["list"]
{{- end }}
{{- end }}

{{/*
Leader election, in the lease namespace only. fabric8's LeaderElector (kubernetes-client 7.6.1,
ResourceLock) reads the lease (get), creates it when it is missing (create), and both renews it and
takes it over with a JSON merge patch (patch). The operator framework (JOSDK 5.3.2,
LeaderElectionManager.checkLeaseAccess) refuses to start unless a SelfSubjectRulesReview shows
create, update and get, so update is granted for that check, although no call uses it. Creating
cannot be limited to a name (the object does not exist yet); the rest is limited to the operator's
own lease, and the framework's check honours resourceNames.
*/}}
{{- define "saferollout.leaseRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: [{{ .Values.leaderElection.leaseName | quote }}]
  verbs: ["get", "update", "patch"]
{{- end }}
