package workload

import (
	"fmt"
	"math"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rightsize/rightsize/internal/model"
)

// NameLabel is the pod label every converted workload selects on.
const NameLabel = "app.kubernetes.io/name"

// DependsOnAnnotation records a Compose depends_on list on the workload.
const DependsOnAnnotation = "rightsize.io/depends-on"

// Kinds of workload.
const (
	Deployment  = "Deployment"
	StatefulSet = "StatefulSet"
	DaemonSet   = "DaemonSet"
	Job         = "Job"
)

// Set is everything one input converts to, before it becomes objects.
type Set struct {
	// Format and File fill every object's model.Source.
	Format string
	File   string

	Workloads  []*Workload
	Services   []*Service
	Claims     []*corev1.PersistentVolumeClaim
	Ingresses  []*networkingv1.Ingress
	ConfigMaps []*corev1.ConfigMap
	Findings   []model.Finding
}

// Workload is one pod template and how it is run.
type Workload struct {
	Name     string
	Kind     string
	Replicas int32
	// Labels go on the pod template; the selector is NameLabel only.
	Labels map[string]string
	// Annotations go on the workload object.
	Annotations map[string]string
	// PodAnnotations go on the pod template.
	PodAnnotations map[string]string
	Pod            corev1.PodSpec
	// ClaimTemplates are a StatefulSet's volumeClaimTemplates.
	ClaimTemplates []corev1.PersistentVolumeClaim
	// BackoffLimit is a Job's backoffLimit.
	BackoffLimit int32
}

// Selector is the label set the workload's pods carry and Services select.
func (w *Workload) Selector() map[string]string {
	return map[string]string{NameLabel: w.Name}
}

// Container returns the container with the given name, or nil.
func (w *Workload) Container(name string) *corev1.Container {
	for i := range w.Pod.Containers {
		if w.Pod.Containers[i].Name == name {
			return &w.Pod.Containers[i]
		}
	}
	return nil
}

// Service is a Service that selects one workload's pods.
type Service struct {
	Name string
	// Headless makes clusterIP None: the name resolves to pod IPs and every
	// port is reachable, as on a Compose network.
	Headless bool
	Selector map[string]string
	Ports    []corev1.ServicePort
}

// AddPort adds a port unless one with the same number and protocol exists.
func (s *Service) AddPort(p corev1.ServicePort) {
	if p.Protocol == "" {
		p.Protocol = corev1.ProtocolTCP
	}
	for _, q := range s.Ports {
		if q.Port == p.Port && q.Protocol == p.Protocol {
			return
		}
	}
	s.Ports = append(s.Ports, p)
}

// Workload returns the workload with the given name, or nil.
func (s *Set) Workload(name string) *Workload {
	for _, w := range s.Workloads {
		if w.Name == name {
			return w
		}
	}
	return nil
}

