package sim

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
)

// KubeletOptions configure the kubelet stand-in.
type KubeletOptions struct {
	// CompleteJobs makes the pods of Jobs succeed as soon as they run, so
	// that Jobs run to completion. When false they stay Running, which holds
	// their quota charge at its peak.
	CompleteJobs bool
}

// runKubelet plays the kubelet's part in pod status, as kwok does: a pod
// bound to a node becomes Running with every container started and ready
// (init containers terminated, native sidecars running), and a pod being
// deleted is removed at once. It returns when ctx ends.
func runKubelet(ctx context.Context, cs kubernetes.Interface, opts KubeletOptions) {
	factory := informers.NewSharedInformerFactory(cs, 0)
	inf := factory.Core().V1().Pods().Informer()
	k := &kubelet{cs: cs, lister: inf.GetIndexer(), opts: opts}
	runWorkers(ctx, factory, inf, cache.DeletionHandlingMetaNamespaceKeyFunc, 8, k.sync)
}

// runWorkers runs syncKey for the key of every object inf adds or updates, on
// workers goroutines, retrying failures with backoff, until ctx ends.
func runWorkers(ctx context.Context, factory informers.SharedInformerFactory, inf cache.SharedIndexInformer,
	keyFunc cache.KeyFunc, workers int, syncKey func(context.Context, string) error) {
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	enqueue := func(obj any) {
		if key, err := keyFunc(obj); err == nil {
			queue.Add(key)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	})
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				key, quit := queue.Get()
				if quit {
					return
				}
				if err := syncKey(ctx, key); err != nil && ctx.Err() == nil {
					queue.AddRateLimited(key)
				} else {
					queue.Forget(key)
				}
				queue.Done(key)
			}
		}()
	}
	<-ctx.Done()
	queue.ShutDown()
	wg.Wait()
}

type kubelet struct {
	cs     kubernetes.Interface
	lister cache.Indexer
	opts   KubeletOptions
	mu     sync.Mutex
	nextIP int
}

func (k *kubelet) sync(ctx context.Context, key string) error {
	obj, exists, err := k.lister.GetByKey(key)
	if err != nil || !exists {
		return err
	}
	pod := obj.(*corev1.Pod)
	if pod.Spec.NodeName == "" {
		return nil
	}
	if pod.DeletionTimestamp != nil {
		err := k.cs.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: ptr.To[int64](0),
			Preconditions:      &metav1.Preconditions{UID: &pod.UID},
		})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return err
	}
	want := corev1.PodRunning
	if k.opts.CompleteJobs && ownedByJob(pod) {
		want = corev1.PodSucceeded
	}
	if pod.Status.Phase == want || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return nil
	}
	pod = pod.DeepCopy()
	k.setStatus(pod, want)
	_, err = k.cs.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // deleted, or changed: a newer event follows
	}
	if err != nil {
		return fmt.Errorf("updating status of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return nil
}

func ownedByJob(pod *corev1.Pod) bool {
	for _, o := range pod.OwnerReferences {
		if o.Kind == "Job" && o.Controller != nil && *o.Controller {
			return true
		}
	}
	return false
}

func (k *kubelet) podIP() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.nextIP++
	return fmt.Sprintf("10.244.%d.%d", k.nextIP/250, k.nextIP%250+1)
}

