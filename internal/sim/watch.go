package sim

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// awaitTimeout bounds every wait of the seeding.
const awaitTimeout = 60 * time.Second

// until lists and watches lw (objects of obj's type) until done holds for
// what it holds, checked after the list and after every change: a wait
// that ends as soon as the change is seen. A timeout or a component that
// exited (at once) is an error.
func (c *Cluster) until(ctx context.Context, lw cache.ListerWatcher, obj runtime.Object, done func(cache.Store) bool) error {
	ctx, cancel := context.WithTimeout(ctx, awaitTimeout)
	defer cancel()
	go func() {
		select {
		case <-c.died: // nil, never closed, for an attached cluster
			cancel()
		case <-ctx.Done():
		}
	}()
	var store cache.Store
	_, err := watchtools.UntilWithSync(ctx, lw, obj,
		func(s cache.Store) (bool, error) { store = s; return done(s), nil },
		func(watch.Event) (bool, error) { return done(store), nil })
	if err != nil {
		if exit := c.exited(); exit != nil {
			return exit
		}
		return fmt.Errorf("after %s: %w", awaitTimeout, err)
	}
	return nil
}

// awaitNamed waits until the core object resource/namespace/name exists
// and ok (nil for any) holds for it.
func (c *Cluster) awaitNamed(ctx context.Context, resource, namespace, name string, obj runtime.Object, ok func(runtime.Object) bool) error {
	lw := cache.NewListWatchFromClient(c.Client.CoreV1().RESTClient(), resource, namespace, fields.OneTermEqualSelector("metadata.name", name))
	err := c.until(ctx, lw, obj, func(s cache.Store) bool {
		item, exists, _ := s.GetByKey(namespace + "/" + name)
		return exists && (ok == nil || ok(item.(runtime.Object)))
	})
	if err != nil {
		return fmt.Errorf("waiting for %s %s/%s: %w", resource, namespace, name, err)
	}
	return nil
}

// awaitDrained waits until no namespace being deleted holds pods: the pods
// of the namespace a verification before this one deleted (see the
// reaper) would take room on the nodes.
func (c *Cluster) awaitDrained(ctx context.Context) error {
	list, err := c.Client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing namespaces: %w", err)
	}
	for _, ns := range list.Items {
		if ns.DeletionTimestamp == nil {
			continue
		}
		lw := cache.NewListWatchFromClient(c.Client.CoreV1().RESTClient(), "pods", ns.Name, fields.Everything())
		if err := c.until(ctx, lw, &corev1.Pod{}, func(s cache.Store) bool { return len(s.ListKeys()) == 0 }); err != nil {
			return fmt.Errorf("waiting for the pods of namespace %s, being deleted, to go: %w", ns.Name, err)
		}
	}
	return nil
}
