package sim

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// awaitTimeout bounds every wait of the seeding.
const awaitTimeout = 60 * time.Second

// until lists lw's objects and watches them until done holds for what
// the list and the changes since hold: a wait that ends as soon as the
// change is seen (client-go's UntilWithSync waits for its informer's first
// list by looking every 100 ms, most of a wait here). The list is served
// from the apiserver's watch cache as it stands (resourceVersion 0), not
// read consistently, which may wait for the cache to catch up with etcd:
// the waits here look for states that come after the caller's own writes,
// or for objects that did not exist before (checked by UID where one is
// replaced), so a cache a moment behind only means the watch brings the
// state a moment later. A timeout or a component that exited (at once) is
// an error.
func (c *Cluster) until(ctx context.Context, lw cache.ListerWatcher, done func(cache.Store) bool) error {
	ctx, cancel := context.WithTimeout(ctx, awaitTimeout)
	defer cancel()
	go func() {
		select {
		case <-c.died: // nil, never closed, for an attached cluster
			cancel()
		case <-ctx.Done():
		}
	}()
	err := watchUntil(ctx, lw, done)
	if err != nil && ctx.Err() != nil {
		if exit := c.exited(); exit != nil {
			return exit
		}
		return fmt.Errorf("after %s: %w", awaitTimeout, ctx.Err())
	}
	return err
}

// watchUntil lists and watches (again when the watch ends) until done.
func watchUntil(ctx context.Context, lw cache.ListerWatcher, done func(cache.Store) bool) error {
	for ctx.Err() == nil {
		store := cache.NewStore(cache.MetaNamespaceKeyFunc)
		list, err := lw.List(metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return err
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return err
		}
		for _, item := range items {
			_ = store.Add(item)
		}
		if done(store) {
			return nil
		}
		rv, err := meta.NewAccessor().ResourceVersion(list)
		if err != nil {
			return err
		}
		w, err := lw.Watch(metav1.ListOptions{ResourceVersion: rv})
		if err != nil {
			return err
		}
		ok := follow(ctx, w, store, done)
		w.Stop()
		if ok {
			return nil
		}
	}
	return ctx.Err()
}

// follow applies w's events to store until done (true), or the watch ends
// or fails (false: list again), or ctx ends.
func follow(ctx context.Context, w watch.Interface, store cache.Store, done func(cache.Store) bool) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, open := <-w.ResultChan():
			if !open {
				return false
			}
			switch ev.Type {
			case watch.Added, watch.Modified:
				_ = store.Update(ev.Object)
			case watch.Deleted:
				_ = store.Delete(ev.Object)
			case watch.Error:
				return false
			}
			if done(store) {
				return true
			}
		}
	}
}

func (c *Cluster) listWatch(resource, namespace string, selector fields.Selector) cache.ListerWatcher {
	return cache.NewListWatchFromClient(c.Client.CoreV1().RESTClient(), resource, namespace, selector)
}

// awaitNamed waits until the core object resource/namespace/name exists
// and ok (nil for any) holds for it.
func (c *Cluster) awaitNamed(ctx context.Context, resource, namespace, name string, ok func(runtime.Object) bool) error {
	lw := c.listWatch(resource, namespace, fields.OneTermEqualSelector("metadata.name", name))
	err := c.until(ctx, lw, func(s cache.Store) bool {
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
		lw := c.listWatch("pods", ns.Name, fields.Everything())
		if err := c.until(ctx, lw, func(s cache.Store) bool { return len(s.ListKeys()) == 0 }); err != nil {
			return fmt.Errorf("waiting for the pods of namespace %s, being deleted, to go: %w", ns.Name, err)
		}
	}
	return nil
}