// Service returns the Service with the given name, or nil.
func (s *Set) Service(name string) *Service {
	for _, v := range s.Services {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Finding records a finding about an object the set makes, named as
// "Deployment/web", or about the input ("").
func (s *Set) Finding(sev model.Severity, key, object, format string, a ...any) {
	s.Findings = append(s.Findings, model.Finding{Severity: sev, Key: key, Object: madeKey(object), Message: fmt.Sprintf(format, a...)})
}

// madeGroups are the API groups of the kinds a Set makes.
var madeGroups = map[string]string{
	"Deployment": "apps", "StatefulSet": "apps", "DaemonSet": "apps", "Job": "batch", "CronJob": "batch",
	"Ingress": "networking.k8s.io", "Service": "", "PersistentVolumeClaim": "", "ConfigMap": "", "Secret": "",
}

// madeKey is the key of an object the set makes, from "Kind/name": the
// loaders name objects they are still building that way. Set objects carry
// no namespace until a later stage gives them one.
func madeKey(ref string) model.Key {
	kind, name, ok := strings.Cut(ref, "/")
	if !ok {
		return model.Key{}
	}
	return model.Key{Group: madeGroups[kind], Kind: kind, Name: name}
}

// PortName names a Service or container port "80-tcp", valid as an IANA
// service name (at most 15 characters, at least one letter).
func PortName(port int32, proto corev1.Protocol) string {
	return fmt.Sprintf("%d-%s", port, strings.ToLower(string(proto)))
}

// CPU converts a number of cores to a quantity in millicores, rounding up so
// that a tiny non-zero value never becomes zero.
func CPU(cores float64) resource.Quantity {
	return *resource.NewMilliQuantity(int64(math.Ceil(cores*1000-1e-9)), resource.DecimalSI)
}

// Memory converts bytes to a binary quantity ("512Mi" rather than 536870912).
func Memory(bytes int64) resource.Quantity {
	return *resource.NewQuantity(bytes, resource.BinarySI)
}

// Seconds converts a duration in nanoseconds to whole seconds for a probe,
// rounding up and never below min.
func Seconds(ns int64, min int32) int32 {
	if ns > math.MaxInt64-999999999 {
		ns = math.MaxInt64 - 999999999
	}
	sec := (ns + 999999999) / 1000000000
	if sec > math.MaxInt32 {
		// Beyond 68 years: the largest value the field holds, never wrapped.
		sec = math.MaxInt32
	}
	s := int32(sec)
	if s < min {
		return min
	}
	return s
}

// Objects renders the set as typed Kubernetes objects: ConfigMaps, claims,
// workloads, Services, then Ingresses, each in name order.
func (s *Set) Objects() []*model.Object {
	var out []*model.Object
	add := func(o runtime.Object) {
		out = append(out, &model.Object{Source: model.Source{File: s.File, Doc: len(out), Format: s.Format}, Obj: o})
	}
	cms := append([]*corev1.ConfigMap(nil), s.ConfigMaps...)
	sort.Slice(cms, func(i, j int) bool { return cms[i].Name < cms[j].Name })
	for _, cm := range cms {
		cm.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}
		add(cm)
	}
	claims := append([]*corev1.PersistentVolumeClaim(nil), s.Claims...)
	sort.Slice(claims, func(i, j int) bool { return claims[i].Name < claims[j].Name })
	for _, c := range claims {
		c.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}
		add(c)
	}
	ws := append([]*Workload(nil), s.Workloads...)
	sort.Slice(ws, func(i, j int) bool { return ws[i].Name < ws[j].Name })
	for _, w := range ws {
		add(w.object())
	}
	svcs := append([]*Service(nil), s.Services...)
	sort.Slice(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name })
	for _, v := range svcs {
		add(v.object())
	}
	ings := append([]*networkingv1.Ingress(nil), s.Ingresses...)
	sort.Slice(ings, func(i, j int) bool { return ings[i].Name < ings[j].Name })
	for _, ing := range ings {
		ing.TypeMeta = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"}
		add(ing)
	}
	return out
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func (w *Workload) object() runtime.Object {
	labels := map[string]string{}
	for k, v := range w.Labels {
		labels[k] = v
	}
	for k, v := range w.Selector() {
		labels[k] = v
	}
	meta := metav1.ObjectMeta{Name: w.Name, Labels: w.Selector(), Annotations: nonEmpty(w.Annotations)}
	tmpl := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: nonEmpty(w.PodAnnotations)},
		Spec:       w.Pod,
	}
	sel := &metav1.LabelSelector{MatchLabels: w.Selector()}
	replicas := w.Replicas
	switch w.Kind {
	case StatefulSet:
		return &appsv1.StatefulSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: StatefulSet},
			ObjectMeta: meta,
			Spec: appsv1.StatefulSetSpec{
				Replicas: &replicas, Selector: sel, Template: tmpl,
				ServiceName: w.Name, VolumeClaimTemplates: w.ClaimTemplates,
			},
		}
	case DaemonSet:
		return &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: DaemonSet},
			ObjectMeta: meta,
			Spec:       appsv1.DaemonSetSpec{Selector: sel, Template: tmpl},
		}
	case Job:
		backoff := w.BackoffLimit
		return &batchv1.Job{
			TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: Job},
			ObjectMeta: meta,
			Spec: batchv1.JobSpec{
				Parallelism: &replicas, Completions: &replicas, BackoffLimit: &backoff,
				Template: tmpl,
			},
		}
	default:
		return &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: Deployment},
			ObjectMeta: meta,
			Spec:       appsv1.DeploymentSpec{Replicas: &replicas, Selector: sel, Template: tmpl},
		}
	}
}

func (v *Service) object() runtime.Object {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: v.Name, Labels: map[string]string{NameLabel: v.Name}},
		Spec: corev1.ServiceSpec{
			Selector: v.Selector,
			Ports:    append([]corev1.ServicePort(nil), v.Ports...),
			Type:     corev1.ServiceTypeClusterIP,
		},
	}
	if v.Headless || len(v.Ports) == 0 {
		svc.Spec.ClusterIP = corev1.ClusterIPNone
	}
	return svc
}

// ConfigMapNamed returns the ConfigMap with the given name, or nil.
func (s *Set) ConfigMapNamed(name string) *corev1.ConfigMap {
	for _, cm := range s.ConfigMaps {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

// Claim returns the claim with the given name, or nil.
func (s *Set) Claim(name string) *corev1.PersistentVolumeClaim {
	for _, c := range s.Claims {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// SortedKeys returns a map's keys in order, for deterministic output.
func SortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Key is the identity of the object the workload becomes.
func (w *Workload) Key() model.Key {
	return model.Key{Group: madeGroups[w.Kind], Kind: w.Kind, Name: w.Name}
}

// Remove drops a workload from the set; findings about it move to into, or
// are dropped when into is nil.
func (s *Set) Remove(w, into *Workload) {
	fs := s.Findings[:0]
	for _, f := range s.Findings {
		if f.Object.Kind == w.Kind && f.Object.Name == w.Name {
			if into == nil {
				continue
			}
			f.Object = into.Key()
		}
		fs = append(fs, f)
	}
	s.Findings = fs
	out := s.Workloads[:0]
	for _, x := range s.Workloads {
		if x != w {
			out = append(out, x)
		}
	}
	s.Workloads = out
}

// InitContainer returns the init container with the given name, or nil.
func (w *Workload) InitContainer(name string) *corev1.Container {
	for i := range w.Pod.InitContainers {
		if w.Pod.InitContainers[i].Name == name {
			return &w.Pod.InitContainers[i]
		}
	}
	return nil
}

// RunOnce turns a container into one that runs to completion before the
// pod's others start (an init container): probes and lifecycle hooks, which
// init containers may not have, are removed.
func RunOnce(c corev1.Container) corev1.Container {
	c.ReadinessProbe, c.LivenessProbe, c.StartupProbe, c.Lifecycle = nil, nil, nil, nil
	return c
}

// DropFindings removes the findings of one key about w.
func (s *Set) DropFindings(w *Workload, key string) {
	fs := s.Findings[:0]
	for _, f := range s.Findings {
		if f.Key != key || f.Object != w.Key() {
			fs = append(fs, f)
		}
	}
	s.Findings = fs
}
