package compose

import (
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/load/workload"
	"github.com/rightsize/rightsize/internal/model"
)

// DefaultClaimSize is the storage a claim requests for a named volume when
// Options.ClaimSize is not set: Compose volumes have no size.
const DefaultClaimSize = "1Gi"

// Options are the Compose loader's knobs.
type Options struct {
	EnvFiles []string
	Profiles []string
	// StatefulSets names the services to run as StatefulSets (their named
	// volumes become one claim per replica); the rest become Deployments.
	StatefulSets []string
	// ClaimSize is the storage a named volume's claim requests (a volume's
	// driver_opts size wins); nil means DefaultClaimSize.
	ClaimSize *resource.Quantity
	// OnRead, when set, is told every file read besides the Compose file
	// (env files, label files), so that outputs can be kept away from them.
	OnRead func(path string)
	// Limits bound what is read and expanded (of them, Compose uses Ports).
	Limits limit.Limits

	// For tests that compare the ways of loading: plain makes Parse call
	// compose-go's LoadWithContext on the whole file with interpolation
	// (no shortcut, no split); splitFrom, when set, replaces minSplit.
	plain     bool
	splitFrom int
}

// claimSize is the size of a claim for a named volume.
func (o Options) claimSize() resource.Quantity {
	if o.ClaimSize != nil {
		return o.ClaimSize.DeepCopy()
	}
	return resource.MustParse(DefaultClaimSize)
}

// Result is a converted project: the set, and for every Compose service the
// workload it became.
type Result struct {
	Set       *workload.Set
	ByService map[string]*workload.Workload
	Services  *workload.Namer
	Project   *types.Project
	// Folded lists, per service, the run-once services it takes volumes_from
	// through init containers of its own pod.
	Folded map[string][]string
}

// Load reads the Compose project at path (a file, or a directory holding one
// of FileNames) and converts it.
func Load(path string, opts Options) ([]*model.Object, []model.Finding, error) {
	file, err := FindFile(path)
	if err != nil {
		return nil, nil, err
	}
	data, err := limit.ReadFile(file, limit.DefaultInput)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", file, err)
	}
	dir := filepath.Dir(file)
	env, err := Env(dir, opts.EnvFiles, opts.OnRead)
	if err != nil {
		return nil, nil, err
	}
	src, notes, err := legacySource(file, newSource(data))
	if err != nil {
		return nil, nil, err
	}
	parsed, err := parse(file, src, dir, env, opts)
	if err != nil {
		return nil, nil, err
	}
	p := parsed.Project
	notes = append(notes, parsed.Warnings...)
	r, err := Convert(p, file, "compose", opts)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range notes {
		r.Set.Finding(model.Info, "dropped", "", "%s", n)
	}
	r.NetworkFindings()
	for _, n := range workload.SortedKeys(p.Services) {
		for _, v := range p.Services[n].VolumesFrom {
			if src, _, ok := volumesFromService(v); ok && containsString(r.Folded[n], src) {
				continue
			}
			r.Set.Finding(model.Warning, "volumes", "", "services.%s.volumes_from %s: volumes cannot be shared between pods; not carried over", n, v)
		}
	}
	r.Set.Finish()
	return r.Set.Objects(), r.Set.Findings, nil
}

type converter struct {
	p       *types.Project
	file    string
	opts    Options
	set     *workload.Set
	svcs    workload.Namer
	claims  map[string]*corev1.PersistentVolumeClaim
	claimBy map[string][]string
	byName  map[string]*workload.Workload
	// folded lists, per service, the run-once services whose volumes_from it
	// takes through init containers of its own pod (dataContainers).
	folded map[string][]string
}

