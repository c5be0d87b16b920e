package sim

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
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

// DeleteNamespace deletes namespace and waits (2 minutes at most) until
// the namespace controller has removed it and everything in it.
func (c *Cluster) DeleteNamespace(ctx context.Context, namespace string) error {
	ns := c.Client.CoreV1().Namespaces()
	if err := ns.Delete(ctx, namespace, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting namespace %s: %w", namespace, err)
	}
	return c.retry(ctx, 2*time.Minute, func() error {
		_, err := ns.Get(ctx, namespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err == nil {
			return fmt.Errorf("namespace %s is still terminating", namespace)
		}
		return err
	})
}
