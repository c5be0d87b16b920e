package kube

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

// A retired API version is read as `kubectl convert` reads it: the old
// version's defaults are applied first (where they differ from the served
// version's, the result would otherwise change meaning), then the object is
// rewritten field by field into the served version. k8s.io/api still ships
// many of the old types but not their conversion or defaulting code (that
// lives in k8s.io/kubernetes/pkg/apis, which is not importable), so the
// mappings below follow those sources: pkg/apis/<group>/<version>/defaults.go
// and conversion.go, and the defaults documented on the old types.

// migration turns one object of a retired version into its served version.
type migration struct {
	to string // the served apiVersion
	// fix rewrites raw in place and returns what it made explicit or changed.
	fix func(raw map[string]any) []string
	// drop, when set, says why the kind has no successor: the object is dropped.
	drop string
}

// same is the migration of a kind whose fields did not change.
func same(to string) migration { return migration{to: to} }

// retired maps a retired apiVersion and kind to its migration.
var retired = map[string]map[string]migration{
	"extensions/v1beta1": {
		"Deployment":        {to: "apps/v1", fix: extensionsDeployment},
		"DaemonSet":         {to: "apps/v1", fix: extensionsDaemonSet},
		"ReplicaSet":        {to: "apps/v1", fix: legacyReplicaSet},
		"Ingress":           {to: "networking.k8s.io/v1", fix: ingressV1},
		"NetworkPolicy":     same("networking.k8s.io/v1"),
		"PodSecurityPolicy": {drop: pspGone},
	},
	"apps/v1beta1": {
		"Deployment":         {to: "apps/v1", fix: appsV1beta1Deployment},
		"StatefulSet":        {to: "apps/v1", fix: appsV1beta1StatefulSet},
		"ControllerRevision": same("apps/v1"),
	},
	"apps/v1beta2": {
		"Deployment":         {to: "apps/v1", fix: dropRollbackFields},
		"StatefulSet":        same("apps/v1"),
		"DaemonSet":          {to: "apps/v1", fix: dropRollbackFields},
		"ReplicaSet":         same("apps/v1"),
		"ControllerRevision": same("apps/v1"),
	},
	"batch/v1beta1":  {"CronJob": same("batch/v1")},
	"batch/v2alpha1": {"CronJob": same("batch/v1")},
	"networking.k8s.io/v1beta1": {
		"Ingress":      {to: "networking.k8s.io/v1", fix: ingressV1},
		"IngressClass": same("networking.k8s.io/v1"),
		"IPAddress":    same("networking.k8s.io/v1"),
		"ServiceCIDR":  same("networking.k8s.io/v1"),
	},
	"policy/v1beta1": {
		"PodDisruptionBudget": {to: "policy/v1", fix: pdbV1},
		"PodSecurityPolicy":   {drop: pspGone},
	},
	"rbac.authorization.k8s.io/v1alpha1": rbac(rbacV1alpha1),
	"rbac.authorization.k8s.io/v1beta1":  rbac(nil),
	"storage.k8s.io/v1beta1": {
		"StorageClass":          same("storage.k8s.io/v1"),
		"VolumeAttachment":      same("storage.k8s.io/v1"),
		"CSIDriver":             same("storage.k8s.io/v1"),
		"CSINode":               same("storage.k8s.io/v1"),
		"CSIStorageCapacity":    same("storage.k8s.io/v1"),
		"VolumeAttributesClass": same("storage.k8s.io/v1"),
	},
	"storage.k8s.io/v1alpha1": {
		"VolumeAttachment":      same("storage.k8s.io/v1"),
		"CSIStorageCapacity":    same("storage.k8s.io/v1"),
		"VolumeAttributesClass": same("storage.k8s.io/v1"),
	},
	"scheduling.k8s.io/v1alpha1":   {"PriorityClass": same("scheduling.k8s.io/v1")},
	"scheduling.k8s.io/v1beta1":    {"PriorityClass": same("scheduling.k8s.io/v1")},
	"apiextensions.k8s.io/v1beta1": {"CustomResourceDefinition": {to: "apiextensions.k8s.io/v1", fix: crdV1}},
	"admissionregistration.k8s.io/v1beta1": {
		"ValidatingWebhookConfiguration":   {to: "admissionregistration.k8s.io/v1", fix: webhooksV1},
		"MutatingWebhookConfiguration":     {to: "admissionregistration.k8s.io/v1", fix: webhooksV1},
		"ValidatingAdmissionPolicy":        same("admissionregistration.k8s.io/v1"),
		"ValidatingAdmissionPolicyBinding": same("admissionregistration.k8s.io/v1"),
	},
	"admissionregistration.k8s.io/v1alpha1": {
		"InitializerConfiguration":         {drop: "initializers were removed in Kubernetes 1.14 without a successor"},
		"ValidatingAdmissionPolicy":        same("admissionregistration.k8s.io/v1"),
		"ValidatingAdmissionPolicyBinding": same("admissionregistration.k8s.io/v1"),
	},
	"autoscaling/v2beta1":                   {"HorizontalPodAutoscaler": {to: "autoscaling/v2", fix: hpaV2beta1}},
	"autoscaling/v2beta2":                   {"HorizontalPodAutoscaler": same("autoscaling/v2")},
	"discovery.k8s.io/v1beta1":              {"EndpointSlice": {to: "discovery.k8s.io/v1", fix: endpointSliceV1}},
	"events.k8s.io/v1beta1":                 {"Event": same("events.k8s.io/v1")},
	"coordination.k8s.io/v1beta1":           {"Lease": same("coordination.k8s.io/v1")},
	"certificates.k8s.io/v1beta1":           {"CertificateSigningRequest": {to: "certificates.k8s.io/v1", fix: csrV1}},
	"flowcontrol.apiserver.k8s.io/v1alpha1": flowcontrol(),
	"flowcontrol.apiserver.k8s.io/v1beta1":  flowcontrol(),
	"flowcontrol.apiserver.k8s.io/v1beta2":  flowcontrol(),
	"flowcontrol.apiserver.k8s.io/v1beta3":  flowcontrol(),
	"node.k8s.io/v1alpha1":                  {"RuntimeClass": {to: "node.k8s.io/v1", fix: runtimeClassV1alpha1}},
	"node.k8s.io/v1beta1":                   {"RuntimeClass": same("node.k8s.io/v1")},
	"settings.k8s.io/v1alpha1":              {"PodPreset": {drop: "PodPresets were removed in Kubernetes 1.20 without a successor; set the fields on the pods"}},
	"auditregistration.k8s.io/v1alpha1":     {"AuditSink": {drop: "dynamic audit sinks were removed in Kubernetes 1.19 without a successor"}},
}

