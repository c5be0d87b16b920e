package rightsize

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/rightsize/rightsize/internal/cluster"
	"github.com/rightsize/rightsize/internal/model"
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
