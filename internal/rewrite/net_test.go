package rewrite

import (
	"reflect"
	"testing"

	"github.com/rightsize/rightsize/internal/model"
)

func TestNet(t *testing.T) {
	api := model.Key{Group: "apps", Kind: "Deployment", Namespace: "ns", Name: "api"}
	web := model.Key{Group: "apps", Kind: "Deployment", Namespace: "ns", Name: "web"}
	cpu := "containers[api].resources.requests.cpu"
	in := []Change{
		{Object: api, Field: cpu, Before: "500m", After: "300m", Reason: "fit"},
		{Object: web, Field: "spec.replicas", Before: "3", After: "2", Reason: "pods"},
		{Object: api, Field: "(object)", Before: "present", After: "merged into Deployment/x", Reason: "merge"},
		{Object: api, Field: cpu, Before: "300m", After: "250m", Reason: "surge"},
		{Object: web, Field: "spec.replicas", Before: "2", After: "3", Reason: "pods"},
		{Object: api, Field: cpu, Before: "250m", After: "200m", Reason: "fit"},
		{Object: api, Field: "(object)", Before: "(none)", After: "created", Reason: "again"},
	}
	want := []Change{
		{Object: api, Field: cpu, Before: "500m", After: "200m", Reason: "fit; then surge"},
		{Object: api, Field: "(object)", Before: "present", After: "merged into Deployment/x", Reason: "merge"},
		{Object: api, Field: "(object)", Before: "(none)", After: "created", Reason: "again"},
	}
	if got := Net(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Net:\n got %+v\nwant %+v", got, want)
	}
	if in[0].After != "300m" {
		t.Errorf("Net changed its input: %+v", in[0])
	}
}
