package fit

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/solve"
)

// Change kinds for Options.Allow.
const (
	AllowResources    = "resources"
	AllowReplicas     = "replicas"
	AllowServiceTypes = "service-types"
	AllowNamespaces   = "namespaces"
	AllowMerge        = "merge"
)

// Kinds lists the change kinds --allow accepts.
var Kinds = []string{AllowResources, AllowReplicas, AllowMerge, AllowServiceTypes, AllowNamespaces}

// Options are fit's knobs.
type Options struct {
	// Namespace the output objects carry; "" means the target's.
	Namespace string
	// Allow lists the change kinds allowed; nil means all of Kinds.
	Allow []string
	// AllowDataLoss allows replacing PersistentVolumeClaims with emptyDir.
	AllowDataLoss bool
	// MinCPU and MinMemory are floors; zero values mean solve's defaults.
	MinCPU, MinMemory *resource.Quantity
	// Usage holds observed usage by "Kind/name/container", used as floors.
	Usage map[string]corev1.ResourceList
}

func (o Options) allowed(kind string) bool {
	if o.Allow == nil {
		return true
	}
	for _, a := range o.Allow {
		if a == kind {
			return true
		}
	}
	return false
}

// Result is what fit found and made.
type Result struct {
	Target string
	// Fits is true when the rewritten app fits.
	Fits bool
	// App is the rewritten app (the input is never changed).
	App     *model.App
	Changes []rewrite.Change
	// Before and After are the footprints of the input and of App.
	Before, After *footprint.Result
	// Fractions is the retained fraction per scaled field.
	Fractions map[string]float64
	Binding   map[string]string
	// Over is how much each key exceeds its hard limit when nothing allowed
	// fits; Needs is the smallest hard value per key that would fit.
	Over     map[string]resource.Quantity
	Needs    map[string]resource.Quantity
	Findings []model.Finding
}

// Run fits app to t.
func Run(app *model.App, t *model.Target, opts Options) (*Result, error) {
	before, err := footprint.Analyze(app, t)
	if err != nil {
		return nil, err
	}
	res := &Result{Target: t.Name, Before: before}
	ns := opts.Namespace
	if ns == "" {
		ns = t.Namespace
	}
	cur := app
	step := func(kind string, ops []solve.Op) error {
		if len(ops) == 0 {
			return nil
		}
		next, changes, err := rewrite.Apply(cur, ops)
		if err != nil {
			return err
		}
		if broken := names.Broken(cur, next); len(broken) > 0 {
			var list []string
			for _, b := range broken {
				list = append(list, b.String())
			}
			res.Findings = append(res.Findings, model.Finding{Severity: model.Warning, Key: "names",
				Message: fmt.Sprintf("%s change not made: it would break %s", kind, strings.Join(list, "; "))})
			return nil
		}
		cur = next
		res.Changes = append(res.Changes, changes...)
		return nil
	}

	// Namespaces: every output object carries ns.
	if op, ok := namespaceOp(cur, ns, opts.allowed(AllowNamespaces)); ok {
		if err := step(AllowNamespaces, []solve.Op{op}); err != nil {
			return nil, err
		}
	} else if nsList := namespaces(cur); len(nsList) > 1 {
		res.Findings = append(res.Findings, model.Finding{Severity: model.Error, Key: "namespace",
			Message: fmt.Sprintf("objects name namespaces %v and folding them is not allowed (--allow namespaces)", nsList)})
	}
	// Kinds the target does not allow.
	if opts.allowed(AllowServiceTypes) {
		if err := step(AllowServiceTypes, serviceOps(cur, t)); err != nil {
			return nil, err
		}
	}
	if ops := storageOps(cur, t, opts.AllowDataLoss, &res.Findings); len(ops) > 0 {
		if err := step("data-loss", ops); err != nil {
			return nil, err
		}
	}
	// Sizes and replicas; then, while a pod or object count binds, merges,
	// after which sizes and replicas are planned again for the merged pods.
	resources := func(first bool) error {
		if !opts.allowed(AllowResources) && !opts.allowed(AllowReplicas) {
			return nil
		}
		fp, err := footprint.Analyze(cur, t)
		if err != nil {
			return err
		}
		ws := workloads(cur, fp)
		sopts := solve.Options{Replicas: opts.allowed(AllowReplicas), MinCPU: solve.DefaultMinCPU, MinMemory: solve.DefaultMinMemory, Usage: opts.Usage}
		if opts.MinCPU != nil {
			sopts.MinCPU = *opts.MinCPU
		}
		if opts.MinMemory != nil {
			sopts.MinMemory = *opts.MinMemory
		}
		plan := solve.Resources(ws, t, sopts)
		ops := plan.Ops
		if !opts.allowed(AllowResources) {
			ops = only(ops, "replicas")
		}
		if first || len(ops) > 0 {
			res.Fractions, res.Binding = plan.Fractions, plan.Binding
		}
		res.Over = plan.Over
		if first {
			res.Findings = append(res.Findings, plan.Findings...)
		}
		return step(AllowResources, ops)
	}
	if err := resources(true); err != nil {
		return nil, err
	}
	if opts.allowed(AllowMerge) {
		fp, err := footprint.Analyze(cur, t)
		if err != nil {
			return nil, err
		}
		ops, findings := mergeOps(cur, t, fp)
		var rops []solve.Op
		if len(ops) == 0 && opts.allowed(AllowReplicas) {
			// Merged workloads share a replica count: try again with every
			// mergeable Deployment at one replica.
			if r, m, err := mergeAtOneReplica(cur, t, fp); err != nil {
				return nil, err
			} else if len(m) > 0 {
				rops, ops, findings = r, m, nil
			}
		}
		res.Findings = append(res.Findings, findings...)
		if err := step(AllowReplicas, rops); err != nil {
			return nil, err
		}
		if len(ops) > 0 {
			n := len(res.Changes)
			var conflict *rewrite.Conflict
			if err := step(AllowMerge, ops); errors.As(err, &conflict) {
				// Each group was checked alone; together they clash.
				res.Findings = append(res.Findings, model.Finding{Severity: model.Warning, Key: "merge", Message: "merges not made: " + conflict.Msg})
			} else if err != nil {
				return nil, err
			}
			if len(res.Changes) > n {
				if err := resources(false); err != nil {
					return nil, err
				}
			}
		}
	}
	after, err := footprint.Analyze(cur, t)
	if err != nil {
		return nil, err
	}
	res.After, res.App, res.Fits = after, cur, after.Fits
	if res.Fits {
		res.Over = nil
	} else {
		res.Needs = map[string]resource.Quantity{}
		if res.Over == nil {
			res.Over = map[string]resource.Quantity{}
		}
		for k, u := range after.Quota {
			if u.Over() {
				res.Needs[string(k)] = u.Requested.DeepCopy()
				if _, ok := res.Over[string(k)]; !ok {
					d := u.Requested.DeepCopy()
					d.Sub(u.Hard)
					res.Over[string(k)] = d
				}
			}
		}
	}
	sortFindings(res.Findings)
	return res, nil
}

