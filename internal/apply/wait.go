package apply

import (
	"context"
	"fmt"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// state is one look at the app's workloads.
type state struct {
	workloads []Workload
	done      bool
	// problems by workload ref: Kubernetes' latest message per reason.
	problems map[string][]Problem
	// failed is a workload that cannot succeed (a failed Job).
	failed *Failure
}

// wait polls until every workload is done, a refusal outlasts the grace,
// the timeout passes, the context ends or the connection is lost.
func (a *applier) wait(ctx context.Context) *Failure {
	if len(a.workloads) == 0 {
		return nil
	}
	fmt.Fprintf(a.opts.Progress, "waiting up to %s for the pods of %d workloads to be Ready\n", a.opts.Timeout, len(a.workloads))
	deadline := time.Now().Add(a.opts.Timeout)
	progress := map[string]time.Time{}
	lastReady := map[string]int32{}
	for {
		st, err := a.status(ctx)
		if err != nil {
			return failure(ctx, StageWait, "", err)
		}
		a.r.Workloads = st.workloads
		a.r.Problems = flatten(st.problems)
		if st.done {
			return nil
		}
		if st.failed != nil {
			return st.failed
		}
		now := time.Now()
		for _, w := range st.workloads {
			if _, ok := progress[w.Object]; !ok || w.Ready != lastReady[w.Object] {
				progress[w.Object], lastReady[w.Object] = now, w.Ready
			}
			for _, p := range st.problems[w.Object] {
				if !w.Done && p.Reason == "FailedCreate" && now.Sub(progress[w.Object]) >= a.opts.RefusalGrace {
					return &Failure{Stage: StageWait, Object: w.Object, Message: "pods refused: " + p.Message}
				}
			}
		}
		if now.After(deadline) {
			return &Failure{Stage: StageTimeout, Message: fmt.Sprintf("not every pod was Ready after %s%s", a.opts.Timeout, pending(st.workloads))}
		}
		select {
		case <-ctx.Done():
			return failure(ctx, StageInterrupted, "", ctx.Err())
		case <-time.After(a.opts.Poll):
		}
	}
}

func pending(ws []Workload) string {
	s := ""
	for _, w := range ws {
		if !w.Done {
			s += fmt.Sprintf("; %s: %d of %d ready", w.Object, w.Ready, w.Desired)
		}
	}
	return s
}

func flatten(m map[string][]Problem) []Problem {
	var out []Problem
	for _, ps := range m {
		out = append(out, ps...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Object != out[j].Object {
			return out[i].Object < out[j].Object
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

// status reads the workloads' readiness and Kubernetes' messages about them.
func (a *applier) status(ctx context.Context) (*state, error) {
	st := &state{done: true, problems: map[string][]Problem{}}
	for _, it := range a.workloads {
		w, failed, err := a.readiness(ctx, it)
		if err != nil {
			return nil, err
		}
		st.workloads = append(st.workloads, w)
		st.done = st.done && w.Done
		if failed != "" && st.failed == nil {
			st.failed = &Failure{Stage: StageWait, Object: it.ref, Message: failed}
		}
	}
	if st.done {
		return st, nil
	}
	if err := a.problems(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

// readiness reads one workload: desired and ready pods, whether it is
// done, and why it can never be ("" when it can).
func (a *applier) readiness(ctx context.Context, it *item) (Workload, string, error) {
	w := Workload{Object: it.ref}
	ns, name := a.h.Namespace, it.o.Name()
	apps, get := a.h.Client.AppsV1(), metav1.GetOptions{}
	var err error
	switch it.o.Obj.(type) {
	case *appsv1.Deployment, *appsv1.StatefulSet, *appsv1.DaemonSet:
		w, err = a.appsReadiness(ctx, it)
	case *appsv1.ReplicaSet:
		var r *appsv1.ReplicaSet
		if r, err = apps.ReplicaSets(ns).Get(ctx, name, get); err == nil {
			w.Desired, w.Ready = replicas(r.Spec.Replicas), r.Status.ReadyReplicas
			w.Done = r.Status.ObservedGeneration >= r.Generation && w.Ready == w.Desired
		}
	case *corev1.ReplicationController:
		var r *corev1.ReplicationController
		if r, err = a.h.Client.CoreV1().ReplicationControllers(ns).Get(ctx, name, get); err == nil {
			w.Desired, w.Ready = replicas(r.Spec.Replicas), r.Status.ReadyReplicas
			w.Done = r.Status.ObservedGeneration >= r.Generation && w.Ready == w.Desired
		}
	case *batchv1.Job:
		return a.jobReadiness(ctx, it)
	case *corev1.Pod:
		var p *corev1.Pod
		if p, err = a.h.Client.CoreV1().Pods(ns).Get(ctx, name, get); err == nil {
			w.Desired = 1
			if podReady(p) || p.Status.Phase == corev1.PodSucceeded {
				w.Ready, w.Done = 1, true
			}
			if p.Status.Phase == corev1.PodFailed {
				return w, "the pod failed: " + p.Status.Message, nil
			}
		}
	default: // CronJob: nothing runs until its schedule fires
		w.Done = true
	}
	if err != nil {
		return w, "", fmt.Errorf("reading %s: %w", it.ref, err)
	}
	return w, "", nil
}

// appsReadiness reads a Deployment, StatefulSet or DaemonSet: done when
// its controller has seen the latest spec and every pod is updated and Ready.
func (a *applier) appsReadiness(ctx context.Context, it *item) (Workload, error) {
	w := Workload{Object: it.ref}
	ns, name := a.h.Namespace, it.o.Name()
	apps, get := a.h.Client.AppsV1(), metav1.GetOptions{}
	var err error
	switch it.o.Obj.(type) {
	case *appsv1.Deployment:
		var d *appsv1.Deployment
		if d, err = apps.Deployments(ns).Get(ctx, name, get); err == nil {
			w.Desired, w.Ready = replicas(d.Spec.Replicas), d.Status.ReadyReplicas
			w.Done = d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == w.Desired &&
				d.Status.Replicas == w.Desired && d.Status.AvailableReplicas == w.Desired
		}
	case *appsv1.StatefulSet:
		var s *appsv1.StatefulSet
		if s, err = apps.StatefulSets(ns).Get(ctx, name, get); err == nil {
			w.Desired, w.Ready = replicas(s.Spec.Replicas), s.Status.ReadyReplicas
			w.Done = s.Status.ObservedGeneration >= s.Generation && w.Ready == w.Desired && s.Status.UpdatedReplicas == w.Desired
		}
	case *appsv1.DaemonSet:
		var d *appsv1.DaemonSet
		if d, err = apps.DaemonSets(ns).Get(ctx, name, get); err == nil {
			w.Desired, w.Ready = d.Status.DesiredNumberScheduled, d.Status.NumberReady
			w.Done = d.Status.ObservedGeneration >= d.Generation && w.Ready == w.Desired && d.Status.UpdatedNumberScheduled == w.Desired
		}
	}
	return w, err
}

func (a *applier) jobReadiness(ctx context.Context, it *item) (Workload, string, error) {
	w := Workload{Object: it.ref}
	j, err := a.h.Client.BatchV1().Jobs(a.h.Namespace).Get(ctx, it.o.Name(), metav1.GetOptions{})
	if err != nil {
		return w, "", fmt.Errorf("reading %s: %w", it.ref, err)
	}
	w.Desired = replicas(j.Spec.Completions)
	w.Ready = j.Status.Succeeded
	if j.Spec.Suspend != nil && *j.Spec.Suspend {
		w.Done = true
	}
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			w.Done = true
		case batchv1.JobFailed:
			return w, "the Job failed: " + c.Reason + ": " + c.Message, nil
		}
	}
	return w, "", nil
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// problems collects, per workload, the refusals its controllers met since
// the apply began (FailedCreate events) and the scheduler's reasons for
// its pending pods.
func (a *applier) problems(ctx context.Context, st *state) error {
	owners, err := a.owners(ctx)
	if err != nil {
		return err
	}
	events, err := a.h.Client.CoreV1().Events(a.h.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing events: %w", err)
	}
	latest := map[[2]string]Problem{}
	sort.SliceStable(events.Items, func(i, j int) bool { return eventTime(&events.Items[i]).Before(eventTime(&events.Items[j])) })
	for _, e := range events.Items {
		if e.Reason != "FailedCreate" || eventTime(&e).Before(a.start.Add(-time.Second)) {
			continue
		}
		ref := owners.top(e.InvolvedObject.Kind + "/" + e.InvolvedObject.Name)
		latest[[2]string{ref, e.Reason}] = Problem{Object: ref, Reason: e.Reason, Message: e.Message}
	}
	pods, err := a.h.Client.CoreV1().Pods(a.h.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing pods: %w", err)
	}
	for _, p := range pods.Items {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				ref := owners.podOwner(&p)
				latest[[2]string{ref, "Unschedulable"}] = Problem{Object: ref, Reason: "Unschedulable", Message: c.Message}
			}
		}
	}
	mine := map[string]bool{}
	for _, it := range a.workloads {
		mine[it.ref] = true
	}
	for k, p := range latest {
		if mine[k[0]] {
			st.problems[k[0]] = append(st.problems[k[0]], p)
		}
	}
	return nil
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

// ownerMap maps controller-made objects ("ReplicaSet/web-7d9c") to their
// controller ("Deployment/web").
type ownerMap map[string]string

func (a *applier) owners(ctx context.Context) (ownerMap, error) {
	m := ownerMap{}
	rss, err := a.h.Client.AppsV1().ReplicaSets(a.h.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing replica sets: %w", err)
	}
	for _, rs := range rss.Items {
		if ref := metav1.GetControllerOf(&rs); ref != nil {
			m["ReplicaSet/"+rs.Name] = ref.Kind + "/" + ref.Name
		}
	}
	jobs, err := a.h.Client.BatchV1().Jobs(a.h.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	for _, j := range jobs.Items {
		if ref := metav1.GetControllerOf(&j); ref != nil {
			m["Job/"+j.Name] = ref.Kind + "/" + ref.Name
		}
	}
	return m, nil
}

func (m ownerMap) top(ref string) string {
	for range 3 {
		up, ok := m[ref]
		if !ok {
			return ref
		}
		ref = up
	}
	return ref
}

func (m ownerMap) podOwner(p *corev1.Pod) string {
	if c := metav1.GetControllerOf(p); c != nil {
		return m.top(c.Kind + "/" + c.Name)
	}
	return "Pod/" + p.Name
}
