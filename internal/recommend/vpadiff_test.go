package recommend

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/rightsize/rightsize/internal/usage"
)

// vpaInput is vpadiff's input.
type vpaInput struct {
	Containers []vpaContainer `json:"containers"`
}

type vpaContainer struct {
	Name  string   `json:"name"`
	Group string   `json:"group"`
	Pods  []vpaPod `json:"pods"`
}

type vpaPod struct {
	CPU    [][2]float64 `json:"cpu"`
	Memory [][2]float64 `json:"memory"`
	OOM    []int64      `json:"oom,omitempty"`
}

type vpaAmounts struct{ CPU, Memory int64 }

type vpaOutput struct{ Target, Lower, Upper vpaAmounts }

// runVPA runs the VPA recommender's own code (the vpadiff module) on in.
func runVPA(t *testing.T, in vpaInput) map[string]vpaOutput {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to run the VPA recommender module")
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = "vpadiff"
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vpadiff: %v\n%s", err, stderr.String())
	}
	res := map[string]vpaOutput{}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("vpadiff output %q: %v", out, err)
	}
	return res
}

// feed gives the same samples to an accumulator, pod after pod.
func feed(in vpaInput) *Accumulator {
	acc := NewAccumulator()
	sink := acc.Sink()
	for _, c := range in.Containers {
		k := &usage.Key{Kind: "Deployment", Name: "app", Container: c.Name}
		for i, p := range c.Pods {
			pod := fmt.Sprintf("app-%d", i)
			for _, s := range p.CPU {
				sink(usage.Sample{Key: k, Pod: pod, Metric: usage.CPU, T: int64(s[0]), V: s[1]})
			}
			for _, s := range p.Memory {
				sink(usage.Sample{Key: k, Pod: pod, Metric: usage.Memory, T: int64(s[0]), V: s[1]})
			}
			for _, o := range p.OOM {
				sink(usage.Sample{Key: k, Pod: pod, Metric: usage.OOM, T: o, V: 1})
			}
		}
	}
	return acc
}

// generated returns containers with different shapes of usage: steady,
// bursty, a daily cycle, growing memory, short history, several pods.
func generated() vpaInput {
	rng := rand.New(rand.NewSource(11))
	start := time.Date(2026, 3, 1, 7, 13, 0, 0, time.UTC).UnixMilli()
	var in vpaInput
	shapes := []struct {
		name string
		span time.Duration
		step time.Duration
		pods int
		cpu  func(i int) float64
		mem  func(i int) float64
	}{
		{"steady", 8 * 24 * time.Hour, time.Minute, 1, func(int) float64 { return 0.2 + 0.02*rng.NormFloat64() }, func(int) float64 { return 3e8 + 1e6*rng.Float64() }},
		{"bursty", 3 * 24 * time.Hour, time.Minute, 2, func(int) float64 { return math.Max(0, rng.ExpFloat64()*0.3) }, func(i int) float64 { return 1e8 + 4e8*rng.Float64()*rng.Float64() }},
		{"daily", 6 * 24 * time.Hour, 2 * time.Minute, 1, func(i int) float64 { return 1.5 + math.Sin(float64(i)/360*math.Pi) }, func(i int) float64 { return 2e9 + 5e8*math.Sin(float64(i)/360*math.Pi) }},
		{"growing", 8 * 24 * time.Hour, 5 * time.Minute, 1, func(int) float64 { return 0.05 * rng.Float64() }, func(i int) float64 { return 5e7 + float64(i)*2e5 }},
		{"short", 7 * time.Hour, time.Minute, 1, func(int) float64 { return 0.8 + 0.2*rng.Float64() }, func(int) float64 { return 6e8 + 1e7*rng.Float64() }},
		{"tiny", 8 * 24 * time.Hour, time.Minute, 3, func(int) float64 { return 0.001 * rng.Float64() }, func(int) float64 { return 5e6 + 1e6*rng.Float64() }},
	}
	for _, sh := range shapes {
		c := vpaContainer{Name: sh.name}
		for p := 0; p < sh.pods; p++ {
			var pod vpaPod
			n := int(sh.span / sh.step)
			for i := 0; i < n; i++ {
				ts := float64(start + int64(p)*int64(sh.span/time.Millisecond)/int64(sh.pods) + int64(i)*sh.step.Milliseconds())
				pod.CPU = append(pod.CPU, [2]float64{ts, sh.cpu(i)})
				pod.Memory = append(pod.Memory, [2]float64{ts, math.Round(sh.mem(i))})
			}
			c.Pods = append(c.Pods, pod)
		}
		in.Containers = append(in.Containers, c)
	}
	return in
}

// withinBucket tells whether a and b are at most one VPA histogram bucket
// apart (buckets are 5% wider each; the bounds scale them by the margin
// and the confidence factor, hence a relative test) or a unit apart.
func withinBucket(a, b int64) bool {
	d := math.Abs(float64(a - b))
	return d <= 1 || d <= 0.0501*math.Max(float64(a), float64(b))
}

func TestVPADifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the VPA module with go run")
	}
	in := generated()
	// A container that was OOM-killed once on its second day.
	oomPod := in.Containers[1].Pods[0]
	oomPod.OOM = []int64{int64(oomPod.Memory[2000][0]) + 1}
	in.Containers[1].Pods[0] = oomPod
	want := runVPA(t, in)
	res, err := Recommend(feed(in), Options{Strategy: "vpa", Containers: func() []Container {
		var cs []Container
		for _, c := range in.Containers {
			cs = append(cs, Container{Key: usage.Key{Kind: "Deployment", Name: "app", Container: c.Name}, PodContainers: len(in.Containers)})
		}
		return cs
	}()})
	if err != nil {
		t.Fatal(err)
	}
	exact := 0
	for _, r := range res.Containers {
		w, ok := want[r.Key.Container]
		if !ok {
			t.Fatalf("VPA gave nothing for %s", r.Key.Container)
		}
		got := vpaOutput{
			Target: vpaAmounts{int64(math.Round(r.CPU.Target * 1000)), int64(r.Memory.Target)},
			Lower:  vpaAmounts{int64(math.Round(r.CPU.Lower * 1000)), int64(r.Memory.Lower)},
			Upper:  vpaAmounts{int64(math.Round(r.CPU.Upper * 1000)), int64(r.Memory.Upper)},
		}
		t.Logf("%-8s vpa %+v\n         ours %+v", r.Key.Container, w, got)
		for _, pair := range [][2]int64{{got.Target.CPU, w.Target.CPU}, {got.Lower.CPU, w.Lower.CPU}, {got.Upper.CPU, w.Upper.CPU},
			{got.Target.Memory, w.Target.Memory}, {got.Lower.Memory, w.Lower.Memory}, {got.Upper.Memory, w.Upper.Memory}} {
			if !withinBucket(pair[0], pair[1]) {
				t.Errorf("%s: ours %d, VPA %d: more than one bucket apart", r.Key.Container, pair[0], pair[1])
			}
			if pair[0] == pair[1] {
				exact++
			}
		}
	}
	t.Logf("%d of %d values equal to the unit", exact, 6*len(res.Containers))
}

// TestVPADifferentialBoutique feeds the recorded online-boutique usage to both.
func TestVPADifferentialBoutique(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the VPA module with go run")
	}
	if _, err := os.Stat(boutique); err != nil {
		t.Skipf("recorded usage not found (%v)", err)
	}
	byName := map[string]*vpaContainer{}
	var in vpaInput
	podIdx := map[string]int{}
	if _, err := usage.ReadFile(boutique, usage.Options{}, func(s usage.Sample) {
		c, ok := byName[s.Key.Name]
		if !ok {
			in.Containers = append(in.Containers, vpaContainer{Name: s.Key.Name, Group: s.Key.Name})
			c = &in.Containers[len(in.Containers)-1]
			byName[s.Key.Name] = c
			// Pointers into in.Containers move as it grows: re-point.
			for i := range in.Containers {
				byName[in.Containers[i].Name] = &in.Containers[i]
			}
			c = byName[s.Key.Name]
		}
		i, ok := podIdx[s.Pod]
		if !ok {
			c.Pods = append(c.Pods, vpaPod{})
			i = len(c.Pods) - 1
			podIdx[s.Pod] = i
		}
		switch s.Metric {
		case usage.CPU:
			c.Pods[i].CPU = append(c.Pods[i].CPU, [2]float64{float64(s.T), s.V})
		case usage.Memory:
			c.Pods[i].Memory = append(c.Pods[i].Memory, [2]float64{float64(s.T), s.V})
		}
	}); err != nil {
		t.Fatal(err)
	}
	want := runVPA(t, in)
	res, err := Recommend(feed(in), Options{Strategy: "vpa"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Containers {
		w := want[r.Key.Container]
		got := [6]int64{int64(math.Round(r.CPU.Target * 1000)), int64(math.Round(r.CPU.Lower * 1000)), int64(math.Round(r.CPU.Upper * 1000)),
			int64(r.Memory.Target), int64(r.Memory.Lower), int64(r.Memory.Upper)}
		exp := [6]int64{w.Target.CPU, w.Lower.CPU, w.Upper.CPU, w.Target.Memory, w.Lower.Memory, w.Upper.Memory}
		t.Logf("%-22s ours %v\n%-22s VPA  %v", r.Key.Container, got, "", exp)
		for i := range got {
			if !withinBucket(got[i], exp[i]) {
				t.Errorf("%s value %d: ours %d, VPA %d", r.Key.Container, i, got[i], exp[i])
			}
		}
	}
}