// Convert turns a loaded project into a workload set. format and file fill
// the objects' sources.
func Convert(p *types.Project, file, format string, opts Options) (*Result, error) {
	c := &converter{
		p: p, file: file, opts: opts,
		set:     &workload.Set{Format: format, File: file},
		svcs:    workload.Namer{What: "service"},
		claims:  map[string]*corev1.PersistentVolumeClaim{},
		claimBy: map[string][]string{},
		byName:  map[string]*workload.Workload{},
		folded:  map[string][]string{},
	}
	for _, n := range opts.StatefulSets {
		if _, ok := p.Services[n]; !ok {
			return nil, fmt.Errorf("%s: StatefulSet service %s: no such service (services: %s)", file, n, strings.Join(p.ServiceNames(), ", "))
		}
	}
	names := p.ServiceNames()
	sort.Strings(names)
	// Name every service first, valid names before the ones to rename, so
	// that a valid name is never taken by a renamed one.
	for _, valid := range []bool{true, false} {
		for _, n := range names {
			if (workload.Sanitize(n) == n) == valid {
				c.svcs.Name(c.set, n)
			}
		}
	}
	for _, n := range names {
		svc := p.Services[n]
		if err := c.service(&svc); err != nil {
			return nil, err
		}
	}
	c.aliases(names)
	c.dataContainers(names)
	c.sharedNetworks(names)
	c.set.RewriteHosts(c.svcs.Renames())
	disabled := make([]string, 0, len(p.DisabledServices))
	for n := range p.DisabledServices {
		disabled = append(disabled, n)
	}
	sort.Strings(disabled)
	for _, n := range disabled {
		c.set.Finding(model.Info, "dropped", "", "service %s skipped: its profiles %v are not active", n, p.DisabledServices[n].Profiles)
	}
	if len(p.Networks) > 1 {
		nets := make([]string, 0, len(p.Networks))
		for n := range p.Networks {
			nets = append(nets, n)
		}
		sort.Strings(nets)
		c.set.Finding(model.Info, "networks", "", "networks %s are flattened into the namespace's network: every pod reaches every Service (add NetworkPolicies to keep them apart)", strings.Join(nets, ", "))
	}
	c.sharedClaims()
	return &Result{Set: c.set, ByService: c.byName, Services: &c.svcs, Project: p, Folded: c.folded}, nil
}

func (c *converter) finding(sev model.Severity, key string, w *workload.Workload, format string, a ...any) {
	obj := ""
	if w != nil {
		obj = w.Kind + "/" + w.Name
	}
	c.set.Finding(sev, key, obj, format, a...)
}

// handled lists the service keys the conversion carries over (or reports on
// its own); every other key that is set is reported as not carried over.
var handled = map[string]bool{
	"image": true, "build": true, "command": true, "entrypoint": true, "environment": true, "env_file": true,
	"ports": true, "expose": true, "volumes": true, "tmpfs": true, "healthcheck": true, "deploy": true,
	"depends_on": true, "restart": true, "scale": true, "labels": true, "links": true, "networks": true,
	"container_name": true, "hostname": true, "extra_hosts": true, "network_mode": true, "secrets": true,
	"configs": true, "working_dir": true, "user": true, "tty": true, "stdin_open": true, "privileged": true,
	"cap_add": true, "cap_drop": true, "cpus": true, "mem_limit": true, "mem_reservation": true,
	"profiles": true, "volumes_from": true, "external_links": true, "read_only": true, "stop_grace_period": true,
	"gpus": true, "annotations": true,
}

func (c *converter) service(svc *types.ServiceConfig) error {
	name, _ := c.svcs.Lookup(svc.Name)
	w := &workload.Workload{Name: name, Kind: workload.Deployment, Replicas: 1}
	c.byName[svc.Name] = w
	c.set.Workloads = append(c.set.Workloads, w)
	ctr := corev1.Container{Name: name, Image: svc.Image, WorkingDir: svc.WorkingDir, TTY: svc.Tty, Stdin: svc.StdinOpen}
	if err := c.checkNumbers(svc); err != nil {
		return err
	}
	c.kind(svc, w)
	c.image(svc, w, &ctr)
	ctr.Command = slices.Clone([]string(svc.Entrypoint))
	ctr.Args = slices.Clone([]string(svc.Command))
	c.env(svc, w, &ctr)
	if err := c.resources(svc, w, &ctr); err != nil {
		return err
	}
	c.security(svc, w, &ctr)
	c.volumes(svc, w, &ctr)
	c.probes(svc, w, &ctr)
	c.pod(svc, w, &ctr)
	w.Pod.Containers = []corev1.Container{ctr}
	c.ports(svc, w)
	c.dependsOn(svc, w)
	c.labels(svc, w)
	c.unhandled(svc, w)
	return nil
}

