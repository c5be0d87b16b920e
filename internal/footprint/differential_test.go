package footprint_test

import (
	"testing"

	"github.com/rightsize/rightsize/internal/footprint"
)

// TestRefusalMessagesAsKubernetesWordsThem pins messages that the
// differential test against a real control plane (internal/verify) found
// worded differently: Kubernetes drops repeated messages from an aggregate
// and leaves the brackets off when one remains.
func TestRefusalMessagesAsKubernetesWordsThem(t *testing.T) {
	cases := []struct {
		name, app, target, want string
	}{
		{
			name:   "the same LimitRange violation in two containers is said once",
			app:    pod("  containers:\n  - {name: a, image: x, resources: {limits: {cpu: '2'}}}\n  - {name: b, image: x, resources: {limits: {cpu: '2'}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, max: {cpu: '1'}}]}",
			want:   "forbidden: maximum cpu usage per Container is 1, but limit is 2",
		},
		{
			name:   "distinct violations keep their order, repeats dropped",
			app:    pod("  containers:\n  - {name: a, image: x, resources: {limits: {cpu: '2', memory: 1Gi}}}\n  - {name: b, image: x, resources: {limits: {cpu: '2'}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, max: {cpu: '1', memory: 512Mi}}]}",
			want:   "forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 512Mi, but limit is 1Gi]",
		},
		{
			name:   "the same invalid request in two containers is said once",
			app:    pod("  containers:\n  - {name: a, image: x, resources: {requests: {cpu: '2'}}}\n  - {name: b, image: x, resources: {requests: {cpu: '2'}}}"),
			target: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec: {limits: [{type: Container, default: {cpu: '1'}}]}",
			want:   `Pod is invalid: [spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1, spec.containers[1].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1]`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := footprint.Analyze(mustApp(t, c.app), mustTarget(t, c.target))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Refusals) != 1 || res.Refusals[0].Message != c.want {
				t.Fatalf("refusals %+v, want one with message\n%s", res.Refusals, c.want)
			}
		})
	}
}
