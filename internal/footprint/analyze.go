package footprint

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/par"
)

// quotaState tracks one ResourceQuota while the app is admitted in order.
type quotaState struct {
	q *corev1.ResourceQuota
	// used is what admission has let in so far, as a cluster would show it.
	used corev1.ResourceList
	// requested is the whole app's charge, as if everything were admitted.
	requested corev1.ResourceList
}

// over reports whether the whole app's charge exceeds any hard limit.
func (qs *quotaState) over() bool {
	for k, h := range qs.q.Spec.Hard {
		if r, ok := qs.requested[k]; ok && r.Cmp(h) > 0 {
			return true
		}
	}
	return false
}

type analyzer struct {
	// refusalIndex finds a refusal by object and message, to merge repeats.
	refusalIndex map[refusalID]int
	// orig is the target as given; t adds the app's own constraints.
	orig   *model.Target
	app    *model.App
	t      *model.Target
	lrs    []*corev1.LimitRange
	quotas []*quotaState
	res    *Result
	sas    map[string]bool
	// scope tells what is charged to the namespace.
	scope   *model.Scope
	classes map[string]bool
	// noPods holds the pod-creating objects that admission refused (or
	// whose ReplicaSet it refused): nothing creates their pods.
	noPods map[*model.Object]bool
	// missingClaims are the claims pods may name that will not exist:
	// "refused" by admission, or "absent" from the app.
	missingClaims map[string]string
}

// Analyze computes the footprint of app in t.
func Analyze(app *model.App, t *model.Target) (*Result, error) {
	orig := t
	t, extra := withAppConstraints(app, t)
	a := &analyzer{
		orig: orig,
		app:  app, t: t, lrs: LimitRanges(t), scope: model.NewScope(app),
		res:           &Result{Target: t.Name, Quota: map[corev1.ResourceName]Usage{}},
		sas:           map[string]bool{"default": true},
		noPods:        map[*model.Object]bool{},
		missingClaims: map[string]string{},
		classes:       map[string]bool{"system-cluster-critical": true, "system-node-critical": true},
	}
	for _, q := range t.Quotas {
		a.quotas = append(a.quotas, &quotaState{q: q, used: corev1.ResourceList{}, requested: corev1.ResourceList{}})
	}
	for _, o := range app.Objects {
		switch o.Kind() {
		case "ServiceAccount":
			a.sas[o.Name()] = true
		case "PriorityClass":
			a.classes[o.Name()] = true
		}
	}
	a.baseline()
	// Objects first, in the order kubectl apply and verify create them; pods
	// after, as controllers create them once their owners exist.
	ordered := ApplyOrder(app.Objects)
	for _, o := range ordered {
		if err := a.object(o); err != nil {
			return nil, err
		}
	}
	var podObjects []*model.Object
	for _, o := range app.Objects {
		if _, _, ok := PodSpec(o); ok {
			podObjects = append(podObjects, o)
		}
	}
	// In batches: a prepared pod's usage is garbage once it is charged.
	for start := 0; start < len(podObjects); start += podBatch {
		for _, p := range a.preparePods(podObjects[start:min(start+podBatch, len(podObjects))]) {
			a.pods(p)
		}
	}
	a.claimReferences()
	a.summarize()
	a.nodes()
	a.rollouts()
	a.namespaces()
	a.res.Findings = append(a.res.Findings, app.Findings...)
	a.res.Findings = append(a.res.Findings, extra...)
	a.res.Findings = append(a.res.Findings, orig.Findings...)
	a.res.Fits = len(a.res.Refusals) == 0
	for _, f := range a.res.Findings {
		if f.Severity == model.Error {
			a.res.Fits = false
		}
	}
	sortFindings(a.res.Findings)
	return a.res, nil
}

