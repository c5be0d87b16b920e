package verify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/progress"
)

// Options configure Run.
type Options struct {
	// Namespace receives the app; "" means the target's namespace, or
	// "rightsize" when the target names none.
	Namespace string
	// Timeout bounds the wait for the controllers to settle; 0 means 60s.
	Timeout time.Duration
	// Quiet is how long nothing may change before an app counts as
	// settled, once every missing pod is explained by a refusal and every
	// unscheduled pod by the scheduler; 0 means 1s.
	Quiet time.Duration
	// Progress receives how many objects were created and, while the
	// controllers settle, how many pods were created and scheduled.
	Progress progress.Func
}

// Report is what the control plane did with the app.
type Report struct {
	Target    string `json:"target"`
	Namespace string `json:"namespace"`
	// OK is true when every object was created and every pod admitted and
	// scheduled.
	OK bool `json:"ok"`
	// Settled is false when Timeout passed while the controllers were
	// still making progress.
	Settled   bool       `json:"settled"`
	Workloads []Workload `json:"workloads"`
	Refusals  []Refusal  `json:"refusals"`
	// Used, Predicted, Requested and Hard are per quota key: the quotas'
	// status.used, the footprint's prediction of it (what admission lets
	// in, in apply order), the app's whole demand, and the hard limit.
	Used      map[string]string `json:"used"`
	Predicted map[string]string `json:"predicted"`
	Requested map[string]string `json:"requested"`
	Hard      map[string]string `json:"hard"`
	// QuotaUsed is each ResourceQuota's status.used, by quota name.
	QuotaUsed map[string]corev1.ResourceList `json:"quotaUsed"`
	// Skipped lists objects not created, with why (kinds the simulator
	// does not serve, namespaces folded into the target's).
	Skipped []Skipped `json:"skipped,omitempty"`
}

// Workload is one pod-creating object of the app.
type Workload struct {
	Object    string `json:"object"`
	Desired   int32  `json:"desired"`
	Created   int32  `json:"created"`
	Scheduled int32  `json:"scheduled"`
	Ready     int32  `json:"ready"`
	// Unschedulable holds the scheduler's reasons for pods it could not
	// place, with how many pods each.
	Unschedulable []Reason `json:"unschedulable,omitempty"`
}

// Reason is a message and how many pods it applies to.
type Reason struct {
	Count   int    `json:"count"`
	Message string `json:"message"`
}

// Refusal is one object, or the pods of one workload, that the apiserver
// refused.
type Refusal struct {
	// Object is "Service/web" for an object of the app, or the workload
	// ("Deployment/web") whose pods or claims were refused.
	Object string `json:"object"`
	// Count is how many creations were refused (for a workload, the pods it
	// could not create).
	Count int `json:"count"`
	// Message is Kubernetes' message, without the name of the refused pod
	// (random for controllers' pods), starting at "forbidden: ...".
	Message string `json:"message"`
}

// Skipped is an object verify did not create.
type Skipped struct {
	Object string `json:"object"`
	Reason string `json:"reason"`
}

// Cluster is what the verifier needs of a cluster: the local control
// plane (*sim.Cluster) or a namespace of a live cluster (see Live).
type Cluster interface {
	RESTConfig() *rest.Config
	Clientset() kubernetes.Interface
	// Seed prepares namespace: t's quotas and limit ranges, ready for
	// admission to charge.
	Seed(ctx context.Context, namespace string, t *model.Target) error
	// RecountQuotas makes the quotas' status.used exact (see
	// sim.Cluster.RecountQuotas); a live cluster does nothing.
	RecountQuotas(ctx context.Context, namespace string) error
	// CompletesJobs reports whether Jobs' pods run to completion.
	CompletesJobs() bool
}

// Verifier verifies apps against one running cluster.
type Verifier struct {
	c       Cluster
	cs      kubernetes.Interface
	dyn     dynamic.Interface
	mapper  meta.RESTMapper
	resetFn func()
}

