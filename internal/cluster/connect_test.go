package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, c := range []struct{ in, ctx, ns string }{
		{"cluster:team-a", "", "team-a"},
		{"cluster:kind-dev/shop", "kind-dev", "shop"},
		{"cluster:arn:aws:eks:eu-west-1:1234:cluster/prod/web", "arn:aws:eks:eu-west-1:1234:cluster/prod", "web"},
		{"cluster:", "", ""},
	} {
		ctx, ns, ok := ParseTarget(c.in)
		if !ok || ctx != c.ctx || ns != c.ns {
			t.Errorf("ParseTarget(%q) = %q, %q, %v; want %q, %q", c.in, ctx, ns, ok, c.ctx, c.ns)
		}
	}
	if _, _, ok := ParseTarget("sandbox"); ok {
		t.Error("a plan name is not a cluster target")
	}
}

// Connect follows kubectl's rules: the current context and its namespace,
// overridden by --context and --namespace; "default" when none is set.
func TestConnectFollowsKubectl(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "config")
	cfg := `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: x}
contexts:
- name: a
  context: {cluster: c, user: u, namespace: team-a}
- name: b
  context: {cluster: c, user: u}
`
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		opts    Options
		ctx, ns string
	}{
		{Options{Kubeconfig: kc}, "a", "team-a"},
		{Options{Kubeconfig: kc, Context: "b"}, "b", "default"},
		{Options{Kubeconfig: kc, Namespace: "x"}, "a", "x"},
	} {
		h, err := Connect(c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if h.Context != c.ctx || h.Namespace != c.ns || h.Name() != TargetPrefix+c.ctx+"/"+c.ns {
			t.Errorf("%+v: context %q namespace %q (%s), want %q %q", c.opts, h.Context, h.Namespace, h.Name(), c.ctx, c.ns)
		}
	}
	t.Setenv("KUBECONFIG", kc)
	if h, err := Connect(Options{}); err != nil || h.Namespace != "team-a" {
		t.Errorf("$KUBECONFIG: %v %+v", err, h)
	}
	if _, err := Connect(Options{Kubeconfig: kc, Context: "nope"}); err == nil || !strings.Contains(err.Error(), `no context "nope" (have a, b)`) {
		t.Errorf("unknown context: %v", err)
	}
}
