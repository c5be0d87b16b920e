package compose

import (
	"fmt"
	"path"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/load/workload"
	"github.com/rightsize/rightsize/internal/model"
)

// StartOnceLabel is Rancher's label for a container that is started once and
// never restarted when it exits.
const StartOnceLabel = "io.rancher.container.start_once"

// RunsOnce says why a service runs once and exits, or "" when it keeps
// running: Rancher's start_once label, or an entrypoint or command that only
// exits (`/bin/true`, `echo ...`: a data-volume container, kept for the
// volumes it declares). Under a Deployment's restartPolicy Always such a
// container restarts forever and its pod never becomes Ready.
func RunsOnce(svc *types.ServiceConfig) string {
	if strings.EqualFold(strings.TrimSpace(svc.Labels[StartOnceLabel]), "true") {
		return StartOnceLabel + ": true"
	}
	cmd := append(append([]string(nil), svc.Entrypoint...), svc.Command...)
	if exitsAtOnce(cmd) {
		what := "command"
		if len(svc.Entrypoint) > 0 {
			what = "entrypoint"
		}
		return what + " " + strings.Join(cmd, " ") + " exits at once"
	}
	return ""
}

// exitsAtOnce reports whether cmd does nothing but exit.
func exitsAtOnce(cmd []string) bool {
	if len(cmd) == 0 {
		return false
	}
	switch base := path.Base(cmd[0]); {
	case base == "true" || base == ":":
		return len(cmd) == 1
	case base == "echo":
		return true
	case (base == "sh" || base == "bash") && len(cmd) == 3 && cmd[1] == "-c":
		script := strings.TrimSpace(cmd[2])
		return script == "true" || script == ":" || script == "/bin/true" || script == "exit 0" ||
			strings.HasPrefix(script, "echo ") && !strings.ContainsAny(script, ";&|`$")
	}
	return false
}

// volumesFromService returns the service a volumes_from entry names
// ("db", "db:ro", "service:db:rw"), and whether its mounts are read-only;
// ok is false for "container:NAME", a container outside the app.
func volumesFromService(from string) (name string, readOnly, ok bool) {
	if strings.HasPrefix(from, "container:") {
		return "", false, false
	}
	from = strings.TrimPrefix(from, "service:")
	name, mode, _ := strings.Cut(from, ":")
	return name, mode == "ro", true
}

// dataContainers folds every service that runs once (RunsOnce) and whose
// volumes other services take with volumes_from into each of those services'
// pods: its container runs there first as an init container, and its volumes
// become the pod's, mounted at the same paths in the consumer. Its workload
// goes; its Service selects the first consumer's pod, so its name resolves.
func (c *converter) dataContainers(names []string) {
	consumers := map[string][]string{}
	for _, n := range names {
		for _, from := range c.p.Services[n].VolumesFrom {
			src, _, ok := volumesFromService(from)
			svc, known := c.p.Services[src]
			if !ok || !known || src == n || RunsOnce(&svc) == "" {
				continue
			}
			if !containsString(consumers[src], n) {
				consumers[src] = append(consumers[src], n)
			}
		}
	}
	for _, d := range workload.SortedKeys(consumers) {
		svc := c.p.Services[d]
		why := RunsOnce(&svc)
		data := c.byName[d]
		users := consumers[d]
		for _, u := range users {
			c.foldInto(data, u)
			c.folded[u] = append(c.folded[u], d)
		}
		first := c.byName[users[0]]
		c.set.DropFindings(data, "kind") // it is not a Job any more
		c.set.Remove(data, first)
		if s := c.set.Service(data.Name); s != nil {
			s.Selector = first.Selector()
		}
		for n, w := range c.byName {
			if w == data {
				c.byName[n] = first
			}
		}
		sev, also := model.Info, ""
		if len(users) > 1 {
			sev, also = model.Warning, "; each pod gets its own copy of its anonymous volumes, which Docker shares"
		}
		c.set.Finding(sev, "volumes", first.Kind+"/"+first.Name, "service %s runs once (%s) and only provides volumes to %s: it runs as init container %s in their pods, its volumes are theirs%s%s",
			d, why, strings.Join(users, ", "), data.Name, also, seedNote(data))
	}
}

func seedNote(data *workload.Workload) string {
	if len(data.Pod.Containers) == 0 || seed(data.Pod.Containers[0]).Command == nil || len(data.Pod.Containers[0].VolumeMounts) == 0 {
		return ""
	}
	if c := data.Pod.Containers[0]; !exitsAtOnce(append(append([]string(nil), c.Command...), c.Args...)) {
		return ""
	}
	return "; the init container copies what its image holds at the volumes' paths into them (sh -c cp -an, as Docker fills a new volume from the image)"
}

// foldInto adds data's containers as init containers of the pod of service
// user, with data's volumes, mounted in user's container too.
func (c *converter) foldInto(data *workload.Workload, user string) {
	uw := c.byName[user]
	readOnly := false
	for _, from := range c.p.Services[user].VolumesFrom {
		if src, ro, ok := volumesFromService(from); ok && c.byName[src] == data {
			readOnly = ro
		}
	}
	for _, ic := range append(append([]corev1.Container(nil), data.Pod.InitContainers...), data.Pod.Containers...) {
		if uw.InitContainer(ic.Name) == nil && uw.Container(ic.Name) == nil {
			uw.Pod.InitContainers = append(uw.Pod.InitContainers, seed(workload.RunOnce(ic)))
		}
	}
	for _, v := range data.Pod.Volumes {
		if !hasVolume(uw, v.Name) {
			uw.Pod.Volumes = append(uw.Pod.Volumes, v)
		}
		if v.PersistentVolumeClaim != nil && !containsString(c.claimBy[v.PersistentVolumeClaim.ClaimName], uw.Name) {
			c.claimBy[v.PersistentVolumeClaim.ClaimName] = append(c.claimBy[v.PersistentVolumeClaim.ClaimName], uw.Name)
		}
	}
	me := uw.Container(c.svcs.Name(c.set, user))
	if me == nil || len(data.Pod.Containers) == 0 {
		return
	}
	for _, m := range data.Pod.Containers[0].VolumeMounts {
		if !hasMountPath(me, m.MountPath) {
			m.ReadOnly = m.ReadOnly || readOnly
			me.VolumeMounts = append(me.VolumeMounts, m)
		}
	}
}