// New returns a Verifier for c.
func New(c Cluster) (*Verifier, error) {
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		return nil, fmt.Errorf("creating a client for %s: %w", c.RESTConfig().Host, err)
	}
	cached := memory.NewMemCacheClient(c.Clientset().Discovery())
	m := restmapper.NewDeferredDiscoveryRESTMapper(cached)
	return &Verifier{c: c, cs: c.Clientset(), dyn: dyn, mapper: m, resetFn: m.Reset}, nil
}

// Run seeds a namespace with t's quotas and limit ranges, creates app in
// it, waits for the controllers to settle and reports. Verdicts about the
// app are in the Report; an error means the verification itself failed.
// Concurrent Runs on one Verifier must use different namespaces.
func (v *Verifier) Run(ctx context.Context, app *model.App, t *model.Target, opts Options) (*Report, error) {
	ns, t := namespaceFor(t, opts)
	if opts.Timeout == 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.Quiet == 0 {
		opts.Quiet = time.Second
	}
	predicted, err := footprint.Analyze(app, t)
	if err != nil {
		return nil, fmt.Errorf("computing the footprint: %w", err)
	}
	if err := v.c.Seed(ctx, ns, t); err != nil {
		return nil, err
	}
	r := &Report{Target: t.Name, Namespace: ns, Refusals: []Refusal{}, Workloads: []Workload{}}
	workloads, err := v.createAll(ctx, app, ns, r, opts.Progress)
	if err != nil {
		return nil, err
	}
	if err := v.observe(ctx, r, ns, workloads, opts); err != nil {
		return nil, err
	}
	if err := v.c.RecountQuotas(ctx, ns); err != nil {
		return nil, err
	}
	if err := v.quotas(ctx, r, ns, predicted); err != nil {
		return nil, err
	}
	r.OK = len(r.Refusals) == 0
	for _, wl := range r.Workloads {
		if wl.Created < wl.Desired || wl.Scheduled < wl.Created {
			r.OK = false
		}
	}
	return r, nil
}

// namespaceFor is the namespace the app goes to, and the target worded
// for it (the footprint's messages name the namespace).
func namespaceFor(t *model.Target, opts Options) (string, *model.Target) {
	ns := opts.Namespace
	if ns == "" {
		ns = t.Namespace
	}
	if ns == "" {
		// Not "default": it holds the apiserver's own Service, which a
		// services quota would count.
		ns = "rightsize"
	}
	if t.Namespace != ns {
		tc := *t
		tc.Namespace = ns
		t = &tc
	}
	return ns, t
}

// createAll creates the app's objects in dependency order, letting claims
// bind before what follows them; refusals and skipped objects go to r. It
// returns the pod-creating objects created, in app order.
func (v *Verifier) createAll(ctx context.Context, app *model.App, ns string, r *Report, p progress.Func) ([]*model.Object, error) {
	var workloads []*model.Object
	var claims []string // created, not yet bound
	order := footprint.ApplyOrder(app.Objects)
	for i, o := range order {
		p.Report(progress.Event{Stage: "verify", Message: "creating " + o.Ref(), Done: i, Total: len(order)})
		if len(claims) > 0 && o.Kind() != "PersistentVolumeClaim" && o.Kind() != "PersistentVolume" {
			if err := v.awaitClaims(ctx, ns, claims); err != nil {
				return nil, err
			}
			claims = nil
		}
		created, err := v.createOne(ctx, o, ns, r)
		if err != nil || !created {
			if err != nil {
				return nil, err
			}
			continue
		}
		if _, _, ok := footprint.PodSpec(o); ok {
			workloads = append(workloads, o)
		}
		if o.Kind() == "PersistentVolumeClaim" {
			claims = append(claims, o.Name())
		}
	}
	if len(claims) > 0 { // an app of claims only
		if err := v.awaitClaims(ctx, ns, claims); err != nil {
			return nil, err
		}
	}
	// Workloads are reported in app order, as the footprint lists them.
	sort.SliceStable(workloads, func(i, j int) bool { return indexOf(app, workloads[i]) < indexOf(app, workloads[j]) })
	return workloads, nil
}

