package sim

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

// Attach returns the control plane a running Serve described in st, for
// programs other than the one that runs it: Seed, RecountQuotas and the
// clients work; Stop only forgets it (Down stops the control plane), and
// its nodes are those Serve was given.
func Attach(st *State) (*Cluster, error) {
	if !Alive(st.PID) {
		return nil, fmt.Errorf("the simulator (pid %d) is not running; start one with 'rightsize sim up'", st.PID)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", st.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("reading the simulator's kubeconfig %s: %w", st.Kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 1000, 2000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating a client for %s: %w", cfg.Host, err)
	}
	_, cancel := context.WithCancel(context.Background())
	return &Cluster{
		Dir:        filepath.Dir(st.Kubeconfig),
		Kubeconfig: st.Kubeconfig,
		Server:     cfg.Host,
		Config:     cfg,
		Client:     cs,
		kubelet:    KubeletOptions{CompleteJobs: st.CompleteJobs},
		cancel:     cancel,
	}, nil
}

// DeleteNamespace deletes namespace: first its workloads (orphaning their
// pods, so that nothing recreates them) and its pods, without grace, waiting
// until none is left, so that the nodes are free for what comes next; then
// the namespace itself. It returns once the namespace is terminating (no
// object can be created in it any more): the namespace controller removes
// the rest after its own grace period of about 5 seconds, which a caller
// need not wait for.
func (c *Cluster) DeleteNamespace(ctx context.Context, namespace string) error {
	all := metav1.ListOptions{}
	orphan := metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationOrphan)}
	apps, batch := c.Client.AppsV1(), c.Client.BatchV1()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, del := range []func() error{
		func() error { return batch.CronJobs(namespace).DeleteCollection(ctx, orphan, all) },
		func() error { return apps.Deployments(namespace).DeleteCollection(ctx, orphan, all) },
		func() error { return apps.StatefulSets(namespace).DeleteCollection(ctx, orphan, all) },
		func() error { return apps.DaemonSets(namespace).DeleteCollection(ctx, orphan, all) },
		func() error { return apps.ReplicaSets(namespace).DeleteCollection(ctx, orphan, all) },
		func() error { return batch.Jobs(namespace).DeleteCollection(ctx, orphan, all) },
		func() error {
			return c.Client.CoreV1().ReplicationControllers(namespace).DeleteCollection(ctx, orphan, all)
		},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := del(); err != nil && !apierrors.IsNotFound(err) {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("emptying namespace %s: %w", namespace, errors.Join(errs...))
	}
	pods := c.Client.CoreV1().Pods(namespace)
	err := c.retry(ctx, time.Minute, func() error {
		if err := pods.DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}, all); err != nil {
			return err
		}
		list, err := pods.List(ctx, all)
		if err != nil {
			return err
		}
		if n := len(list.Items); n > 0 {
			return fmt.Errorf("%d pods left in %s", n, namespace)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("deleting the pods of namespace %s: %w", namespace, err)
	}
	err = c.Client.CoreV1().Namespaces().Delete(ctx, namespace, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting namespace %s: %w", namespace, err)
	}
	return nil
}
