package model

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// MaxDataBytes is the most bytes of data a ConfigMap or a Secret may hold,
// as the API server validates them (corev1.MaxSecretSize; the same bound for
// ConfigMaps).
const MaxDataBytes = corev1.MaxSecretSize

// Validate checks the numbers of an object as the API server does: no
// negative quantity (requests, limits, overhead, quota, limit range, claim
// storage), no negative replica or job count, and ConfigMap and Secret data
// within 1 MiB. Every problem is reported with its field path; values of
// Secrets are never quoted.
func Validate(obj runtime.Object) field.ErrorList {
	var errs field.ErrorList
	switch o := obj.(type) {
	case *corev1.Pod:
		errs = podSpec(&o.Spec, field.NewPath("spec"))
	case *corev1.ReplicationController:
		errs = replicas(o.Spec.Replicas, field.NewPath("spec", "replicas"))
		if o.Spec.Template != nil {
			errs = append(errs, podSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))...)
		}
	case *appsv1.Deployment:
		errs = append(replicas(o.Spec.Replicas, field.NewPath("spec", "replicas")), podSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))...)
	case *appsv1.ReplicaSet:
		errs = append(replicas(o.Spec.Replicas, field.NewPath("spec", "replicas")), podSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))...)
	case *appsv1.StatefulSet:
		errs = append(replicas(o.Spec.Replicas, field.NewPath("spec", "replicas")), podSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))...)
		for i := range o.Spec.VolumeClaimTemplates {
			errs = append(errs, list(o.Spec.VolumeClaimTemplates[i].Spec.Resources.Requests, field.NewPath("spec", "volumeClaimTemplates").Index(i).Child("spec", "resources", "requests"))...)
		}
	case *appsv1.DaemonSet:
		errs = podSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))
	case *batchv1.Job:
		errs = jobSpec(&o.Spec, field.NewPath("spec"))
	case *batchv1.CronJob:
		errs = jobSpec(&o.Spec.JobTemplate.Spec, field.NewPath("spec", "jobTemplate", "spec"))
	case *corev1.PersistentVolumeClaim:
		errs = list(o.Spec.Resources.Requests, field.NewPath("spec", "resources", "requests"))
	case *corev1.ResourceQuota:
		errs = list(o.Spec.Hard, field.NewPath("spec", "hard"))
	case *corev1.LimitRange:
		errs = limitRange(o)
	case *corev1.ConfigMap:
		n := 0
		for _, v := range o.Data {
			n += len(v)
		}
		for _, v := range o.BinaryData {
			n += len(v)
		}
		errs = dataSize(n, field.NewPath("data"))
	case *corev1.Secret:
		n := 0
		for _, v := range o.Data {
			n += len(v)
		}
		for _, v := range o.StringData {
			n += len(v)
		}
		errs = dataSize(n, field.NewPath("data"))
	}
	return errs
}

func dataSize(n int, p *field.Path) field.ErrorList {
	if n > MaxDataBytes {
		return field.ErrorList{field.TooLong(p, fmt.Sprintf("%d bytes", n), MaxDataBytes)}
	}
	return nil
}

func replicas(r *int32, p *field.Path) field.ErrorList {
	if r != nil && *r < 0 {
		return field.ErrorList{field.Invalid(p, *r, "must be greater than or equal to 0")}
	}
	return nil
}

func jobSpec(s *batchv1.JobSpec, p *field.Path) field.ErrorList {
	errs := replicas(s.Parallelism, p.Child("parallelism"))
	errs = append(errs, replicas(s.Completions, p.Child("completions"))...)
	errs = append(errs, replicas(s.BackoffLimit, p.Child("backoffLimit"))...)
	return append(errs, podSpec(&s.Template.Spec, p.Child("template", "spec"))...)
}

func podSpec(s *corev1.PodSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for name, cs := range map[string][]corev1.Container{"initContainers": s.InitContainers, "containers": s.Containers} {
		for i := range cs {
			rp := p.Child(name).Index(i).Child("resources")
			errs = append(errs, list(cs[i].Resources.Requests, rp.Child("requests"))...)
			errs = append(errs, list(cs[i].Resources.Limits, rp.Child("limits"))...)
		}
	}
	errs = append(errs, list(s.Overhead, p.Child("overhead"))...)
	if s.Resources != nil {
		errs = append(errs, list(s.Resources.Requests, p.Child("resources", "requests"))...)
		errs = append(errs, list(s.Resources.Limits, p.Child("resources", "limits"))...)
	}
	// The map walk above has no order: sort for a stable first error.
	sortErrors(errs)
	return errs
}

func limitRange(l *corev1.LimitRange) field.ErrorList {
	var errs field.ErrorList
	for i, it := range l.Spec.Limits {
		p := field.NewPath("spec", "limits").Index(i)
		errs = append(errs, list(it.Max, p.Child("max"))...)
		errs = append(errs, list(it.Min, p.Child("min"))...)
		errs = append(errs, list(it.Default, p.Child("default"))...)
		errs = append(errs, list(it.DefaultRequest, p.Child("defaultRequest"))...)
		errs = append(errs, list(it.MaxLimitRequestRatio, p.Child("maxLimitRequestRatio"))...)
	}
	return errs
}

// list refuses negative quantities, in key order.
func list(l corev1.ResourceList, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for k, q := range l {
		if q.Sign() < 0 {
			errs = append(errs, field.Invalid(p.Key(string(k)), q.String(), "must be greater than or equal to 0"))
		}
	}
	sortErrors(errs)
	return errs
}

func sortErrors(errs field.ErrorList) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Field < errs[j-1].Field; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}
