package fit

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/progress"
	"github.com/rightsize/rightsize/internal/report"
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
	// AllowServices removes Services whose only users share their server's
	// pod (after merges), the pod reaching the name through hostAliases.
	AllowServices = "services"
	// AllowStorage shrinks the requested size of claims the app creates
	// (not yet existing) toward a floor. Off unless asked for: a smaller
	// volume may fill up.
	AllowStorage = "storage"
	// AllowConfigMaps merges ConfigMaps when a ConfigMap count binds, every
	// reference of the app's pods rewritten to read the same values.
	AllowConfigMaps = "configmaps"
	// AllowSecrets does the same for Opaque Secrets. Off unless asked for:
	// a merged Secret gives whoever may read it every merged credential.
	AllowSecrets = "secrets"
	// AllowHostPorts lets fit remove host ports that the target's nodes
	// cannot all give (see OptIn).
	AllowHostPorts = "host-ports"
)

// Kinds lists the change kinds --allow accepts and allows by default.
var Kinds = []string{AllowResources, AllowReplicas, AllowMerge, AllowServices, AllowServiceTypes, AllowNamespaces, AllowConfigMaps}

// OptIn lists the change kinds --allow also accepts but that are never
// allowed unless named; naming only opt-in kinds keeps the defaults.
var OptIn = []string{AllowHostPorts, AllowStorage, AllowSecrets}

// Options are fit's knobs.
type Options struct {
	// Namespace the output objects carry; "" means the target's.
	Namespace string
	// Allow lists the change kinds allowed; nil means all of Kinds (not OptIn).
	Allow []string
	// AllowDataLoss allows replacing PersistentVolumeClaims with emptyDir.
	AllowDataLoss bool
	// MinCPU and MinMemory are floors; zero values mean solve's defaults.
	MinCPU, MinMemory *resource.Quantity
	// Usage holds observed usage by "Kind/name/container", used as floors.
	Usage map[string]corev1.ResourceList
	// Rollout says how rolling updates are kept from stalling at the quota:
	// one of solve.RolloutModes; "" means solve.RolloutHeadroom.
	Rollout string
	// MinStorage is the floor of a shrunk claim (AllowStorage); nil means
	// solve.DefaultMinStorage.
	MinStorage *resource.Quantity
	// Targets holds usage-based requests and limits to aim for, by
	// "Kind/name/container" (see solve.Options.Targets).
	Targets map[string]corev1.ResourceRequirements
	// Progress hears of each stage as it starts (big apps take seconds).
	Progress progress.Func
}

func (o Options) allowed(kind string) bool {
	if slices.Contains(o.Allow, kind) {
		return true
	}
	if slices.Contains(OptIn, kind) || (o.Allow != nil && len(o.Allow) == 0) {
		return false
	}
	for _, a := range o.Allow {
		if !slices.Contains(OptIn, a) {
			return false // an explicit list of default kinds
		}
	}
	return true
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
	// Cost is how invasive Changes are, in the order fit minimises it.
	Cost report.Cost
}

// Run fits app to t.
func Run(app *model.App, t *model.Target, opts Options) (*Result, error) {
	before, err := footprint.Analyze(app, t)
	if err != nil {
		return nil, err
	}
	f := &fitter{t: t, opts: opts, app: app, res: &Result{Target: t.Name, Before: before}, fp: before, fpApp: app}
	stages := []struct {
		name string
		run  func() error
	}{{"namespaces", f.namespaces}, {"service and object kinds", f.kinds}, {"ConfigMaps and Secrets", f.configs}, {"shrinking", f.shrink}, {"storage", f.storage},
		{"merges (exhaustive)", f.exactMerges}, {"requests, limits and replicas", f.resources}, {"merges", f.merges}, {"services", f.services},
		{"placement on nodes", f.placement}, {"rolling updates", f.rollouts}}
	for i, stage := range stages {
		opts.Progress.Report(progress.Event{Stage: "fit", Message: "fitting " + stage.name, Done: i, Total: len(stages)})
		if err := stage.run(); err != nil {
			return nil, err
		}
	}
	opts.Progress.Report(progress.Event{Stage: "fit", Message: "fitted", Done: len(stages), Total: len(stages), Finished: true})
	return f.result()
}