const pspGone = "PodSecurityPolicy was removed in Kubernetes 1.25 without a successor (Pod Security Admission replaces it, configured by namespace labels)"

// served lists, per built-in group, the versions Kubernetes 1.37 serves.
// Any other version of these groups that is not in retired never existed.
var served = map[string][]string{
	"":                             {"v1"},
	"apps":                         {"v1"},
	"batch":                        {"v1"},
	"autoscaling":                  {"v1", "v2"},
	"networking.k8s.io":            {"v1"},
	"policy":                       {"v1"},
	"rbac.authorization.k8s.io":    {"v1"},
	"storage.k8s.io":               {"v1"},
	"scheduling.k8s.io":            {"v1"},
	"apiextensions.k8s.io":         {"v1"},
	"admissionregistration.k8s.io": {"v1"},
	"discovery.k8s.io":             {"v1"},
	"events.k8s.io":                {"v1"},
	"coordination.k8s.io":          {"v1"},
	"certificates.k8s.io":          {"v1"},
	"flowcontrol.apiserver.k8s.io": {"v1"},
	"node.k8s.io":                  {"v1"},
	"extensions":                   nil,
}

// versionCheck says whether apiVersion/kind can be read: a migration for a
// retired version, ok for a served or unknown (custom) group, or an error for
// a version or kind that Kubernetes never served.
func versionCheck(group, version, apiVersion, kind string) (*migration, error) {
	if m, ok := retired[apiVersion][kind]; ok {
		return &m, nil
	}
	// A kind k8s.io/api still has under this version (an alpha or beta that
	// is current, such as coordination.k8s.io/v1alpha2 LeaseCandidate) is
	// passed on as it is: the cluster may serve it.
	if clientgoscheme.Scheme.Recognizes(schema.GroupVersionKind{Group: group, Version: version, Kind: kind}) {
		return nil, nil
	}
	if _, ok := retired[apiVersion]; ok {
		if _, builtin := served[group]; builtin {
			return nil, fmt.Errorf("apiVersion %q has no kind %s%s", apiVersion, kind, successorHint(group, kind))
		}
		return nil, nil
	}
	versions, builtin := served[group]
	if !builtin {
		return nil, nil
	}
	for _, v := range versions {
		if v == version {
			return nil, nil
		}
	}
	return nil, fmt.Errorf("apiVersion %q does not exist: Kubernetes never served version %s of %s%s", apiVersion, version, groupWord(group), successorHint(group, kind))
}

