package fit

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/rewrite"
)

// cost measures how invasive the fit's changes are, in the order fit
// minimises them (report.Cost documents it).
func cost(changes []rewrite.Change, before, after *footprint.Result) report.Cost {
	var c report.Cost
	for _, ch := range changes {
		switch {
		case ch.Field == "spec.replicas":
			b, _ := strconv.Atoi(ch.Before)
			a, _ := strconv.Atoi(ch.After)
			c.LostReplicas += max(b-a, 0)
		case ch.Field == "(object)" && strings.HasPrefix(ch.After, "merged into ") && (ch.Object.Kind == "ConfigMap" || ch.Object.Kind == "Secret"):
			c.ConfigsMerged++
		case ch.Field == "(object)" && strings.HasPrefix(ch.After, "merged into "):
			c.Merged++ // every member; less one per merged Deployment below
		case ch.Field == "(object)" && strings.HasPrefix(ch.After, "created from "):
			c.Merged--
		case ch.Field == "(object)" && ch.After == "(dropped)" && ch.Object.Kind == "Service" && ch.Object.Group == "":
			c.ServicesRemoved++
		case ch.Field == "spec.strategy":
			c.Strategies++
		case strings.HasSuffix(ch.Field, "requests.storage"):
			c.ClaimsShrunk++
		}
	}
	c.Merged = max(c.Merged, 0)
	c.Retained = map[string]float64{}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		b, a := requested(before, r), requested(after, r)
		if b > 0 {
			c.Retained["requests."+string(r)] = min(a/b, 1)
		}
	}
	return c
}

// requested is the app's total request of r: replicas x pod requests.
func requested(fp *footprint.Result, r corev1.ResourceName) float64 {
	total := 0.0
	for _, w := range fp.Workloads {
		q := w.PodRequests[r]
		total += float64(w.Replicas) * q.AsApproximateFloat64()
	}
	return total
}