func (c *converter) kind(svc *types.ServiceConfig, w *workload.Workload) {
	w.Replicas = int32(svc.GetScale())
	mode := ""
	if svc.Deploy != nil {
		mode = svc.Deploy.Mode
	}
	statefulSet := slices.Contains(c.opts.StatefulSets, svc.Name)
	switch {
	case mode == "global":
		w.Kind = workload.DaemonSet
		c.finding(model.Info, "kind", w, "deploy.mode global: one pod per node (DaemonSet)")
	case mode == "replicated-job" || mode == "global-job":
		w.Kind = workload.Job
	case statefulSet:
		w.Kind = workload.StatefulSet
		c.finding(model.Info, "kind", w, "StatefulSet as asked: each replica gets its own claim for every named volume")
	}
	// Restart policies: a Deployment always restarts its pods; a service
	// that must not be restarted (restart: "no") is a one-shot task.
	restart := svc.Restart
	if svc.Deploy != nil && svc.Deploy.RestartPolicy != nil && svc.Deploy.RestartPolicy.Condition != "" {
		switch svc.Deploy.RestartPolicy.Condition {
		case "none":
			restart = types.RestartPolicyNo
		case "on-failure":
			if w.Kind != workload.Job {
				c.finding(model.Info, "restart", w, "deploy.restart_policy on-failure: a %s restarts containers whatever their exit code", w.Kind)
			}
		}
	}
	switch {
	case restart == types.RestartPolicyNo && w.Kind == workload.Deployment:
		w.Kind = workload.Job
		w.Pod.RestartPolicy = corev1.RestartPolicyNever
		c.finding(model.Info, "kind", w, "restart \"no\": run once as a Job (restartPolicy Never)")
	case strings.HasPrefix(restart, types.RestartPolicyOnFailure) && w.Kind == workload.Deployment:
		w.Kind = workload.Job
		w.Pod.RestartPolicy = corev1.RestartPolicyOnFailure
		w.BackoffLimit = 6
		if _, n, ok := strings.Cut(restart, ":"); ok {
			if v, err := strconv.ParseInt(n, 10, 32); err == nil && v >= 0 {
				w.BackoffLimit = int32(v)
			} else {
				c.finding(model.Warning, "restart", w, "restart %s: the retry count is not a count Kubernetes takes; backoffLimit 6 used", restart)
			}
		}
		c.finding(model.Info, "kind", w, "restart %s: run as a Job (restartPolicy OnFailure, backoffLimit %d)", restart, w.BackoffLimit)
	}
	if why := RunsOnce(svc); why != "" && w.Kind == workload.Deployment {
		w.Kind = workload.Job
		w.Pod.RestartPolicy = corev1.RestartPolicyNever
		c.finding(model.Info, "kind", w, "%s: the container runs once, as a Job (restartPolicy Never), so that it is not restarted", why)
	}
	if w.Kind == workload.Job && w.Pod.RestartPolicy == "" {
		w.Pod.RestartPolicy = corev1.RestartPolicyOnFailure
		w.BackoffLimit = 6
	}
}

func (c *converter) image(svc *types.ServiceConfig, w *workload.Workload, ctr *corev1.Container) {
	if svc.Build == nil {
		if ctr.Image == "" {
			c.finding(model.Error, "image", w, "service %s has neither image nor build", svc.Name)
		}
		return
	}
	if ctr.Image == "" {
		// docker compose names built images <project>-<service>.
		ctr.Image = c.p.Name + "-" + svc.Name
		c.finding(model.Warning, "image", w, "built from %s: the image %s must be built and pushed where the cluster can pull it", buildContext(svc.Build), ctr.Image)
		return
	}
	c.finding(model.Info, "image", w, "build section ignored: image %s is used as it is", ctr.Image)
}

func buildContext(b *types.BuildConfig) string {
	if b.Context == "" {
		return "."
	}
	return b.Context
}

func (c *converter) env(svc *types.ServiceConfig, w *workload.Workload, ctr *corev1.Container) {
	for _, k := range workload.SortedKeys(svc.Environment) {
		v := svc.Environment[k]
		if v == nil {
			c.finding(model.Warning, "env", w, "environment variable %s has no value (compose takes it from the shell, which rightsize does not read): not carried over", k)
			continue
		}
		ctr.Env = append(ctr.Env, corev1.EnvVar{Name: k, Value: *v})
	}
}

