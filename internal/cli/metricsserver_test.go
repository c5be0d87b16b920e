package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/sim/simtest"
)

// TestRecommendFromMetricsServer is metrics-server's live path end to end:
// the control plane's aggregator serves metrics.k8s.io/v1beta1 as an
// APIService backed by an in-test HTTPS server (which accepts only the
// aggregator's client certificate), and `recommend --usage-from
// metrics-server:CONTEXT` reads it through a kubeconfig: pods map to their
// Deployment through owner references, one sample per pod per metrics
// timestamp, progress on standard error, too little data said plainly.
func TestRecommendFromMetricsServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	kubeBin(t)
	c, err := simtest.Start(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if code := simtest.Stop(c, 0); code != 0 {
			t.Errorf("stopping the control plane: exit code %d", code)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const ns = "usage-live"
	dir := t.TempDir()
	appFile := filepath.Join(dir, "app.yaml")
	// The app of the bad input test, with two replicas: its proxy has no usage.
	if err := os.WriteFile(appFile, []byte(strings.Replace(badInputApp, "replicas: 1", "replicas: 2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	// The app runs in the cluster: its ReplicaSet controller makes the pods.
	createApp(ctx, t, c.Client, ns, appFile)
	pods := waitPods(ctx, t, c.Client, ns, 2)

	// Without the APIService: a clear error.
	code, _, errs := runCLI("recommend", appFile, "--usage-from", "metrics-server:rightsize-sim", "--kubeconfig", c.Kubeconfig,
		"-n", ns, "--sample-every", "50ms", "--sample-for", "100ms")
	if code != ExitError || !strings.Contains(errs, "metrics-server installed") {
		t.Errorf("without metrics-server: exit %d %s", code, errs)
	}

	var calls, proxied atomic.Int64
	srv := metricsAPI(t, c.Config.CAData, ns, pods, &calls, &proxied)
	registerMetricsAPI(ctx, t, c.Config, srv)

	code, out, errs := runCLI("recommend", appFile, "--usage-from", "metrics-server:rightsize-sim", "--kubeconfig", c.Kubeconfig,
		"-n", ns, "--sample-every", "100ms", "--sample-for", "1s", "-o", "json")
	if code != 0 {
		t.Fatalf("recommend: exit %d\n%s", code, errs)
	}
	if proxied.Load() == 0 {
		t.Fatal("no pod metrics request came through the aggregator")
	}
	var r struct {
		Recommend struct {
			Source     string
			Samples    int
			Containers []struct {
				Object    struct{ Kind, Name string }
				Container string
				Status    string
				Observed  *struct {
					CPUSamples, MemorySamples, Pods int
					CPUCores                        struct{ P50, Max float64 }
					MemoryBytes                     struct{ Max float64 }
				}
				Recommended *json.RawMessage
			}
		}
		Findings []struct{ Message string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(r.Recommend.Source, "metrics-server https://127.0.0.1:") || !strings.Contains(r.Recommend.Source, ns) {
		t.Errorf("source %q, want metrics-server, the apiserver and the namespace", r.Recommend.Source)
	}
	if len(r.Recommend.Containers) != 2 || r.Recommend.Containers[0].Container != "server" || r.Recommend.Containers[1].Status != "no-data" {
		t.Fatalf("containers %+v, want Deployment/web's server with usage and proxy without", r.Recommend.Containers)
	}
	got := r.Recommend.Containers[0]
	// Two requests per metrics timestamp (metrics-server refreshes less
	// often than it is asked): one sample per pod per timestamp.
	timestamps := int(proxied.Load()+1) / 2
	if o := got.Observed; o == nil || o.Pods != 2 || o.CPUSamples != 2*timestamps || o.MemorySamples != 2*timestamps ||
		o.CPUCores.P50 < 0.049 || o.CPUCores.Max > 0.051 || o.MemoryBytes.Max != 64<<20 {
		t.Errorf("observed %+v over %d pod metrics requests, want 2 pods, %d CPU and memory samples of 50m and 64Mi", o, proxied.Load(), 2*timestamps)
	}
	if got.Status != "too-little-data" || got.Recommended != nil {
		t.Errorf("status %q, recommended %v: a second of samples is too little data and must give no recommendation", got.Status, got.Recommended)
	}
	// Progress: one line per phase off a terminal, the last the 11th sample.
	if !regexp.MustCompile(`usage: reading sample 1 of 11 \[1/11\]`).MatchString(errs) || !strings.Contains(errs, "[11/11]") {
		t.Errorf("progress on standard error:\n%s\nwant sample 1 of 11 .. [11/11]", errs)
	}
}

// createApp creates ns and the app's Deployment in it.
func createApp(ctx context.Context, t *testing.T, kc kubernetes.Interface, ns, file string) {
	t.Helper()
	if _, err := kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict(data, &d); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.AppsV1().Deployments(ns).Create(ctx, &d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func waitPods(ctx context.Context, t *testing.T, kc kubernetes.Interface, ns string, n int) []corev1.Pod {
	t.Helper()
	for {
		l, err := kc.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) == n {
			return l.Items
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the ReplicaSet controller made %d pods of %d", len(l.Items), n)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// metricsAPI serves metrics.k8s.io/v1beta1 discovery and the pods' metrics
// (each pod's server at 50m and 64Mi, the timestamp advancing every other
// request) to clients holding a certificate of the cluster's CA (the
// aggregator's front proxy certificate), and counts the pod metrics
// requests that carried the aggregator's user header.
func metricsAPI(t *testing.T, ca []byte, ns string, pods []corev1.Pod, calls, proxied *atomic.Int64) *httptest.Server {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("no CA certificate")
	}
	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/apis/metrics.k8s.io/v1beta1":
			_ = json.NewEncoder(w).Encode(metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
				GroupVersion: "metrics.k8s.io/v1beta1", APIResources: []metav1.APIResource{
					{Name: "pods", Namespaced: true, Kind: "PodMetrics", Verbs: []string{"get", "list"}},
					{Name: "nodes", Kind: "NodeMetrics", Verbs: []string{"get", "list"}}}})
			return
		case "/apis/metrics.k8s.io/v1beta1/namespaces/" + ns + "/pods":
		default:
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("X-Remote-User") == "" {
			http.Error(w, "no X-Remote-User: not proxied by the aggregator", http.StatusUnauthorized)
			return
		}
		proxied.Add(1)
		n := calls.Add(1)
		ts := metav1.NewTime(base.Add(time.Duration((n-1)/2) * 15 * time.Second))
		list := metricsv1beta1.PodMetricsList{TypeMeta: metav1.TypeMeta{Kind: "PodMetricsList", APIVersion: "metrics.k8s.io/v1beta1"}}
		for _, p := range pods {
			list.Items = append(list.Items, metricsv1beta1.PodMetrics{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: ns},
				Timestamp: ts, Window: metav1.Duration{Duration: 15 * time.Second},
				Containers: []metricsv1beta1.ContainerMetrics{{Name: "server", Usage: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")}}}})
		}
		_ = json.NewEncoder(w).Encode(list)
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// registerMetricsAPI registers srv as the metrics.k8s.io/v1beta1
// APIService (an ExternalName Service to localhost, as the aggregator may
// reach no loopback endpoint) and waits until the aggregator finds it
// available.
func registerMetricsAPI(ctx context.Context, t *testing.T, cfg *rest.Config, srv *httptest.Server) {
	t.Helper()
	_, portS, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portS)
	kc := kubernetes.NewForConfigOrDie(cfg)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "metrics-server", Namespace: "kube-system"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "localhost"}}
	if _, err := kc.CoreV1().Services("kube-system").Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	api := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
		"metadata": map[string]any{"name": "v1beta1.metrics.k8s.io"},
		"spec": map[string]any{"group": "metrics.k8s.io", "version": "v1beta1", "insecureSkipTLSVerify": true,
			"groupPriorityMinimum": int64(100), "versionPriority": int64(100),
			"service": map[string]any{"namespace": "kube-system", "name": "metrics-server", "port": int64(port)}},
	}}
	dc := dynamic.NewForConfigOrDie(cfg)
	res := dc.Resource(schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"})
	if _, err := res.Create(ctx, api, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the APIService: %v", err)
	}
	for {
		got, err := res.Get(ctx, api.GetName(), metav1.GetOptions{})
		if err == nil {
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, c := range conds {
				if m, ok := c.(map[string]any); ok && m["type"] == "Available" && m["status"] == "True" {
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the aggregator never found metrics.k8s.io available: %v %v", got, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
