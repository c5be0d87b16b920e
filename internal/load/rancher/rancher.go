package rancher

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/compose-spec/compose-go/v2/interpolation"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rightsize/rightsize/internal/load/compose"
	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/load/workload"
	"github.com/rightsize/rightsize/internal/model"
)

// Options are the Rancher loader's knobs.
type Options struct {
	// Answers is a file of answers (KEY=VALUE lines, YAML or JSON).
	Answers string
	// Set holds KEY=VALUE answers that override the file.
	Set []string
	// StatefulSets names services to run as StatefulSets.
	StatefulSets []string
	// ClaimSize is what a named volume's claim requests; nil means
	// compose.DefaultClaimSize.
	ClaimSize *resource.Quantity
	// OnRead, when set, is told every file read besides the catalog
	// entry's own (env and label files its Compose file names).
	OnRead func(path string)
	// Limits bound what is read and expanded.
	Limits limit.Limits
}

const (
	labelSidekicks = "io.rancher.sidekicks"
	labelGlobal    = "io.rancher.scheduler.global"
)

// Load reads the catalog entry at path (a version folder, a template folder
// or a catalog root with one template) and converts it.
func Load(path string, opts Options) ([]*model.Object, []model.Finding, error) {
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	vdir, err := resolve(dir)
	if err != nil {
		return nil, nil, err
	}
	rc, err := readRancherCompose(vdir)
	if err != nil {
		return nil, nil, err
	}
	values, notes, err := answerQuestions(rc, opts.Answers, opts.Set)
	if err != nil {
		return nil, nil, err
	}
	file, data, err := composeFile(vdir, values)
	if err != nil {
		return nil, nil, err
	}
	return convert(rc, vdir, file, data, values, notes, opts)
}

// convert converts a catalog entry's Compose file (already read or
// rendered) with its rancher-compose.yml and answers: everything after the
// files are read, so that it runs in-process on any input.
func convert(rc *rancherCompose, vdir, file string, data []byte, values map[string]string, notes []string, opts Options) ([]*model.Object, []model.Finding, error) {
	data, legacy, err := compose.Legacy(file, data)
	if err != nil {
		return nil, nil, err
	}
	parsed, err := compose.Parse(file, data, vdir, values, compose.Options{Limits: opts.Limits, OnRead: opts.OnRead})
	if err != nil {
		return nil, nil, err
	}
	p := parsed.Project
	legacy = append(legacy, parsed.Warnings...)
	r, err := compose.Convert(p, file, "rancher", compose.Options{StatefulSets: opts.StatefulSets, ClaimSize: opts.ClaimSize})
	if err != nil {
		return nil, nil, err
	}
	set := r.Set
	set.Finding(model.Info, "rancher", "", "catalog entry %s", vdir)
	for _, n := range append(notes, legacy...) {
		set.Finding(model.Info, "rancher", "", "%s", n)
	}
	c := &conv{r: r, rc: rc, set: set}
	if err := c.rancherCompose(values); err != nil {
		return nil, nil, err
	}
	c.global()
	c.sidekicks()
	c.volumesFrom()
	r.NetworkFindings()
	set.Finish()
	return set.Objects(), set.Findings, nil
}

// composeFile returns the template's Compose file, rendering a .tpl one as a
// Go template with sprig functions and the answers as .Values.
func composeFile(vdir string, values map[string]string) (string, []byte, error) {
	for _, n := range []string{"docker-compose.yml", "docker-compose.yaml"} {
		f := filepath.Join(vdir, n)
		if data, err := limit.ReadFile(f, limit.DefaultInput); err == nil {
			return f, data, nil
		}
		tf := f + ".tpl"
		data, err := limit.ReadFile(tf, limit.DefaultInput)
		if err != nil {
			continue
		}
		tmpl, err := template.New(filepath.Base(tf)).Option("missingkey=zero").Funcs(funcs()).Parse(string(data))
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", tf, err)
		}
		var buf bytes.Buffer
		stack := filepath.Base(filepath.Dir(filepath.Clean(vdir)))
		ctx := map[string]any{"Values": values, "Stack": map[string]string{"Name": stack}}
		out := &limit.Writer{W: &buf, What: tf, Max: limit.DefaultExpansion}
		if err := tmpl.Execute(out, ctx); err != nil {
			return "", nil, fmt.Errorf("%s: %w", tf, err)
		}
		return tf, buf.Bytes(), nil
	}
	return "", nil, fmt.Errorf("%s: no docker-compose.yml or docker-compose.yml.tpl", vdir)
}

