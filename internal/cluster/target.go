package cluster

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
)

// Name is how a live target is named in reports: "cluster:CONTEXT/NAMESPACE".
func (h *Handle) Name() string {
	if h.Context == "" {
		return TargetPrefix + h.Namespace
	}
	return TargetPrefix + h.Context + "/" + h.Namespace
}

// Target reads the handle's namespace as a target: its ResourceQuotas
// (spec and status.used), its LimitRanges and the nodes the user may list,
// each with the requests of the pods already bound to it taken off its
// allocatable. When app is not nil, its objects that already exist in the
// namespace are updates: their current charge, as the footprint computes
// it, is taken off status.used so that it is not counted twice.
func (h *Handle) Target(ctx context.Context, app *model.App) (*model.Target, error) {
	ns := h.Namespace
	t := &model.Target{Name: h.Name(), Namespace: ns, Live: true}
	quotas, err := h.Client.CoreV1().ResourceQuotas(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the ResourceQuotas of namespace %s: %w", ns, err)
	}
	sort.Slice(quotas.Items, func(i, j int) bool { return quotas.Items[i].Name < quotas.Items[j].Name })
	for i := range quotas.Items {
		q := quotas.Items[i].DeepCopy()
		q.ManagedFields = nil
		if q.Status.Used == nil {
			// Not yet computed by the quota controller: admission refuses
			// everything it charges until it is.
			q.Status.Used = corev1.ResourceList{}
		}
		t.Quotas = append(t.Quotas, q)
	}
	lrs, err := h.Client.CoreV1().LimitRanges(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the LimitRanges of namespace %s: %w", ns, err)
	}
	sort.Slice(lrs.Items, func(i, j int) bool { return lrs.Items[i].Name < lrs.Items[j].Name })
	for i := range lrs.Items {
		lr := lrs.Items[i].DeepCopy()
		lr.ManagedFields = nil
		t.LimitRanges = append(t.LimitRanges, lr)
	}
	if err := h.nodes(ctx, t); err != nil {
		return nil, err
	}
	if app != nil && len(t.Quotas) > 0 {
		if err := h.discountExisting(ctx, t, app); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// nodes fills t.Nodes with the schedulable nodes and their free room. A
// tenant may not list nodes: that is a finding, and node checks are skipped.
func (h *Handle) nodes(ctx context.Context, t *model.Target) error {
	list, err := h.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if apierrors.IsForbidden(err) {
		t.Findings = append(t.Findings, model.Finding{
			Severity: model.Info, Key: "nodes",
			Message: "node checks skipped: this user may not list nodes (" + err.Error() + "); quota and limit range checks stand",
		})
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	for i := range list.Items {
		n := list.Items[i].DeepCopy()
		if n.Spec.Unschedulable || !nodeReady(n) {
			continue
		}
		n.ManagedFields = nil
		free, err := h.freeRoom(ctx, n)
		if err != nil {
			return err
		}
		n.Status.Allocatable = free
		t.Nodes = append(t.Nodes, n)
	}
	if len(list.Items) > 0 && len(t.Nodes) == 0 {
		t.Findings = append(t.Findings, model.Finding{
			Severity: model.Warning, Key: "nodes",
			Message: fmt.Sprintf("none of the %d nodes is Ready and schedulable", len(list.Items)),
		})
	}
	return nil
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// freeRoom is the node's allocatable minus the requests of the pods bound to
// it that still run, as the scheduler counts them (pods included).
func (h *Handle) freeRoom(ctx context.Context, n *corev1.Node) (corev1.ResourceList, error) {
	free := n.Status.Allocatable.DeepCopy()
	if _, ok := free[corev1.ResourcePods]; !ok {
		free[corev1.ResourcePods] = *resource.NewQuantity(110, resource.DecimalSI)
	}
	pods, err := h.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("spec.nodeName", n.Name).String(),
	})
	if err != nil {
		return nil, fmt.Errorf("listing the pods of node %s: %w", n.Name, err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		req := resourcehelper.PodRequests(p, resourcehelper.PodResourcesOptions{})
		req[corev1.ResourcePods] = *resource.NewQuantity(1, resource.DecimalSI)
		for k, v := range req {
			if cur, ok := free[k]; ok {
				cur.Sub(v)
				if cur.Sign() < 0 {
					cur = *resource.NewQuantity(0, cur.Format)
				}
				free[k] = cur
			}
		}
	}
	return free, nil
}

// discountExisting takes the charge of the app's objects that exist already
// off each quota's status.used, and says which ones exist.
func (h *Handle) discountExisting(ctx context.Context, t *model.Target, app *model.App) error {
	existing, err := h.Existing(ctx, app)
	if err != nil {
		return err
	}
	if len(existing.Objects) == 0 {
		return nil
	}
	var refs []string
	for _, o := range existing.Objects {
		refs = append(refs, o.Ref())
	}
	slices.Sort(refs)
	t.Findings = append(t.Findings, model.Finding{
		Severity: model.Info, Key: "existing",
		Message: fmt.Sprintf("%d object(s) of the app exist in namespace %s already and are counted as updates: %s", len(refs), t.Namespace, strings.Join(refs, ", ")),
	})
	charge, err := Charge(existing, t)
	if err != nil {
		return err
	}
	for i, q := range t.Quotas {
		for k, c := range charge[i] {
			u, ok := q.Status.Used[k]
			if !ok {
				continue
			}
			u.Sub(c)
			if u.Sign() < 0 {
				u = *resource.NewQuantity(0, u.Format)
			}
			q.Status.Used[k] = u
		}
	}
	return nil
}

// Charge is what the objects of app add to each quota of t (by index), as
// the footprint computes it with room for everything: the app's charge
// minus an empty namespace's, one quota at a time (so that quotas sharing
// a key are told apart).
func Charge(app *model.App, t *model.Target) ([]corev1.ResourceList, error) {
	out := make([]corev1.ResourceList, len(t.Quotas))
	for i, q := range t.Quotas {
		q = q.DeepCopy()
		q.Status = corev1.ResourceQuotaStatus{}
		for k := range q.Spec.Hard {
			q.Spec.Hard[k] = *resource.NewQuantity(1<<50, resource.DecimalSI)
		}
		roomy := &model.Target{Name: t.Name, Namespace: t.Namespace, LimitRanges: t.LimitRanges, Quotas: []*corev1.ResourceQuota{q}}
		with, err := footprint.Analyze(app, roomy)
		if err != nil {
			return nil, fmt.Errorf("computing the charge of the existing objects: %w", err)
		}
		without, err := footprint.Analyze(&model.App{}, roomy)
		if err != nil {
			return nil, err
		}
		out[i] = corev1.ResourceList{}
		for k, u := range with.Quota {
			c := u.Requested.DeepCopy()
			c.Sub(without.Quota[k].Requested)
			if c.Sign() > 0 {
				out[i][k] = c
			}
		}
	}
	return out, nil
}
