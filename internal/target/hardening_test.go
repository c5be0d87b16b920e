package target

import (
	"strings"
	"testing"
)

func TestTargetNumbersValidated(t *testing.T) {
	for name, c := range map[string]struct{ doc, want string }{
		"negative hard": {"apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {requests.memory: -7Gi}}\n",
			"ResourceQuota/q: spec.hard[requests.memory]: Invalid value: \"-7Gi\": must be greater than or equal to 0"},
		"bad quantity": {"apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {limits.cpu: 2Gbb}}\n",
			"ResourceQuota/q: spec.hard[limits.cpu]: invalid quantity \"2Gbb\""},
		"negative limit range": {"apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec: {limits: [{type: Container, max: {memory: -1Gi}}]}\n",
			"LimitRange/l: spec.limits[0].max[memory]: Invalid value: \"-1Gi\""},
		"bad limit range": {"apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec: {limits: [{type: Container}, {type: Container, default: {cpu: lots}}]}\n",
			"LimitRange/l: spec.limits[1].default[cpu]: invalid quantity \"lots\""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc), "t.yaml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant it to hold %s", err, c.want)
			}
		})
	}
}
