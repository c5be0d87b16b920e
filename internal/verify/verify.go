package verify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

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
	// Footprint is the prediction for the target in Namespace, which
	// Used is compared with.
	Footprint *footprint.Result `json:"-"`
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
	c      Cluster
	cs     kubernetes.Interface
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

// New returns a Verifier for c. When c keeps a discovery cache (see
// DiscoveryCacher), the REST mapping is read from it, and written there
// after the first discovery; kinds it lacks (those of a
// CustomResourceDefinition the app creates) are looked up live.
func New(c Cluster) (*Verifier, error) {
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		return nil, fmt.Errorf("creating a client for %s: %w", c.RESTConfig().Host, err)
	}
	live := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Clientset().Discovery()))
	var m meta.RESTMapper = live
	if dc, ok := c.(DiscoveryCacher); ok && dc.DiscoveryCache() != "" {
		m = cachedMapper(dc.DiscoveryCache(), c.Clientset().Discovery(), live)
	}
	return &Verifier{c: c, cs: c.Clientset(), dyn: dyn, mapper: m}, nil
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
	// Watching starts before seeding, so that the informers' first lists
	// overlap it; on a live cluster after, as the user's rights in the
	// namespace may come with it.
	_, live := v.c.(*Live)
	if live {
		if err := v.c.Seed(ctx, ns, t); err != nil {
			return nil, err
		}
	}
	w := newWatcher(v.c, v.cs, ns, hasClaims(app), opts.Progress)
	defer w.close()
	if !live {
		if err := v.c.Seed(ctx, ns, t); err != nil {
			return nil, err
		}
	}
	r := &Report{Target: t.Name, Namespace: ns, Refusals: []Refusal{}, Workloads: []Workload{}, Footprint: predicted}
	if w.workloads, err = v.createAll(ctx, app, t, predicted.Fits, w, r, opts.Progress); err != nil {
		return nil, err
	}
	if err := v.observe(ctx, r, w, opts); err != nil {
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

func hasClaims(app *model.App) bool {
	for _, o := range app.Objects {
		if o.Kind() == "PersistentVolumeClaim" {
			return true
		}
	}
	return false
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
// returns the pod-creating objects created, in app order. Objects of one
// batch (see batches) are created at once.
func (v *Verifier) createAll(ctx context.Context, app *model.App, t *model.Target, fits bool, w *watcher, r *Report, p progress.Func) ([]*model.Object, error) {
	var workloads []*model.Object
	var claims []string // created, not yet bound
	order := footprint.ApplyOrder(app.Objects)
	done := 0
	for _, batch := range v.batches(order, quotaKeys(app, t), fits) {
		p.Report(progress.Event{Stage: "verify", Message: "creating " + batchName(batch), Done: done, Total: len(order)})
		done += len(batch)
		if len(claims) > 0 && batch[0].Kind() != "PersistentVolumeClaim" && batch[0].Kind() != "PersistentVolume" {
			if err := v.awaitClaims(ctx, w, claims); err != nil {
				return nil, err
			}
			claims = nil
		}
		outcomes := make([]createOutcome, len(batch))
		parallel(len(batch), 32, func(i int) { outcomes[i] = v.createOne(ctx, batch[i], w.ns) })
		for i, o := range batch {
			out := outcomes[i]
			switch {
			case out.err != nil:
				return nil, out.err
			case out.skipped != nil:
				r.Skipped = append(r.Skipped, *out.skipped)
				continue
			case out.refused != nil:
				r.Refusals = append(r.Refusals, *out.refused)
				continue
			}
			if _, _, ok := footprint.PodSpec(o); ok {
				workloads = append(workloads, o)
			}
			if o.Kind() == "PersistentVolumeClaim" {
				claims = append(claims, o.Name())
			}
		}
	}
	if len(claims) > 0 { // an app of claims only
		if err := v.awaitClaims(ctx, w, claims); err != nil {
			return nil, err
		}
	}
	// Workloads are reported in app order, as the footprint lists them.
	sort.SliceStable(workloads, func(i, j int) bool { return indexOf(app, workloads[i]) < indexOf(app, workloads[j]) })
	return workloads, nil
}

func batchName(batch []*model.Object) string {
	if len(batch) == 1 {
		return batch[0].Ref()
	}
	return fmt.Sprintf("%s and %d more", batch[0].Ref(), len(batch)-1)
}

// parallel calls f(0..n-1) on at most width goroutines and waits.
func parallel(n, width int, f func(int)) {
	if n == 1 {
		f(0)
		return
	}
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// createOutcome is what became of one object: created (all nil), skipped,
// refused, or an error of the verification itself.
type createOutcome struct {
	skipped *Skipped
	refused *Refusal
	err     error
}

// createOne creates o in ns.
func (v *Verifier) createOne(ctx context.Context, o *model.Object, ns string) createOutcome {
	if o.Kind() == "Namespace" {
		return createOutcome{skipped: &Skipped{Object: o.Ref(), Reason: "the app runs in namespace " + ns}}
	}
	err := v.create(ctx, o, ns)
	var skip *skipError
	switch {
	case errors.As(err, &skip):
		return createOutcome{skipped: &Skipped{Object: o.Ref(), Reason: skip.reason}}
	case apierrors.IsAlreadyExists(err) && !isNamespaced(v.mapper, o):
		// A cluster-scoped object another app of a batch created.
	case apierrors.ReasonForError(err) != metav1.StatusReasonUnknown:
		return createOutcome{refused: &Refusal{Object: o.Ref(), Count: 1, Message: Normalize(err.Error())}}
	case err != nil:
		return createOutcome{err: fmt.Errorf("creating %s: %w", o.Where(), err)}
	}
	return createOutcome{}
}

// observe waits for the controllers to settle and records the workloads
// and the refusals of their pods.
func (v *Verifier) observe(ctx context.Context, r *Report, w *watcher, opts Options) error {
	settled, err := w.settle(ctx, opts.Timeout, opts.Quiet)
	if err != nil {
		return err
	}
	snap := w.snapshot()
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
func (v *Verifier) awaitClaims(ctx context.Context, w *watcher, names []string) error {
	if err := w.awaitClaims(ctx, names); err != nil {
		return err
	}
	return v.c.RecountQuotas(ctx, w.ns)
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