func (c *converter) resources(svc *types.ServiceConfig, w *workload.Workload, ctr *corev1.Container) error {
	limits, requests := corev1.ResourceList{}, corev1.ResourceList{}
	var lim, res *types.Resource
	if svc.Deploy != nil {
		lim, res = svc.Deploy.Resources.Limits, svc.Deploy.Resources.Reservations
	}
	field := "services." + svc.Name + ".deploy.resources."
	if err := cpuMemory(lim, limits, c.file, field+"limits"); err != nil {
		return err
	}
	if err := cpuMemory(res, requests, c.file, field+"reservations"); err != nil {
		return err
	}
	if lim != nil && lim.Pids > 0 {
		c.finding(model.Info, "dropped", w, "deploy.resources.limits.pids %d is not carried over", lim.Pids)
	}
	if res != nil {
		for _, d := range append(slices.Clone(res.Devices), svc.Gpus...) {
			if slices.Contains(d.Capabilities, "gpu") || len(d.Capabilities) == 0 {
				n := int64(d.Count)
				if n <= 0 {
					n = 1
					c.finding(model.Warning, "gpu", w, "GPU count \"all\" or unset: asking for 1 nvidia.com/gpu")
				}
				limits["nvidia.com/gpu"] = *resource.NewQuantity(n, resource.DecimalSI)
			}
		}
	}
	// Version 2 keys, when deploy does not set the same thing.
	if _, ok := limits[corev1.ResourceCPU]; !ok && svc.CPUS > 0 {
		limits[corev1.ResourceCPU] = workload.CPU(float64(svc.CPUS))
	}
	if _, ok := limits[corev1.ResourceMemory]; !ok && svc.MemLimit > 0 {
		limits[corev1.ResourceMemory] = workload.Memory(int64(svc.MemLimit))
	}
	if _, ok := requests[corev1.ResourceMemory]; !ok && svc.MemReservation > 0 {
		requests[corev1.ResourceMemory] = workload.Memory(int64(svc.MemReservation))
	}
	for k, r := range requests {
		if l, ok := limits[k]; ok && r.Cmp(l) > 0 {
			return fmt.Errorf("%s: %sreservations.%s: %s is above the limit %s", c.file, field, compose(k), r.String(), l.String())
		}
	}
	if len(limits) > 0 {
		ctr.Resources.Limits = limits
	}
	if len(requests) > 0 {
		ctr.Resources.Requests = requests
	}
	return nil
}

// cpuMemory puts a Compose resource's CPUs and memory into list.
func cpuMemory(r *types.Resource, list corev1.ResourceList, file, field string) error {
	if r == nil {
		return nil
	}
	if r.NanoCPUs < 0 || r.MemoryBytes < 0 {
		return fmt.Errorf("%s: %s: negative value", file, field)
	}
	if r.NanoCPUs > 0 {
		list[corev1.ResourceCPU] = workload.CPU(float64(r.NanoCPUs))
	}
	if r.MemoryBytes > 0 {
		list[corev1.ResourceMemory] = workload.Memory(int64(r.MemoryBytes))
	}
	return nil
}

func compose(k corev1.ResourceName) string {
	if k == corev1.ResourceCPU {
		return "cpus"
	}
	return string(k)
}

func (c *converter) probes(svc *types.ServiceConfig, w *workload.Workload, ctr *corev1.Container) {
	hc := svc.HealthCheck
	if hc == nil || hc.Disable || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
		return
	}
	var cmd []string
	switch hc.Test[0] {
	case "CMD":
		cmd = slices.Clone(hc.Test[1:])
	case "CMD-SHELL":
		// CMD-SHELL runs its string through a shell; an exec probe does not.
		cmd = []string{"sh", "-c", strings.Join(hc.Test[1:], " ")}
	default:
		cmd = slices.Clone([]string(hc.Test))
	}
	if len(cmd) == 0 {
		return
	}
	// A check that runs a script from a host bind mount, which is not
	// carried over, would fail forever and get the container killed.
	for _, v := range svc.Volumes {
		if v.Type != types.VolumeTypeBind || v.Target == "" {
			continue
		}
		for _, arg := range cmd {
			if strings.Contains(arg, strings.TrimRight(v.Target, "/")+"/") {
				c.finding(model.Warning, "probes", w, "healthcheck %q runs a file from host bind mount %s, which is not carried over: no probes", strings.Join(hc.Test[1:], " "), v.Target)
				return
			}
		}
	}
	// Docker's defaults: interval 30s, timeout 30s, retries 3, start period 0.
	p := &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: cmd}},
		PeriodSeconds:    30,
		TimeoutSeconds:   30,
		FailureThreshold: 3,
		SuccessThreshold: 1,
	}
	if hc.Interval != nil {
		p.PeriodSeconds = workload.Seconds(int64(*hc.Interval), 1)
	}
	if hc.Timeout != nil {
		p.TimeoutSeconds = workload.Seconds(int64(*hc.Timeout), 1)
	}
	if hc.Retries != nil && *hc.Retries > 0 {
		p.FailureThreshold = int32(*hc.Retries)
	}
	if hc.StartPeriod != nil {
		p.InitialDelaySeconds = workload.Seconds(int64(*hc.StartPeriod), 0)
	}
	ctr.ReadinessProbe = p
	live := *p
	live.ProbeHandler = corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: slices.Clone(cmd)}}
	ctr.LivenessProbe = &live
}

