package footprint

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// The scheduler's InterPodAffinity filter reasons.
const (
	reasonExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules"
	reasonAntiAffinity         = "node(s) didn't match pod anti-affinity rules"
	reasonAffinity             = "node(s) didn't match pod affinity rules"
)

// affinityTerm is a required pod (anti-)affinity term made ready to match,
// as the scheduler's framework.AffinityTerm: matchLabelKeys and
// mismatchLabelKeys merged into the selector (as the API server does on pod
// creation), namespaces resolved against the owning pod's.
type affinityTerm struct {
	selector    labels.Selector
	namespaces  map[string]bool
	nsSelector  labels.Selector // nil: only namespaces
	topologyKey string
}

func newAffinityTerms(pod *corev1.Pod, terms []corev1.PodAffinityTerm) []affinityTerm {
	var out []affinityTerm
	for _, t := range terms {
		sel := labels.Nothing()
		if t.LabelSelector != nil {
			if s, err := metav1.LabelSelectorAsSelector(t.LabelSelector); err == nil {
				sel = s
			}
		}
		if t.LabelSelector != nil {
			for _, k := range t.MatchLabelKeys {
				if v, ok := pod.Labels[k]; ok {
					if r, err := labels.NewRequirement(k, selection.In, []string{v}); err == nil {
						sel = sel.Add(*r)
					}
				}
			}
			for _, k := range t.MismatchLabelKeys {
				if v, ok := pod.Labels[k]; ok {
					if r, err := labels.NewRequirement(k, selection.NotIn, []string{v}); err == nil {
						sel = sel.Add(*r)
					}
				}
			}
		}
		at := affinityTerm{selector: sel, namespaces: map[string]bool{}, topologyKey: t.TopologyKey}
		for _, ns := range t.Namespaces {
			at.namespaces[ns] = true
		}
		if t.NamespaceSelector != nil {
			if s, err := metav1.LabelSelectorAsSelector(t.NamespaceSelector); err == nil {
				at.nsSelector = s
			}
		} else if len(t.Namespaces) == 0 {
			at.namespaces[pod.Namespace] = true
		}
		out = append(out, at)
	}
	return out
}

// matches tells whether the term selects pod. A namespace's only known
// label is the one the API server sets, kubernetes.io/metadata.name.
func (t affinityTerm) matches(pod *corev1.Pod) bool {
	nsOK := t.namespaces[pod.Namespace]
	if !nsOK && t.nsSelector != nil {
		nsOK = t.nsSelector.Matches(labels.Set{corev1.LabelMetadataName: nsOrDefault(pod.Namespace)})
	}
	return nsOK && t.selector.Matches(labels.Set(pod.Labels))
}

func requiredAntiAffinity(pod *corev1.Pod) []corev1.PodAffinityTerm {
	if a := pod.Spec.Affinity; a != nil && a.PodAntiAffinity != nil {
		return a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return nil
}

func requiredAffinity(pod *corev1.Pod) []corev1.PodAffinityTerm {
	if a := pod.Spec.Affinity; a != nil && a.PodAffinity != nil {
		return a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return nil
}

// interPodAffinity is the scheduler's InterPodAffinity filter for pod on
// node n, given every pod placed so far, in its order: the pod's affinity,
// its anti-affinity, then the anti-affinity of the pods already placed.
func (s *scheduler) interPodAffinity(p *podToPlace, n *nodeState) *rejection {
	if r := s.podAffinity(p, n); r != nil {
		return r
	}
	for _, t := range p.antiAffinity {
		for _, other := range s.nodes {
			if !sameDomain(n.node, other.node, t.topologyKey) {
				continue
			}
			for _, q := range other.pods {
				if t.matches(q.pod) {
					return &rejection{plugin: "InterPodAffinity", reasons: []string{reasonAntiAffinity},
						detail: fmt.Sprintf("its required pod anti-affinity (topologyKey %s) excludes node %s, where a pod of %s runs", t.topologyKey, n.node.Name, q.owner)}
				}
			}
		}
	}
	for _, other := range s.nodes {
		for _, q := range other.pods {
			for _, t := range q.antiAffinity {
				if sameDomain(n.node, other.node, t.topologyKey) && t.matches(p.pod) {
					return &rejection{plugin: "InterPodAffinity", reasons: []string{reasonExistingAntiAffinity},
						detail: fmt.Sprintf("a pod of %s on node %s has a required anti-affinity (topologyKey %s) that selects this pod", q.owner, other.node.Name, t.topologyKey)}
				}
			}
		}
	}
	return nil
}

// podAffinity checks the pod's required affinity terms: each needs a
// matching pod in the node's topology domain. When no pod in the cluster
// matches any term and the pod matches all its own terms, the first of a
// group may go anywhere its topology keys exist.
func (s *scheduler) podAffinity(p *podToPlace, n *nodeState) *rejection {
	if len(p.affinity) == 0 {
		return nil
	}
	anyMatch := false
	allInDomain := true
	for _, t := range p.affinity {
		found := false
		for _, other := range s.nodes {
			for _, q := range other.pods {
				if t.matches(q.pod) {
					anyMatch = true
					if sameDomain(n.node, other.node, t.topologyKey) {
						found = true
					}
				}
			}
		}
		if !found {
			allInDomain = false
		}
	}
	if allInDomain {
		return nil
	}
	if !anyMatch {
		self := true
		for _, t := range p.affinity {
			_, hasKey := n.node.Labels[t.topologyKey]
			if !t.matches(p.pod) || !hasKey {
				self = false
			}
		}
		if self {
			return nil
		}
	}
	return &rejection{plugin: "InterPodAffinity", reasons: []string{reasonAffinity},
		detail: fmt.Sprintf("its required pod affinity finds no matching pod in node %s's topology domain", n.node.Name)}
}

// sameDomain tells whether nodes a and b share the value of topology key k
// (a node without the label is in no domain).
func sameDomain(a, b *corev1.Node, k string) bool {
	va, ok := a.Labels[k]
	if !ok {
		return false
	}
	vb, ok := b.Labels[k]
	return ok && va == vb
}
