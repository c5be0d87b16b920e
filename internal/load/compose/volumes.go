package compose

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/load/workload"
	"github.com/rightsize/rightsize/internal/model"
)

func (c *converter) volumes(svc *types.ServiceConfig, w *workload.Workload, ctr *corev1.Container) {
	anon := 0
	emptyDir := func(medium corev1.StorageMedium, size int64) string {
		anon++
		name := fmt.Sprintf("%s-%d", w.Name, anon)
		if medium == corev1.StorageMediumMemory {
			name = fmt.Sprintf("%s-tmpfs-%d", w.Name, anon)
		}
		name = workload.Sanitize(name)
		ed := &corev1.EmptyDirVolumeSource{Medium: medium}
		if size > 0 {
			q := workload.Memory(size)
			ed.SizeLimit = &q
		}
		w.Pod.Volumes = append(w.Pod.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: ed}})
		return name
	}
	for _, v := range svc.Volumes {
		mount := corev1.VolumeMount{MountPath: v.Target, ReadOnly: v.ReadOnly}
		switch {
		case v.Type == types.VolumeTypeVolume && v.Source != "":
			mount.Name = c.namedVolume(svc, w, v.Source)
		case v.Type == types.VolumeTypeVolume:
			mount.Name = emptyDir("", 0)
			c.finding(model.Info, "volumes", w, "anonymous volume %s becomes an emptyDir (lost when the pod goes, as the container's would be)", v.Target)
		case v.Type == types.VolumeTypeTmpfs:
			var size int64
			if v.Tmpfs != nil {
				size = int64(v.Tmpfs.Size)
			}
			mount.Name = emptyDir(corev1.StorageMediumMemory, size)
		case v.Type == types.VolumeTypeBind:
			what := "its contents must be built into the image or provided as a ConfigMap"
			if strings.HasSuffix(v.Source, "docker.sock") {
				what = "the container needs the Docker socket of a Docker host, which Kubernetes nodes need not have"
			}
			c.finding(model.Warning, "volumes", w, "host bind mount %s:%s is not carried over: %s", v.Source, v.Target, what)
			continue
		default:
			c.finding(model.Warning, "volumes", w, "volume %s of type %s is not carried over", v.Target, v.Type)
			continue
		}
		ctr.VolumeMounts = append(ctr.VolumeMounts, mount)
	}
	for _, t := range svc.Tmpfs {
		path, _, _ := strings.Cut(t, ":")
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: emptyDir(corev1.StorageMediumMemory, 0), MountPath: path})
	}
}

// namedVolume returns the pod volume name for a named volume: a claim shared
// by every service that mounts it, or a claim template of a StatefulSet.
func (c *converter) namedVolume(svc *types.ServiceConfig, w *workload.Workload, source string) string {
	def := c.p.Volumes[source]
	claimName := source
	if def.Name != "" && bool(def.External) {
		claimName = def.Name
	}
	claimName = workload.Sanitize(claimName)
	if claimName != source {
		c.finding(model.Info, "rename", w, "volume %q: claim named %q", source, claimName)
	}
	spec := corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: c.opts.claimSize()}},
	}
	if size, ok := def.DriverOpts["size"]; ok {
		if q, err := resource.ParseQuantity(size); err == nil {
			spec.Resources.Requests[corev1.ResourceStorage] = q
		}
	}
	note := fmt.Sprintf("requests %s (Compose volumes have no size)", spec.Resources.Requests.Storage().String())
	if def.Driver != "" && def.Driver != "local" {
		note += fmt.Sprintf("; volume driver %s is not carried over (the cluster's default storage class is used)", def.Driver)
	}
	if w.Kind == workload.StatefulSet {
		for _, t := range w.ClaimTemplates {
			if t.Name == claimName {
				return claimName
			}
		}
		w.ClaimTemplates = append(w.ClaimTemplates, corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: claimName}, Spec: spec})
		c.finding(model.Info, "volumes", w, "named volume %s becomes a claim template: one claim per replica, %s", source, note)
		return claimName
	}
	if _, ok := c.claims[claimName]; !ok {
		pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: claimName}, Spec: spec}
		c.claims[claimName] = pvc
		c.set.Claims = append(c.set.Claims, pvc)
		c.set.Finding(model.Info, "volumes", "PersistentVolumeClaim/"+claimName, "named volume %s becomes a claim; %s", source, note)
		if def.External {
			c.set.Finding(model.Warning, "volumes", "PersistentVolumeClaim/"+claimName, "volume %s is external: the claim starts empty unless it is bound to the existing data", source)
		}
	}
	if !containsString(c.claimBy[claimName], w.Name) {
		c.claimBy[claimName] = append(c.claimBy[claimName], w.Name)
	}
	for _, v := range w.Pod.Volumes {
		if v.Name == claimName {
			return claimName
		}
	}
	w.Pod.Volumes = append(w.Pod.Volumes, corev1.Volume{Name: claimName, VolumeSource: corev1.VolumeSource{
		PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claimName},
	}})
	return claimName
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// sharedClaims warns where a ReadWriteOnce claim is mounted by pods that may
// land on different nodes.
func (c *converter) sharedClaims() {
	for _, n := range workload.SortedKeys(c.claimBy) {
		users := c.claimBy[n]
		many := len(users) > 1
		for _, u := range users {
			if w := c.set.Workload(u); w != nil && (w.Replicas > 1 || w.Kind == workload.DaemonSet) {
				many = true
			}
		}
		if many {
			c.set.Finding(model.Warning, "volumes", "PersistentVolumeClaim/"+n, "mounted by %s with more than one pod: a ReadWriteOnce claim only mounts on one node (run the service as a StatefulSet for a claim per replica)", strings.Join(users, ", "))
		}
	}
}