// setStatus fills the status a kubelet would report once every container
// has started (phase Running) or once every container exited 0 (Succeeded).
func (k *kubelet) setStatus(pod *corev1.Pod, phase corev1.PodPhase) {
	now := metav1.Now()
	st := &pod.Status
	st.Phase = phase
	if st.StartTime == nil {
		st.StartTime = &now
	}
	if st.PodIP == "" && !pod.Spec.HostNetwork {
		ip := k.podIP()
		st.PodIP, st.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	}
	if st.HostIP == "" {
		st.HostIP = "10.1.0.2"
		st.HostIPs = []corev1.HostIP{{IP: st.HostIP}}
		if pod.Spec.HostNetwork {
			st.PodIP, st.PodIPs = st.HostIP, []corev1.PodIP{{IP: st.HostIP}}
		}
	}
	running := phase == corev1.PodRunning
	ready := corev1.ConditionFalse
	reason := "PodCompleted"
	if running {
		ready, reason = corev1.ConditionTrue, ""
	}
	st.Conditions = mergeConditions(st.Conditions, now,
		corev1.PodCondition{Type: corev1.PodReadyToStartContainers, Status: ready},
		corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, Reason: reason},
		corev1.PodCondition{Type: corev1.ContainersReady, Status: ready, Reason: reason},
		corev1.PodCondition{Type: corev1.PodReady, Status: ready, Reason: reason},
	)
	terminated := func(c corev1.Container) corev1.ContainerStatus {
		return corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "sim://" + c.Image, ContainerID: "sim://" + pod.Name + "/" + c.Name,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now,
			}},
			Started: ptr.To(false),
		}
	}
	started := func(c corev1.Container) corev1.ContainerStatus {
		return corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "sim://" + c.Image, ContainerID: "sim://" + pod.Name + "/" + c.Name,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
			Ready: true, Started: ptr.To(true),
		}
	}
	st.InitContainerStatuses = nil
	for _, c := range pod.Spec.InitContainers {
		sidecar := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		if sidecar && running {
			st.InitContainerStatuses = append(st.InitContainerStatuses, started(c))
		} else {
			st.InitContainerStatuses = append(st.InitContainerStatuses, terminated(c))
		}
	}
	st.ContainerStatuses = nil
	for _, c := range pod.Spec.Containers {
		if running {
			st.ContainerStatuses = append(st.ContainerStatuses, started(c))
		} else {
			st.ContainerStatuses = append(st.ContainerStatuses, terminated(c))
		}
	}
}

func mergeConditions(have []corev1.PodCondition, now metav1.Time, set ...corev1.PodCondition) []corev1.PodCondition {
	for _, c := range set {
		c.LastTransitionTime = now
		found := false
		for i := range have {
			if have[i].Type == c.Type {
				if have[i].Status == c.Status {
					c.LastTransitionTime = have[i].LastTransitionTime
				}
				have[i] = c
				found = true
			}
		}
		if !found {
			have = append(have, c)
		}
	}
	return have
}

// runProvisioner plays a dynamic volume provisioner: every pending claim
// gets a persistent volume of its size, pre-bound to it, which the
// persistent volume controller then binds. Without it, pods with claims
// would be unschedulable in the simulator though a real cluster provisions.
func runProvisioner(ctx context.Context, cs kubernetes.Interface) {
	factory := informers.NewSharedInformerFactory(cs, 0)
	inf := factory.Core().V1().PersistentVolumeClaims().Informer()
	runWorkers(ctx, factory, inf, cache.MetaNamespaceKeyFunc, 1, func(ctx context.Context, key string) error {
		return provision(ctx, cs, inf.GetIndexer(), key)
	})
}

func provision(ctx context.Context, cs kubernetes.Interface, indexer cache.Indexer, key string) error {
	obj, exists, err := indexer.GetByKey(key)
	if err != nil || !exists {
		return err
	}
	pvc := obj.(*corev1.PersistentVolumeClaim)
	if pvc.Spec.VolumeName != "" || pvc.DeletionTimestamp != nil || pvc.Status.Phase != corev1.ClaimPending {
		return nil
	}
	size, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return nil
	}
	modes := pvc.Spec.AccessModes
	if len(modes) == 0 {
		modes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv-" + string(pvc.UID)},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:         corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:      modes,
			VolumeMode:       pvc.Spec.VolumeMode,
			StorageClassName: ptr.Deref(pvc.Spec.StorageClassName, ""),
			ClaimRef: &corev1.ObjectReference{
				Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID,
			},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/rightsize-sim/" + string(pvc.UID)},
			},
		},
	}
	_, err = cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("provisioning a volume for claim %s: %w", key, err)
	}
	return nil
}

// runReaper deletes, without grace, the pods of every namespace being
// deleted. The namespace controller waits 5 seconds before it empties a
// namespace (for other apiservers to see the deletion); until then the
// pods would hold their room on the nodes, though nothing can be created
// in the namespace any more. A kubelet would stop them as fast.
func runReaper(ctx context.Context, cs kubernetes.Interface) {
	factory := informers.NewSharedInformerFactory(cs, 0)
	inf := factory.Core().V1().Namespaces().Informer()
	runWorkers(ctx, factory, inf, cache.MetaNamespaceKeyFunc, 2, func(ctx context.Context, key string) error {
		obj, exists, err := inf.GetIndexer().GetByKey(key)
		if err != nil || !exists || obj.(*corev1.Namespace).DeletionTimestamp == nil {
			return err
		}
		err = cs.CoreV1().Pods(key).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}, metav1.ListOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting the pods of namespace %s: %w", key, err)
		}
		return nil
	})
}