func groupWord(group string) string {
	if group == "" {
		return "the core group"
	}
	return "the " + group + " group"
}

// successorHint names the served version of kind, when one is known.
func successorHint(group, kind string) string {
	if t, ok := typed[kind]; ok {
		return fmt.Sprintf("; use %q", t.gv.String())
	}
	var tos []string
	seen := map[string]bool{}
	for av, byKind := range retired {
		if !strings.HasPrefix(av, group+"/") && group != "" {
			continue
		}
		if m, ok := byKind[kind]; ok && m.to != "" && !seen[m.to] {
			seen[m.to] = true
			tos = append(tos, m.to)
		}
	}
	sort.Strings(tos)
	if len(tos) == 1 {
		return fmt.Sprintf("; use %q", tos[0])
	}
	if vs := served[group]; len(vs) > 0 {
		prefix := group + "/"
		if group == "" {
			prefix = ""
		}
		return fmt.Sprintf("; Kubernetes serves %s%s", prefix, strings.Join(vs, ", "+prefix))
	}
	return ""
}

// --- helpers over generic maps ---

func obj(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

// ensure returns m[key] as a map, creating it when missing.
func ensure(m map[string]any, key string) map[string]any {
	if v, ok := m[key].(map[string]any); ok {
		return v
	}
	v := map[string]any{}
	if m[key] == nil {
		m[key] = v
	} // else: not an object; decoding reports it with its field path
	return v
}

func list(m map[string]any, key string) []map[string]any {
	items, _ := m[key].([]any)
	var out []map[string]any
	for _, it := range items {
		if im, ok := it.(map[string]any); ok {
			out = append(out, im)
		}
	}
	return out
}

// setDefault sets m[key] = v when it is unset and says so in notes.
func setDefault(m map[string]any, key string, v any, field string, notes *[]string) {
	if _, ok := m[key]; ok && m[key] != nil {
		return
	}
	m[key] = v
	*notes = append(*notes, fmt.Sprintf("%s: %v (the old version's default)", field, v))
}

// templateDefaults applies the selector and label defaults of the
// extensions/v1beta1 and apps/v1beta1 workloads: the selector and the
// object's labels come from the pod template's labels when unset.
func templateDefaults(raw map[string]any, notes *[]string) {
	spec := ensure(raw, "spec")
	labels := obj(obj(obj(spec, "template"), "metadata"), "labels")
	if len(labels) == 0 {
		return
	}
	if spec["selector"] == nil {
		spec["selector"] = map[string]any{"matchLabels": copyMap(labels)}
		*notes = append(*notes, "spec.selector: the pod template's labels (the old version's default; the served version requires it)")
	}
	md := ensure(raw, "metadata")
	if len(obj(md, "labels")) == 0 {
		md["labels"] = copyMap(labels)
		*notes = append(*notes, "metadata.labels: the pod template's labels (the old version's default)")
	}
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// dropFields removes fields the served version does not have.
func dropFields(m map[string]any, prefix string, notes *[]string, keys ...string) {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			delete(m, k)
			*notes = append(*notes, fmt.Sprintf("%s%s: dropped (the served version has no such field)", prefix, k))
		}
	}
}

