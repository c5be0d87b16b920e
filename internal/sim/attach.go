package sim

import (
	"context"
	"fmt"
	"path/filepath"

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
	c := &Cluster{
		Dir:        filepath.Dir(st.Kubeconfig),
		Kubeconfig: st.Kubeconfig,
		Server:     cfg.Host,
		Config:     cfg,
		Client:     cs,
		kubelet:    KubeletOptions{CompleteJobs: st.CompleteJobs},
		cancel:     cancel,
	}
	if st.ServerVersion != "" {
		c.discoveryCache = filepath.Join(c.Dir, "discovery-"+st.ServerVersion+".json")
	}
	return c, nil
}

// DiscoveryCache is the file that keeps the apiserver's discovery for
// verifiers of an attached cluster (verify.DiscoveryCacher), named by the
// apiserver's version; "" for a cluster this process started.
func (c *Cluster) DiscoveryCache() string { return c.discoveryCache }

// DeleteNamespace deletes namespace and returns once it is terminating: no
// object can be created in it any more. The simulator's reaper then
// removes its pods at once, so that the nodes are free for what comes next
// (Seed waits for that), and the namespace controller the rest after its
// own grace period of about 5 seconds, which a caller need not wait for.
func (c *Cluster) DeleteNamespace(ctx context.Context, namespace string) error {
	err := c.Client.CoreV1().Namespaces().Delete(ctx, namespace, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting namespace %s: %w", namespace, err)
	}
	return nil
}
