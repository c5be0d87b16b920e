package cluster

import (
	"fmt"
	"k8s.io/apimachinery/pkg/api/meta"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// TargetPrefix starts a target that names a live namespace:
// "cluster:[CONTEXT/]NAMESPACE".
const TargetPrefix = "cluster:"

// Options select a cluster, a context and a namespace as kubectl's
// --kubeconfig, --context and --namespace do.
type Options struct {
	// Kubeconfig is an explicit kubeconfig file; "" follows kubectl's rules
	// ($KUBECONFIG, a list of files, else ~/.kube/config).
	Kubeconfig string
	// Context overrides the kubeconfig's current context.
	Context string
	// Namespace overrides the context's namespace; when both are empty the
	// namespace is "default", as for kubectl.
	Namespace string
	// RequestTimeout bounds every request; 0 means 30 seconds. A server that
	// stops answering must not hang an apply that has to roll back.
	RequestTimeout time.Duration
}

// Handle is a connection to one namespace of a cluster.
type Handle struct {
	// Context is the kubeconfig context used ("" when the config has none).
	Context   string
	Namespace string
	Config    *rest.Config
	Client    kubernetes.Interface
	Dynamic   dynamic.Interface

	mapperOnce sync.Once
	mapper     meta.ResettableRESTMapper
}

// ParseTarget splits "cluster:[CONTEXT/]NAMESPACE"; ok is false when s is
// not a cluster target. Context names may hold slashes (EKS ARNs); namespace
// names cannot, so the namespace is what follows the last one.
func ParseTarget(s string) (context, namespace string, ok bool) {
	rest, ok := strings.CutPrefix(s, TargetPrefix)
	if !ok {
		return "", "", false
	}
	if i := strings.LastIndex(rest, "/"); i >= 0 {
		return rest[:i], rest[i+1:], true
	}
	return "", rest, true
}

// Connect loads the kubeconfig as kubectl does and returns a handle.
func Connect(opts Options) (*Handle, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: opts.Context}
	overrides.Context.Namespace = opts.Namespace
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	ctxName := raw.CurrentContext
	if opts.Context != "" {
		ctxName = opts.Context
		if _, ok := raw.Contexts[ctxName]; !ok {
			return nil, fmt.Errorf("kubeconfig: no context %q (have %s)", ctxName, contextNames(raw.Contexts))
		}
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig context %q: %w", ctxName, err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig context %q: namespace: %w", ctxName, err)
	}
	return NewHandle(cfg, ctxName, ns, opts.RequestTimeout)
}

// NewHandle returns a handle for an existing rest.Config (the local control
// plane, or a program's own configuration).
func NewHandle(cfg *rest.Config, contextName, namespace string, timeout time.Duration) (*Handle, error) {
	cfg = rest.CopyConfig(cfg)
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	cfg.Timeout = timeout
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating a client for %s: %w", cfg.Host, err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating a client for %s: %w", cfg.Host, err)
	}
	return &Handle{Context: contextName, Namespace: namespace, Config: cfg, Client: cs, Dynamic: dyn}, nil
}

func contextNames[V any](m map[string]V) string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none"
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