// createOne creates o; a refusal or a skip is recorded in r (created is
// false), an error is a failure of the verification itself.
func (v *Verifier) createOne(ctx context.Context, o *model.Object, ns string, r *Report) (created bool, err error) {
	if o.Kind() == "Namespace" {
		r.Skipped = append(r.Skipped, Skipped{Object: o.Ref(), Reason: "the app runs in namespace " + ns})
		return false, nil
	}
	err = v.create(ctx, o, ns)
	var skip *skipError
	switch {
	case errors.As(err, &skip):
		r.Skipped = append(r.Skipped, Skipped{Object: o.Ref(), Reason: skip.reason})
		return false, nil
	case apierrors.IsAlreadyExists(err) && !isNamespaced(v.mapper, o):
		// A cluster-scoped object another app of a batch created.
	case apierrors.ReasonForError(err) != metav1.StatusReasonUnknown:
		r.Refusals = append(r.Refusals, Refusal{Object: o.Ref(), Count: 1, Message: Normalize(err.Error())})
		return false, nil
	case err != nil:
		return false, fmt.Errorf("creating %s: %w", o.Where(), err)
	}
	return true, nil
}

// observe waits for the controllers to settle and records the workloads
// and the refusals of their pods.
func (v *Verifier) observe(ctx context.Context, r *Report, ns string, workloads []*model.Object, opts Options) error {
	w := &watcher{c: v.c, cs: v.cs, ns: ns, workloads: workloads, progress: opts.Progress}
	settled, err := w.settle(ctx, opts.Timeout, opts.Quiet)
	if err != nil {
		return err
	}
	snap, err := w.snapshot(ctx)
	if err != nil {
		return err
	}
	r.Settled = settled
	r.Workloads = snap.workloads
	r.Refusals = append(r.Refusals, snap.refusals...)
	return nil
}

// awaitClaims waits (5 s at most) until the claims are bound, and has the
// quotas recounted. Every update of a claim makes the quota controller
// recount the namespace's quotas from caches that may not yet hold objects
// admitted a moment before, and quota admission then trusts the low count:
// binding claims while Services and pods are created would let in more than
// the quota allows. Kubernetes does this too, with a real provisioner; verify
// lets the claims bind first, as an operator applying claims first would.
func (v *Verifier) awaitClaims(ctx context.Context, ns string, names []string) error {
	deadline := time.Now().Add(5 * time.Second)
	for _, name := range names {
		for time.Now().Before(deadline) {
			pvc, err := v.cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return fmt.Errorf("reading claim %s/%s: %w", ns, name, err)
			}
			if pvc.Status.Phase == corev1.ClaimBound {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return v.c.RecountQuotas(ctx, ns)
}

func indexOf(app *model.App, o *model.Object) int {
	for i, x := range app.Objects {
		if x == o {
			return i
		}
	}
	return len(app.Objects)
}

type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }

func isNamespaced(m meta.RESTMapper, o *model.Object) bool {
	gvk := o.GVK()
	mapping, err := m.RESTMapping(gvk.GroupKind(), gvk.Version)
	return err == nil && mapping.Scope.Name() == meta.RESTScopeNameNamespace
}

// create creates one object, moved into ns when namespaced.
func (v *Verifier) create(ctx context.Context, o *model.Object, ns string) error {
	gvk := o.GVK()
	mapping, err := v.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return &skipError{reason: fmt.Sprintf("the simulator serves no %s (a plain Kubernetes control plane has no such API)", gvk.GroupVersion().WithKind(gvk.Kind))}
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.Obj)
	if err != nil {
		return fmt.Errorf("converting %s: %w", o.Where(), err)
	}
	u := &unstructured.Unstructured{Object: content}
	u.SetAPIVersion(gvk.GroupVersion().String())
	u.SetKind(gvk.Kind)
	u.SetResourceVersion("")
	u.SetUID("")
	u.SetManagedFields(nil)
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "status")
	var ri dynamic.ResourceInterface = v.dyn.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		u.SetNamespace(ns)
		ri = v.dyn.Resource(mapping.Resource).Namespace(ns)
	} else {
		u.SetNamespace("")
	}
	_, err = ri.Create(ctx, u, metav1.CreateOptions{FieldManager: "rightsize-verify"})
	return err
}