// withAppConstraints returns the target with the app's own ResourceQuota
// and LimitRange objects added: once applied, admission enforces them too.
func withAppConstraints(app *model.App, t *model.Target) (*model.Target, []model.Finding) {
	var findings []model.Finding
	out := *t
	copied := false
	for _, o := range app.Objects {
		switch obj := o.Obj.(type) {
		case *corev1.ResourceQuota:
			if !copied {
				out.Quotas, out.LimitRanges, copied = append([]*corev1.ResourceQuota(nil), t.Quotas...), append([]*corev1.LimitRange(nil), t.LimitRanges...), true
			}
			out.Quotas = append(out.Quotas, obj)
		case *corev1.LimitRange:
			if !copied {
				out.Quotas, out.LimitRanges, copied = append([]*corev1.ResourceQuota(nil), t.Quotas...), append([]*corev1.LimitRange(nil), t.LimitRanges...), true
			}
			out.LimitRanges = append(out.LimitRanges, obj)
		default:
			continue
		}
		findings = append(findings, model.Finding{
			Severity: model.Info, Key: "constraint", Object: o.Key(),
			Message: "the app brings its own " + o.Kind() + "; admission enforces it next to the target's, and so does this analysis",
		})
	}
	return &out, findings
}

// kindOrder is the order objects are created in: what others depend on first.
var kindOrder = map[string]int{
	"Namespace": 0, "CustomResourceDefinition": 1, "PriorityClass": 2, "StorageClass": 2,
	"ResourceQuota": 3, "LimitRange": 3, "ServiceAccount": 4, "Secret": 5, "ConfigMap": 5,
	"Role": 6, "ClusterRole": 6, "RoleBinding": 7, "ClusterRoleBinding": 7,
	"PersistentVolume": 8, "PersistentVolumeClaim": 9, "Service": 10,
}

// ApplyOrder returns objects in dependency order (stable within a rank):
// namespaces, quotas, accounts, config, claims, services, then the rest.
func ApplyOrder(objs []*model.Object) []*model.Object {
	type ranked struct {
		o    *model.Object
		rank int
	}
	rs := make([]ranked, len(objs))
	for i, o := range objs {
		r, ok := kindOrder[o.Kind()]
		if !ok {
			r = 20
		}
		rs[i] = ranked{o, r}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].rank < rs[j].rank })
	out := make([]*model.Object, len(rs))
	for i, r := range rs {
		out[i] = r.o
	}
	return out
}

// baseline charges what every namespace holds before the app arrives: the
// target's own quota and limit range objects, the default service account
// and the kube-root-ca.crt config map that controllers create.
func (a *analyzer) baseline() {
	one := func(keys ...corev1.ResourceName) corev1.ResourceList {
		l := corev1.ResourceList{}
		for _, k := range keys {
			l[k] = *resource.NewQuantity(1, resource.DecimalSI)
		}
		return l
	}
	if a.orig.Live {
		a.liveBaseline()
		return
	}
	for range a.orig.Quotas {
		a.chargeAll(one(corev1.ResourceQuotas, "count/resourcequotas"))
	}
	for range a.orig.LimitRanges {
		a.chargeAll(one("count/limitranges"))
	}
	if a.app.Find("ServiceAccount", "", "default") == nil {
		a.chargeAll(one("count/serviceaccounts"))
	}
	if a.app.Find("ConfigMap", "", "kube-root-ca.crt") == nil {
		a.chargeAll(one(corev1.ResourceConfigMaps, "count/configmaps"))
	}
}

// liveBaseline starts each of the target's quotas from its status.used: a
// live namespace holds its default objects and other apps already.
func (a *analyzer) liveBaseline() {
	for i, q := range a.orig.Quotas {
		if i >= len(a.quotas) || q.Status.Used == nil {
			continue
		}
		m := mask(q.Status.Used, a.quotas[i].q.Spec.Hard)
		addTo(a.quotas[i].used, m, 1)
		addTo(a.quotas[i].requested, m, 1)
	}
}