type conv struct {
	r   *compose.Result
	rc  *rancherCompose
	set *workload.Set
}

func (c *conv) workload(service string) *workload.Workload { return c.r.ByService[service] }

// rancherCompose applies rancher-compose.yml's per-service settings.
func (c *conv) rancherCompose(values map[string]string) error {
	names := make([]string, 0, len(c.rc.services))
	for n := range c.rc.services {
		names = append(names, n)
	}
	sort.Strings(names)
	lookup := func(k string) (string, bool) { v, ok := values[k]; return v, ok }
	for _, n := range names {
		raw, err := interpolation.Interpolate(c.rc.services[n], interpolation.Options{LookupValue: lookup})
		if err != nil {
			return fmt.Errorf("%s: %s: %w", c.rc.file, n, err)
		}
		w := c.workload(n)
		if w == nil {
			c.set.Finding(model.Warning, "rancher", "", "%s: service %s is not in the Compose file; its settings are ignored", filepath.Base(c.rc.file), n)
			continue
		}
		field := func(k string) string { return fmt.Sprintf("%s: services.%s.%s", c.rc.file, n, k) }
		for _, k := range workload.SortedKeys(raw) {
			v := raw[k]
			switch k {
			case "scale":
				s, err := toInt(v)
				if err != nil {
					return fmt.Errorf("%s: want a number of containers: %w", field(k), err)
				}
				if s < 0 {
					return fmt.Errorf("%s: must be greater than or equal to 0, got %d", field(k), s)
				}
				if w.Kind != workload.DaemonSet {
					w.Replicas = int32(s)
				}
			case "health_check":
				m, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("%s: want a mapping, got %T", field(k), v)
				}
				if err := c.healthCheck(w, m, field(k)); err != nil {
					return err
				}
			case "lb_config":
				m, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("%s: want a mapping, got %T", field(k), v)
				}
				if err := c.loadBalancer(n, w, m, field(k)); err != nil {
					return err
				}
			default:
				c.set.Finding(model.Info, "dropped", w.Kind+"/"+w.Name, "rancher-compose services.%s.%s is not carried over", n, k)
			}
		}
	}
	// A load balancer service without lb_config still balances nothing we know of.
	for _, n := range workload.SortedKeys(c.r.ByService) {
		w := c.r.ByService[n]
		if isLB(w) && c.set.Workload(w.Name) != nil {
			c.set.Finding(model.Warning, "rancher", w.Kind+"/"+w.Name, "load balancer image %s without lb_config: kept as it is", w.Pod.Containers[0].Image)
		}
	}
	return nil
}

func isLB(w *workload.Workload) bool {
	return len(w.Pod.Containers) > 0 && strings.HasPrefix(w.Pod.Containers[0].Image, "rancher/lb-service-")
}

// toInt reads a whole number in the int32 range, the range of every
// Kubernetes field it fills (replicas, ports, probe seconds): a larger value
// is an error, never wrapped.
func toInt(v any) (int, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("not a whole number")
		}
		if x > math.MaxInt32 || x < math.MinInt32 {
			return 0, fmt.Errorf("%v is out of range (at most %d)", x, math.MaxInt32)
		}
		n = int64(x)
	case json.Number:
		return toInt(string(x))
	case string:
		p, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("want a whole number, got %q", x)
		}
		n = p
	default:
		return 0, fmt.Errorf("want a number, got %T", v)
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		return 0, fmt.Errorf("%d is out of range (at most %d)", n, math.MaxInt32)
	}
	return int(n), nil
}

