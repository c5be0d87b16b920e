package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/rightsize/rightsize/internal/cluster"
	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
)

// prepare builds what will be written for every object, in dependency
// order, and reads each object's prior state. Namespaces are skipped: the
// app goes into the handle's namespace.
func (a *applier) prepare(ctx context.Context, app *model.App) error {
	for _, o := range footprint.ApplyOrder(app.Objects) {
		if o.Kind() == "Namespace" {
			continue
		}
		u, err := desired(o, a.h.Namespace)
		if err != nil {
			return err
		}
		it := &item{o: o, ref: o.Ref(), desired: u}
		if _, namespaced, err := a.h.Resource(o); err != nil {
			return fmt.Errorf("%s: %w", o.Where(), err)
		} else if !namespaced {
			u.SetNamespace("")
		}
		if it.prior, err = a.h.Get(ctx, o); err != nil {
			return err
		}
		// Objects this apply creates, or an earlier apply of the app
		// created, carry the app's label; objects the namespace had
		// before are changed and later restored, never claimed.
		if it.prior == nil || it.prior.GetLabels()[LabelApp] == a.opts.App {
			labels := u.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			labels[LabelApp] = a.opts.App
			u.SetLabels(labels)
		}
		it.hash = hash(u)
		ann := u.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[AnnotationApplied] = it.hash
		u.SetAnnotations(ann)
		a.items = append(a.items, it)
		if isWorkload(o) {
			a.workloads = append(a.workloads, it)
		}
	}
	return nil
}

// desired is o as server-side apply will receive it: no server fields, no
// status, in namespace ns.
func desired(o *model.Object, ns string) (*unstructured.Unstructured, error) {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.Obj)
	if err != nil {
		return nil, fmt.Errorf("converting %s: %w", o.Where(), err)
	}
	u := &unstructured.Unstructured{Object: content}
	gvk := o.GVK()
	u.SetAPIVersion(gvk.GroupVersion().String())
	u.SetKind(gvk.Kind)
	u.SetNamespace(ns)
	for _, f := range []string{"resourceVersion", "uid", "creationTimestamp", "managedFields", "generation", "selfLink"} {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(u.Object, "status")
	return u, nil
}

func hash(u *unstructured.Unstructured) string {
	data, _ := json.Marshal(u.Object) // map keys are sorted: stable
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}

// ssa sends a server-side apply of it.desired.
func (a *applier) ssa(ctx context.Context, it *item, dryRun bool) (*unstructured.Unstructured, error) {
	ri, _, err := a.h.Resource(it.o)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(it.desired.Object)
	if err != nil {
		return nil, err
	}
	po := metav1.PatchOptions{FieldManager: a.opts.FieldManager, Force: ptr.To(true)}
	if dryRun {
		po.DryRun = []string{metav1.DryRunAll}
	}
	return ri.Patch(ctx, it.desired.GetName(), types.ApplyPatchType, data, po)
}

// dryRun asks the server to admit every object without storing it, and one
// pod of every workload the apply creates: LimitRanges, quota (for one
// pod), policies and admission webhooks of the real cluster take part. It
// returns the first refusal.
func (a *applier) dryRun(ctx context.Context) *Failure {
	if fs := a.dryRunAll(ctx, true); len(fs) > 0 {
		return fs[0]
	}
	return nil
}

// dryRunAll is dryRun, every refusal (or only the first when first).
func (a *applier) dryRunAll(ctx context.Context, first bool) []*Failure {
	fmt.Fprintf(a.opts.Progress, "dry run of %d objects in namespace %s\n", len(a.items), a.h.Namespace)
	appSAs := map[string]bool{}
	for _, it := range a.items {
		if it.o.Kind() == "ServiceAccount" && it.prior == nil {
			appSAs[it.o.Name()] = true
		}
	}
	var out []*Failure
	add := func(f *Failure) bool {
		out = append(out, f)
		return first || f.Stage != StageDryRun // a lost connection ends it
	}
	for _, it := range a.items {
		if _, err := a.ssa(ctx, it, true); err != nil && add(failure(ctx, StageDryRun, it.ref, err)) {
			return out
		}
	}
	for _, it := range a.workloads {
		if it.prior != nil {
			continue // an update: its pods replace pods that are charged already
		}
		if err := a.dryRunPod(ctx, it, appSAs); err != nil && add(failure(ctx, StageDryRun, it.ref, err)) {
			return out
		}
	}
	return out
}

// dryRunPod creates (dry run) one pod of a workload's template, as its
// controller would.
func (a *applier) dryRunPod(ctx context.Context, it *item, appSAs map[string]bool) error {
	spec, md, _ := footprint.PodSpec(it.o)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: it.o.Name() + "-", Namespace: a.h.Namespace, Labels: md.Labels, Annotations: md.Annotations},
		Spec:       *spec.DeepCopy(),
	}
	if appSAs[pod.Spec.ServiceAccountName] {
		// Created by this apply, not yet there; the dry run is about size.
		pod.Spec.ServiceAccountName = ""
	}
	if pod.Spec.PriorityClassName != "" {
		return nil // may be created by the app; admission would refuse it now
	}
	_, err := a.h.Client.CoreV1().Pods(a.h.Namespace).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: a.opts.FieldManager})
	if err != nil {
		return fmt.Errorf("a pod of %s: %w", it.ref, err)
	}
	return nil
}

// applyAll applies every object in order.
func (a *applier) applyAll(ctx context.Context) *Failure {
	a.start = time.Now()
	fmt.Fprintf(a.opts.Progress, "applying %d objects\n", len(a.items))
	for _, it := range a.items {
		if ctx.Err() != nil {
			return failure(ctx, StageInterrupted, "", ctx.Err())
		}
		if it.prior != nil && it.prior.GetAnnotations()[AnnotationApplied] == it.hash {
			it.action = "unchanged"
			continue
		}
		it.attempted = true
		got, err := a.ssa(ctx, it, false)
		if err != nil {
			return failure(ctx, StageApply, it.ref, err)
		}
		switch {
		case it.prior == nil:
			it.action = "created"
		case got.GetResourceVersion() == it.prior.GetResourceVersion():
			it.action = "unchanged"
		default:
			it.action = "updated"
		}
	}
	return nil
}

// failure classifies err: the server's refusal, a lost connection, or the
// caller's cancellation.
func failure(ctx context.Context, stage Stage, ref string, err error) *Failure {
	switch {
	case ctx.Err() != nil:
		return &Failure{Stage: StageInterrupted, Object: ref, Message: "interrupted (" + ctx.Err().Error() + ")"}
	case isConnection(err):
		return &Failure{Stage: StageConnection, Object: ref, Message: "lost the connection to the cluster: " + err.Error()}
	}
	return &Failure{Stage: stage, Object: ref, Message: err.Error()}
}

// isConnection reports whether err is a failure to reach the server rather
// than its answer.
func isConnection(err error) bool {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		switch status.Status().Reason {
		case metav1.StatusReasonTimeout, metav1.StatusReasonServerTimeout, metav1.StatusReasonServiceUnavailable, metav1.StatusReasonInternalError:
			return true
		}
		return false
	}
	var noKind *cluster.ErrNoKind
	return !errors.As(err, &noKind)
}