// SeedDir is where a data container's init container mounts its volumes to
// fill them with what its image holds at their paths.
const SeedDir = "/rightsize-seed"

// seed makes a data container that only exits copy what its image holds at
// each volume's path into the volume, as Docker fills a new volume from the
// image: mounted at its own path, an emptyDir would hide those files. Files
// already in the volume are kept (cp -n), as Docker copies only into an
// empty one. The image must have sh and cp; a container that runs a command
// of its own keeps it.
func seed(c corev1.Container) corev1.Container {
	if !exitsAtOnce(append(append([]string(nil), c.Command...), c.Args...)) || len(c.VolumeMounts) == 0 {
		return c
	}
	var script []string
	mounts := make([]corev1.VolumeMount, len(c.VolumeMounts))
	for i, m := range c.VolumeMounts {
		dir := fmt.Sprintf("%s/%d", SeedDir, i)
		script = append(script, fmt.Sprintf("if [ -d %s ]; then cp -an %s/. %s/; fi", shellQuote(m.MountPath), shellQuote(m.MountPath), dir))
		m.MountPath, m.ReadOnly = dir, false
		mounts[i] = m
	}
	c.VolumeMounts = mounts
	c.Command = []string{"sh", "-c", strings.Join(script, " && ")}
	c.Args = nil
	return c
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func hasVolume(w *workload.Workload, name string) bool {
	for _, v := range w.Pod.Volumes {
		if v.Name == name {
			return true
		}
	}
	return false
}

func hasMountPath(c *corev1.Container, p string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath == p {
			return true
		}
	}
	return false
}

// networkPeer returns the service or container whose network namespace a
// network_mode of "service:X" or "container:X" shares.
func networkPeer(mode string) (string, bool) {
	for _, p := range []string{"service:", "container:"} {
		if strings.HasPrefix(mode, p) {
			return strings.TrimPrefix(mode, p), true
		}
	}
	return "", false
}

// NetworkFindings reports every network_mode that shares another container's
// network: satisfied (info) when both services ended in one pod, else not
// carried over (warning). Loaders call it once pods are final.
func (r *Result) NetworkFindings() {
	for _, n := range workload.SortedKeys(r.Project.Services) {
		svc := r.Project.Services[n]
		peer, ok := networkPeer(svc.NetworkMode)
		if !ok {
			continue
		}
		w, pw := r.ByService[n], r.ByService[peer]
		if w == nil {
			continue
		}
		ref := w.Kind + "/" + w.Name
		if pw == w {
			r.Set.Finding(model.Info, "network", ref, "network_mode %s: %s and %s are containers of one pod, which share its network", svc.NetworkMode, n, peer)
			continue
		}
		r.Set.Finding(model.Warning, "network", ref, "network_mode %s: sharing another container's network means being in its pod; not carried over", svc.NetworkMode)
	}
}

// sharedNetworks moves every service with network_mode "service:X" into X's
// pod: sharing X's network namespace (localhost, ports) is what a pod's
// containers do, and nothing else gives it on Kubernetes. The service's
// Service then selects that pod, so its name still resolves.
func (c *converter) sharedNetworks(names []string) {
	for _, n := range names {
		mode := c.p.Services[n].NetworkMode
		peer, ok := strings.CutPrefix(mode, "service:")
		w, pw := c.byName[n], c.byName[peer]
		if !ok || w == nil || pw == nil || w == pw || w.Kind != workload.Deployment || pw.Kind == workload.Job {
			continue // NetworkFindings reports it
		}
		pw.Pod.Containers = append(pw.Pod.Containers, w.Pod.Containers...)
		pw.Pod.InitContainers = append(pw.Pod.InitContainers, w.Pod.InitContainers...)
		for _, v := range w.Pod.Volumes {
			if !hasVolume(pw, v.Name) {
				pw.Pod.Volumes = append(pw.Pod.Volumes, v)
			}
			if v.PersistentVolumeClaim != nil {
				cb := c.claimBy[v.PersistentVolumeClaim.ClaimName]
				c.claimBy[v.PersistentVolumeClaim.ClaimName] = append(removeString(cb, w.Name), pw.Name)
			}
		}
		pw.Pod.HostAliases = append(pw.Pod.HostAliases, w.Pod.HostAliases...)
		if w.Replicas != pw.Replicas {
			c.set.Finding(model.Warning, "replicas", pw.Kind+"/"+pw.Name, "service %s (network_mode %s) had %d replicas: it runs in each of %s's %d pods", n, mode, w.Replicas, peer, pw.Replicas)
		}
		c.set.Remove(w, pw)
		if s := c.set.Service(w.Name); s != nil {
			s.Selector = pw.Selector()
		}
		for k, v := range c.byName {
			if v == w {
				c.byName[k] = pw
			}
		}
	}
}

func removeString(s []string, v string) []string {
	out := s[:0:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