func (c *converter) security(svc *types.ServiceConfig, w *workload.Workload, ctr *corev1.Container) {
	sc := &corev1.SecurityContext{}
	set := false
	if svc.Privileged {
		t := true
		sc.Privileged, set = &t, true
		c.finding(model.Warning, "security", w, "privileged container: many targets refuse it")
	}
	if svc.ReadOnly {
		t := true
		sc.ReadOnlyRootFilesystem, set = &t, true
	}
	if len(svc.CapAdd) > 0 || len(svc.CapDrop) > 0 {
		sc.Capabilities = &corev1.Capabilities{}
		for _, k := range svc.CapAdd {
			sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(k))
		}
		for _, k := range svc.CapDrop {
			sc.Capabilities.Drop = append(sc.Capabilities.Drop, corev1.Capability(k))
		}
		set = true
	}
	if svc.User != "" {
		u, g, _ := strings.Cut(svc.User, ":")
		uid, err1 := strconv.ParseInt(u, 10, 64)
		gid, err2 := strconv.ParseInt(g, 10, 64)
		switch {
		case err1 != nil:
			c.finding(model.Warning, "security", w, "user %q is a name: Kubernetes needs a numeric id (runAsUser); not carried over", svc.User)
		default:
			sc.RunAsUser, set = &uid, true
			if g != "" && err2 == nil {
				sc.RunAsGroup = &gid
			}
		}
	}
	if set {
		ctr.SecurityContext = sc
	}
}

func (c *converter) pod(svc *types.ServiceConfig, w *workload.Workload, ctr *corev1.Container) {
	if svc.Hostname != "" {
		if len(validation.IsDNS1123Label(svc.Hostname)) == 0 {
			w.Pod.Hostname = svc.Hostname
		} else {
			c.finding(model.Info, "dropped", w, "hostname %q is not a DNS label: not carried over", svc.Hostname)
		}
	}
	if svc.StopGracePeriod != nil {
		s := int64(workload.Seconds(int64(*svc.StopGracePeriod), 0))
		w.Pod.TerminationGracePeriodSeconds = &s
	}
	if len(svc.ExtraHosts) > 0 {
		byIP := map[string][]string{}
		for host, ips := range svc.ExtraHosts {
			for _, ip := range ips {
				if net.ParseIP(ip) == nil {
					c.finding(model.Warning, "dropped", w, "extra_hosts %s:%s: %q is not an IP address, not carried over", host, ip, ip)
					continue
				}
				byIP[ip] = append(byIP[ip], host)
			}
		}
		ips := make([]string, 0, len(byIP))
		for ip := range byIP {
			ips = append(ips, ip)
		}
		sort.Strings(ips)
		for _, ip := range ips {
			hosts := byIP[ip]
			sort.Strings(hosts)
			w.Pod.HostAliases = append(w.Pod.HostAliases, corev1.HostAlias{IP: ip, Hostnames: hosts})
		}
	}
	switch mode := svc.NetworkMode; {
	case mode == "" || mode == "bridge" || mode == "default":
	case mode == "host":
		w.Pod.HostNetwork = true
		c.finding(model.Warning, "network", w, "network_mode host: the pod uses the node's network (hostNetwork), which many targets refuse")
	case mode == "none":
		c.finding(model.Info, "network", w, "network_mode none: a pod always has a network; not carried over")
	default: // service:X, container:X: NetworkFindings, once pods are final
	}
	if svc.ContainerName != "" && svc.ContainerName != svc.Name {
		c.finding(model.Info, "names", w, "container_name %s is not kept: reach the service as %s", svc.ContainerName, w.Name)
	}
	for _, l := range svc.ExternalLinks {
		c.finding(model.Warning, "names", w, "external_links %s: the name must be provided outside this app", l)
	}
	if svc.Deploy != nil {
		for _, con := range svc.Deploy.Placement.Constraints {
			c.finding(model.Info, "dropped", w, "deploy.placement.constraints %q is not carried over", con)
		}
	}
	for _, s := range svc.Secrets {
		target := s.Target
		if target == "" {
			target = "/run/secrets/" + s.Source
		}
		c.finding(model.Warning, "dropped", w, "secret %s is not carried over: create a Secret and mount it at %s", s.Source, target)
	}
	c.configs(svc, w, ctr)
}

