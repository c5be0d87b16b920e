package usage

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The hand-written line parser (ReadText) reads the same samples as the
// Prometheus library's text parser (expfmt): labels in any order, escaped
// values, extra labels, other metrics, blank and comment lines, integer
// millisecond and float timestamps, exponents.
func TestReadTextMatchesExpfmt(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var b strings.Builder
	b.WriteString("# HELP container_memory_working_set_bytes Current working set.\n# TYPE container_memory_working_set_bytes gauge\n")
	type key struct{ pod, ctr string }
	want := map[key][][2]float64{}
	pods := []string{`web-5c4d8b9f7-x7k2p`, `db-0`, `we\"ird-5c4d8b9f7-x7k2p`, `back\\slash-0`}
	for i, pod := range pods {
		ctr := fmt.Sprintf("c%d", i)
		for s := 0; s < 50; s++ {
			ts := int64(1661155200000 + 60000*s + rng.Intn(900))
			v := float64(rng.Int63n(1 << 40))
			var line string
			switch s % 3 {
			case 0:
				line = fmt.Sprintf(`container_memory_working_set_bytes{namespace="n",pod="%s",container="%s",id="/x,y=\"z\""} %g %d`, pod, ctr, v, ts)
			case 1:
				line = fmt.Sprintf(`container_memory_working_set_bytes{container="%s", pod="%s",namespace="n"} %e %d`, ctr, pod, v, ts)
			default:
				line = fmt.Sprintf(`container_memory_working_set_bytes{pod="%s",container="%s",namespace="n",} %.0f  %d`, pod, ctr, v, ts)
			}
			b.WriteString(line + "\n")
			if s%10 == 0 {
				b.WriteString("\n# a comment\nother_metric{pod=\"x\"} 1 1661155200000\n")
			}
		}
	}
	text := b.String()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("expfmt: %v", err)
	}
	for _, m := range fams["container_memory_working_set_bytes"].Metric {
		var k key
		for _, l := range m.Label {
			switch l.GetName() {
			case "pod":
				k.pod = l.GetValue()
			case "container":
				k.ctr = l.GetValue()
			}
		}
		want[k] = append(want[k], [2]float64{float64(m.GetTimestampMs()), m.GetGauge().GetValue()})
	}
	path := filepath.Join(t.TempDir(), "u.prom")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	got := map[key][][2]float64{}
	if _, err := ReadFile(path, Options{}, func(s Sample) {
		pod := s.Pod
		got[key{pod, s.Key.Container}] = append(got[key{pod, s.Key.Container}], [2]float64{float64(s.T), s.V})
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(pods) {
		t.Fatalf("expfmt read %d series, want %d", len(want), len(pods))
	}
	keys := make([]key, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].pod < keys[j].pod })
	for _, k := range keys {
		if fmt.Sprint(got[k]) != fmt.Sprint(want[k]) {
			t.Errorf("%+v:\n ours   %v\n expfmt %v", k, got[k], want[k])
		}
	}
}