func only(ops []solve.Op, field string) []solve.Op {
	var out []solve.Op
	for _, op := range ops {
		if op.Field == field {
			out = append(out, op)
		}
	}
	return out
}

func sortFindings(fs []model.Finding) {
	rank := map[model.Severity]int{model.Error: 0, model.Warning: 1, model.Info: 2}
	sort.SliceStable(fs, func(i, j int) bool { return rank[fs[i].Severity] < rank[fs[j].Severity] })
}

// namespaces lists the distinct namespaces the app's namespaced objects name.
func namespaces(app *model.App) []string {
	seen := map[string]bool{}
	for _, o := range app.Objects {
		if rewrite.Namespaced(o.Kind()) && o.Kind() != "Namespace" {
			seen[o.Namespace()] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// namespaceOp moves every object into ns when some object names another
// namespace. Folding several namespaces into one needs allowFold.
func namespaceOp(app *model.App, ns string, allowFold bool) (solve.Op, bool) {
	list := namespaces(app)
	need := false
	for _, n := range list {
		if n != ns {
			need = true
		}
	}
	for _, o := range app.Objects {
		if o.Kind() == "Namespace" {
			need = true
		}
	}
	if !need || (len(list) > 1 && !allowFold) {
		return solve.Op{}, false
	}
	reason := "the target is one namespace"
	if ns != "" {
		reason = "the target's namespace is " + ns
	}
	return solve.Op{Kind: solve.OpNamespace, Object: -1, Namespace: ns, Reason: reason}, true
}

// serviceOps turns NodePort and LoadBalancer Services into ClusterIP ones,
// in app order, while services.nodeports or services.loadbalancers is over.
func serviceOps(app *model.App, t *model.Target) []solve.Op {
	hard := func(key corev1.ResourceName) (int64, bool) {
		best, ok := int64(0), false
		for _, q := range t.Quotas {
			if h, has := q.Spec.Hard[key]; has && (!ok || h.Value() < best) {
				best, ok = h.Value(), true
			}
		}
		return best, ok
	}
	np, hasNP := hard(corev1.ResourceServicesNodePorts)
	lb, hasLB := hard(corev1.ResourceServicesLoadBalancers)
	if !hasNP && !hasLB {
		return nil
	}
	var usedNP, usedLB int64
	var svcs []int
	for i, o := range app.Objects {
		s, ok := o.Obj.(*corev1.Service)
		if !ok || (s.Spec.Type != corev1.ServiceTypeNodePort && s.Spec.Type != corev1.ServiceTypeLoadBalancer) {
			continue
		}
		svcs = append(svcs, i)
		usedNP += int64(len(s.Spec.Ports))
		if s.Spec.Type == corev1.ServiceTypeLoadBalancer {
			usedLB++
		}
	}
	var ops []solve.Op
	for _, i := range svcs {
		if !(hasNP && usedNP > np) && !(hasLB && usedLB > lb) {
			break
		}
		s := app.Objects[i].Obj.(*corev1.Service)
		key := corev1.ResourceServicesNodePorts
		if hasLB && usedLB > lb && s.Spec.Type == corev1.ServiceTypeLoadBalancer {
			key = corev1.ResourceServicesLoadBalancers
		}
		usedNP -= int64(len(s.Spec.Ports))
		if s.Spec.Type == corev1.ServiceTypeLoadBalancer {
			usedLB--
		}
		ops = append(ops, solve.Op{Kind: solve.OpServiceType, Object: i, Reason: fmt.Sprintf("quota %s binds: the target allows no more %s Services", key, s.Spec.Type)})
	}
	return ops
}

// storageOps replaces claims with emptyDir, largest first, while
// persistentvolumeclaims or requests.storage is over, and only when data loss
// is allowed; otherwise it says what would be needed.
func storageOps(app *model.App, t *model.Target, allow bool, findings *[]model.Finding) []solve.Op {
	var claims []int
	var count int64
	var storage resource.Quantity
	for i, o := range app.Objects {
		if pvc, ok := o.Obj.(*corev1.PersistentVolumeClaim); ok {
			claims = append(claims, i)
			count++
			storage.Add(pvc.Spec.Resources.Requests[corev1.ResourceStorage])
		}
	}
	if len(claims) == 0 {
		return nil
	}
	over := func() bool {
		for _, q := range t.Quotas {
			if h, ok := q.Spec.Hard[corev1.ResourcePersistentVolumeClaims]; ok && count > h.Value() {
				return true
			}
			if h, ok := q.Spec.Hard[corev1.ResourceRequestsStorage]; ok && storage.Cmp(h) > 0 {
				return true
			}
		}
		return false
	}
	if !over() {
		return nil
	}
	if !allow {
		*findings = append(*findings, model.Finding{Severity: model.Error, Key: "storage",
			Message: "the app's PersistentVolumeClaims exceed the target's storage quota; replacing them with emptyDir loses data and needs --allow-data-loss"})
		return nil
	}
	sort.SliceStable(claims, func(a, b int) bool {
		qa := app.Objects[claims[a]].Obj.(*corev1.PersistentVolumeClaim).Spec.Resources.Requests[corev1.ResourceStorage]
		qb := app.Objects[claims[b]].Obj.(*corev1.PersistentVolumeClaim).Spec.Resources.Requests[corev1.ResourceStorage]
		return qa.Cmp(qb) > 0
	})
	var ops []solve.Op
	for _, i := range claims {
		if !over() {
			break
		}
		pvc := app.Objects[i].Obj.(*corev1.PersistentVolumeClaim)
		count--
		storage.Sub(pvc.Spec.Resources.Requests[corev1.ResourceStorage])
		ops = append(ops, solve.Op{Kind: solve.OpEmptyDir, Object: i, Reason: "the target's storage quota binds and --allow-data-loss was given: the volume's data is lost when its pod goes"})
		*findings = append(*findings, model.Finding{Severity: model.Error, Key: "data-loss", Object: app.Objects[i].Key(),
			Message: "replaced by emptyDir (--allow-data-loss): its data no longer survives a pod restart"})
	}
	return ops
}

// workloads describes the pod-creating objects of app for the planner.
func workloads(app *model.App, fp *footprint.Result) []solve.Workload {
	index := map[*model.Object]int{}
	for i, o := range app.Objects {
		index[o] = i
	}
	var ws []solve.Workload
	for _, w := range fp.Workloads {
		i, ok := index[w.Object]
		if !ok || w.Pod == nil {
			continue
		}
		ann := map[string]string{}
		if acc, ok := w.Object.Obj.(interface{ GetAnnotations() map[string]string }); ok {
			for k, v := range acc.GetAnnotations() {
				ann[k] = v
			}
		}
		if _, md, ok := footprint.PodSpec(w.Object); ok {
			for k, v := range md.Annotations {
				ann[k] = v
			}
		}
		ws = append(ws, solve.Workload{Object: i, Key: w.Object.Key(), Ref: w.Object.Ref(), Kind: w.Object.Kind(), Pod: w.Pod, Replicas: w.Replicas, Annotations: ann})
	}
	return ws
}