// chargeAll charges u to every quota that limits one of its keys, without
// admission checks (objects the cluster creates itself).
func (a *analyzer) chargeAll(u corev1.ResourceList) {
	for _, qs := range a.quotas {
		m := mask(u, qs.q.Spec.Hard)
		addTo(qs.used, m, 1)
		addTo(qs.requested, m, 1)
	}
}

// object charges a non-pod object (and a controller's own objects).
func (a *analyzer) object(o *model.Object) error {
	if !a.scope.Namespaced(o) {
		return nil
	}
	if _, ok := o.Obj.(*corev1.Pod); ok {
		return nil // a bare pod is charged once, with its pod usage, by pods
	}
	u := corev1.ResourceList{}
	var refusal string
	switch obj := o.Obj.(type) {
	case *corev1.Service:
		u = ServiceUsage(obj)
	case *corev1.PersistentVolumeClaim:
		u = PVCUsage(obj)
		if errs := ValidatePVC(obj, a.lrs); len(errs) > 0 {
			refusal = "forbidden: " + aggregate(errs)
		}
	default:
		u[CountKey(o.GVK())] = *resource.NewQuantity(1, resource.DecimalSI)
		if k := legacyKey(o.Kind()); k != "" {
			u[k] = *resource.NewQuantity(1, resource.DecimalSI)
		}
	}
	if a.admit(o.Key(), u, 1, refusal, false) == 0 {
		// Refused: none of what it would have made (ReplicaSet, pods,
		// endpoints) exists.
		a.noPods[o] = true
		if o.Kind() == "PersistentVolumeClaim" {
			a.missingClaims[o.Name()] = "refused"
		}
		return nil
	}
	for _, k := range controllerObjects(o) {
		if a.admit(o.Key(), corev1.ResourceList{k: *resource.NewQuantity(1, resource.DecimalSI)}, 1, "", false) == 0 {
			a.noPods[o] = true
		}
	}
	if svc, ok := o.Obj.(*corev1.Service); ok && len(svc.Spec.Selector) > 0 && svc.Spec.Type != corev1.ServiceTypeExternalName {
		// The endpoints and EndpointSlice controllers give every Service
		// with a selector an Endpoints object and a (placeholder) slice.
		a.chargeAll(endpointsUsage)
	}
	return nil
}

// endpointsUsage is what a Service's Endpoints and EndpointSlice are
// charged (read only: chargeAll copies what it charges).
var endpointsUsage = corev1.ResourceList{
	"count/endpoints":                       *resource.NewQuantity(1, resource.DecimalSI),
	"count/endpointslices.discovery.k8s.io": *resource.NewQuantity(1, resource.DecimalSI),
}

// admit charges n identical creations of usage u in order, as admission
// would: each is refused when a quota it matches would be exceeded. It
// returns how many were admitted. A non-empty refusal refuses all n.
// ordered stops at the first refusal (StatefulSet OrderedReady).
func (a *analyzer) admit(ref model.Key, u corev1.ResourceList, n int32, refusal string, ordered bool) int32 {
	return a.admitMatching(ref, u, n, refusal, ordered, func(*corev1.ResourceQuota) bool { return true })
}

func (a *analyzer) admitMatching(ref model.Key, u corev1.ResourceList, n int32, refusal string, ordered bool, matches func(*corev1.ResourceQuota) bool) int32 {
	var relevant []*quotaState
	for _, qs := range a.quotas {
		if !matches(qs.q) {
			continue
		}
		if m := mask(u, qs.q.Spec.Hard); len(m) > 0 {
			relevant = append(relevant, qs)
			addTo(qs.requested, m, int64(n))
		}
	}
	if refusal != "" {
		a.refuse(ref, int(n), refusal)
		return 0
	}
	masked := make([]corev1.ResourceList, len(relevant))
	for i, qs := range relevant {
		masked[i] = removeZeros(mask(u, qs.q.Spec.Hard))
	}
	admitted := int32(0)
	for i := int32(0); i < n; i++ {
		msg := ""
		for j, qs := range relevant {
			if keys := exceeds(qs.used, masked[j], qs.q.Spec.Hard); len(keys) > 0 {
				msg = "forbidden: " + exceededMessage(qs.q, qs.used, masked[j], keys)
				break
			}
		}
		if msg != "" {
			// Nothing was charged, so every remaining identical creation
			// meets the same quota state and the same refusal.
			a.refuse(ref, int(n-i), msg)
			return admitted
		}
		for j, qs := range relevant {
			addTo(qs.used, masked[j], 1)
		}
		admitted++
	}
	return admitted
}

