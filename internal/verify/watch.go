package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/progress"
)

// watcher observes one namespace through informers (one list and one
// watch per kind): snapshots read their caches, and waits wake on the
// change that ends them instead of polling. Start it before the namespace
// is seeded, so that the lists overlap the seeding; close it when done.
type watcher struct {
	c         Cluster
	ns        string
	workloads []*model.Object
	progress  progress.Func

	factory informers.SharedInformerFactory
	stop    chan struct{}
	changed chan struct{} // one pending wake-up, never more
	synced  []cache.InformerSynced

	pods, replicaSets, jobs, events, deployments, statefulSets, daemonSets, claims cache.Indexer

	lastReport string // the last progress message
}

// newWatcher starts the informers of namespace ns; withClaims adds one of
// PersistentVolumeClaims (awaitClaims).
func newWatcher(c Cluster, cs kubernetes.Interface, ns string, withClaims bool, p progress.Func) *watcher {
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns))
	w := &watcher{c: c, ns: ns, progress: p, factory: f, stop: make(chan struct{}), changed: make(chan struct{}, 1)}
	wake := func() {
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { wake() },
		UpdateFunc: func(_, _ any) { wake() },
		DeleteFunc: func(any) { wake() },
	}
	core, apps := f.Core().V1(), f.Apps().V1()
	add := func(inf cache.SharedIndexInformer) cache.Indexer {
		_, _ = inf.AddEventHandler(handler)
		w.synced = append(w.synced, inf.HasSynced)
		return inf.GetIndexer()
	}
	w.pods = add(core.Pods().Informer())
	w.events = add(core.Events().Informer())
	w.replicaSets = add(apps.ReplicaSets().Informer())
	w.deployments = add(apps.Deployments().Informer())
	w.statefulSets = add(apps.StatefulSets().Informer())
	w.daemonSets = add(apps.DaemonSets().Informer())
	w.jobs = add(f.Batch().V1().Jobs().Informer())
	if withClaims {
		w.claims = add(core.PersistentVolumeClaims().Informer())
	}
	f.Start(w.stop)
	return w
}

// close stops the informers and waits for them.
func (w *watcher) close() {
	close(w.stop)
	w.factory.Shutdown()
}