// --- workloads ---

func dropRollbackFields(raw map[string]any) []string {
	var notes []string
	dropFields(ensure(raw, "spec"), "spec.", &notes, "rollbackTo", "templateGeneration")
	return notes
}

// extensionsDeployment applies extensions/v1beta1's Deployment defaults:
// rolling updates of one pod more and one less (not 25%), every old
// ReplicaSet kept and no progress deadline (both max int32).
func extensionsDeployment(raw map[string]any) []string {
	notes := dropRollbackFields(raw)
	templateDefaults(raw, &notes)
	spec := ensure(raw, "spec")
	strategy := ensure(spec, "strategy")
	setDefault(strategy, "type", "RollingUpdate", "spec.strategy.type", &notes)
	if strategy["type"] == "RollingUpdate" {
		ru := ensure(strategy, "rollingUpdate")
		setDefault(ru, "maxSurge", int64(1), "spec.strategy.rollingUpdate.maxSurge", &notes)
		setDefault(ru, "maxUnavailable", int64(1), "spec.strategy.rollingUpdate.maxUnavailable", &notes)
	}
	// "Keep every old ReplicaSet" and "no deadline" were max int32.
	setDefault(spec, "revisionHistoryLimit", int64(math.MaxInt32), "spec.revisionHistoryLimit", &notes)
	setDefault(spec, "progressDeadlineSeconds", int64(math.MaxInt32), "spec.progressDeadlineSeconds", &notes)
	return notes
}

// appsV1beta1Deployment applies apps/v1beta1's Deployment defaults: 25%
// surge and unavailability as today, but only 2 old ReplicaSets kept.
func appsV1beta1Deployment(raw map[string]any) []string {
	notes := dropRollbackFields(raw)
	templateDefaults(raw, &notes)
	spec := ensure(raw, "spec")
	setDefault(spec, "revisionHistoryLimit", int64(2), "spec.revisionHistoryLimit", &notes)
	setDefault(spec, "progressDeadlineSeconds", int64(600), "spec.progressDeadlineSeconds", &notes)
	return notes
}

// appsV1beta1StatefulSet applies apps/v1beta1's StatefulSet defaults: the
// selector from the template and updates only when a pod is deleted.
func appsV1beta1StatefulSet(raw map[string]any) []string {
	var notes []string
	templateDefaults(raw, &notes)
	spec := ensure(raw, "spec")
	setDefault(ensure(spec, "updateStrategy"), "type", "OnDelete", "spec.updateStrategy.type", &notes)
	return notes
}

// extensionsDaemonSet applies extensions/v1beta1's DaemonSet defaults: the
// selector from the template and updates only when a pod is deleted.
func extensionsDaemonSet(raw map[string]any) []string {
	notes := dropRollbackFields(raw)
	templateDefaults(raw, &notes)
	spec := ensure(raw, "spec")
	setDefault(ensure(spec, "updateStrategy"), "type", "OnDelete", "spec.updateStrategy.type", &notes)
	return notes
}

func legacyReplicaSet(raw map[string]any) []string {
	var notes []string
	templateDefaults(raw, &notes)
	return notes
}

// --- networking ---