// fitter carries one fit through its stages, least invasive first: fold
// namespaces, adapt kinds the target does not allow, storage, sizes and
// replicas, then merges (after which sizes and replicas are planned again).
// Each stage plans (package solve), applies (package rewrite) and keeps the
// result only when every name still resolves.
type fitter struct {
	t    *model.Target
	opts Options
	// app is the app as rewritten so far.
	app *model.App
	res *Result
	// fp is the footprint of fpApp: stages that change nothing share it.
	fp    *footprint.Result
	fpApp *model.App
}

// footprint analyzes the current app, once per version of it.
func (f *fitter) footprint() (*footprint.Result, error) {
	if f.fp != nil && f.fpApp == f.app {
		return f.fp, nil
	}
	fp, err := footprint.Analyze(f.app, f.t)
	if err != nil {
		return nil, err
	}
	f.fp, f.fpApp = fp, f.app
	return fp, nil
}

// apply makes ops on the current app unless that breaks a name, which
// becomes a finding; kind names the change kind for it. It reports whether
// the app changed.
func (f *fitter) apply(kind string, ops []solve.Op) (bool, error) {
	if len(ops) == 0 {
		return false, nil
	}
	next, changes, err := f.rewrite(kind, ops)
	if next == nil || err != nil {
		return false, err
	}
	f.commit(next, changes)
	return len(changes) > 0, nil
}

// rewrite makes ops on a copy of the current app; a nil app means the
// rewrite breaks a name, which it records as a finding.
func (f *fitter) rewrite(kind string, ops []solve.Op) (*model.App, []rewrite.Change, error) {
	next, changes, err := rewrite.Apply(f.app, ops)
	if err != nil || namesStay(ops) {
		return next, changes, err
	}
	var list []string
	for _, b := range names.Broken(f.app, next) {
		list = append(list, b.String())
	}
	for _, b := range names.ConfigBroken(f.app, next) {
		list = append(list, "what "+b.String()+" reads")
	}
	if len(list) > 0 {
		f.res.Findings = append(f.res.Findings, model.Finding{Severity: model.Warning, Key: "names",
			Message: fmt.Sprintf("%s change not made: it would break %s", kind, strings.Join(list, "; "))})
		return nil, nil, nil
	}
	return next, changes, nil
}

// namesStay tells whether ops leave every host name and every value a
// container reads as they were, so that checking them again is moot:
// sizes, replicas, claim sizes and update strategies change no Service,
// label, env var, command, argument, volume or ConfigMap.
func namesStay(ops []solve.Op) bool {
	for _, op := range ops {
		if op.Kind != "" && op.Kind != solve.OpStrategy {
			return false
		}
	}
	return true
}

func (f *fitter) commit(next *model.App, changes []rewrite.Change) {
	f.app = next
	f.res.Changes = append(f.res.Changes, changes...)
}

// namespaces: every output object carries the target's namespace (or the
// one asked for).
func (f *fitter) namespaces() error {
	ns := f.opts.Namespace
	if ns == "" {
		ns = f.t.Namespace
	}
	list := namespaces(f.app)
	if op, ok := solve.NamespaceOp(list, hasNamespaceObjects(f.app), ns, f.opts.allowed(AllowNamespaces)); ok {
		_, err := f.apply(AllowNamespaces, []solve.Op{op})
		return err
	}
	if len(list) > 1 {
		f.res.Findings = append(f.res.Findings, model.Finding{Severity: model.Error, Key: "namespace",
			Message: fmt.Sprintf("objects name namespaces %v and folding them is not allowed (change kind namespaces)", list)})
	}
	return nil
}

// kinds: Service types the target does not allow.
func (f *fitter) kinds() error {
	if !f.opts.allowed(AllowServiceTypes) {
		return nil
	}
	_, err := f.apply(AllowServiceTypes, solve.ServiceTypes(f.app, f.t))
	return err
}

// shrink: claims that do not exist yet ask for less storage, when allowed.
func (f *fitter) shrink() error {
	if !f.opts.allowed(AllowStorage) {
		return nil
	}
	min := solve.DefaultMinStorage
	if f.opts.MinStorage != nil {
		min = *f.opts.MinStorage
	}
	ops, findings := solve.ShrinkStorage(f.app, f.t, min)
	f.res.Findings = append(f.res.Findings, findings...)
	_, err := f.apply(AllowStorage, ops)
	return err
}

