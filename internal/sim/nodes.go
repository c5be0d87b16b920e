package sim

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/rightsize/rightsize/internal/model"
)

// LargeNode is the size of the node the simulator makes when neither the
// target nor the user gives nodes: large enough that only quota and
// LimitRange, not node capacity, decide what runs.
func LargeNode() corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("1000"),
		corev1.ResourceMemory:           resource.MustParse("4Ti"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Ti"),
		corev1.ResourcePods:             resource.MustParse("10000"),
	}
}

// Nodes returns the nodes to simulate: n nodes of size when n > 0, else
// the target's nodes, else one LargeNode. A size without "pods" gets the
// kubelet's default of 110.
func Nodes(t *model.Target, n int, size corev1.ResourceList) []*corev1.Node {
	if n > 0 {
		var nodes []*corev1.Node
		for i := range n {
			name := fmt.Sprintf("sim-node-%d", i+1)
			nodes = append(nodes, &corev1.Node{
				ObjectMeta: metav1.ObjectMeta{Name: name, Labels: KubeletLabels(name)},
				Status:     corev1.NodeStatus{Capacity: size.DeepCopy()},
			})
		}
		return nodes
	}
	if t != nil && len(t.Nodes) > 0 {
		var nodes []*corev1.Node
		for _, n := range t.Nodes {
			nodes = append(nodes, n.DeepCopy())
		}
		return nodes
	}
	return []*corev1.Node{{
		ObjectMeta: metav1.ObjectMeta{Name: "sim-node-1", Labels: KubeletLabels("sim-node-1")},
		Status:     corev1.NodeStatus{Capacity: LargeNode()},
	}}
}

// KubeletLabels are the labels a kubelet sets on the Node it registers
// (pkg/kubelet initialNode): its hostname, and the stable and beta os and
// arch labels.
func KubeletLabels(hostname string) map[string]string {
	return map[string]string{
		corev1.LabelHostname:      hostname,
		corev1.LabelOSStable:      "linux",
		corev1.LabelArchStable:    "amd64",
		"beta.kubernetes.io/os":   "linux",
		"beta.kubernetes.io/arch": "amd64",
	}
}

// readyNode completes a node as a registered kubelet would report it.
func readyNode(n *corev1.Node, i int) *corev1.Node {
	n = n.DeepCopy()
	n.ResourceVersion, n.UID = "", ""
	if n.Name == "" {
		n.Name = fmt.Sprintf("sim-node-%d", i+1)
	}
	// Labels stay as given: a target's nodes are what the user's cluster
	// shows, and the nodes Nodes makes carry the kubelet's labels.
	st := &n.Status
	if st.Capacity == nil {
		st.Capacity = corev1.ResourceList{}
	}
	if len(st.Allocatable) == 0 {
		st.Allocatable = st.Capacity.DeepCopy()
	}
	for _, l := range []corev1.ResourceList{st.Capacity, st.Allocatable} {
		if _, ok := l[corev1.ResourcePods]; !ok {
			l[corev1.ResourcePods] = resource.MustParse("110")
		}
	}
	now := metav1.Now()
	st.Conditions = []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
		Message: "rightsize simulator", LastHeartbeatTime: now, LastTransitionTime: now,
	}}
	st.Addresses = []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("10.1.0.%d", i+2)},
		{Type: corev1.NodeHostName, Address: n.Name},
	}
	st.Phase = corev1.NodeRunning
	st.NodeInfo = corev1.NodeSystemInfo{
		OperatingSystem: "linux", Architecture: "amd64", KubeletVersion: "v1.37.2",
		ContainerRuntimeVersion: "rightsize-sim://1",
	}
	return n
}

// createNodes creates the nodes and removes the not-ready taint that the
// apiserver's admission gives every new node and that node lifecycle
// (disabled here, no kubelet heartbeats) would otherwise lift.
func createNodes(ctx context.Context, cs kubernetes.Interface, nodes []*corev1.Node) error {
	for i, n := range nodes {
		n := readyNode(n, i)
		created, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("creating node %s: %w", n.Name, err)
		}
		if len(created.Status.Conditions) == 0 { // status dropped on create: set it
			created.Status = n.Status
			if created, err = cs.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("setting status of node %s: %w", n.Name, err)
			}
		}
		for {
			var keep []corev1.Taint
			for _, t := range created.Spec.Taints {
				if t.Key != corev1.TaintNodeNotReady && t.Key != corev1.TaintNodeUnreachable {
					keep = append(keep, t)
				}
			}
			if len(keep) == len(created.Spec.Taints) {
				break
			}
			created.Spec.Taints = keep
			_, err = cs.CoreV1().Nodes().Update(ctx, created, metav1.UpdateOptions{})
			if err == nil {
				break
			}
			if !apierrors.IsConflict(err) {
				return fmt.Errorf("untainting node %s: %w", n.Name, err)
			}
			if created, err = cs.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{}); err != nil {
				return fmt.Errorf("untainting node %s: %w", n.Name, err)
			}
		}
	}
	return nil
}
