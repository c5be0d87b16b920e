package cluster

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/restmapper"

	"github.com/rightsize/rightsize/internal/model"
)

// Mapper maps kinds to resources with the cluster's discovery, cached for
// the handle's life.
func (h *Handle) Mapper() meta.ResettableRESTMapper {
	h.mapperOnce.Do(func() {
		h.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(h.Client.Discovery()))
	})
	return h.mapper
}

// ErrNoKind is returned by Resource for a kind the cluster does not serve.
type ErrNoKind struct{ GVK schema.GroupVersionKind }

func (e *ErrNoKind) Error() string {
	return fmt.Sprintf("the cluster serves no %s", e.GVK.GroupVersion().WithKind(e.GVK.Kind))
}

// Resource returns the client for o's kind, in the handle's namespace when
// the kind is namespaced, and whether it is.
func (h *Handle) Resource(o *model.Object) (dynamic.ResourceInterface, bool, error) {
	gvk := o.GVK()
	mapping, err := h.Mapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, false, &ErrNoKind{GVK: gvk}
		}
		return nil, false, fmt.Errorf("looking up %s: %w", gvk, err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return h.Dynamic.Resource(mapping.Resource).Namespace(h.Namespace), true, nil
	}
	return h.Dynamic.Resource(mapping.Resource), false, nil
}

// Get returns the live version of o (in the handle's namespace when
// namespaced), nil when it does not exist.
func (h *Handle) Get(ctx context.Context, o *model.Object) (*unstructured.Unstructured, error) {
	ri, _, err := h.Resource(o)
	if err != nil {
		return nil, err
	}
	u, err := ri.Get(ctx, o.Name(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.Ref(), err)
	}
	return u, nil
}

// Existing returns the live versions of app's namespaced objects that exist
// in the namespace already, typed where the client knows the kind, in app
// order. Kinds the cluster does not serve exist nowhere.
func (h *Handle) Existing(ctx context.Context, app *model.App) (*model.App, error) {
	out := &model.App{}
	for _, o := range app.Objects {
		_, namespaced, err := h.Resource(o)
		if _, ok := err.(*ErrNoKind); ok {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !namespaced {
			continue
		}
		u, err := h.Get(ctx, o)
		if err != nil {
			return nil, err
		}
		if u == nil {
			continue
		}
		out.Objects = append(out.Objects, &model.Object{Source: model.Source{File: h.Name()}, Obj: Typed(u)})
	}
	return out, nil
}

// Typed converts u into its k8s.io/api type when the client knows the kind,
// else returns u.
func Typed(u *unstructured.Unstructured) runtime.Object {
	obj, err := scheme.Scheme.New(u.GroupVersionKind())
	if err != nil {
		return u
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
		return u
	}
	obj.GetObjectKind().SetGroupVersionKind(u.GroupVersionKind())
	return obj
}
