package usage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
)

// metrics-server's API served by an in-test server for the pods a real
// control plane runs: pods map to their Deployment through owner references
// (Pod -> ReplicaSet -> Deployment), samples arrive once per timestamp,
// progress is reported.
func TestMetricsServerLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	if os.Getenv("RIGHTSIZE_SKIP_SIM") != "" {
		t.Skip("RIGHTSIZE_SKIP_SIM set")
	}
	c, err := simtest.Start(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer simtest.Stop(c, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := "usage-live"
	if _, err := c.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	two := int32(2)
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}, Spec: appsv1.DeploymentSpec{Replicas: &two,
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "server", Image: "example/server:1"}}}}}}
	if _, err := c.Client.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pods []corev1.Pod
	for {
		l, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) == 2 {
			pods = l.Items
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the ReplicaSet controller made %d pods of 2", len(l.Items))
		case <-time.After(200 * time.Millisecond):
		}
	}
	// The metrics API: each pod's server at 50m and 64Mi, its timestamp
	// advancing every other request (metrics-server's own refresh).
	var calls atomic.Int64
	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/apis/metrics.k8s.io/v1beta1/namespaces/"+ns+"/pods" {
			http.NotFound(w, r)
			return
		}
		n := calls.Add(1)
		ts := metav1.NewTime(base.Add(time.Duration((n-1)/2) * 15 * time.Second))
		list := metricsv1beta1.PodMetricsList{TypeMeta: metav1.TypeMeta{Kind: "PodMetricsList", APIVersion: "metrics.k8s.io/v1beta1"}}
		for _, p := range pods {
			list.Items = append(list.Items, metricsv1beta1.PodMetrics{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: ns},
				Timestamp: ts, Window: metav1.Duration{Duration: 15 * time.Second},
				Containers: []metricsv1beta1.ContainerMetrics{{Name: "server", Usage: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")}}}})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(list)
	}))
	defer srv.Close()
	var got []Sample
	var progress []string
	sum, err := ReadMetricsServer(ctx, MetricsServerConfig{REST: c.Config, MetricsREST: &rest.Config{Host: srv.URL}, Every: 50 * time.Millisecond, For: 500 * time.Millisecond},
		Options{Namespace: ns, Progress: func(done, total int, what string) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) }},
		func(s Sample) { got = append(got, s) })
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Containers) != 1 || sum.Containers[0].String() != "Deployment/web/server" {
		t.Fatalf("containers %v, want Deployment/web/server through owner references", sum.Containers)
	}
	requests := int(calls.Load())
	timestamps := (requests + 1) / 2
	cpu, mem := 0, 0
	for _, s := range got {
		switch s.Metric {
		case CPU:
			cpu++
			if s.V != 0.05 || s.T-s.Start != 15000 {
				t.Errorf("cpu sample %+v, want 0.05 cores over 15 s", s)
			}
		case Memory:
			mem++
			if s.V != 64<<20 {
				t.Errorf("memory sample %+v, want 64Mi", s)
			}
		}
	}
	if cpu != 2*timestamps || mem != 2*timestamps {
		t.Errorf("%d requests (%d timestamps) gave %d cpu and %d memory samples; want one per pod per timestamp", requests, timestamps, cpu, mem)
	}
	if len(progress) != 11 || progress[len(progress)-1] != "11/11" {
		t.Errorf("progress %v, want 1/11 .. 11/11", progress)
	}
	// No metrics API: a clear error.
	_, err = ReadMetricsServer(ctx, MetricsServerConfig{REST: c.Config, For: time.Millisecond}, Options{Namespace: ns}, func(Sample) {})
	if err == nil || !strings.Contains(err.Error(), "metrics-server installed") {
		t.Errorf("without metrics-server: %v", err)
	}
}