func removeZeros(l corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k, v := range l {
		if !v.IsZero() {
			out[k] = v
		}
	}
	return out
}

// refusalID is what refusals merge by.
type refusalID struct {
	ref model.Key
	msg string
}

// refuse records n refusals of ref, merging repeats of the same message.
func (a *analyzer) refuse(ref model.Key, n int, msg string) {
	if n <= 0 {
		return
	}
	key := refusalID{ref, msg}
	if i, ok := a.refusalIndex[key]; ok {
		a.res.Refusals[i].Count += n
		return
	}
	if a.refusalIndex == nil {
		a.refusalIndex = map[refusalID]int{}
	}
	a.refusalIndex[key] = len(a.res.Refusals)
	a.res.Refusals = append(a.res.Refusals, Refusal{Object: ref, Count: n, Message: msg})
}

// podPrep is what admitting one pod-creating object's pods needs that does
// not depend on what was admitted before it.
type podPrep struct {
	o       *model.Object
	spec    *corev1.PodSpec
	stored  *corev1.Pod
	refusal string
	n       int32
	w       Workload
	u       corev1.ResourceList
}

// podBatch is how many pod-creating objects are prepared at a time.
const podBatch = 256

// preparePods prepares every pod-creating object, on every CPU for a large
// app: defaulting, LimitRanger and validation work on each pod alone; only
// the quota accounting that follows is in order.
func (a *analyzer) preparePods(objs []*model.Object) []podPrep {
	out := make([]podPrep, len(objs))
	par.Each(len(objs), 64, func(i int) { out[i] = a.preparePod(objs[i]) })
	return out
}

// preparePod runs pod admission's defaulting, mutation and validation on
// o's pod; it reads the analyzer and changes nothing of it.
func (a *analyzer) preparePod(o *model.Object) podPrep {
	spec, md, _ := PodSpec(o)
	// A shallow copy: admitPod copies what it changes.
	pod := &corev1.Pod{ObjectMeta: *md, Spec: *spec}
	pod.Namespace = a.t.Namespace
	n := Replicas(o, a.t)
	// The ServiceAccount and Priority plugins mutate, so they refuse before
	// API validation and the validating plugins (LimitRanger, ResourceQuota).
	stored, refusal := admitPod(pod, a.lrs, a.t.Quotas)
	if ref := a.podReferences(stored); ref != "" {
		refusal = ref
	}
	w := Workload{
		Object: o, Kind: o.Kind(), Name: o.Name(), Replicas: n, Pod: stored, Refused: refusal,
		PodRequests: resourcehelper.PodRequests(stored, resourcehelper.PodResourcesOptions{}),
		PodLimits:   resourcehelper.PodLimits(stored, resourcehelper.PodResourcesOptions{}),
	}
	return podPrep{o: o, spec: spec, stored: stored, refusal: refusal, n: n, w: w, u: podUsage(w.PodRequests, w.PodLimits)}
}