// ms converts a Rancher duration in milliseconds to probe seconds (at least 1).
func ms(m map[string]any, k string, def int, field string) (int32, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return int32((def + 999) / 1000), nil
	}
	n, err := toInt(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s.%s: want milliseconds, got %v", field, k, v)
	}
	s := int32((n + 999) / 1000)
	if s < 1 {
		s = 1
	}
	return s, nil
}

// healthCheck turns a Rancher health check (milliseconds) into a readiness
// probe, and a liveness probe unless its strategy is none.
func (c *conv) healthCheck(w *workload.Workload, m map[string]any, field string) error {
	port, err := toInt(m["port"])
	if err != nil || port <= 0 || port > 65535 {
		return fmt.Errorf("%s.port: want a port number, got %v", field, m["port"])
	}
	period, err := ms(m, "interval", 2000, field)
	if err != nil {
		return err
	}
	timeout, err := ms(m, "response_timeout", 2000, field)
	if err != nil {
		return err
	}
	intOr := func(k string, def int) (int32, error) {
		v, ok := m[k]
		if !ok || v == nil {
			return int32(def), nil
		}
		n, err := toInt(v)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%s.%s: want a positive count, got %v", field, k, v)
		}
		return int32(n), nil
	}
	unhealthy, err := intOr("unhealthy_threshold", 3)
	if err != nil {
		return err
	}
	healthy, err := intOr("healthy_threshold", 2)
	if err != nil {
		return err
	}
	handler := corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt(port)}}
	if line, _ := m["request_line"].(string); strings.TrimSpace(line) != "" {
		f := strings.Fields(strings.ReplaceAll(line, `"`, ""))
		if len(f) >= 2 && (f[0] == "GET" || f[0] == "HEAD") {
			handler = corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: f[1], Port: intstr.FromInt(port)}}
		}
	}
	ready := &corev1.Probe{ProbeHandler: handler, PeriodSeconds: period, TimeoutSeconds: timeout, FailureThreshold: unhealthy, SuccessThreshold: healthy}
	ctr := &w.Pod.Containers[0]
	ctr.ReadinessProbe = ready
	if s, _ := m["strategy"].(string); s == "none" {
		ctr.LivenessProbe = nil
		return nil
	}
	live := ready.DeepCopy()
	live.SuccessThreshold = 1
	if _, ok := m["initializing_timeout"]; ok {
		if live.InitialDelaySeconds, err = ms(m, "initializing_timeout", 0, field); err != nil {
			return err
		}
	}
	ctr.LivenessProbe = live
	return nil
}

// global turns services labelled io.rancher.scheduler.global into DaemonSets.
func (c *conv) global() {
	for _, n := range workload.SortedKeys(c.r.ByService) {
		svc := c.r.Project.Services[n]
		w := c.r.ByService[n]
		if svc.Labels[labelGlobal] != "true" || w.Kind == workload.DaemonSet {
			continue
		}
		w.Kind = workload.DaemonSet
		c.set.Finding(model.Info, "kind", "DaemonSet/"+w.Name, "%s: one pod per node", labelGlobal)
	}
}

