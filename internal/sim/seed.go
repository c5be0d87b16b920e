package sim

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rightsize/rightsize/internal/model"
)

// Seed creates namespace with the target's ResourceQuotas and LimitRanges
// (moved into namespace), and returns once the namespace can take pods: its
// default ServiceAccount and kube-root-ca.crt ConfigMap exist, every
// quota's status has been computed, without which quota admission refuses
// everything as "status unknown", and no namespace being deleted still
// holds pods on the nodes (see the reaper). Nodes are cluster-wide and
// given to Start. It waits by watching, not polling.
func (c *Cluster) Seed(ctx context.Context, namespace string, t *model.Target) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	drained := make(chan error, 1)
	go func() { drained <- c.awaitDrained(ctx) }()
	err := c.seed(ctx, namespace, t)
	if err != nil {
		cancel()
	}
	if derr := <-drained; err == nil {
		err = derr
	}
	return err
}

func (c *Cluster) seed(ctx context.Context, namespace string, t *model.Target) error {
	cs := c.Client.CoreV1()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := cs.Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", namespace, err)
	}
	if t == nil {
		t = &model.Target{}
	}
	// Controllers create both in every namespace, and quota charges them:
	// wait for them before the quotas, so that their first status counts
	// them. Limit ranges need not wait.
	byController := func(resource, name string) func() error {
		return func() error {
			if err := c.awaitNamed(ctx, resource, namespace, name, nil); err != nil {
				return fmt.Errorf("%w (made by kube-controller-manager)\n%s", err, c.Log("kube-controller-manager", 10))
			}
			return nil
		}
	}
	steps := []func() error{
		byController("serviceaccounts", "default"),
		byController("configmaps", "kube-root-ca.crt"),
	}
	for _, lr := range t.LimitRanges {
		steps = append(steps, func() error {
			lr := lr.DeepCopy()
			clearServerFields(&lr.ObjectMeta, namespace)
			if _, err := cs.LimitRanges(namespace).Create(ctx, lr, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("creating LimitRange %s in %s: %w", lr.Name, namespace, err)
			}
			return nil
		})
	}
	if err := all(steps); err != nil {
		return err
	}
	steps = nil
	for _, q := range t.Quotas {
		steps = append(steps, func() error { return c.createQuota(ctx, namespace, q) })
	}
	if err := all(steps); err != nil {
		return err
	}
	if len(t.Quotas) > 0 {
		return c.awaitQuotaAdmission(ctx, namespace, len(t.Quotas))
	}
	return nil
}

