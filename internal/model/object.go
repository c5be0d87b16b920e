package model

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Source says where an object came from, for messages that point at the place.
type Source struct {
	// File is the path as the user gave it ("-" for standard input), or a
	// description such as "chart hello-world" for generated objects.
	File string
	// Doc is the 0-based index of the YAML/JSON document within File.
	Doc int
	// Format is the input format the object was converted from ("kubernetes",
	// "openshift", "compose", ...).
	Format string
}

// String renders the source as "file (document N)", with documents counted
// from 1 as editors do.
func (s Source) String() string {
	if s.File == "" {
		return "<generated>"
	}
	return fmt.Sprintf("%s (document %d)", s.File, s.Doc+1)
}

// Object is one Kubernetes object of an application.
type Object struct {
	Source Source
	// Obj is a typed object (from k8s.io/api) for the kinds the footprint
	// understands, and *unstructured.Unstructured for every other kind.
	Obj runtime.Object
}

// GVK returns the object's group, version and kind.
func (o *Object) GVK() schema.GroupVersionKind {
	return o.Obj.GetObjectKind().GroupVersionKind()
}

// Kind returns the object's kind. It reads the field directly: parsing
// apiVersion, as GVK does, is measurable when sorting thousands of objects.
func (o *Object) Kind() string {
	switch t := o.Obj.GetObjectKind().(type) {
	case *metav1.TypeMeta:
		return t.Kind
	case *unstructured.Unstructured:
		return t.GetKind()
	}
	return o.GVK().Kind
}

func (o *Object) meta() metaAccessor {
	m, err := meta.Accessor(o.Obj)
	if err != nil {
		// Every object the loaders produce carries ObjectMeta; a value
		// without it is a programming error, not bad input.
		panic(fmt.Sprintf("model: object of type %T has no metadata", o.Obj))
	}
	return m
}

type metaAccessor interface {
	GetName() string
	GetNamespace() string
	SetNamespace(string)
}

// Name returns metadata.name.
func (o *Object) Name() string { return o.meta().GetName() }

// Namespace returns metadata.namespace ("" when unset).
func (o *Object) Namespace() string { return o.meta().GetNamespace() }

// Ref names the object as kubectl does: "Deployment/web".
func (o *Object) Ref() string { return o.Kind() + "/" + o.Name() }

// Where names the object and its source for error messages:
// "web.yaml (document 2) Deployment/web".
func (o *Object) Where() string { return o.Source.String() + " " + o.Ref() }

// App is an application: its objects in load order, plus what loading noticed.
type App struct {
	Objects  []*Object
	Findings []Finding
	// Inputs are the files loading read besides the paths it was given
	// (a Compose env_file, a kustomization's base in another directory):
	// outputs must be kept away from them as from the paths given.
	Inputs []string
}

// Find returns the object with the given kind, namespace and name, or nil.
func (a *App) Find(kind, namespace, name string) *Object {
	for _, o := range a.Objects {
		if o.Kind() == kind && o.Name() == name && o.Namespace() == namespace {
			return o
		}
	}
	return nil
}

// Lookup returns the object of objs with the given kind and name as T (a
// typed object such as *appsv1.Deployment), or T's zero value when there is
// none or it is of another type.
func Lookup[T runtime.Object](objs []*Object, kind, name string) T {
	var zero T
	for _, o := range objs {
		if o.Kind() == kind && o.Name() == name {
			if v, ok := o.Obj.(T); ok {
				return v
			}
		}
	}
	return zero
}
