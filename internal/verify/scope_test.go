package verify_test

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/rightsize/rightsize/internal/model"
)

// TestClusterScopedKinds checks model's table of cluster-scoped kinds
// against what kube-apiserver serves: every kind it serves outside
// namespaces is in the table, and no kind it serves in namespaces is.
func TestClusterScopedKinds(t *testing.T) {
	_, lists, err := cluster.Client.Discovery().ServerGroupsAndResources()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") {
				continue // subresources
			}
			gk := schema.GroupKind{Group: gv.Group, Kind: r.Kind}
			if got := model.ClusterScoped(gk); got == r.Namespaced {
				t.Errorf("%s (%s): the apiserver serves it namespaced=%v, model.ClusterScoped says %v", gk, l.GroupVersion, r.Namespaced, got)
			}
			seen++
		}
	}
	if seen < 50 {
		t.Errorf("discovery listed only %d resources", seen)
	}
}