// Normalize strips the refused object's name from an apiserver message, as
// controllers' pods have random names: `pods "web-7d9c-x2kq" is forbidden:
// ...` becomes `forbidden: ...` and `Pod "web-7d9c-x2kq" is invalid: ...`
// becomes `Pod is invalid: ...`; so do the controllers' prefixes ("Error
// creating: ", "create Pod db-0 in StatefulSet db failed error: ").
func Normalize(msg string) string {
	msg = strings.TrimPrefix(msg, "(combined from similar events): ")
	msg = strings.TrimPrefix(msg, "Error creating: ")
	if m := invalidRE.FindStringSubmatchIndex(msg); m != nil {
		return msg[m[2]:m[3]] + " is invalid: " + msg[m[1]:]
	}
	if i := strings.Index(msg, " is forbidden: "); i >= 0 {
		return "forbidden: " + msg[i+len(" is forbidden: "):]
	}
	return msg
}

// invalidRE matches the start of a validation error up to its details.
var invalidRE = regexp.MustCompile(`(?:^|: )(\w+) "[^"]*" is invalid: `)

// quotas fills Used, Predicted and Hard. When two quotas limit one key,
// the one closest to its limit is reported, as the footprint does.
func (v *Verifier) quotas(ctx context.Context, r *Report, ns string, fp *footprint.Result) error {
	r.Used, r.Predicted, r.Requested, r.Hard = map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	list, err := v.cs.CoreV1().ResourceQuotas(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("reading quotas of %s: %w", ns, err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	r.QuotaUsed = map[string]corev1.ResourceList{}
	for _, q := range list.Items {
		r.QuotaUsed[q.Name] = q.Status.Used.DeepCopy()
		for k, hard := range q.Status.Hard {
			used := q.Status.Used[k]
			if prev, ok := r.Hard[string(k)]; ok && prev != "" {
				if u, ok := fp.Quota[k]; ok && u.Quota != q.Name {
					continue
				}
			}
			r.Used[string(k)] = used.String()
			r.Hard[string(k)] = hard.String()
		}
	}
	for k, u := range fp.Quota {
		r.Predicted[string(k)] = u.Admitted.String()
		r.Requested[string(k)] = u.Requested.String()
	}
	return nil
}

// watcher observes one namespace's workloads.
type watcher struct {
	c         Cluster
	cs        kubernetes.Interface
	ns        string
	workloads []*model.Object
	progress  progress.Func
}

type snapshot struct {
	workloads []Workload
	refusals  []Refusal
	key       string // compares snapshots
	// complete: every pod desired is created and scheduled (and, for a
	// StatefulSet, ready). explained: every pod missing has a refusal, every
	// unscheduled pod the scheduler's verdict, every controller has seen
	// its latest spec; only then can waiting longer change nothing.
	complete, explained bool
}

// settle polls until every workload has all its pods created and
// scheduled, or what is missing is explained and nothing has changed for
// quiet, or timeout passed (false).
func (w *watcher) settle(ctx context.Context, timeout, quiet time.Duration) (bool, error) {
	deadline := time.Now().Add(timeout)
	var last string
	lastChange := time.Now()
	for {
		s, err := w.snapshot(ctx)
		if err != nil {
			return false, err
		}
		w.report(s, s.complete)
		if s.complete {
			return true, nil
		}
		if s.key != last {
			last, lastChange = s.key, time.Now()
		} else if s.explained && time.Since(lastChange) >= quiet {
			w.report(s, true)
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// podStats counts one workload's pods.
type podStats struct {
	created, scheduled, ready, pending int32
	unsched                            map[string]int
}

// report tells the caller how many pods exist and are scheduled.
func (w *watcher) report(s *snapshot, settled bool) {
	if w.progress == nil {
		return
	}
	var desired, created, scheduled int32
	for _, wl := range s.workloads {
		desired += wl.Desired
		created += wl.Created
		scheduled += wl.Scheduled
	}
	what := "waiting for the controllers"
	if settled {
		what = "settled"
	}
	w.progress.Report(progress.Event{Stage: "verify", Done: int(scheduled), Total: int(desired), Finished: settled,
		Message: fmt.Sprintf("%s: %d of %d pods created, %d scheduled", what, created, desired, scheduled)})
}

// snapshot reads pods, controllers and events of the namespace and sums
// them up per workload of the app.
func (w *watcher) snapshot(ctx context.Context) (*snapshot, error) {
	owners, err := w.owners(ctx)
	if err != nil {
		return nil, err
	}
	byWorkload, err := w.podStats(ctx, owners)
	if err != nil {
		return nil, err
	}
	failed, err := w.failedCreates(ctx, owners)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{complete: true, explained: true}
	var key strings.Builder
	for _, o := range w.workloads {
		if err := w.workload(ctx, snap, o, byWorkload[o.Ref()], failed); err != nil {
			return nil, err
		}
		wl := snap.workloads[len(snap.workloads)-1]
		fmt.Fprintf(&key, "%s %d %d %d %d %v %v;", wl.Object, wl.Desired, wl.Created, wl.Scheduled, wl.Ready, len(wl.Unschedulable), failed[wl.Object] != "")
	}
	snap.key = key.String()
	return snap, nil
}

// ownerMap maps a controller's object ("ReplicaSet/web-7d9c") to the
// object that owns it ("Deployment/web"); pods map through it.
type ownerMap map[string]string

func (m ownerMap) top(ref string) string {
	for i := 0; i < 3; i++ {
		up, ok := m[ref]
		if !ok {
			return ref
		}
		ref = up
	}
	return ref
}

func (w *watcher) owners(ctx context.Context) (ownerMap, error) {
	rss, err := w.cs.AppsV1().ReplicaSets(w.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing replica sets of %s: %w", w.ns, err)
	}
	jobs, err := w.cs.BatchV1().Jobs(w.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing jobs of %s: %w", w.ns, err)
	}
	owner := ownerMap{}
	for _, rs := range rss.Items {
		if ref := metav1.GetControllerOf(&rs); ref != nil {
			owner["ReplicaSet/"+rs.Name] = ref.Kind + "/" + ref.Name
		}
	}
	for _, j := range jobs.Items {
		if ref := metav1.GetControllerOf(&j); ref != nil {
			owner["Job/"+j.Name] = ref.Kind + "/" + ref.Name
		}
	}
	return owner, nil
}

// podStats counts the namespace's pods per owning object of the app.
func (w *watcher) podStats(ctx context.Context, owner ownerMap) (map[string]*podStats, error) {
	pods, err := w.cs.CoreV1().Pods(w.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing pods of %s: %w", w.ns, err)
	}
	byWorkload := map[string]*podStats{}
	for _, p := range pods.Items {
		ref := "Pod/" + p.Name
		if c := metav1.GetControllerOf(&p); c != nil {
			ref = owner.top(c.Kind + "/" + c.Name)
		}
		s := byWorkload[ref]
		if s == nil {
			s = &podStats{unsched: map[string]int{}}
			byWorkload[ref] = s
		}
		s.created++
		if p.Spec.NodeName != "" {
			s.scheduled++
		} else {
			s.pending++
		}
		for _, c := range p.Status.Conditions {
			switch {
			case c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue:
				s.ready++
			case c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable:
				s.unsched[c.Message]++
				s.pending--
			}
		}
	}
	return byWorkload, nil
}

// failedCreates is the last FailedCreate message per workload: the used
// amounts in a quota message change with every retry, the cause does not.
func (w *watcher) failedCreates(ctx context.Context, owner ownerMap) (map[string]string, error) {
	events, err := w.cs.CoreV1().Events(w.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing events of %s: %w", w.ns, err)
	}
	failed := map[string]string{}
	sort.SliceStable(events.Items, func(i, j int) bool { return eventTime(&events.Items[i]).Before(eventTime(&events.Items[j])) })
	for _, e := range events.Items {
		if e.Reason != "FailedCreate" && e.Reason != "ReplicaSetCreateError" {
			continue
		}
		failed[owner.top(e.InvolvedObject.Kind+"/"+e.InvolvedObject.Name)] = Normalize(e.Message)
	}
	return failed, nil
}

// workload adds one workload of the app to snap: its counts, whether it is
// complete, and whether what it lacks is explained.
func (w *watcher) workload(ctx context.Context, snap *snapshot, o *model.Object, s *podStats, failed map[string]string) error {
	ref := o.Ref()
	desired, observed, err := w.desired(ctx, o)
	if err != nil {
		return err
	}
	if s == nil {
		s = &podStats{unsched: map[string]int{}}
	}
	wl := Workload{Object: ref, Desired: desired, Created: s.created, Scheduled: s.scheduled, Ready: s.ready}
	for msg, n := range s.unsched {
		wl.Unschedulable = append(wl.Unschedulable, Reason{Count: n, Message: msg})
	}
	sort.Slice(wl.Unschedulable, func(i, j int) bool { return wl.Unschedulable[i].Message < wl.Unschedulable[j].Message })
	snap.workloads = append(snap.workloads, wl)
	if !observed || wl.Created < wl.Desired || wl.Scheduled < wl.Created || wl.Ready < wl.Scheduled && o.Kind() == "StatefulSet" {
		snap.complete = false
	}
	// A refusal explains missing pods even when the controller never
	// records having seen its spec (a Deployment whose ReplicaSet is
	// refused never updates its status).
	// So does a pod that cannot be scheduled, for the pods an
	// OrderedReady StatefulSet creates only once it is Ready.
	msg, refused := failed[ref]
	waits := orderedReady(o) && wl.Ready < wl.Created
	if s.pending > 0 || !refused && !waits && (!observed || wl.Created < wl.Desired) {
		snap.explained = false
	}
	if refused && wl.Created < wl.Desired {
		snap.refusals = append(snap.refusals, Refusal{Object: ref, Count: int(wl.Desired - wl.Created), Message: msg})
	}
	return nil
}

func orderedReady(o *model.Object) bool {
	ss, ok := o.Obj.(*appsv1.StatefulSet)
	return ok && ss.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
}

func eventTime(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

// desired is how many pods the workload asks for, as its controller counts,
// and whether its controller has seen the latest spec.
func (w *watcher) desired(ctx context.Context, o *model.Object) (int32, bool, error) {
	one := func(p *int32) int32 {
		if p == nil {
			return 1
		}
		return *p
	}
	apps := w.cs.AppsV1()
	get := func(err error) error { return fmt.Errorf("reading %s: %w", o.Ref(), err) }
	switch obj := o.Obj.(type) {
	case *appsv1.Deployment:
		d, err := apps.Deployments(w.ns).Get(ctx, obj.Name, metav1.GetOptions{})
		if err != nil {
			return 0, false, get(err)
		}
		return one(obj.Spec.Replicas), d.Status.ObservedGeneration >= d.Generation, nil
	case *appsv1.StatefulSet:
		ss, err := apps.StatefulSets(w.ns).Get(ctx, obj.Name, metav1.GetOptions{})
		if err != nil {
			return 0, false, get(err)
		}
		return one(obj.Spec.Replicas), ss.Status.ObservedGeneration >= ss.Generation, nil
	case *appsv1.ReplicaSet:
		rs, err := apps.ReplicaSets(w.ns).Get(ctx, obj.Name, metav1.GetOptions{})
		if err != nil {
			return 0, false, get(err)
		}
		return one(obj.Spec.Replicas), rs.Status.ObservedGeneration >= rs.Generation, nil
	case *corev1.ReplicationController:
		return one(obj.Spec.Replicas), true, nil
	case *batchv1.Job:
		n := one(obj.Spec.Parallelism)
		if obj.Spec.Suspend != nil && *obj.Spec.Suspend {
			return 0, true, nil
		}
		if obj.Spec.Completions == nil {
			return n, true, nil
		}
		if w.c.CompletesJobs() {
			return *obj.Spec.Completions, true, nil // every completion gets its pod
		}
		return min(n, *obj.Spec.Completions), true, nil // pods run forever: no more start
	case *batchv1.CronJob:
		return 0, true, nil // nothing runs until the schedule fires
	case *appsv1.DaemonSet:
		ds, err := apps.DaemonSets(w.ns).Get(ctx, obj.Name, metav1.GetOptions{})
		if err != nil {
			return 0, false, get(err)
		}
		return ds.Status.DesiredNumberScheduled, ds.Status.ObservedGeneration >= ds.Generation && ds.Generation > 0, nil
	case *corev1.Pod:
		return 1, true, nil
	}
	return 0, true, nil
}
