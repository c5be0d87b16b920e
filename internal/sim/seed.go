package sim

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// Seed creates namespace with the target's ResourceQuotas and LimitRanges
// (moved into namespace), and returns once the namespace can take pods:
// its default ServiceAccount and kube-root-ca.crt ConfigMap exist and every
// quota's status has been
// computed, without which quota admission refuses everything as
// "status unknown". Nodes are cluster-wide and given to Start.
func (c *Cluster) Seed(ctx context.Context, namespace string, t *model.Target) error {
	cs := c.Client
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", namespace, err)
	}
	var quotas []string
	if t != nil {
		for _, q := range t.Quotas {
			q = q.DeepCopy()
			clearServerFields(&q.ObjectMeta, namespace)
			q.Status = corev1.ResourceQuotaStatus{}
			if _, err := cs.CoreV1().ResourceQuotas(namespace).Create(ctx, q, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("creating ResourceQuota %s in %s: %w", q.Name, namespace, err)
			}
			quotas = append(quotas, q.Name)
		}
		for _, lr := range t.LimitRanges {
			lr = lr.DeepCopy()
			clearServerFields(&lr.ObjectMeta, namespace)
			if _, err := cs.CoreV1().LimitRanges(namespace).Create(ctx, lr, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("creating LimitRange %s in %s: %w", lr.Name, namespace, err)
			}
		}
	}
	// Controllers create both in every namespace; quota charges them.
	err := retry(ctx, 60*time.Second, func() error {
		if _, err := cs.CoreV1().ServiceAccounts(namespace).Get(ctx, "default", metav1.GetOptions{}); err != nil {
			return err
		}
		_, err := cs.CoreV1().ConfigMaps(namespace).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("waiting for the default ServiceAccount and kube-root-ca.crt in %s (kube-controller-manager): %w\n%s", namespace, err, c.Log("kube-controller-manager", 10))
	}
	for _, name := range quotas {
		err := retry(ctx, 60*time.Second, func() error {
			q, err := cs.CoreV1().ResourceQuotas(namespace).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for k := range q.Spec.Hard {
				if _, ok := q.Status.Used[k]; !ok {
					return fmt.Errorf("status of %s not computed yet", k)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("waiting for the status of ResourceQuota %s/%s: %w", namespace, name, err)
		}
	}
	return nil
}

func clearServerFields(m *metav1.ObjectMeta, namespace string) {
	m.Namespace = namespace
	m.ResourceVersion, m.UID, m.Generation = "", "", 0
	m.CreationTimestamp = metav1.Time{}
	m.ManagedFields = nil
}
