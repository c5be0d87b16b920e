package apply

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// dependents are the controller-made kinds a failed apply may leave
// behind: ReplicaSets and ControllerRevisions of workloads it changed,
// claims of StatefulSets it created (not owned: garbage collection keeps
// them).
var dependents = []schema.GroupVersionResource{
	{Group: "apps", Version: "v1", Resource: "replicasets"},
	{Group: "apps", Version: "v1", Resource: "controllerrevisions"},
	{Version: "v1", Resource: "persistentvolumeclaims"},
}

// recordDependents remembers which controller-made objects exist before
// the apply.
func (a *applier) recordDependents(ctx context.Context) error {
	a.before = map[string]bool{}
	for _, gvr := range dependents {
		list, err := a.h.Dynamic.Resource(gvr).Namespace(a.h.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("listing %s of %s: %w", gvr.Resource, a.h.Namespace, err)
		}
		for _, u := range list.Items {
			a.before[string(u.GetUID())] = true
		}
	}
	return nil
}

// restore puts the namespace back as it was: objects created deleted (with
// what their controllers made), objects changed restored to their prior
// state, in reverse order. It keeps trying while the server does not
// answer, until RestoreTimeout; it outlives the cancellation of ctx (an
// interrupted apply must still clean up).
func (a *applier) restore(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.opts.RestoreTimeout)
	defer cancel()
	a.r.RolledBack = true
	var gone []goneCheck
	for i := len(a.items) - 1; i >= 0; i-- {
		it := a.items[i]
		if !it.attempted {
			continue
		}
		ri, _, err := a.h.Resource(it.o)
		if err != nil {
			a.r.RestoreErrors = append(a.r.RestoreErrors, fmt.Sprintf("%s: %v", it.ref, err))
			continue
		}
		var action string
		if it.prior == nil {
			action = "deleted"
			err = retry(rctx, func() error { return deleteObject(rctx, ri, it.desired.GetName()) })
			gone = append(gone, goneCheck{ri, it.desired.GetName(), it.ref})
		} else {
			err = retry(rctx, func() error {
				var e error
				action, e = restoreObject(rctx, ri, it.prior)
				return e
			})
		}
		if err != nil {
			a.r.RestoreErrors = append(a.r.RestoreErrors, fmt.Sprintf("restoring %s: %v", it.ref, err))
			continue
		}
		a.r.Restore = append(a.r.Restore, ObjectResult{Object: it.ref, Action: action})
	}
	var more []goneCheck
	err := retry(rctx, func() error {
		var e error
		more, e = a.deleteDependents(rctx)
		return e
	})
	if err != nil {
		a.r.RestoreErrors = append(a.r.RestoreErrors, fmt.Sprintf("deleting what controllers made: %v", err))
	}
	for _, g := range append(gone, more...) {
		if err := retry(rctx, func() error { return g.check(rctx) }); err != nil {
			a.r.RestoreErrors = append(a.r.RestoreErrors, fmt.Sprintf("waiting for %s to be deleted: %v", g.ref, err))
		}
	}
	if len(a.r.RestoreErrors) > 0 {
		return fmt.Errorf("restoring namespace %s: %s", a.h.Namespace, strings.Join(a.r.RestoreErrors, "; "))
	}
	return nil
}

// goneCheck waits for one deleted object to disappear.
type goneCheck struct {
	ri   dynamic.ResourceInterface
	name string
	ref  string
}

func (g goneCheck) check(ctx context.Context) error {
	_, err := g.ri.Get(ctx, g.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return errStillThere
}

var errStillThere = errors.New("still there")

func deleteObject(ctx context.Context, ri dynamic.ResourceInterface, name string) error {
	fg := metav1.DeletePropagationForeground
	err := ri.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &fg})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// restoreObject puts prior back (metadata, spec, field ownership) unless
// the object is as it was; it recreates it when someone deleted it.
func restoreObject(ctx context.Context, ri dynamic.ResourceInterface, prior *unstructured.Unstructured) (string, error) {
	cur, err := ri.Get(ctx, prior.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		u := prior.DeepCopy()
		for _, f := range []string{"resourceVersion", "uid", "creationTimestamp", "managedFields", "generation"} {
			unstructured.RemoveNestedField(u.Object, "metadata", f)
		}
		_, err := ri.Create(ctx, u, metav1.CreateOptions{})
		return "recreated", err
	}
	if err != nil {
		return "", err
	}
	if cur.GetResourceVersion() == prior.GetResourceVersion() {
		return "unchanged", nil
	}
	u := prior.DeepCopy()
	u.SetResourceVersion(cur.GetResourceVersion())
	unstructured.RemoveNestedField(u.Object, "status")
	_, err = ri.Update(ctx, u, metav1.UpdateOptions{})
	return "restored", err
}

// deleteDependents deletes the ReplicaSets and ControllerRevisions that
// workloads of the app made during the apply, and the claims of
// StatefulSets it created.
func (a *applier) deleteDependents(ctx context.Context) ([]goneCheck, error) {
	owned := map[string]bool{}
	claims := map[string]bool{}
	for _, it := range a.items {
		if !it.attempted {
			continue
		}
		owned[it.o.Kind()+"/"+it.o.Name()] = true
		if ss, ok := it.o.Obj.(*appsv1.StatefulSet); ok && it.prior == nil {
			for _, t := range ss.Spec.VolumeClaimTemplates {
				claims[t.Name+"-"+ss.Name] = true
			}
		}
	}
	var gone []goneCheck
	for _, gvr := range dependents {
		ri := a.h.Dynamic.Resource(gvr).Namespace(a.h.Namespace)
		list, err := ri.List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, u := range list.Items {
			if a.before[string(u.GetUID())] || !(ownedBy(&u, owned) || claims[claimBase(u.GetName())]) {
				continue
			}
			if err := deleteObject(ctx, ri, u.GetName()); err != nil {
				return nil, err
			}
			gone = append(gone, goneCheck{ri, u.GetName(), u.GetKind() + "/" + u.GetName()})
			a.r.Restore = append(a.r.Restore, ObjectResult{Object: u.GetKind() + "/" + u.GetName(), Action: "deleted"})
		}
	}
	return gone, nil
}

func ownedBy(u *unstructured.Unstructured, owners map[string]bool) bool {
	for _, ref := range u.GetOwnerReferences() {
		if owners[ref.Kind+"/"+ref.Name] {
			return true
		}
	}
	return false
}

// claimBase strips the ordinal of a StatefulSet's claim: "data-db-0" ->
// "data-db".
func claimBase(name string) string {
	i := strings.LastIndex(name, "-")
	if i < 0 {
		return ""
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return ""
	}
	return name[:i]
}

// retry calls f until it succeeds, fails for good (the server refuses for
// a reason waiting will not change), or ctx ends.
func retry(ctx context.Context, f func() error) error {
	for {
		err := f()
		if err == nil {
			return nil
		}
		if apierrors.IsForbidden(err) || apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || apierrors.IsMethodNotSupported(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