// storage: claims over the storage quota become emptyDir when data loss is
// allowed.
func (f *fitter) storage() error {
	ops, findings := solve.EmptyDirs(f.app, f.t, f.opts.AllowDataLoss)
	f.res.Findings = append(f.res.Findings, findings...)
	_, err := f.apply("data-loss", ops)
	return err
}

// resources plans sizes and replicas for the first time.
func (f *fitter) resources() error { return f.size(true) }

// size plans sizes and replicas; first says whether this is the first
// planning (whose findings are reported) or the one after merges.
func (f *fitter) size(first bool) error {
	if !f.opts.allowed(AllowResources) && !f.opts.allowed(AllowReplicas) {
		return nil
	}
	fp, err := f.footprint()
	if err != nil {
		return err
	}
	plan := solve.Resources(workloads(f.app, fp), f.t, f.solveOptions())
	ops := plan.Ops
	if !f.opts.allowed(AllowResources) {
		ops = only(ops, "replicas")
	}
	if first || len(ops) > 0 {
		f.res.Fractions, f.res.Binding = plan.Fractions, plan.Binding
	}
	f.res.Over = plan.Over
	if first {
		f.res.Findings = append(f.res.Findings, plan.Findings...)
	}
	_, err = f.apply(AllowResources, ops)
	return err
}

func (f *fitter) solveOptions() solve.Options {
	o := solve.Options{Replicas: f.opts.allowed(AllowReplicas), MinCPU: solve.DefaultMinCPU, MinMemory: solve.DefaultMinMemory, Usage: f.opts.Usage, Targets: f.opts.Targets}
	if f.opts.MinCPU != nil {
		o.MinCPU = *f.opts.MinCPU
	}
	if f.opts.MinMemory != nil {
		o.MinMemory = *f.opts.MinMemory
	}
	return o
}

// merges: while a pod or object count binds, merge Deployments into
// multi-container pods (at one replica each when that is what it takes and
// replicas may change), then plan sizes again for the merged pods.
func (f *fitter) merges() error {
	if !f.opts.allowed(AllowMerge) {
		return nil
	}
	fp, err := f.footprint()
	if err != nil {
		return err
	}
	ops, findings := mergeOps(f.app, f.t, fp)
	var rops []solve.Op
	if len(ops) == 0 && f.opts.allowed(AllowReplicas) {
		// Merged workloads share a replica count: try again with every
		// mergeable Deployment at one replica.
		r, m, err := mergeAtOneReplica(f.app, f.t, fp)
		if err != nil {
			return err
		}
		if len(m) > 0 {
			rops, ops, findings = r, m, nil
		}
	}
	f.res.Findings = append(f.res.Findings, findings...)
	if _, err := f.apply(AllowReplicas, rops); err != nil || len(ops) == 0 {
		return err
	}
	n := len(f.res.Changes)
	var conflict *rewrite.Conflict
	if _, err := f.apply(AllowMerge, ops); errors.As(err, &conflict) {
		// Each group was checked alone; together they clash.
		f.res.Findings = append(f.res.Findings, model.Finding{Severity: model.Warning, Key: "merge", Message: "merges not made: " + conflict.Msg})
	} else if err != nil {
		return err
	}
	if len(f.res.Changes) > n {
		return f.size(false)
	}
	return nil
}

// rollouts keeps the rolling update of every Deployment of a fitting app
// from stalling at the quota: by leaving room for one surge pod (scaling
// requests and limits further, never replicas), or, where that room cannot
// be had or is not wanted, by an update strategy that needs none.
func (f *fitter) rollouts() error {
	if f.opts.Rollout == solve.RolloutIgnore {
		return nil
	}
	fp, err := f.footprint()
	if err != nil || !fp.Fits || len(stalls(fp)) == 0 {
		return err
	}
	if f.opts.Rollout != solve.RolloutRecreate && f.opts.allowed(AllowResources) {
		ok, err := f.headroom(fp)
		if ok || err != nil {
			return err
		}
	}
	var ops []solve.Op
	stalled := stalls(fp)
	for _, w := range workloads(f.app, fp) {
		if stalled[w.Key] {
			ops = append(ops, solve.StrategyOp(w.Object, w.Replicas, "a rolling update would stall: the quota has no room for its surge pod"))
		}
	}
	_, err = f.apply("rollout", ops)
	return err
}