// all runs steps at once and returns their first error, in order.
func all(steps []func() error) error {
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, step := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = step()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// probeQuota is a quota that refuses every PodTemplate, for
// awaitQuotaAdmission.
const probeQuota = "rightsize-admission-probe"

// awaitQuotaAdmission returns once the apiserver's quota admission sees
// the namespace's quotas. The controllers' first objects in a new namespace
// (its ServiceAccount, its kube-root-ca.crt) make quota admission look the
// namespace up, find no quota and remember that for 30 seconds; until its
// informer delivers the new quotas, objects are admitted uncharged. A probe
// quota created after the target's, which refuses PodTemplates, shows when
// the informer has caught up: a dry-run PodTemplate is refused. The probe
// is deleted after, and the quotas' counts of quota objects restored.
func (c *Cluster) awaitQuotaAdmission(ctx context.Context, namespace string, quotas int) error {
	cs := c.Client.CoreV1()
	probe := &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: probeQuota},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"count/podtemplates": resource.MustParse("0")}},
	}
	if _, err := cs.ResourceQuotas(namespace).Create(ctx, probe, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating the admission probe quota in %s: %w", namespace, err)
	}
	tmpl := &corev1.PodTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "rightsize-probe"},
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "probe", Image: "probe"}},
		}},
	}
	err := c.retry(ctx, 60*time.Second, func() error {
		_, err := cs.PodTemplates(namespace).Create(ctx, tmpl, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil && strings.Contains(err.Error(), "exceeded quota: "+probeQuota) {
			return nil
		}
		return fmt.Errorf("quota admission does not see the quotas of %s yet (%v)", namespace, err)
	})
	if err != nil {
		return err
	}
	if err := cs.ResourceQuotas(namespace).Delete(ctx, probeQuota, metav1.DeleteOptions{}); err != nil {
		return fmt.Errorf("deleting the admission probe quota in %s: %w", namespace, err)
	}
	// A quota that counts quota objects counted the probe; the deletion
	// makes the controller count again.
	return c.retry(ctx, 60*time.Second, func() error {
		list, err := cs.ResourceQuotas(namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, q := range list.Items {
			for _, k := range []corev1.ResourceName{corev1.ResourceQuotas, "count/resourcequotas"} {
				if used, ok := q.Status.Used[k]; ok && used.Value() != int64(quotas) {
					return fmt.Errorf("ResourceQuota %s still counts %s %s", q.Name, used.String(), k)
				}
			}
		}
		return nil
	})
}

// createQuota creates q in namespace and waits for its status. The quota
// controller computes a new quota's first status from its caches, and now
// and then misses objects the controllers have just created (the
// kube-root-ca.crt ConfigMap, the default ServiceAccount); it would correct
// that only at its next full resync, minutes later. A quota whose status
// misses them is created anew, which makes the controller count again.
func (c *Cluster) createQuota(ctx context.Context, namespace string, q *corev1.ResourceQuota) error {
	cs := c.Client.CoreV1()
	for attempt := 0; ; attempt++ {
		q := q.DeepCopy()
		clearServerFields(&q.ObjectMeta, namespace)
		q.Status = corev1.ResourceQuotaStatus{}
		created, err := cs.ResourceQuotas(namespace).Create(ctx, q, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("creating ResourceQuota %s in %s: %w", q.Name, namespace, err)
		}
		var got *corev1.ResourceQuota
		err = c.awaitNamed(ctx, "resourcequotas", namespace, q.Name, func(obj runtime.Object) bool {
			got = obj.(*corev1.ResourceQuota)
			if got.UID != created.UID {
				return false // the quota this one replaces
			}
			for k := range q.Spec.Hard {
				if _, ok := got.Status.Used[k]; !ok {
					return false
				}
			}
			return true
		})
		if err != nil {
			return fmt.Errorf("waiting for the status of ResourceQuota %s/%s: %w", namespace, q.Name, err)
		}
		// Before the app arrives the namespace holds exactly one of each.
		complete := true
		for _, k := range []corev1.ResourceName{corev1.ResourceConfigMaps, "count/configmaps", "count/serviceaccounts"} {
			if used, ok := got.Status.Used[k]; ok && used.Value() != 1 {
				complete = false
			}
		}
		if complete {
			return nil
		}
		if attempt == 5 {
			return fmt.Errorf("ResourceQuota %s/%s: the quota controller keeps computing status.used %v without the namespace's default objects", namespace, q.Name, got.Status.Used)
		}
		if err := cs.ResourceQuotas(namespace).Delete(ctx, q.Name, metav1.DeleteOptions{}); err != nil {
			return fmt.Errorf("recreating ResourceQuota %s/%s: %w", namespace, q.Name, err)
		}
	}
}

func clearServerFields(m *metav1.ObjectMeta, namespace string) {
	m.Namespace = namespace
	m.ResourceVersion, m.UID, m.Generation = "", "", 0
	m.CreationTimestamp = metav1.Time{}
	m.ManagedFields = nil
}

// RecountQuotas makes the quota controller recompute the status.used of
// every quota in namespace from scratch, and waits for it. Admission keeps
// status.used exact, but the controller's own recomputations (on
// replenishment, such as a claim becoming bound) read its informers, which
// may not yet hold objects admitted a moment before: status.used then
// undercounts until the next recomputation, minutes later in a real
// cluster. A change to spec.hard triggers one, so RecountQuotas adds a key
// and removes it again.
func (c *Cluster) RecountQuotas(ctx context.Context, namespace string) error {
	cs := c.Client.CoreV1().ResourceQuotas(namespace)
	list, err := cs.List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing quotas of %s: %w", namespace, err)
	}
	var steps []func() error
	for _, q := range list.Items {
		steps = append(steps, func() error { return c.recount(ctx, namespace, q.Name) })
	}
	return all(steps)
}

// recount adds a key to one quota's spec.hard and removes it again, each
// time waiting for the controller to have recomputed its status.
func (c *Cluster) recount(ctx context.Context, namespace, name string) error {
	cs := c.Client.CoreV1().ResourceQuotas(namespace)
	const key = corev1.ResourceName("count/podtemplates.recount.rightsize.io")
	for _, add := range []bool{true, false} {
		err := c.retry(ctx, 30*time.Second, func() error {
			cur, err := cs.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if add {
				cur.Spec.Hard[key] = resource.MustParse("1")
			} else {
				delete(cur.Spec.Hard, key)
			}
			_, err = cs.Update(ctx, cur, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			return fmt.Errorf("recounting ResourceQuota %s/%s: %w", namespace, name, err)
		}
		err = c.awaitNamed(ctx, "resourcequotas", namespace, name, func(obj runtime.Object) bool {
			_, has := obj.(*corev1.ResourceQuota).Status.Hard[key]
			return has == add
		})
		if err != nil {
			return fmt.Errorf("recounting: %w", err)
		}
	}
	return nil
}