// configs turns Compose configs read from files or written inline into
// ConfigMaps mounted where the service expects them.
func (c *converter) configs(svc *types.ServiceConfig, w *workload.Workload, ctr *corev1.Container) {
	for _, ref := range svc.Configs {
		def, ok := c.p.Configs[ref.Source]
		target := ref.Target
		if target == "" {
			target = "/" + ref.Source
		}
		var content string
		switch {
		case !ok:
			continue
		case def.Content != "":
			content = def.Content
		case def.File != "":
			f := def.File
			if !filepath.IsAbs(f) {
				f = filepath.Join(c.p.WorkingDir, f)
			}
			data, err := limit.ReadFile(f, model.MaxDataBytes)
			if err != nil {
				c.finding(model.Warning, "dropped", w, "config %s: file %s cannot be read (%v), not carried over", ref.Source, def.File, err)
				continue
			}
			content = string(data)
		default:
			c.finding(model.Warning, "dropped", w, "config %s is external or from the environment: create a ConfigMap and mount it at %s", ref.Source, target)
			continue
		}
		cmName := workload.Sanitize(ref.Source)
		if c.set.ConfigMapNamed(cmName) == nil {
			c.set.ConfigMaps = append(c.set.ConfigMaps, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: cmName},
				Data:       map[string]string{"content": content},
			})
			c.finding(model.Info, "configs", w, "config %s becomes ConfigMap %s", ref.Source, cmName)
		}
		vol := "config-" + cmName
		if len(vol) > 63 {
			vol = vol[:63]
		}
		w.Pod.Volumes = append(w.Pod.Volumes, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: cmName}}}})
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: vol, MountPath: target, SubPath: "content", ReadOnly: true})
	}
}

func (c *converter) labels(svc *types.ServiceConfig, w *workload.Workload) {
	add := func(dst *map[string]string, k, v, where string) {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			c.finding(model.Info, "dropped", w, "%s %q is not a valid annotation key: not carried over", where, k)
			return
		}
		if *dst == nil {
			*dst = map[string]string{}
		}
		(*dst)[k] = v
	}
	for _, k := range workload.SortedKeys(svc.Labels) {
		add(&w.PodAnnotations, k, svc.Labels[k], "label")
	}
	for _, k := range workload.SortedKeys(map[string]string(svc.Annotations)) {
		add(&w.PodAnnotations, k, svc.Annotations[k], "annotation")
	}
	if svc.Deploy != nil {
		for _, k := range workload.SortedKeys(svc.Deploy.Labels) {
			add(&w.Annotations, k, svc.Deploy.Labels[k], "deploy label")
		}
	}
}

func (c *converter) dependsOn(svc *types.ServiceConfig, w *workload.Workload) {
	if len(svc.DependsOn) == 0 {
		return
	}
	var deps []string
	for _, d := range workload.SortedKeys(svc.DependsOn) {
		cond := svc.DependsOn[d].Condition
		if cond == "" {
			cond = types.ServiceConditionStarted
		}
		deps = append(deps, d+":"+cond)
	}
	if w.Annotations == nil {
		w.Annotations = map[string]string{}
	}
	w.Annotations[workload.DependsOnAnnotation] = strings.Join(deps, ",")
	c.finding(model.Info, "depends-on", w, "depends_on %s kept as annotation %s: Kubernetes starts every pod at once, so the service must retry until its dependencies answer", strings.Join(deps, ", "), workload.DependsOnAnnotation)
}

// unhandled reports every key of the service that the conversion does not
// carry over, so that the report says what was lost.
func (c *converter) unhandled(svc *types.ServiceConfig, w *workload.Workload) {
	data, err := json.Marshal(svc)
	if err != nil {
		return
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return
	}
	for _, k := range workload.SortedKeys(m) {
		if handled[k] || m[k] == nil {
			continue
		}
		c.finding(model.Info, "dropped", w, "services.%s.%s is not carried over", svc.Name, k)
	}
	if svc.Deploy != nil {
		if svc.Deploy.UpdateConfig != nil {
			c.finding(model.Info, "dropped", w, "services.%s.deploy.update_config is not carried over", svc.Name)
		}
		if svc.Deploy.EndpointMode != "" {
			c.finding(model.Info, "dropped", w, "services.%s.deploy.endpoint_mode is not carried over", svc.Name)
		}
	}
}