// ingressV1 maps the v1beta1 Ingress to networking.k8s.io/v1: backend
// serviceName/servicePort become service.name and port.number or port.name,
// spec.backend becomes spec.defaultBackend, and a path without pathType gets
// ImplementationSpecific (the v1beta1 default).
func ingressV1(raw map[string]any) []string {
	var notes []string
	spec := ensure(raw, "spec")
	if b := obj(spec, "backend"); b != nil {
		spec["defaultBackend"] = backendV1(b, "spec.backend", &notes)
		delete(spec, "backend")
		notes = append(notes, "spec.backend: now spec.defaultBackend")
	}
	for i, rule := range list(spec, "rules") {
		for j, p := range list(obj(rule, "http"), "paths") {
			field := fmt.Sprintf("spec.rules[%d].http.paths[%d]", i, j)
			if b := obj(p, "backend"); b != nil {
				p["backend"] = backendV1(b, field+".backend", &notes)
			}
			setDefault(p, "pathType", "ImplementationSpecific", field+".pathType", &notes)
		}
	}
	return notes
}

func backendV1(b map[string]any, field string, notes *[]string) map[string]any {
	if b["resource"] != nil {
		return map[string]any{"resource": b["resource"]}
	}
	svc := map[string]any{"name": b["serviceName"]}
	switch p := b["servicePort"].(type) {
	case float64:
		svc["port"] = map[string]any{"number": int64(p)}
	case string:
		if n, err := strconv.ParseInt(p, 10, 32); err == nil {
			svc["port"] = map[string]any{"number": n}
			*notes = append(*notes, fmt.Sprintf("%s.servicePort: %q read as port number %d", field, p, n))
		} else {
			svc["port"] = map[string]any{"name": p}
		}
	}
	return map[string]any{"service": svc}
}

// pdbV1 keeps the meaning of an empty selector: policy/v1beta1 selected no
// pod with it, policy/v1 selects every pod, so Kubernetes' conversion writes
// a selector that matches nothing.
func pdbV1(raw map[string]any) []string {
	spec := ensure(raw, "spec")
	sel, ok := spec["selector"].(map[string]any)
	if !ok || len(sel) > 0 {
		return nil
	}
	spec["selector"] = map[string]any{"matchExpressions": []any{map[string]any{
		"key": "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match", "operator": "Exists",
	}}}
	return []string{"spec.selector: an empty selector matched no pod in policy/v1beta1; written as one that matches none in policy/v1"}
}

func endpointSliceV1(raw map[string]any) []string {
	var notes []string
	for i, ep := range list(raw, "endpoints") {
		topo := obj(ep, "topology")
		if topo == nil {
			continue
		}
		if h, ok := topo["kubernetes.io/hostname"]; ok {
			ep["nodeName"] = h
			delete(topo, "kubernetes.io/hostname")
		}
		if z, ok := topo["topology.kubernetes.io/zone"]; ok {
			ep["zone"] = z
			delete(topo, "topology.kubernetes.io/zone")
		}
		delete(ep, "topology")
		if len(topo) > 0 {
			ep["deprecatedTopology"] = topo
		}
		notes = append(notes, fmt.Sprintf("endpoints[%d].topology: now nodeName, zone and deprecatedTopology", i))
	}
	return notes
}

// --- rbac ---

func rbac(fix func(map[string]any) []string) map[string]migration {
	to := "rbac.authorization.k8s.io/v1"
	return map[string]migration{
		"Role": same(to), "ClusterRole": same(to),
		"RoleBinding": {to: to, fix: fix}, "ClusterRoleBinding": {to: to, fix: fix},
	}
}

// rbacV1alpha1 turns v1alpha1 subjects' apiVersion into apiGroup, as
// Kubernetes' conversion does.
func rbacV1alpha1(raw map[string]any) []string {
	var notes []string
	for i, s := range list(raw, "subjects") {
		av, _ := s["apiVersion"].(string)
		delete(s, "apiVersion")
		switch s["kind"] {
		case "ServiceAccount":
			delete(s, "apiGroup")
		case "User", "Group":
			s["apiGroup"] = "rbac.authorization.k8s.io"
		default:
			if g, _, ok := strings.Cut(av, "/"); ok {
				s["apiGroup"] = g
			}
		}
		if av != "" {
			notes = append(notes, fmt.Sprintf("subjects[%d].apiVersion: now apiGroup", i))
		}
	}
	return notes
}