// sidekicks moves every sidekick's container into its primary's pod; the
// sidekick's Service then selects that pod, so that its name still resolves.
func (c *conv) sidekicks() {
	for _, n := range workload.SortedKeys(c.r.ByService) {
		svc := c.r.Project.Services[n]
		label := svc.Labels[labelSidekicks]
		if label == "" {
			continue
		}
		primary := c.r.ByService[n]
		for _, sk := range strings.Split(label, ",") {
			sk = strings.TrimSpace(sk)
			side, ok := c.r.ByService[sk]
			if side == primary && sk != n {
				continue // already in the pod: a run-once data container (compose.RunsOnce)
			}
			if !ok || side == primary {
				c.set.Finding(model.Warning, "rancher", primary.Kind+"/"+primary.Name, "sidekick %s is not a service of this template", sk)
				continue
			}
			primary.Pod.InitContainers = append(primary.Pod.InitContainers, side.Pod.InitContainers...)
			sideSvc := c.r.Project.Services[sk]
			if why := compose.RunsOnce(&sideSvc); why != "" {
				for _, ctr := range side.Pod.Containers {
					primary.Pod.InitContainers = append(primary.Pod.InitContainers, workload.RunOnce(ctr))
				}
				c.set.DropFindings(side, "kind") // not a Job: an init container
				c.set.Finding(model.Info, "rancher", primary.Kind+"/"+primary.Name, "sidekick %s runs once (%s): init container %s of the pod, so that the pod becomes Ready", sk, why, side.Name)
			} else {
				primary.Pod.Containers = append(primary.Pod.Containers, side.Pod.Containers...)
				c.set.Finding(model.Info, "rancher", primary.Kind+"/"+primary.Name, "sidekick %s runs as container %s in the same pod (%s)", sk, side.Name, labelSidekicks)
			}
			for _, v := range side.Pod.Volumes {
				if !hasVolume(primary, v.Name) {
					primary.Pod.Volumes = append(primary.Pod.Volumes, v)
				}
			}
			primary.Pod.HostAliases = append(primary.Pod.HostAliases, side.Pod.HostAliases...)
			c.set.Remove(side, primary)
			if s := c.set.Service(side.Name); s != nil {
				s.Selector = primary.Selector()
				if base := c.set.Service(primary.Name); base != nil {
					for _, p := range s.Ports {
						base.AddPort(p)
					}
				}
			}
			for k, w := range c.r.ByService {
				if w == side {
					c.r.ByService[k] = primary
				}
			}
		}
	}
}

func hasVolume(w *workload.Workload, name string) bool {
	for _, v := range w.Pod.Volumes {
		if v.Name == name {
			return true
		}
	}
	return false
}

// volumesFrom mounts, for volumes_from between containers of one pod, the
// volumes of the named container at the same paths.
func (c *conv) volumesFrom() {
	for _, n := range workload.SortedKeys(c.r.ByService) {
		svc := c.r.Project.Services[n]
		w := c.r.ByService[n]
		for _, from := range svc.VolumesFrom {
			src := strings.TrimPrefix(from, "service:")
			src, _, _ = strings.Cut(src, ":")
			sw, ok := c.r.ByService[src]
			if !ok || sw != w {
				c.set.Finding(model.Warning, "volumes", w.Kind+"/"+w.Name, "volumes_from %s: not in the same pod, not carried over", from)
				continue
			}
			me, them := anyContainer(w, c.r.Services.Name(c.set, n)), anyContainer(w, c.r.Services.Name(c.set, src))
			if me == nil || them == nil {
				continue
			}
			for _, m := range them.VolumeMounts {
				dup := false
				for _, x := range me.VolumeMounts {
					if x.MountPath == m.MountPath {
						dup = true
					}
				}
				if !dup {
					me.VolumeMounts = append(me.VolumeMounts, m)
				}
			}
			c.set.Finding(model.Info, "volumes", w.Kind+"/"+w.Name, "volumes_from %s: container %s mounts the volumes of %s", from, me.Name, them.Name)
		}
	}
}

// anyContainer returns the container or init container of w with the given name.
func anyContainer(w *workload.Workload, name string) *corev1.Container {
	if c := w.Container(name); c != nil {
		return c
	}
	return w.InitContainer(name)
}