// pods admits the pods of one pod-creating object.
func (a *analyzer) pods(p podPrep) {
	o, spec, stored, refusal, n := p.o, p.spec, p.stored, p.refusal, p.n
	a.res.Workloads = append(a.res.Workloads, p.w)

	claims := slices.Concat(claimTemplates(o), ephemeralClaims(spec))
	ordered := false
	if s, ok := o.Obj.(*appsv1.StatefulSet); ok {
		ordered = s.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
	}
	u := p.u
	matches := func(q *corev1.ResourceQuota) bool { return QuotaMatchesPod(q, stored) }
	if a.noPods[o] {
		a.demand(claims, u, matches, n)
		return
	}
	if len(claims) == 0 {
		a.admitMatching(o.Key(), u, n, refusal, ordered, matches)
		return
	}
	// A StatefulSet creates each pod's claims before the pod; a refused claim
	// means no pod. With podManagementPolicy Parallel it creates replicas in
	// batches of 1, 2, 4, ... and stops after the batch where one fails.
	stopAt := int32(-1)
	for i := int32(0); i < n; i++ {
		if stopAt >= 0 && i >= stopAt {
			a.demand(claims, u, matches, n-i)
			a.refuse(o.Key(), int(n-i), "pod not created: the StatefulSet stops at a refused replica (podManagementPolicy Parallel creates replicas in batches of 1, 2, 4, ...)")
			return
		}
		claimsOK := true
		for _, c := range claims {
			cu := PVCUsage(&c)
			msg := ""
			if errs := ValidatePVC(&c, a.lrs); len(errs) > 0 {
				msg = "forbidden: " + aggregate(errs)
			}
			if a.admit(o.Key(), cu, 1, msg, false) == 0 {
				claimsOK = false
			}
		}
		if !claimsOK {
			// The pod is charged to requested (demand) but never created.
			for _, qs := range a.quotas {
				if matches(qs.q) {
					addTo(qs.requested, mask(u, qs.q.Spec.Hard), 1)
				}
			}
			if ordered {
				a.demand(claims, u, matches, n-i-1)
				a.refuse(o.Key(), int(n-i), "pod not created: its persistent volume claim was refused")
				return
			}
			if stopAt < 0 {
				stopAt = batchEnd(i)
			}
			continue
		}
		admitted := a.admitMatching(o.Key(), u, 1, refusal, false, matches) == 1
		if !admitted && stopAt < 0 {
			stopAt = batchEnd(i)
		}
		if !admitted && ordered {
			// Later pods wait for this one to be Ready: neither they nor
			// their claims are ever created.
			a.demand(claims, u, matches, n-i-1)
			if n-i-1 > 0 {
				a.refuse(o.Key(), int(n-i-1), "pod not created: the StatefulSet waits for the refused pod before it (podManagementPolicy OrderedReady)")
			}
			return
		}
	}
}

// batchEnd is where the slow-start batch holding replica i ends: the
// StatefulSet controller's batches hold 1, 2, 4, ... replicas, at most 500.
func batchEnd(i int32) int32 {
	end, size := int32(0), int32(1)
	for end <= i {
		end += size
		size = min(2*size, 500)
	}
	return end
}

// demand charges n pods of usage u, with their claims, to the app's demand
// (Requested) only: they are never created, so admission never sees them.
func (a *analyzer) demand(claims []corev1.PersistentVolumeClaim, u corev1.ResourceList, matches func(*corev1.ResourceQuota) bool, n int32) {
	if n <= 0 {
		return
	}
	for _, qs := range a.quotas {
		for _, c := range claims {
			addTo(qs.requested, mask(PVCUsage(&c), qs.q.Spec.Hard), int64(n))
		}
		if matches(qs.q) {
			addTo(qs.requested, mask(u, qs.q.Spec.Hard), int64(n))
		}
	}
}