// --- control-plane kinds ---

// webhooksV1 makes admissionregistration v1beta1's webhook defaults explicit
// (they differ from v1's): failurePolicy Ignore, matchPolicy Exact,
// timeoutSeconds 30, admissionReviewVersions [v1beta1]. v1 requires
// sideEffects None or NoneOnDryRun: Unknown and Some become None, reported.
func webhooksV1(raw map[string]any) []string {
	var notes []string
	for i, w := range list(raw, "webhooks") {
		f := fmt.Sprintf("webhooks[%d].", i)
		setDefault(w, "failurePolicy", "Ignore", f+"failurePolicy", &notes)
		setDefault(w, "matchPolicy", "Exact", f+"matchPolicy", &notes)
		setDefault(w, "timeoutSeconds", int64(30), f+"timeoutSeconds", &notes)
		setDefault(w, "admissionReviewVersions", []any{"v1beta1"}, f+"admissionReviewVersions", &notes)
		switch w["sideEffects"] {
		case "None", "NoneOnDryRun":
		default:
			notes = append(notes, fmt.Sprintf("%ssideEffects: %v is not allowed by v1, written as None", f, orUnset(w["sideEffects"])))
			w["sideEffects"] = "None"
		}
	}
	return notes
}

func orUnset(v any) any {
	if v == nil {
		return "unset (Unknown)"
	}
	return v
}

func csrV1(raw map[string]any) []string {
	var notes []string
	setDefault(ensure(raw, "spec"), "signerName", "kubernetes.io/legacy-unknown", "spec.signerName", &notes)
	return notes
}

func flowcontrol() map[string]migration {
	to := "flowcontrol.apiserver.k8s.io/v1"
	return map[string]migration{
		"FlowSchema":                 same(to),
		"PriorityLevelConfiguration": {to: to, fix: priorityLevelV1},
	}
}

func priorityLevelV1(raw map[string]any) []string {
	limited := obj(obj(raw, "spec"), "limited")
	if v, ok := limited["assuredConcurrencyShares"]; ok {
		limited["nominalConcurrencyShares"] = v
		delete(limited, "assuredConcurrencyShares")
		return []string{"spec.limited.assuredConcurrencyShares: now nominalConcurrencyShares"}
	}
	return nil
}

func runtimeClassV1alpha1(raw map[string]any) []string {
	spec := obj(raw, "spec")
	if spec == nil {
		return nil
	}
	if h, ok := spec["runtimeHandler"]; ok {
		raw["handler"] = h
	}
	for _, k := range []string{"overhead", "scheduling"} {
		if v, ok := spec[k]; ok {
			raw[k] = v
		}
	}
	delete(raw, "spec")
	return []string{"spec.runtimeHandler, spec.overhead, spec.scheduling: now handler, overhead, scheduling"}
}

// --- autoscaling ---

// hpaV2beta1 maps autoscaling/v2beta1 metrics to autoscaling/v2's
// metric/target form.
func hpaV2beta1(raw map[string]any) []string {
	var notes []string
	for i, m := range list(obj(raw, "spec"), "metrics") {
		for _, src := range []string{"resource", "containerResource", "pods", "object", "external"} {
			if s := obj(m, src); s != nil {
				m[src] = metricV2(s)
				notes = append(notes, fmt.Sprintf("spec.metrics[%d].%s: now a metric and a target", i, src))
			}
		}
	}
	return notes
}

