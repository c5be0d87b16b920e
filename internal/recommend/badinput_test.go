package recommend

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/usage"
)

// Usage of a container the app lacks, an app container without usage, and
// too little data: findings, never a made-up recommendation.
func TestBadInput(t *testing.T) {
	acc := NewAccumulator()
	sink := acc.Sink()
	web := &usage.Key{Kind: "Deployment", Name: "web", Container: "server"}
	ghost := &usage.Key{Kind: "Deployment", Name: "ghost", Container: "server"}
	sidecar := &usage.Key{Kind: "Deployment", Name: "web", Container: "proxy"}
	for i := 0; i < 60; i++ { // one hour at 1 minute: too little
		ts := int64(1_700_000_000_000 + i*60_000)
		for _, k := range []*usage.Key{web, ghost} {
			sink(usage.Sample{Key: k, Pod: "p", Metric: usage.CPU, T: ts, V: 0.1})
			sink(usage.Sample{Key: k, Pod: "p", Metric: usage.Memory, T: ts, V: 1e8})
		}
	}
	for i := 0; i < 600; i++ { // 10 h: enough
		ts := int64(1_700_000_000_000 + i*60_000)
		sink(usage.Sample{Key: sidecar, Pod: "p", Metric: usage.CPU, T: ts, V: 0.02})
		sink(usage.Sample{Key: sidecar, Pod: "p", Metric: usage.Memory, T: ts, V: 3e7})
	}
	cs := []Container{
		{Key: *web}, {Key: *sidecar, Init: true, Sidecar: true},
		{Key: usage.Key{Kind: "Deployment", Name: "web", Container: "init-db"}, Init: true},
		{Key: usage.Key{Kind: "Deployment", Name: "web", Container: "missing"}},
	}
	for _, s := range Strategies {
		res, err := Recommend(acc, Options{Strategy: s, Containers: cs})
		if err != nil {
			t.Fatal(err)
		}
		f := fmt.Sprint(res.Findings)
		if !strings.Contains(f, "ghost") || !strings.Contains(f, "matches no container") {
			t.Errorf("%s: usage of Deployment/ghost not reported: %s", s, f)
		}
		byName := map[string]Recommendation{}
		for _, r := range res.Containers {
			byName[r.Key.Container] = r
		}
		if r := byName["missing"]; r.Status != StatusNoData || r.Requests != nil {
			t.Errorf("%s: container without usage: %s %v", s, r.Status, r.Requests)
		}
		if r := byName["init-db"]; r.Status != StatusNoData || !strings.Contains(r.Notes[0], "init container") {
			t.Errorf("%s: init container without usage: %s %v", s, r.Status, r.Notes)
		}
		if r := byName["proxy"]; r.Requests == nil {
			t.Errorf("%s: native sidecar with 10 h of usage got no recommendation (%s %v)", s, r.Status, r.Notes)
		}
		web := byName["server"]
		if s == "vpa" {
			// VPA recommends from any history, with its confidence.
			if web.Status != StatusLowConfidence {
				t.Errorf("vpa: one hour: status %s, want low-confidence", web.Status)
			}
			continue
		}
		if web.Status != StatusTooLittleData || web.Requests != nil || !strings.Contains(web.Notes[0], "too little data") {
			t.Errorf("%s: one hour of data: %s %v %v", s, web.Status, web.Requests, web.Notes)
		}
		if !strings.Contains(f, "too little data") {
			t.Errorf("%s: no finding says too little data: %s", s, f)
		}
	}
}