// claimReferences reports pods that mount a claim that will not exist: the
// scheduler leaves them Pending ("persistentvolumeclaim ... not found").
func (a *analyzer) claimReferences() {
	present := map[string]bool{}
	for _, o := range a.app.Objects {
		if o.Kind() == "PersistentVolumeClaim" {
			present[o.Name()] = true
		}
	}
	for _, w := range a.res.Workloads {
		if w.Refused != "" || w.Replicas == 0 || a.noPods[w.Object] {
			continue
		}
		for _, v := range w.Pod.Spec.Volumes {
			if v.PersistentVolumeClaim == nil {
				continue
			}
			name := v.PersistentVolumeClaim.ClaimName
			switch {
			case a.missingClaims[name] == "refused":
				a.res.Findings = append(a.res.Findings, model.Finding{
					Severity: model.Error, Key: "persistentvolumeclaims", Object: w.Object.Key(),
					Message: fmt.Sprintf("its pods mount claim %q, which admission refuses: they are created but never scheduled", name),
				})
			case !present[name]:
				a.res.Findings = append(a.res.Findings, model.Finding{
					Severity: model.Warning, Key: "persistentvolumeclaims", Object: w.Object.Key(),
					Message: fmt.Sprintf("its pods mount claim %q, which the app does not define: they stay Pending unless it exists in the namespace", name),
				})
			}
		}
	}
}

// podReferences checks what pod admission looks up: the service account and
// the priority class must exist.
func (a *analyzer) podReferences(pod *corev1.Pod) string {
	if sa := pod.Spec.ServiceAccountName; sa != "" && !a.sas[sa] {
		return fmt.Sprintf("forbidden: error looking up service account %s/%s: serviceaccount %q not found", nsOrDefault(a.t.Namespace), sa, sa)
	}
	if pc := pod.Spec.PriorityClassName; pc != "" && !a.classes[pc] {
		return fmt.Sprintf("forbidden: no PriorityClass with name %s was found", pc)
	}
	return ""
}

func nsOrDefault(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

// summarize fills Result.Quota and the quota findings.
func (a *analyzer) summarize() {
	for i, qs := range a.quotas {
		qu := QuotaUsage{Quota: qs.q, FromApp: i >= len(a.orig.Quotas), Requested: corev1.ResourceList{}, Admitted: corev1.ResourceList{}}
		a.res.Quotas = append(a.res.Quotas, qu)
		for _, k := range sortedNames(qs.q.Spec.Hard) {
			hard := qs.q.Spec.Hard[k]
			req := qs.requested[k].DeepCopy()
			if req.IsZero() {
				req = *resource.NewQuantity(0, hard.Format)
			}
			adm := qs.used[k].DeepCopy()
			if adm.IsZero() {
				adm = *resource.NewQuantity(0, hard.Format)
			}
			qu.Requested[k], qu.Admitted[k] = req.DeepCopy(), adm.DeepCopy()
			u := Usage{Requested: req, Admitted: adm, Hard: hard.DeepCopy(), Quota: qs.q.Name}
			if prev, ok := a.res.Quota[k]; !ok || ratio(u) > ratio(prev) {
				a.res.Quota[k] = u
			}
			if u.Over() {
				over := req.DeepCopy()
				over.Sub(hard)
				a.res.Findings = append(a.res.Findings, model.Finding{
					Severity: model.Error, Key: string(k),
					Message: fmt.Sprintf("the app needs %s of %s but quota %s allows %s (over by %s)", req.String(), k, qs.q.Name, hard.String(), over.String()),
				})
			}
		}
	}
	for _, r := range a.res.Refusals {
		a.res.Findings = append(a.res.Findings, RefusalFinding(r))
	}
}

// RefusalFinding states a refusal as a finding, keyed by its cause
// (quota, must-specify, limitrange, ...).
func RefusalFinding(r Refusal) model.Finding {
	return model.Finding{
		Severity: model.Error, Key: refusalKey(r.Message), Object: r.Object,
		Message: fmt.Sprintf("%d creation(s) refused: %s", r.Count, r.Message),
	}
}

func ratio(u Usage) float64 {
	h := u.Hard.AsApproximateFloat64()
	r := u.Requested.AsApproximateFloat64()
	if h == 0 {
		if r == 0 {
			return 0
		}
		return 1e18
	}
	return r / h
}

func refusalKey(msg string) string {
	switch {
	case strings.Contains(msg, "exceeded quota"):
		return "quota"
	case strings.Contains(msg, "must specify"):
		return "must-specify"
	case strings.Contains(msg, "usage per"), strings.Contains(msg, "limit to request ratio"):
		return "limitrange"
	case strings.Contains(msg, "service account"):
		return "serviceaccount"
	case strings.Contains(msg, "PriorityClass"):
		return "priorityclass"
	}
	return "admission"
}

// rollouts warns when a rolling update has no room for its surge pods.
func (a *analyzer) rollouts() {
	for _, w := range a.res.Workloads {
		d, ok := w.Object.Obj.(*appsv1.Deployment)
		if !ok || w.Replicas == 0 || w.Refused != "" || d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
			continue
		}
		surge, unavailable := intstr.FromString("25%"), intstr.FromString("25%")
		if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
			if ru.MaxSurge != nil {
				surge = *ru.MaxSurge
			}
			if ru.MaxUnavailable != nil {
				unavailable = *ru.MaxUnavailable
			}
		}
		// As the Deployment controller resolves them: surge rounds up,
		// unavailable down, and not both zero.
		n, err := intstr.GetScaledValueFromIntOrPercent(&surge, int(w.Replicas), true)
		if err != nil || n <= 0 {
			continue
		}
		down, err := intstr.GetScaledValueFromIntOrPercent(&unavailable, int(w.Replicas), false)
		if err != nil || down > 0 {
			// The controller stops old pods first and starts new ones in
			// their room: the rollout needs no headroom (checked against a
			// real control plane by internal/verify's differential tests).
			continue
		}
		u := podUsage(w.PodRequests, w.PodLimits)
		for _, qs := range a.quotas {
			if !QuotaMatchesPod(qs.q, w.Pod) || qs.over() {
				continue // not matched, or already over: the quota finding says it
			}
			// One surge pod that fits is enough: once it is ready an old
			// pod stops and makes room for the next.
			m := removeZeros(mask(u, qs.q.Spec.Hard))
			if keys := exceeds(qs.requested, m, qs.q.Spec.Hard); len(keys) > 0 {
				a.res.Findings = append(a.res.Findings, model.Finding{
					Severity: model.Warning, Key: "rollout", Object: w.Object.Key(),
					Message: fmt.Sprintf("a rolling update starts %d extra pod(s) (maxSurge) and quota %s has no room for them (%s): the rollout would stall; set strategy.type: Recreate or leave headroom", n, qs.q.Name, joinNames(keys)),
				})
				break
			}
		}
	}
}