func metricV2(s map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"name", "container"} { // resource metrics
		if v, ok := s[k]; ok {
			out[k] = v
		}
	}
	if n, ok := s["metricName"]; ok {
		metric := map[string]any{"name": n}
		for _, k := range []string{"selector", "metricSelector"} {
			if v, ok := s[k]; ok {
				metric["selector"] = v
			}
		}
		out["metric"] = metric
	}
	if t, ok := s["target"]; ok { // object metrics: the object described
		out["describedObject"] = t
	}
	target := map[string]any{}
	switch {
	case s["targetAverageUtilization"] != nil:
		target["type"], target["averageUtilization"] = "Utilization", s["targetAverageUtilization"]
	case s["targetAverageValue"] != nil:
		target["type"], target["averageValue"] = "AverageValue", s["targetAverageValue"]
	case s["averageValue"] != nil:
		target["type"], target["averageValue"] = "AverageValue", s["averageValue"]
	case s["targetValue"] != nil:
		target["type"], target["value"] = "Value", s["targetValue"]
	}
	out["target"] = target
	return out
}

// --- apiextensions ---

// crdV1 maps a v1beta1 CustomResourceDefinition to v1: the top-level
// version, validation, subresources and printer columns move into each
// version; preserveUnknownFields (true by default in v1beta1, refused in v1)
// becomes x-kubernetes-preserve-unknown-fields on each version's schema.
func crdV1(raw map[string]any) []string {
	var notes []string
	spec := ensure(raw, "spec")
	versions := list(spec, "versions")
	if len(versions) == 0 {
		if v, ok := spec["version"].(string); ok {
			versions = []map[string]any{{"name": v, "served": true, "storage": true}}
			notes = append(notes, "spec.version: now spec.versions[0]")
		}
	}
	preserve := spec["preserveUnknownFields"] != false
	validation := obj(spec, "validation")
	for i, v := range versions {
		f := fmt.Sprintf("spec.versions[%d].", i)
		if v["schema"] == nil && validation != nil {
			v["schema"] = validation
		}
		if v["subresources"] == nil && spec["subresources"] != nil {
			v["subresources"] = spec["subresources"]
		}
		cols, ok := v["additionalPrinterColumns"].([]any)
		if !ok {
			cols, _ = spec["additionalPrinterColumns"].([]any)
		}
		if len(cols) > 0 {
			v["additionalPrinterColumns"] = printerColumnsV1(cols)
		}
		schema := ensure(ensure(v, "schema"), "openAPIV3Schema")
		if schema["type"] == nil {
			schema["type"] = "object"
			notes = append(notes, f+"schema.openAPIV3Schema.type: object (v1 requires a schema)")
		}
		if preserve && schema["x-kubernetes-preserve-unknown-fields"] == nil {
			schema["x-kubernetes-preserve-unknown-fields"] = true
			notes = append(notes, f+"schema.openAPIV3Schema.x-kubernetes-preserve-unknown-fields: true (spec.preserveUnknownFields was true, the v1beta1 default)")
		}
	}
	anyVersions := make([]any, len(versions))
	for i, v := range versions {
		anyVersions[i] = v
	}
	spec["versions"] = anyVersions
	if conv := obj(spec, "conversion"); conv != nil && conv["strategy"] == "Webhook" {
		wh := map[string]any{"conversionReviewVersions": []any{"v1beta1"}}
		if cc, ok := conv["webhookClientConfig"]; ok {
			wh["clientConfig"] = cc
		}
		if crv, ok := conv["conversionReviewVersions"]; ok {
			wh["conversionReviewVersions"] = crv
		}
		conv["webhook"] = wh
		delete(conv, "webhookClientConfig")
		delete(conv, "conversionReviewVersions")
	}
	for _, k := range []string{"version", "validation", "subresources", "additionalPrinterColumns", "preserveUnknownFields"} {
		delete(spec, k)
	}
	return notes
}

func printerColumnsV1(cols []any) []any {
	out := make([]any, 0, len(cols))
	for _, c := range cols {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		m = copyMap(m)
		if p, ok := m["JSONPath"]; ok {
			m["jsonPath"] = p
			delete(m, "JSONPath")
		}
		out = append(out, m)
	}
	return out
}
