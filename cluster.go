package rightsize

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/rightsize/rightsize/internal/apply"
	"github.com/rightsize/rightsize/internal/cluster"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/verify"
)

// ClusterTargetPrefix starts a target that names a live namespace:
// "cluster:[CONTEXT/]NAMESPACE".
const ClusterTargetPrefix = cluster.TargetPrefix

// IsClusterTarget reports whether spec names a live namespace.
func IsClusterTarget(spec string) bool { return strings.HasPrefix(spec, cluster.TargetPrefix) }

// KubeOptions choose a cluster, context and namespace as kubectl's
// --kubeconfig, --context and --namespace do; empty fields follow
// kubectl's rules ($KUBECONFIG, else ~/.kube/config; the current context;
// its namespace, else "default").
type KubeOptions struct {
	Kubeconfig string
	Context    string
	Namespace  string
	// RequestTimeout bounds every request (default 30s).
	RequestTimeout time.Duration
}

// LiveCluster is one namespace of a live cluster, reached through a
// kubeconfig (or a program's own rest.Config).
type LiveCluster struct {
	h *cluster.Handle
}

// ConnectCluster connects to the cluster and namespace that spec
// ("cluster:[CONTEXT/]NAMESPACE", or "" for none) and opts name; the
// spec's context and namespace win over opts'.
func ConnectCluster(spec string, opts KubeOptions) (*LiveCluster, error) {
	o := cluster.Options{Kubeconfig: opts.Kubeconfig, Context: opts.Context, Namespace: opts.Namespace, RequestTimeout: opts.RequestTimeout}
	if spec != "" {
		ctxName, ns, ok := cluster.ParseTarget(spec)
		if !ok {
			return nil, &OptionError{Option: OptTarget, Reason: fmt.Sprintf("%q is not a cluster target, want %s[CONTEXT/]NAMESPACE", spec, cluster.TargetPrefix)}
		}
		if ctxName != "" {
			o.Context = ctxName
		}
		if ns != "" {
			o.Namespace = ns
		}
	}
	h, err := cluster.Connect(o)
	if err != nil {
		return nil, err
	}
	return &LiveCluster{h: h}, nil
}

// NewLiveCluster uses a rest.Config the program has already (in-cluster,
// say) for namespace ns.
func NewLiveCluster(cfg *rest.Config, ns string) (*LiveCluster, error) {
	h, err := cluster.NewHandle(cfg, "", ns, 0)
	if err != nil {
		return nil, err
	}
	return &LiveCluster{h: h}, nil
}

// Name is "cluster:CONTEXT/NAMESPACE".
func (c *LiveCluster) Name() string { return c.h.Name() }

// Namespace is the namespace the cluster handle works in.
func (c *LiveCluster) Namespace() string { return c.h.Namespace }

// Target reads the namespace as a target: its ResourceQuotas with
// status.used (what already runs counts), its LimitRanges, and the nodes
// the user may list with what their pods request taken off (when RBAC
// forbids listing nodes, a finding says so and node checks are skipped).
// With app, its objects that exist already are updates: their current
// charge is not counted twice.
func (c *LiveCluster) Target(ctx context.Context, app *App) (*Target, error) {
	t, err := c.h.Target(ctx, appModel(app))
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", c.h.Name(), err)
	}
	return &Target{t: t}, nil
}

func appModel(app *App) *model.App {
	if app == nil {
		return nil
	}
	return app.app
}

// KubeContexts lists the contexts of the kubeconfig kubectl's rules find
// (kubeconfig "" for the default), sorted; for shell completion.
func KubeContexts(kubeconfig string) []string {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := rules.Load()
	if err != nil {
		return nil
	}
	var out []string
	for name := range cfg.Contexts {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// VerifyClusterOptions configure VerifyCluster.
type VerifyClusterOptions struct {
	// Scratch also creates the app in a temporary namespace of the same
	// cluster, seeded with the live namespace's limit ranges and with
	// quotas of what it has left (hard minus used), waits for the
	// controllers to settle, and deletes the namespace after. The user must
	// be allowed to create namespaces.
	Scratch bool
	// Timeout bounds the wait in the scratch namespace (default 60s).
	Timeout time.Duration
}

// VerifyCluster proves app against the live namespace itself: a
// server-side dry run of every object (and of one pod of every new
// workload), so that admission webhooks and policies of the real cluster
// take part, next to Analyze's prediction for the live target; with
// Scratch, the whole verification of Verify in a scratch namespace.
// Report.Fits is false when the cluster refuses anything.
func VerifyCluster(ctx context.Context, c *LiveCluster, app *App, opts VerifyClusterOptions) (*Report, error) {
	t, err := c.Target(ctx, app)
	if err != nil {
		return nil, err
	}
	fails, err := apply.DryRun(ctx, c.h, app.app, apply.Options{})
	if err != nil {
		return nil, err
	}
	var r *Report
	if opts.Scratch {
		if r, err = verifyScratch(ctx, c, app, t, opts); err != nil {
			return nil, err
		}
	} else {
		if r, err = Analyze(ctx, app, t); err != nil {
			return nil, err
		}
		r.Command, r.Refusals = report.Verify, []Refusal{}
		r.Verify = &report.VerifyDetail{Settled: true}
	}
	keys := map[string]model.Key{}
	for _, o := range app.app.Objects {
		keys[o.Ref()] = o.Key()
	}
	for _, f := range fails {
		r.Refusals = append(r.Refusals, Refusal{Object: keys[f.Object], Count: 1, Message: verify.Normalize(f.Message)})
		r.Fits = false
	}
	return r, nil
}

// verifyScratch runs the verifier in a scratch namespace with what the
// live namespace has left.
func verifyScratch(ctx context.Context, c *LiveCluster, app *App, live *Target, opts VerifyClusterOptions) (*Report, error) {
	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		return nil, err
	}
	ns := "rightsize-scratch-" + hex.EncodeToString(suffix)
	st := &model.Target{Name: live.t.Name + " (scratch " + ns + ")", Namespace: ns, LimitRanges: live.t.LimitRanges}
	for _, q := range live.t.Quotas {
		q = q.DeepCopy()
		for k, h := range q.Spec.Hard {
			if used, ok := q.Status.Used[k]; ok {
				h.Sub(used)
				if h.Sign() < 0 {
					h = *resource.NewQuantity(0, h.Format)
				}
				q.Spec.Hard[k] = h
			}
		}
		q.Status = corev1.ResourceQuotaStatus{}
		st.Quotas = append(st.Quotas, q)
	}
	l := &verify.Live{Config: c.h.Config, Client: c.h.Client, ScratchLabel: "rightsize.io/scratch"}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		_ = l.DeleteNamespace(dctx, ns)
	}()
	v, err := verify.New(l)
	if err != nil {
		return nil, err
	}
	vr, err := v.Run(ctx, app.app, st, verify.Options{Namespace: ns, Timeout: opts.Timeout})
	if err != nil {
		return nil, err
	}
	return verifyReport(app.app, analyzeReport(vr.Footprint), vr), nil
}