// namespaces warns when objects name namespaces other than the target's.
func (a *analyzer) namespaces() {
	seen := map[string]bool{}
	for _, o := range a.app.Objects {
		if ns := o.Namespace(); ns != "" && a.scope.Namespaced(o) && ns != a.t.Namespace {
			seen[ns] = true
		}
	}
	if len(seen) == 0 {
		return
	}
	var list []string
	for ns := range seen {
		list = append(list, ns)
	}
	sort.Strings(list)
	a.res.Findings = append(a.res.Findings, model.Finding{
		Severity: model.Warning, Key: "namespace",
		Message: fmt.Sprintf("objects name namespace(s) %v; the target is one namespace, and the footprint charges everything to it (rightsize fit folds them)", list),
	})
}

func joinNames(keys []corev1.ResourceName) string {
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += string(k)
	}
	return s
}

var severityRank = map[model.Severity]int{model.Error: 0, model.Warning: 1, model.Info: 2}

func sortFindings(f []model.Finding) {
	sort.SliceStable(f, func(i, j int) bool {
		if severityRank[f[i].Severity] != severityRank[f[j].Severity] {
			return severityRank[f[i].Severity] < severityRank[f[j].Severity]
		}
		if f[i].Key != f[j].Key {
			return f[i].Key < f[j].Key
		}
		return lessKey(f[i].Object, f[j].Object)
	})
}

// lessKey orders keys for display: by kind and name, then namespace and group.
func lessKey(a, b model.Key) bool {
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	return a.Group < b.Group
}
