package verify

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/rightsize/rightsize/internal/model"
)

// Live is a live cluster as a Cluster for the verifier: Seed creates a
// scratch namespace with the target's quotas and limit ranges (the user
// must be allowed to create namespaces); DeleteNamespace removes it.
type Live struct {
	Config *rest.Config
	Client kubernetes.Interface
	// ScratchLabel marks the namespaces Seed creates.
	ScratchLabel string
}

// RESTConfig implements Cluster.
func (l *Live) RESTConfig() *rest.Config { return l.Config }

// Clientset implements Cluster.
func (l *Live) Clientset() kubernetes.Interface { return l.Client }

// CompletesJobs implements Cluster: real kubelets run Jobs to completion.
func (l *Live) CompletesJobs() bool { return true }

// RecountQuotas implements Cluster: a live cluster's quota controller
// keeps its own counts.
func (l *Live) RecountQuotas(context.Context, string) error { return nil }

// Seed creates namespace with t's LimitRanges and ResourceQuotas, each
// quota's hard raised by what the new namespace holds by itself (its
// ServiceAccount, its kube-root-ca.crt, the quota objects): t says what
// the app may use, and the scratch namespace must leave exactly that.
func (l *Live) Seed(ctx context.Context, namespace string, t *model.Target) error {
	cs := l.Client.CoreV1()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if l.ScratchLabel != "" {
		ns.Labels = map[string]string{l.ScratchLabel: "true"}
	}
	if _, err := cs.Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating the scratch namespace %s: %w", namespace, err)
	}
	for _, lr := range t.LimitRanges {
		lr = lr.DeepCopy()
		lr.ObjectMeta = metav1.ObjectMeta{Name: lr.Name, Namespace: namespace}
		if _, err := cs.LimitRanges(namespace).Create(ctx, lr, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating LimitRange %s in %s: %w", lr.Name, namespace, err)
		}
	}
	for _, q := range t.Quotas {
		q = q.DeepCopy()
		q.ObjectMeta = metav1.ObjectMeta{Name: q.Name, Namespace: namespace}
		q.Status = corev1.ResourceQuotaStatus{}
		if _, err := cs.ResourceQuotas(namespace).Create(ctx, q, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating ResourceQuota %s in %s: %w", q.Name, namespace, err)
		}
	}
	for _, q := range t.Quotas {
		if err := l.addBaseline(ctx, namespace, q.Name); err != nil {
			return err
		}
	}
	return nil
}

// addBaseline waits for a quota's first status and adds what it counts
// already to its hard limits.
func (l *Live) addBaseline(ctx context.Context, namespace, name string) error {
	qs := l.Client.CoreV1().ResourceQuotas(namespace)
	deadline := time.Now().Add(60 * time.Second)
	for {
		q, err := qs.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("reading ResourceQuota %s/%s: %w", namespace, name, err)
		}
		if len(q.Status.Used) >= len(q.Spec.Hard) {
			for k, used := range q.Status.Used {
				h := q.Spec.Hard[k]
				h.Add(used)
				q.Spec.Hard[k] = h
			}
			_, err := qs.Update(ctx, q, metav1.UpdateOptions{})
			if err == nil || !apierrors.IsConflict(err) {
				return err
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ResourceQuota %s/%s: no status after 60s (is the quota controller running?)", namespace, name)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// DeleteNamespace deletes a scratch namespace and waits (2 minutes at
// most) until it is gone.
func (l *Live) DeleteNamespace(ctx context.Context, namespace string) error {
	cs := l.Client.CoreV1().Namespaces()
	if err := cs.Delete(ctx, namespace, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting the scratch namespace %s: %w", namespace, err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if _, err := cs.Get(ctx, namespace, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("the scratch namespace %s is still terminating", namespace)
}
