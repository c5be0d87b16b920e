package footprint

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/rightsize/rightsize/internal/model"
)

// PodSpec returns a pointer to the pod spec inside a pod-creating object
// (the template of a controller, the spec of a bare Pod) and its metadata,
// so callers can read or rewrite it in place. ok is false for other kinds.
func PodSpec(o *model.Object) (spec *corev1.PodSpec, md *metav1.ObjectMeta, ok bool) {
	switch t := o.Obj.(type) {
	case *corev1.Pod:
		return &t.Spec, &t.ObjectMeta, true
	case *appsv1.Deployment:
		return &t.Spec.Template.Spec, &t.Spec.Template.ObjectMeta, true
	case *appsv1.ReplicaSet:
		return &t.Spec.Template.Spec, &t.Spec.Template.ObjectMeta, true
	case *appsv1.StatefulSet:
		return &t.Spec.Template.Spec, &t.Spec.Template.ObjectMeta, true
	case *appsv1.DaemonSet:
		return &t.Spec.Template.Spec, &t.Spec.Template.ObjectMeta, true
	case *corev1.ReplicationController:
		if t.Spec.Template == nil {
			return nil, nil, false
		}
		return &t.Spec.Template.Spec, &t.Spec.Template.ObjectMeta, true
	case *batchv1.Job:
		return &t.Spec.Template.Spec, &t.Spec.Template.ObjectMeta, true
	case *batchv1.CronJob:
		return &t.Spec.JobTemplate.Spec.Template.Spec, &t.Spec.JobTemplate.Spec.Template.ObjectMeta, true
	}
	return nil, nil, false
}

// Replicas is how many pods an object keeps at steady state in t: replicas
// for the replicated kinds (default 1), eligible nodes for a DaemonSet (1
// when the target names no nodes), parallelism for a Job, 0 for a CronJob
// between runs, 1 for a bare Pod.
func Replicas(o *model.Object, t *model.Target) int32 {
	orOne := func(p *int32) int32 {
		if p == nil {
			return 1
		}
		return *p
	}
	switch w := o.Obj.(type) {
	case *corev1.Pod:
		return 1
	case *appsv1.Deployment:
		return orOne(w.Spec.Replicas)
	case *appsv1.ReplicaSet:
		return orOne(w.Spec.Replicas)
	case *appsv1.StatefulSet:
		return orOne(w.Spec.Replicas)
	case *corev1.ReplicationController:
		if w.Spec.Template == nil {
			return 0
		}
		return orOne(w.Spec.Replicas)
	case *appsv1.DaemonSet:
		if len(t.Nodes) == 0 {
			return 1
		}
		n := int32(0)
		for _, node := range t.Nodes {
			if DaemonRunsOn(&w.Spec.Template.Spec, node) {
				n++
			}
		}
		return n
	case *batchv1.Job:
		return jobPods(&w.Spec)
	case *batchv1.CronJob:
		return 0
	}
	return 0
}

// jobPods is how many pods a Job runs at once when it starts.
func jobPods(s *batchv1.JobSpec) int32 {
	if s.Suspend != nil && *s.Suspend {
		return 0
	}
	p := int32(1)
	if s.Parallelism != nil {
		p = *s.Parallelism
	}
	if s.Completions != nil && *s.Completions < p {
		p = *s.Completions
	}
	return p
}

// claimTemplates returns the PVCs a StatefulSet creates for each pod.
func claimTemplates(o *model.Object) []corev1.PersistentVolumeClaim {
	if s, ok := o.Obj.(*appsv1.StatefulSet); ok {
		return s.Spec.VolumeClaimTemplates
	}
	return nil
}

// ephemeralClaims returns the PVCs generic ephemeral volumes create per pod.
func ephemeralClaims(spec *corev1.PodSpec) []corev1.PersistentVolumeClaim {
	var out []corev1.PersistentVolumeClaim
	for _, v := range spec.Volumes {
		if v.Ephemeral != nil && v.Ephemeral.VolumeClaimTemplate != nil {
			t := v.Ephemeral.VolumeClaimTemplate
			out = append(out, corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: v.Name, Labels: t.Labels}, Spec: t.Spec})
		}
	}
	return out
}

// controllerObjects are the objects a controller creates besides pods, by
// quota key: a Deployment's ReplicaSet, a StatefulSet's or DaemonSet's
// ControllerRevision.
func controllerObjects(o *model.Object) []corev1.ResourceName {
	switch o.Obj.(type) {
	case *appsv1.Deployment:
		return []corev1.ResourceName{"count/replicasets.apps"}
	case *appsv1.StatefulSet, *appsv1.DaemonSet:
		return []corev1.ResourceName{"count/controllerrevisions.apps"}
	}
	return nil
}

// CountKey is the object-count quota key of an object's kind:
// "count/deployments.apps", "count/configmaps".
func CountKey(gvk schema.GroupVersionKind) corev1.ResourceName {
	return countKey(gvk.GroupKind())
}

func countKey(gk schema.GroupKind) corev1.ResourceName {
	res := resourceName(gk)
	if gk.Group == "" {
		return corev1.ResourceName("count/" + res)
	}
	return corev1.ResourceName("count/" + res + "." + gk.Group)
}

var irregular = map[string]string{"Endpoints": "endpoints", "PodMetrics": "pods", "NodeMetrics": "nodes"}

func resourceName(gk schema.GroupKind) string {
	if r, ok := irregular[gk.Kind]; ok {
		return r
	}
	plural, _ := meta.UnsafeGuessKindToResource(gk.WithVersion("v1"))
	return plural.Resource
}

// legacyKey is the pre-"count/" quota name some kinds are also charged under.
func legacyKey(kind string) corev1.ResourceName {
	switch kind {
	case "ConfigMap":
		return corev1.ResourceConfigMaps
	case "Secret":
		return corev1.ResourceSecrets
	case "ReplicationController":
		return corev1.ResourceReplicationControllers
	case "ResourceQuota":
		return corev1.ResourceQuotas
	}
	return ""
}
