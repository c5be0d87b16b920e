package apply

import (
	"context"
	"fmt"
	"sort"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/rightsize/rightsize/internal/cluster"
)

// DeleteReport lists what Delete removed.
type DeleteReport struct {
	App       string   `json:"app"`
	Namespace string   `json:"namespace"`
	Deleted   []string `json:"deleted"`
}

// Delete removes every object of the handle's namespace that an apply of
// app created (labelled LabelApp=app), with what their controllers made,
// and waits until they are gone. Objects the namespace had before the app
// (changed, never claimed by an apply) stay. timeout 0 means 2 minutes.
func Delete(ctx context.Context, h *cluster.Handle, app string, timeout time.Duration) (*DeleteReport, error) {
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	lists, err := discovery.ServerPreferredNamespacedResources(h.Client.Discovery())
	if err != nil && len(lists) == 0 {
		return nil, fmt.Errorf("discovering the cluster's resources: %w", err)
	}
	r := &DeleteReport{App: app, Namespace: h.Namespace, Deleted: []string{}}
	var gone []goneCheck
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, res := range l.APIResources {
			if !hasVerbs(res.Verbs, "list", "delete") || res.Name == "events" {
				continue
			}
			ri := h.Dynamic.Resource(gv.WithResource(res.Name)).Namespace(h.Namespace)
			list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: LabelApp + "=" + app})
			if apierrors.IsForbidden(err) || apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
				continue
			}
			if err != nil {
				return r, fmt.Errorf("listing %s: %w", res.Name, err)
			}
			for _, u := range list.Items {
				if _, ok := u.GetAnnotations()[AnnotationApplied]; !ok {
					continue // a copy of the label (Endpoints mirror their Service's)
				}
				if err := deleteObject(ctx, ri, u.GetName()); err != nil {
					return r, fmt.Errorf("deleting %s/%s: %w", res.Kind, u.GetName(), err)
				}
				ref := res.Kind + "/" + u.GetName()
				r.Deleted = append(r.Deleted, ref)
				gone = append(gone, goneCheck{ri, u.GetName(), ref})
			}
		}
	}
	sort.Strings(r.Deleted)
	for _, g := range gone {
		if err := retry(ctx, func() error { return g.check(ctx) }); err != nil {
			return r, fmt.Errorf("waiting for %s to be deleted: %w", g.ref, err)
		}
	}
	return r, nil
}

func hasVerbs(have []string, want ...string) bool {
	n := 0
	for _, w := range want {
		for _, h := range have {
			if h == w {
				n++
				break
			}
		}
	}
	return n == len(want)
}
