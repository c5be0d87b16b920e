package rancher

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/load/compose"
	"github.com/rightsize/rightsize/internal/model"
)

// TestStartOnce reads the Rancher catalog pattern of start-once sidekicks:
// data-volume containers (entrypoint /bin/true) whose volumes the primary
// takes with volumes_from, and a start-once privileged bootstrap container.
func TestStartOnce(t *testing.T) {
	objs, findings, err := Load("testdata/startonce", Options{})
	if err != nil {
		t.Fatal(err)
	}
	once := map[string]bool{"mongo-base": true, "mongo-datavolume": true, "es-sysctl": true}
	for _, o := range objs {
		spec, ok := podSpec(o)
		if !ok {
			continue
		}
		for _, c := range spec.Containers {
			if once[c.Name] {
				t.Errorf("%s: start-once container %s is a regular container: the pod never becomes Ready", o.Ref(), c.Name)
			}
		}
	}
	mongo := model.Lookup[*appsv1.Deployment](objs, "Deployment", "mongo")
	if mongo == nil {
		t.Fatal("no Deployment/mongo")
	}
	pod := mongo.Spec.Template.Spec
	if len(pod.Containers) != 1 || len(pod.InitContainers) != 2 {
		t.Fatalf("mongo pod: containers %d, init containers %d; want 1 and 2", len(pod.Containers), len(pod.InitContainers))
	}
	mounts := map[string]string{} // path -> volume
	byVolume := map[string]string{}
	for _, m := range pod.Containers[0].VolumeMounts {
		mounts[m.MountPath] = m.Name
		byVolume[m.Name] = m.MountPath
	}
	for _, ic := range pod.InitContainers {
		for _, m := range ic.VolumeMounts {
			// Data containers that only exit fill their volumes from the
			// image: they mount them under compose.SeedDir.
			if byVolume[m.Name] == "" || !strings.HasPrefix(m.MountPath, compose.SeedDir+"/") {
				t.Errorf("volumes_from %s: volume %s mounted by the init container at %s, by mongo at %q", ic.Name, m.Name, m.MountPath, byVolume[m.Name])
			}
		}
	}
	if mounts["/data/db"] == "" || mounts["/opt/rancher/bin"] == "" {
		t.Errorf("mongo mounts %v, want /data/db and /opt/rancher/bin from its data containers", mounts)
	}
	es := model.Lookup[*appsv1.Deployment](objs, "Deployment", "es-master")
	if es == nil || len(es.Spec.Template.Spec.InitContainers) != 1 || len(es.Spec.Template.Spec.Containers) != 2 {
		t.Fatalf("es-master: want es-sysctl as init container and es-exporter beside it: %+v", es)
	}
	if ic := es.Spec.Template.Spec.InitContainers[0]; ic.SecurityContext == nil || ic.SecurityContext.Privileged == nil || !*ic.SecurityContext.Privileged {
		t.Errorf("es-sysctl lost privileged: %+v", ic.SecurityContext)
	}
	for _, f := range findings {
		if f.Key == "network" && f.Severity != model.Info {
			t.Errorf("network finding for sidekicks of one pod: %s", f.Message)
		}
	}
	for _, n := range []string{"mongo-base", "mongo-datavolume", "es-sysctl", "es-exporter"} {
		if model.Lookup[*corev1.Service](objs, "Service", n) == nil {
			t.Errorf("no Service %s: its name no longer resolves", n)
		}
	}
}

func podSpec(o *model.Object) (corev1.PodSpec, bool) {
	switch w := o.Obj.(type) {
	case *appsv1.Deployment:
		return w.Spec.Template.Spec, true
	case *appsv1.DaemonSet:
		return w.Spec.Template.Spec, true
	case *appsv1.StatefulSet:
		return w.Spec.Template.Spec, true
	}
	return corev1.PodSpec{}, false
}