// stalls lists the workloads whose rolling update the footprint says would
// stall at the quota.
func stalls(fp *footprint.Result) map[model.Key]bool {
	out := map[model.Key]bool{}
	for _, fd := range fp.Findings {
		if fd.Key == "rollout" {
			out[fd.Object] = true
		}
	}
	return out
}

// headroom plans sizes again with room for the largest surge pod under
// every quota key, and keeps the result when the app still fits and no
// rollout stalls.
func (f *fitter) headroom(fp *footprint.Result) (bool, error) {
	ws := workloads(f.app, fp)
	for i, w := range ws {
		if d, ok := f.app.Objects[w.Object].Obj.(*appsv1.Deployment); ok {
			ws[i].Surge = solve.SurgePods(d, w.Replicas) > 0
		}
	}
	sopts := f.solveOptions()
	sopts.Replicas = false
	plan := solve.Resources(ws, f.t, sopts)
	if plan.Over != nil {
		return false, nil
	}
	for i := range plan.Ops {
		plan.Ops[i].Reason = surgeReason(plan.Ops[i].Reason)
	}
	next, changes, err := f.rewrite("rollout headroom", plan.Ops)
	if next == nil || err != nil {
		return false, err
	}
	after, err := footprint.Analyze(next, f.t)
	if err != nil || !after.Fits || len(stalls(after)) > 0 {
		return false, err
	}
	for k, v := range plan.Fractions {
		if v < 1 {
			f.res.Fractions[k] = v * f.fraction(k)
			f.res.Binding[k] = plan.Binding[k] + " (with room for a rolling update's surge pod)"
		}
	}
	f.commit(next, changes)
	f.fp, f.fpApp = after, next // the next stage's footprint, already made
	return true, nil
}

// surgeReason says that a size planned again by headroom is a fraction of
// the size fitted before it, taken to leave room for a surge pod.
func surgeReason(r string) string {
	return "room for a rolling update's surge pod: " + strings.Replace(r, " of the original,", " of the size fitted before,", 1)
}

func (f *fitter) fraction(k string) float64 {
	if v, ok := f.res.Fractions[k]; ok {
		return v
	}
	return 1
}

// result analyzes the fitted app and says, when it does not fit, by how
// much each key is over and what it would need.
func (f *fitter) result() (*Result, error) {
	after, err := f.footprint()
	if err != nil {
		return nil, err
	}
	res := f.res
	res.After, res.App, res.Fits = after, f.app, after.Fits
	res.Changes = rewrite.Net(res.Changes)
	res.Cost = cost(res.Changes, res.Before, after)
	if res.Fits {
		res.Over = nil
	} else {
		res.Needs = map[string]resource.Quantity{}
		if res.Over == nil {
			res.Over = map[string]resource.Quantity{}
		}
		for k, u := range after.Quota {
			if !u.Over() {
				continue
			}
			res.Needs[string(k)] = u.Requested.DeepCopy()
			if _, ok := res.Over[string(k)]; !ok {
				d := u.Requested.DeepCopy()
				d.Sub(u.Hard)
				res.Over[string(k)] = d
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
	scope := model.NewScope(app)
	for _, o := range app.Objects {
		if scope.Namespaced(o) && o.Kind() != "Namespace" {
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

func hasNamespaceObjects(app *model.App) bool {
	for _, o := range app.Objects {
		if o.Kind() == "Namespace" {
			return true
		}
	}
	return false
}

// workloads describes the pod-creating objects of app for the planner.
func workloads(app *model.App, fp *footprint.Result) []solve.Workload {
	index := objectIndex(app)
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

// objectIndex maps each object of app to its index in app.Objects, for
// the footprint's workloads, which name objects, to become plan indexes.
func objectIndex(app *model.App) map[*model.Object]int {
	index := make(map[*model.Object]int, len(app.Objects))
	for i, o := range app.Objects {
		index[o] = i
	}
	return index
}
