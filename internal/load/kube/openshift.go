package kube

import (
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	sigsjson "sigs.k8s.io/json"

	"github.com/rightsize/rightsize/internal/model"
)

// isOpenShift is true for the OpenShift kinds that are converted or dropped.
func isOpenShift(gv interface{ String() string }, kind string) bool {
	g := gv.String()
	switch kind {
	case "DeploymentConfig":
		return strings.HasPrefix(g, "apps.openshift.io/") || g == "v1"
	case "Route":
		return strings.HasPrefix(g, "route.openshift.io/") || g == "v1"
	case "BuildConfig", "Build":
		return strings.HasPrefix(g, "build.openshift.io/") || g == "v1"
	case "ImageStream", "ImageStreamTag", "ImageStreamImport":
		return strings.HasPrefix(g, "image.openshift.io/") || g == "v1"
	}
	return false
}

// The OpenShift types, reduced to the fields the conversion reads.
type deploymentConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Replicas             *int32                  `json:"replicas"`
		Selector             map[string]string       `json:"selector"`
		Template             *corev1.PodTemplateSpec `json:"template"`
		MinReadySeconds      int32                   `json:"minReadySeconds"`
		RevisionHistoryLimit *int32                  `json:"revisionHistoryLimit"`
		Paused               bool                    `json:"paused"`
		Strategy             struct {
			Type          string `json:"type"`
			RollingParams *struct {
				MaxSurge       *intstr.IntOrString `json:"maxSurge"`
				MaxUnavailable *intstr.IntOrString `json:"maxUnavailable"`
			} `json:"rollingParams"`
			Resources corev1.ResourceRequirements `json:"resources"`
		} `json:"strategy"`
		Triggers []struct {
			Type              string `json:"type"`
			ImageChangeParams *struct {
				ContainerNames []string `json:"containerNames"`
				From           struct {
					Kind      string `json:"kind"`
					Name      string `json:"name"`
					Namespace string `json:"namespace"`
				} `json:"from"`
			} `json:"imageChangeParams"`
		} `json:"triggers"`
	} `json:"spec"`
}