// loadBalancer replaces a Rancher load balancer service by a Service with
// its ports, selecting the target, and an Ingress for its HTTP rules.
func (c *conv) loadBalancer(name string, lb *workload.Workload, m map[string]any, field string) error {
	rules, _ := m["port_rules"].([]any)
	if m["port_rules"] != nil && rules == nil {
		return fmt.Errorf("%s.port_rules: want a list, got %T", field, m["port_rules"])
	}
	c.set.Remove(lb, nil)
	var svcPorts []corev1.ServicePort
	var ingRules []networkingv1.IngressRule
	targets := map[string]bool{}
	var target *workload.Workload
	for i, r := range rules {
		rule, ok := r.(map[string]any)
		if !ok {
			return fmt.Errorf("%s.port_rules[%d]: want a mapping, got %T", field, i, r)
		}
		tw, src, dst, err := c.portRule(rule, fmt.Sprintf("%s.port_rules[%d]", field, i))
		if err != nil {
			return err
		}
		targets[tw.Name], target = true, tw
		// The target must expose the port its clients use.
		if ts := c.set.Service(tw.Name); ts != nil {
			ts.AddPort(corev1.ServicePort{Name: workload.PortName(int32(dst), corev1.ProtocolTCP), Port: int32(dst), TargetPort: intstr.FromInt(dst)})
		}
		ctr := &tw.Pod.Containers[0]
		has := false
		for _, p := range ctr.Ports {
			has = has || p.ContainerPort == int32(dst)
		}
		if !has {
			ctr.Ports = append(ctr.Ports, corev1.ContainerPort{ContainerPort: int32(dst), Protocol: corev1.ProtocolTCP})
		}
		svcPorts = append(svcPorts, corev1.ServicePort{Name: workload.PortName(int32(src), corev1.ProtocolTCP), Port: int32(src), TargetPort: intstr.FromInt(dst), Protocol: corev1.ProtocolTCP})
		proto, _ := rule["protocol"].(string)
		if proto == "http" || proto == "https" || proto == "" {
			ingRules = append(ingRules, ingressRule(rule, tw.Name, int32(dst)))
			if proto == "https" {
				c.set.Finding(model.Warning, "rancher", "Ingress/"+lb.Name, "port rule %d is https: certificates are not carried over (add spec.tls)", i)
			}
		}
	}
	lbSvc := c.set.Service(lb.Name)
	switch {
	case len(targets) == 1 && lbSvc != nil:
		lbSvc.Selector, lbSvc.Ports, lbSvc.Headless = target.Selector(), nil, false
		for _, p := range svcPorts {
			lbSvc.AddPort(p)
		}
	case lbSvc != nil:
		c.dropService(lbSvc)
		c.set.Finding(model.Warning, "rancher", "", "load balancer %s balances several services: no single Service can stand for it; use the Ingress", name)
	}
	if len(ingRules) > 0 {
		c.set.Ingresses = append(c.set.Ingresses, &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: lb.Name}, Spec: networkingv1.IngressSpec{Rules: ingRules}})
	}
	c.set.Finding(model.Info, "rancher", "Service/"+lb.Name, "load balancer %s (%s) becomes Service %s and Ingress %s: the cluster's ingress controller takes haproxy's place", name, lb.Pod.Containers[0].Image, lb.Name, lb.Name)
	return nil
}

// portRule reads one lb_config.port_rules entry (field names it in errors):
// the target workload and the source and target ports.
func (c *conv) portRule(rule map[string]any, f string) (*workload.Workload, int, int, error) {
	svcName, _ := rule["service"].(string)
	if i := strings.LastIndex(svcName, "/"); i >= 0 {
		svcName = svcName[i+1:]
	}
	tw, ok := c.r.ByService[svcName]
	if !ok {
		return nil, 0, 0, fmt.Errorf("%s.service: %q is not a service of this template", f, rule["service"])
	}
	src, err := toInt(rule["source_port"])
	if err != nil || src <= 0 || src > 65535 {
		return nil, 0, 0, fmt.Errorf("%s.source_port: want a port number, got %v", f, rule["source_port"])
	}
	dst, err := toInt(rule["target_port"])
	if err != nil || dst <= 0 || dst > 65535 {
		return nil, 0, 0, fmt.Errorf("%s.target_port: want a port number, got %v", f, rule["target_port"])
	}
	return tw, src, dst, nil
}

// ingressRule routes an HTTP port rule's host and path (default "/") to the
// target Service's port.
func ingressRule(rule map[string]any, service string, port int32) networkingv1.IngressRule {
	host, _ := rule["hostname"].(string)
	path, _ := rule["path"].(string)
	if path == "" {
		path = "/"
	}
	prefix := networkingv1.PathTypePrefix
	return networkingv1.IngressRule{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
		Paths: []networkingv1.HTTPIngressPath{{Path: path, PathType: &prefix, Backend: networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: service, Port: networkingv1.ServiceBackendPort{Number: port}},
		}}},
	}}}
}

func (c *conv) dropService(s *workload.Service) {
	out := c.set.Services[:0]
	for _, x := range c.set.Services {
		if x != s {
			out = append(out, x)
		}
	}
	c.set.Services = out
}
