package sim_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/rightsize/rightsize/internal/kubebin"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
)

var cluster *sim.Cluster

func TestMain(m *testing.M) {
	start := time.Now()
	c, err := simtest.Start(sim.Options{
		Kubelet: sim.KubeletOptions{CompleteJobs: true},
		Nodes: sim.Nodes(nil, 2, corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"),
		}),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "control plane ready in %s\n", time.Since(start).Round(time.Millisecond))
	cluster = c
	os.Exit(simtest.Stop(c, m.Run()))
}

func labels(app string) map[string]string { return map[string]string{"app": app} }

func podSpec(cpu string) corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{
		Name: "c", Image: "busybox",
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("64Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("64Mi")},
		},
	}}}
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestNodesAreReadyAndUntainted(t *testing.T) {
	nodes, err := cluster.Client.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 2 {
		t.Fatalf("%d nodes, want 2", len(nodes.Items))
	}
	for _, n := range nodes.Items {
		if len(n.Spec.Taints) != 0 {
			t.Errorf("node %s has taints %v", n.Name, n.Spec.Taints)
		}
		if got := n.Status.Allocatable.Cpu().String(); got != "4" {
			t.Errorf("node %s allocatable cpu %s, want 4", n.Name, got)
		}
	}
}

func TestStatefulSetWithClaimsBecomesReady(t *testing.T) {
	ctx := context.Background()
	ns := "sts"
	if err := cluster.Seed(ctx, ns, nil); err != nil {
		t.Fatal(err)
	}
	ss := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To[int32](3),
			Selector:    &metav1.LabelSelector{MatchLabels: labels("db")},
			ServiceName: "db",
			Template:    corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels("db")}, Spec: podSpec("100m")},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				},
			}},
		},
	}
	ss.Spec.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	if _, err := cluster.Client.AppsV1().StatefulSets(ns).Create(ctx, ss, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// OrderedReady creates db-1 only once db-0 is Ready: three ready
	// replicas prove that the kubelet and provisioner stand-ins work.
	waitFor(t, "3 ready replicas of StatefulSet db", 60*time.Second, func() (bool, error) {
		got, err := cluster.Client.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
		return err == nil && got.Status.ReadyReplicas == 3, err
	})
	pvcs, err := cluster.Client.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pvcs.Items {
		if c.Status.Phase != corev1.ClaimBound {
			t.Errorf("claim %s is %s, want Bound", c.Name, c.Status.Phase)
		}
	}
}

func TestJobCompletes(t *testing.T) {
	ctx := context.Background()
	ns := "job"
	if err := cluster.Seed(ctx, ns, nil); err != nil {
		t.Fatal(err)
	}
	spec := podSpec("100m")
	spec.RestartPolicy = corev1.RestartPolicyNever
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "once"},
		Spec: batchv1.JobSpec{
			Completions: ptr.To[int32](3), Parallelism: ptr.To[int32](2),
			Template: corev1.PodTemplateSpec{Spec: spec},
		},
	}
	if _, err := cluster.Client.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Job once to succeed 3 times", 60*time.Second, func() (bool, error) {
		got, err := cluster.Client.BatchV1().Jobs(ns).Get(ctx, "once", metav1.GetOptions{})
		return err == nil && got.Status.Succeeded == 3, err
	})
}

func TestQuotaRefusesPodsAndSchedulerReportsCapacity(t *testing.T) {
	ctx := context.Background()
	ns := "quota"
	target := &model.Target{Quotas: []*corev1.ResourceQuota{{
		ObjectMeta: metav1.ObjectMeta{Name: "compute"},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceRequestsCPU: resource.MustParse("10")}},
	}}}
	if err := cluster.Seed(ctx, ns, target); err != nil {
		t.Fatal(err)
	}
	// 4 pods of 3 CPU: quota admits 3 (9 of 10 CPU), two 4-CPU nodes fit
	// one 3-CPU pod each, so one admitted pod stays unschedulable.
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "big"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](4),
			Selector: &metav1.LabelSelector{MatchLabels: labels("big")},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels("big")}, Spec: podSpec("3")},
		},
	}
	if _, err := cluster.Client.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a FailedCreate event for exceeded quota", 60*time.Second, func() (bool, error) {
		evs, err := cluster.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range evs.Items {
			if e.Reason == "FailedCreate" && strings.Contains(e.Message, "exceeded quota: compute") {
				return true, nil
			}
		}
		return false, nil
	})
	waitFor(t, "3 pods, 2 running and 1 unschedulable", 60*time.Second, func() (bool, error) {
		pods, err := cluster.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		running, unschedulable := 0, 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable && strings.Contains(c.Message, "Insufficient cpu") {
					unschedulable++
				}
			}
		}
		return len(pods.Items) == 3 && running == 2 && unschedulable == 1, nil
	})
}

func TestFindSaysHowToInstall(t *testing.T) {
	t.Setenv(kubebin.EnvKubeBin, "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	_, err := kubebin.Find("")
	if !errors.Is(err, kubebin.ErrNoBinaries) || !strings.Contains(err.Error(), "rightsize sim install") {
		t.Errorf("Find() error = %v, want ErrNoBinaries naming 'rightsize sim install'", err)
	}
	dir := t.TempDir()
	if _, err := kubebin.Find(dir); err == nil || !strings.Contains(err.Error(), "kube-apiserver") {
		t.Errorf("Find(%q) error = %v, want the missing binaries named", dir, err)
	}
}

// TestSeedFailsFastWhenAComponentDies: a dead controller manager never
// creates the default ServiceAccount; Seed says so at once rather than after
// its minute of waiting.
func TestSeedFailsFastWhenAComponentDies(t *testing.T) {
	bin, err := simtest.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	c, err := sim.Start(context.Background(), sim.Options{BinDir: bin})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	cm, err := os.FindProcess(c.PIDs()[2]) // etcd, apiserver, controller manager, scheduler
	if err != nil {
		t.Fatal(err)
	}
	if err := cm.Kill(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = c.Seed(context.Background(), "orphan", nil)
	if err == nil || !strings.Contains(err.Error(), "kube-controller-manager exited") {
		t.Fatalf("Seed error = %v, want the controller manager's exit", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Seed took %s to notice", d)
	}
}
