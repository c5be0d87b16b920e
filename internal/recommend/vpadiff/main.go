// Command vpadiff feeds usage samples to the Vertical Pod Autoscaler
// recommender's own code (k8s.io/autoscaler/vertical-pod-autoscaler, model
// and logic packages, default configuration) and prints its target, lower
// and upper bounds. It is a separate module so that VPA stays out of
// rightsize's dependency graph; recommend's differential test runs it.
//
// Input (stdin, JSON): {"containers": [{"name": "c", "pods": [{"cpu": [[ms,
// cores]...], "memory": [[ms, bytes]...], "oom": [ms...]}]}]}; samples of one
// pod in time order, pods in the order given. Output: {"c": {"target":
// {"cpu": millicores, "memory": bytes}, "lower": ..., "upper": ...}}.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"k8s.io/autoscaler/vertical-pod-autoscaler/pkg/recommender/config"
	"k8s.io/autoscaler/vertical-pod-autoscaler/pkg/recommender/logic"
	"k8s.io/autoscaler/vertical-pod-autoscaler/pkg/recommender/model"
)

type input struct {
	Containers []struct {
		Name string `json:"name"`
		// Group names the VPA object (pod) the container belongs to; VPA
		// splits its per-pod minimums among a group's containers.
		Group string `json:"group"`
		Pods  []struct {
			CPU    [][2]float64 `json:"cpu"`
			Memory [][2]float64 `json:"memory"`
			OOM    []int64      `json:"oom"`
		} `json:"pods"`
	} `json:"containers"`
}

type amounts struct {
	CPU    int64 `json:"cpu"`
	Memory int64 `json:"memory"`
}

type output struct {
	Target amounts `json:"target"`
	Lower  amounts `json:"lower"`
	Upper  amounts `json:"upper"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "vpadiff:", err)
		os.Exit(1)
	}
	cfg := config.DefaultRecommenderConfig()
	model.InitializeAggregationsConfig(model.NewAggregationsConfig(cfg.MemoryAggregationInterval, cfg.MemoryAggregationIntervalCount,
		cfg.MemoryHistogramDecayHalfLife, cfg.CpuHistogramDecayHalfLife, cfg.OOMBumpUpRatio, cfg.OOMMinBumpUp))
	groups := map[string]model.ContainerNameToAggregateStateMap{}
	for _, c := range in.Containers {
		agg := model.NewAggregateContainerState()
		if groups[c.Group] == nil {
			groups[c.Group] = model.ContainerNameToAggregateStateMap{}
		}
		groups[c.Group][c.Name] = agg
		for _, p := range c.Pods {
			cs := model.NewContainerState(model.Resources{}, agg)
			// Memory and OOM samples in time order, as the recommender's
			// feeder delivers them; CPU samples independently.
			type ev struct {
				t   int64
				v   float64
				oom bool
			}
			var evs []ev
			for _, m := range p.Memory {
				evs = append(evs, ev{t: int64(m[0]), v: m[1]})
			}
			for _, t := range p.OOM {
				evs = append(evs, ev{t: t, oom: true})
			}
			sort.SliceStable(evs, func(a, b int) bool { return evs[a].t < evs[b].t })
			for _, s := range p.CPU {
				cs.AddSample(&model.ContainerUsageSample{MeasureStart: time.UnixMilli(int64(s[0])),
					Usage: model.CPUAmountFromCores(s[1]), Resource: model.ResourceCPU})
			}
			for _, e := range evs {
				if e.oom {
					_ = cs.RecordOOM(time.UnixMilli(e.t), 0)
					continue
				}
				cs.AddSample(&model.ContainerUsageSample{MeasureStart: time.UnixMilli(e.t),
					Usage: model.MemoryAmountFromBytes(e.v), Resource: model.ResourceMemory})
			}
		}
	}
	rec := logic.CreatePodResourceRecommender(logic.RecommendationConfig{
		SafetyMarginFraction: cfg.SafetyMarginFraction, PodMinCPUMillicores: cfg.PodMinCPUMillicores, PodMinMemoryMb: cfg.PodMinMemoryMb,
		TargetCPUPercentile: cfg.TargetCPUPercentile, LowerBoundCPUPercentile: cfg.LowerBoundCPUPercentile,
		UpperBoundCPUPercentile: cfg.UpperBoundCPUPercentile, ConfidenceIntervalCPU: cfg.ConfidenceIntervalCPU,
		TargetMemoryPercentile: cfg.TargetMemoryPercentile, LowerBoundMemoryPercentile: cfg.LowerBoundMemoryPercentile,
		UpperBoundMemoryPercentile: cfg.UpperBoundMemoryPercentile, ConfidenceIntervalMemory: cfg.ConfidenceIntervalMemory,
	})
	out := map[string]output{}
	for _, states := range groups {
		for name, r := range rec.GetRecommendedPodResources(states) {
			am := func(res model.Resources) amounts {
				return amounts{CPU: int64(res[model.ResourceCPU]), Memory: int64(res[model.ResourceMemory])}
			}
			out[name] = output{Target: am(r.Target), Lower: am(r.LowerBound), Upper: am(r.UpperBound)}
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "vpadiff:", err)
		os.Exit(1)
	}
}