// sync waits until every informer has listed the namespace once, looking
// every millisecond (a local check; client-go's WaitForCacheSync looks
// every 100 ms).
func (w *watcher) sync(ctx context.Context) error {
	err := wait.PollUntilContextCancel(ctx, time.Millisecond, true, func(context.Context) (bool, error) {
		for _, synced := range w.synced {
			if !synced() {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("watching namespace %s: %w", w.ns, err)
	}
	return nil
}

// wait blocks until a change is seen, d passes (d <= 0: no limit), or
// ctx ends. Changes that come in a burst wake it once.
func (w *watcher) wait(ctx context.Context, d time.Duration) error {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-w.changed:
	case <-timeout:
	}
	return nil
}

// awaitClaims waits (5 s at most) until the named claims are bound.
func (w *watcher) awaitClaims(ctx context.Context, names []string) error {
	if err := w.sync(ctx); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		bound := 0
		for _, name := range names {
			if obj, ok, _ := w.claims.GetByKey(w.ns + "/" + name); ok && obj.(*corev1.PersistentVolumeClaim).Status.Phase == corev1.ClaimBound {
				bound++
			}
		}
		left := time.Until(deadline)
		if bound == len(names) || left <= 0 {
			return nil
		}
		if err := w.wait(ctx, left); err != nil {
			return err
		}
	}
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

// settle waits until every workload has all its pods created and
// scheduled, or what is missing is explained and nothing has changed for
// quiet, or timeout passed (false). It looks again on every change the
// informers see, at most every 10 ms.
func (w *watcher) settle(ctx context.Context, timeout, quiet time.Duration) (bool, error) {
	if err := w.sync(ctx); err != nil {
		return false, err
	}
	deadline := time.Now().Add(timeout)
	var last string
	lastChange := time.Now()
	for {
		s := w.snapshot()
		w.report(s, s.complete)
		if s.complete {
			return true, nil
		}
		if s.key != last {
			last, lastChange = s.key, time.Now()
		}
		left := time.Until(deadline)
		if s.explained {
			still := quiet - time.Since(lastChange)
			if still <= 0 {
				w.report(s, true)
				return true, nil
			}
			left = min(left, still)
		}
		if time.Until(deadline) <= 0 {
			return false, nil
		}
		if err := w.wait(ctx, left); err != nil {
			return false, err
		}
		// Let a burst of changes land before looking again.
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// podStats counts one workload's pods.
type podStats struct {
	created, scheduled, ready, pending int32
	unsched                            map[string]int
}

// report tells the caller how many pods exist and are scheduled, when that
// changed.
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
	msg := fmt.Sprintf("%s: %d of %d pods created, %d scheduled", what, created, desired, scheduled)
	if msg == w.lastReport {
		return
	}
	w.lastReport = msg
	w.progress.Report(progress.Event{Stage: "verify", Done: int(scheduled), Total: int(desired), Finished: settled, Message: msg})
}

// snapshot sums up the informers' pods, controllers and events per
// workload of the app.
func (w *watcher) snapshot() *snapshot {
	owners := w.owners()
	byWorkload := w.podStats(owners)
	failed := w.failedCreates(owners)
	snap := &snapshot{complete: true, explained: true}
	var key strings.Builder
	for _, o := range w.workloads {
		w.workload(snap, o, byWorkload[o.Ref()], failed)
		wl := snap.workloads[len(snap.workloads)-1]
		fmt.Fprintf(&key, "%s %d %d %d %d %v %v;", wl.Object, wl.Desired, wl.Created, wl.Scheduled, wl.Ready, len(wl.Unschedulable), failed[wl.Object] != "")
	}
	snap.key = key.String()
	return snap
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

func (w *watcher) owners() ownerMap {
	owner := ownerMap{}
	for _, obj := range w.replicaSets.List() {
		rs := obj.(*appsv1.ReplicaSet)
		if ref := metav1.GetControllerOf(rs); ref != nil {
			owner["ReplicaSet/"+rs.Name] = ref.Kind + "/" + ref.Name
		}
	}
	for _, obj := range w.jobs.List() {
		j := obj.(*batchv1.Job)
		if ref := metav1.GetControllerOf(j); ref != nil {
			owner["Job/"+j.Name] = ref.Kind + "/" + ref.Name
		}
	}
	return owner
}

// podStats counts the namespace's pods per owning object of the app.
func (w *watcher) podStats(owner ownerMap) map[string]*podStats {
	byWorkload := map[string]*podStats{}
	for _, obj := range w.pods.List() {
		p := obj.(*corev1.Pod)
		ref := "Pod/" + p.Name
		if c := metav1.GetControllerOf(p); c != nil {
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
	return byWorkload
}

// failedCreates is the last FailedCreate message per workload: the used
// amounts in a quota message change with every retry, the cause does not.
func (w *watcher) failedCreates(owner ownerMap) map[string]string {
	var events []*corev1.Event
	for _, obj := range w.events.List() {
		if e := obj.(*corev1.Event); e.Reason == "FailedCreate" || e.Reason == "ReplicaSetCreateError" {
			events = append(events, e)
		}
	}
	// Oldest first, then by name (the order of a list).
	sort.Slice(events, func(i, j int) bool {
		ti, tj := eventTime(events[i]), eventTime(events[j])
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return events[i].Name < events[j].Name
	})
	failed := map[string]string{}
	for _, e := range events {
		failed[owner.top(e.InvolvedObject.Kind+"/"+e.InvolvedObject.Name)] = Normalize(e.Message)
	}
	return failed
}

// workload adds one workload of the app to snap: its counts, whether it is
// complete, and whether what it lacks is explained.
func (w *watcher) workload(snap *snapshot, o *model.Object, s *podStats, failed map[string]string) {
	ref := o.Ref()
	desired, observed := w.desired(o)
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
// and whether its controller has seen the latest spec (false while the
// informer has not seen the object yet).
func (w *watcher) desired(o *model.Object) (int32, bool) {
	one := func(p *int32) int32 {
		if p == nil {
			return 1
		}
		return *p
	}
	get := func(idx cache.Indexer) (metav1.Object, bool) {
		obj, ok, _ := idx.GetByKey(w.ns + "/" + o.Name())
		if !ok {
			return nil, false
		}
		return obj.(metav1.Object), true
	}
	switch obj := o.Obj.(type) {
	case *appsv1.Deployment:
		d, ok := get(w.deployments)
		return one(obj.Spec.Replicas), ok && d.(*appsv1.Deployment).Status.ObservedGeneration >= d.GetGeneration()
	case *appsv1.StatefulSet:
		ss, ok := get(w.statefulSets)
		return one(obj.Spec.Replicas), ok && ss.(*appsv1.StatefulSet).Status.ObservedGeneration >= ss.GetGeneration()
	case *appsv1.ReplicaSet:
		rs, ok := get(w.replicaSets)
		return one(obj.Spec.Replicas), ok && rs.(*appsv1.ReplicaSet).Status.ObservedGeneration >= rs.GetGeneration()
	case *corev1.ReplicationController:
		return one(obj.Spec.Replicas), true
	case *batchv1.Job:
		n := one(obj.Spec.Parallelism)
		if obj.Spec.Suspend != nil && *obj.Spec.Suspend {
			return 0, true
		}
		if obj.Spec.Completions == nil {
			return n, true
		}
		if w.c.CompletesJobs() {
			return *obj.Spec.Completions, true // every completion gets its pod
		}
		return min(n, *obj.Spec.Completions), true // pods run forever: no more start
	case *batchv1.CronJob:
		return 0, true // nothing runs until the schedule fires
	case *appsv1.DaemonSet:
		d, ok := get(w.daemonSets)
		if !ok {
			return 0, false
		}
		ds := d.(*appsv1.DaemonSet)
		return ds.Status.DesiredNumberScheduled, ds.Status.ObservedGeneration >= ds.Generation && ds.Generation > 0
	case *corev1.Pod:
		return 1, true
	}
	return 0, true
}
