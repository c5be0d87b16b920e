package model

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Key identifies an object everywhere rightsize refers to one: in findings,
// changes, refusals, plans and reports. It is comparable, so it serves as a
// map key; "Kind/name" strings are for display only (Key.String).
type Key struct {
	// Group is the API group ("apps"; "" for the core group). The version is
	// not part of an object's identity.
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// String names the object as kubectl does: "Deployment/web". The namespace
// is left out: a report is about one namespace.
func (k Key) String() string {
	if k.Kind == "" && k.Name == "" {
		return ""
	}
	return k.Kind + "/" + k.Name
}

// IsZero reports whether k names no object.
func (k Key) IsZero() bool { return k == Key{} }

// GroupKind returns the key's group and kind.
func (k Key) GroupKind() schema.GroupKind { return schema.GroupKind{Group: k.Group, Kind: k.Kind} }

// Key returns the object's identity.
func (o *Object) Key() Key {
	gvk := o.GVK()
	return Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: o.Namespace(), Name: o.Name()}
}

// KeyOf builds the key of an object of the given group, kind and name, for
// objects a stage creates before they exist as *Object.
func KeyOf(group, kind, namespace, name string) Key {
	return Key{Group: group, Kind: kind, Namespace: namespace, Name: name}
}