type route struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Host string `json:"host"`
		Path string `json:"path"`
		To   struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"to"`
		Port *struct {
			TargetPort intstr.IntOrString `json:"targetPort"`
		} `json:"port"`
		TLS *struct {
			Termination string `json:"termination"`
		} `json:"tls"`
	} `json:"spec"`
}

type imageStream struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		DockerImageRepository string `json:"dockerImageRepository"`
		Tags                  []struct {
			Name string `json:"name"`
			From *struct {
				Kind string `json:"kind"`
				Name string `json:"name"`
			} `json:"from"`
		} `json:"tags"`
	} `json:"spec"`
}

// convertOpenShift turns the held OpenShift objects into Kubernetes ones,
// after every document of the file has been read.
func (d *decoder) convertOpenShift() error {
	streams := map[string]imageStream{}
	for _, p := range d.openshift {
		if p.raw["kind"] == "ImageStream" {
			var is imageStream
			if err := decodeInto(p.raw, &is); err == nil {
				streams[is.Name] = is
			}
		}
	}
	for _, p := range d.openshift {
		kind, _ := p.raw["kind"].(string)
		name := objectName(p.raw)
		ref := kind + "/" + name
		where := p.src.String()
		if p.path != "" {
			where += " " + p.path
		}
		if err := checkQuantities(p.raw, ""); err != nil {
			return fmt.Errorf("%s: %s: %w", where, ref, err)
		}
		switch kind {
		case "DeploymentConfig":
			var dc deploymentConfig
			if err := decodeInto(p.raw, &dc); err != nil {
				return fmt.Errorf("%s: %s: %s", where, ref, jsonError(err, p.raw))
			}
			dep, notes := convertDeploymentConfig(&dc, streams)
			d.objects = append(d.objects, &model.Object{Source: p.src, Obj: dep})
			for _, n := range notes {
				d.findings = append(d.findings, model.Finding{Severity: n.sev, Key: "openshift", Object: model.Key{Group: "apps", Kind: "Deployment", Namespace: dep.Namespace, Name: dep.Name}, Message: n.msg})
			}
		case "Route":
			var r route
			if err := decodeInto(p.raw, &r); err != nil {
				return fmt.Errorf("%s: %s: %s", where, ref, jsonError(err, p.raw))
			}
			ing, notes := d.convertRoute(&r)
			d.objects = append(d.objects, &model.Object{Source: p.src, Obj: ing})
			for _, n := range notes {
				d.findings = append(d.findings, model.Finding{Severity: n.sev, Key: "openshift", Object: model.Key{Group: "networking.k8s.io", Kind: "Ingress", Namespace: ing.Namespace, Name: ing.Name}, Message: n.msg})
			}
		default:
			d.findings = append(d.findings, model.Finding{
				Severity: model.Info, Key: "dropped", Object: openshiftKey(p.raw),
				Message: fmt.Sprintf("%s: %s is OpenShift-only and has no Kubernetes equivalent; dropped (build and push its images yourself)", p.src, kind),
			})
		}
	}
	return nil
}

func decodeInto(raw map[string]any, v any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return sigsjson.UnmarshalCaseSensitivePreserveInts(b, v)
}

type note struct {
	sev model.Severity
	msg string
}

func convertDeploymentConfig(dc *deploymentConfig, streams map[string]imageStream) (*appsv1.Deployment, []note) {
	var notes []note
	dep := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: dc.ObjectMeta,
	}
	dep.Spec.Replicas = dc.Spec.Replicas
	if dep.Spec.Replicas == nil {
		one := int32(1)
		dep.Spec.Replicas = &one
	}
	dep.Spec.MinReadySeconds = dc.Spec.MinReadySeconds
	dep.Spec.RevisionHistoryLimit = dc.Spec.RevisionHistoryLimit
	dep.Spec.Paused = dc.Spec.Paused
	if dc.Spec.Template != nil {
		dep.Spec.Template = *dc.Spec.Template
	}
	sel := dc.Spec.Selector
	if len(sel) == 0 {
		sel = dep.Spec.Template.Labels
	}
	dep.Spec.Selector = &metav1.LabelSelector{MatchLabels: sel}
	switch dc.Spec.Strategy.Type {
	case "Recreate":
		dep.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType
	case "", "Rolling":
		dep.Spec.Strategy.Type = appsv1.RollingUpdateDeploymentStrategyType
		if rp := dc.Spec.Strategy.RollingParams; rp != nil && (rp.MaxSurge != nil || rp.MaxUnavailable != nil) {
			dep.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: rp.MaxSurge, MaxUnavailable: rp.MaxUnavailable}
		}
	default:
		dep.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType
		notes = append(notes, note{model.Warning, fmt.Sprintf("DeploymentConfig strategy %q has no Kubernetes equivalent; using Recreate", dc.Spec.Strategy.Type)})
	}
	if len(dc.Spec.Strategy.Resources.Limits)+len(dc.Spec.Strategy.Resources.Requests) > 0 {
		notes = append(notes, note{model.Info, "the DeploymentConfig's deployer pod resources are dropped: a Deployment needs no deployer pod"})
	}
	for _, tr := range dc.Spec.Triggers {
		if tr.Type != "ImageChange" || tr.ImageChangeParams == nil {
			continue
		}
		from := tr.ImageChangeParams.From
		image, resolved := resolveImage(from.Kind, from.Name, streams)
		for _, cn := range tr.ImageChangeParams.ContainerNames {
			for _, list := range [][]corev1.Container{dep.Spec.Template.Spec.Containers, dep.Spec.Template.Spec.InitContainers} {
				for i := range list {
					if list[i].Name != cn {
						continue
					}
					if strings.TrimSpace(list[i].Image) == "" || resolved {
						list[i].Image = image
					}
					if !resolved {
						notes = append(notes, note{model.Warning, fmt.Sprintf("container %s: image comes from %s %q, which is built or imported by OpenShift; using %q, build and push it yourself", cn, from.Kind, from.Name, image)})
					}
				}
			}
		}
	}
	notes = append(notes, note{model.Info, "converted from DeploymentConfig: triggers, lifecycle hooks and the deployer pod are OpenShift-only"})
	return dep, notes
}

// resolveImage finds the image an ImageStreamTag names, when an ImageStream
// of the same file says where it comes from.
func resolveImage(kind, name string, streams map[string]imageStream) (string, bool) {
	if kind == "DockerImage" {
		return name, true
	}
	isName, tag, _ := strings.Cut(name, ":")
	if tag == "" {
		tag = "latest"
	}
	if is, ok := streams[isName]; ok {
		for _, t := range is.Spec.Tags {
			if t.Name == tag && t.From != nil && t.From.Kind == "DockerImage" {
				return t.From.Name, true
			}
		}
		if is.Spec.DockerImageRepository != "" {
			return is.Spec.DockerImageRepository + ":" + tag, true
		}
	}
	return isName + ":" + tag, false
}

func (d *decoder) convertRoute(r *route) (*networkingv1.Ingress, []note) {
	var notes []note
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: r.ObjectMeta,
	}
	path := r.Spec.Path
	if path == "" {
		path = "/"
	}
	prefix := networkingv1.PathTypePrefix
	backend := networkingv1.IngressServiceBackend{Name: r.Spec.To.Name}
	if r.Spec.Port != nil {
		backend.Port = d.servicePort(r.Spec.To.Name, r.Spec.Port.TargetPort)
	} else {
		backend.Port = d.servicePort(r.Spec.To.Name, intstr.IntOrString{})
	}
	rule := networkingv1.IngressRule{
		Host: r.Spec.Host,
		IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
			Paths: []networkingv1.HTTPIngressPath{{Path: path, PathType: &prefix, Backend: networkingv1.IngressBackend{Service: &backend}}},
		}},
	}
	ing.Spec.Rules = []networkingv1.IngressRule{rule}
	if r.Spec.TLS != nil {
		hosts := []string{}
		if r.Spec.Host != "" {
			hosts = append(hosts, r.Spec.Host)
		}
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: hosts}}
		notes = append(notes, note{model.Warning, fmt.Sprintf("Route TLS termination %q: the Ingress uses the ingress controller's default certificate; put yours in a Secret and set spec.tls[0].secretName", r.Spec.TLS.Termination)})
	}
	notes = append(notes, note{model.Info, "converted from Route: an ingress controller must run in the target for it to take effect"})
	return ing, notes
}

// servicePort maps a Route's target port (a Service's targetPort, by name or
// number) to the Service port an Ingress backend needs.
func (d *decoder) servicePort(svcName string, target intstr.IntOrString) networkingv1.ServiceBackendPort {
	for _, o := range d.objects {
		svc, ok := o.Obj.(*corev1.Service)
		if !ok || svc.Name != svcName {
			continue
		}
		for _, p := range svc.Spec.Ports {
			switch {
			case target.Type == intstr.String && target.StrVal != "" && (p.Name == target.StrVal || p.TargetPort.StrVal == target.StrVal):
				return backendPort(p)
			case target.Type == intstr.Int && target.IntVal != 0 && (p.TargetPort.IntValue() == int(target.IntVal) || (p.TargetPort.IntValue() == 0 && p.Port == target.IntVal)):
				return backendPort(p)
			}
		}
		if len(svc.Spec.Ports) > 0 {
			return backendPort(svc.Spec.Ports[0])
		}
	}
	if target.Type == intstr.String && target.StrVal != "" {
		return networkingv1.ServiceBackendPort{Name: target.StrVal}
	}
	if target.IntVal != 0 {
		return networkingv1.ServiceBackendPort{Number: target.IntVal}
	}
	return networkingv1.ServiceBackendPort{Number: 80}
}

func backendPort(p corev1.ServicePort) networkingv1.ServiceBackendPort {
	if p.Name != "" {
		return networkingv1.ServiceBackendPort{Name: p.Name}
	}
	return networkingv1.ServiceBackendPort{Number: p.Port}
}

// openshiftKey is the identity of an OpenShift-only object, group from its
// apiVersion ("v1" for the pre-3.6 unified API, which had no groups).
func openshiftKey(raw map[string]any) model.Key {
	kind, _ := raw["kind"].(string)
	av, _ := raw["apiVersion"].(string)
	gv, _ := schema.ParseGroupVersion(av)
	ns := ""
	if md, ok := raw["metadata"].(map[string]any); ok {
		ns, _ = md["namespace"].(string)
	}
	return model.Key{Group: gv.Group, Kind: kind, Namespace: ns, Name: objectName(raw)}
}
