package rewrite

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/solve"
)

// MaxConfigSize is the most data (keys and values) a merged ConfigMap or
// Secret may hold: the apiserver refuses objects over 1 MiB.
const MaxConfigSize = 1<<20 - 4096

// ConfigPins says, for every ConfigMap and Secret of app by index, why it
// may not be merged with others ("" when it may): only a ConfigMap or an
// Opaque Secret that pods of the app use, through references that can all
// be rewritten, and that nothing else names, is merged.
func ConfigPins(app *model.App) map[int]string {
	ix := &configPins{data: names.ConfigData(app), used: map[string]bool{}, why: map[string]string{}}
	for _, o := range app.Objects {
		if spec, _, ok := footprint.PodSpec(o); ok {
			ix.pod(o, spec)
		} else {
			ix.other(o)
		}
	}
	out := map[int]string{}
	for i, o := range app.Objects {
		if k := o.Kind(); k == "ConfigMap" || k == "Secret" {
			out[i] = ix.verdict(o)
		}
	}
	return out
}

type configPins struct {
	data map[string]map[string]string
	// used marks the sources a pod template of the app names.
	used map[string]bool
	why  map[string]string
}

func (ix *configPins) pin(id, why string) {
	if ix.why[id] == "" {
		ix.why[id] = why
	}
}

func (ix *configPins) verdict(o *model.Object) string {
	id := names.ConfigID(o.Kind(), o.Namespace(), o.Name())
	switch t := o.Obj.(type) {
	case *corev1.ConfigMap:
		if t.Immutable != nil && *t.Immutable {
			return "it is immutable"
		}
		if t.Name == "kube-root-ca.crt" {
			return "the cluster manages it"
		}
	case *corev1.Secret:
		if t.Type != "" && t.Type != corev1.SecretTypeOpaque {
			return "its type is " + string(t.Type) + ": only Opaque Secrets are merged"
		}
		if t.Immutable != nil && *t.Immutable {
			return "it is immutable"
		}
	}
	if acc, ok := o.Obj.(metav1.Object); ok {
		if len(acc.GetOwnerReferences()) > 0 {
			return "another object owns it (ownerReferences)"
		}
		if acc.GetAnnotations()["helm.sh/hook"] != "" {
			return "it is a Helm hook"
		}
	}
	if why := ix.why[id]; why != "" {
		return why
	}
	if !ix.used[id] {
		return "no pod of the app uses it: it may be read through the API or from outside the app"
	}
	return ""
}

// pod notes the references of one pod template.
func (ix *configPins) pod(o *model.Object, spec *corev1.PodSpec) {
	ns := o.Namespace()
	keyed := func(s names.ConfigSource, keys ...string) {
		id := names.ConfigID(s.Kind, ns, *s.Name)
		ix.used[id] = true
		d, ok := ix.data[id]
		for _, k := range keys {
			if _, has := d[k]; ok && !has {
				ix.pin(id, fmt.Sprintf("%s %s names key %q, which it does not have", o.Ref(), s.Where, k))
			}
		}
	}
	names.VisitConfig(spec, names.ConfigVisitor{
		Key: func(s names.ConfigSource) { keyed(s, *s.Key) },
		Volume: func(s names.ConfigSource) {
			var keys []string
			for _, it := range *s.Items {
				keys = append(keys, it.Key)
			}
			keyed(s, keys...)
			if id := names.ConfigID(s.Kind, ns, *s.Name); len(*s.Items) == 0 && len(ix.data[id]) == 0 {
				ix.pin(id, fmt.Sprintf("%s %s mounts it whole and it is empty", o.Ref(), s.Where))
			}
		},
		EnvFrom: func(c *corev1.Container, where string) { ix.envFrom(o, c, where) },
		Other: func(kind, name, where string) {
			ix.pin(names.ConfigID(kind, ns, name), fmt.Sprintf("%s names it in %s", o.Ref(), where))
		},
	})
}

// envFrom: a container's envFrom sources become explicit env entries when
// one of them is merged, which takes knowing every source's keys, each a
// valid env var name.
func (ix *configPins) envFrom(o *model.Object, c *corev1.Container, where string) {
	var ids []string
	why := ""
	for _, ef := range c.EnvFrom {
		kind, name := names.EnvFromSource(ef)
		id := names.ConfigID(kind, o.Namespace(), name)
		ids = append(ids, id)
		d, ok := ix.data[id]
		if !ok && why == "" {
			why = fmt.Sprintf("%s %s also reads env from %s/%s, which is not in the app", o.Ref(), where, kind, name)
		}
		for k := range d {
			if errs := validation.IsEnvVarName(ef.Prefix + k); len(errs) > 0 && why == "" {
				why = fmt.Sprintf("%s %s reads key %q of %s/%s through envFrom, which is not a valid env var name", o.Ref(), where, k, kind, name)
			}
		}
	}
	for _, id := range ids {
		ix.used[id] = true
		if why != "" {
			ix.pin(id, why)
		}
	}
}

// other notes the names a non-pod object gives ConfigMaps and Secrets.
func (ix *configPins) other(o *model.Object) {
	ns := o.Namespace()
	pin := func(kind, name, field string) {
		ix.pin(names.ConfigID(kind, ns, name), fmt.Sprintf("%s names it (%s)", o.Ref(), field))
	}
	switch t := o.Obj.(type) {
	case *networkingv1.Ingress:
		for _, tls := range t.Spec.TLS {
			pin("Secret", tls.SecretName, "spec.tls")
		}
	case *corev1.ServiceAccount:
		for _, s := range t.Secrets {
			pin("Secret", s.Name, "secrets")
		}
		for _, s := range t.ImagePullSecrets {
			pin("Secret", s.Name, "imagePullSecrets")
		}
	case *rbacv1.Role:
		ix.rules(o, t.Rules)
	case *rbacv1.ClusterRole:
		ix.rules(o, t.Rules)
	case *unstructured.Unstructured:
		// An operator's resource may name any object anywhere.
		ix.strings(o, t.Object)
	}
}

func (ix *configPins) rules(o *model.Object, rules []rbacv1.PolicyRule) {
	for _, r := range rules {
		for _, n := range r.ResourceNames {
			for id := range ix.data {
				if strings.HasSuffix(id, "/"+n) {
					ix.pin(id, fmt.Sprintf("%s grants access to it by name", o.Ref()))
				}
			}
		}
	}
}

func (ix *configPins) strings(o *model.Object, v any) {
	switch t := v.(type) {
	case string:
		for _, kind := range []string{"ConfigMap", "Secret"} {
			if id := names.ConfigID(kind, o.Namespace(), t); ix.data[id] != nil {
				ix.pin(id, fmt.Sprintf("%s names it", o.Ref()))
			}
		}
	case map[string]any:
		for _, x := range t {
			ix.strings(o, x)
		}
	case []any:
		for _, x := range t {
			ix.strings(o, x)
		}
	}
}

// configMerge is one merge of ConfigMaps (or Secrets) into the first.
type configMerge struct {
	kind, ns, into string
	// rename maps member name, then key, to the key in the merged object.
	rename map[string]map[string]string
	data   map[string]map[string]string
	reason string
}

// mergeConfigs merges the ConfigMaps or Secrets op.Members into the first:
// keys that clash take the member's name as a prefix ("b.key"), and every
// reference of the app's pod templates is rewritten so that each container
// reads the same env vars and files: key references and volume items name
// the merged object and key, a volume of every key lists its items, and a
// container's envFrom sources become explicit env entries (envFrom would
// read the merged object's other keys too).
func (ap *applier) mergeConfigs(op solve.Op) ([]Change, error) {
	if len(op.Members) < 2 {
		return nil, fmt.Errorf("merging config: the plan names %d objects", len(op.Members))
	}
	objs := make([]*model.Object, len(op.Members))
	for i, m := range op.Members {
		if m < 0 || m >= len(ap.out.Objects) {
			return nil, fmt.Errorf("merging config: plan names object %d of %d", m, len(ap.out.Objects))
		}
		objs[i] = ap.out.Objects[m]
	}
	first := objs[0]
	cm := &configMerge{kind: first.Kind(), ns: first.Namespace(), into: first.Name(), rename: map[string]map[string]string{},
		data: names.ConfigData(ap.out), reason: op.Reason}
	changes, err := cm.objects(objs)
	if err != nil {
		return nil, err
	}
	for _, i := range op.Members[1:] {
		ap.drop[i] = true
	}
	for _, o := range ap.out.Objects {
		if spec, _, ok := footprint.PodSpec(o); ok && o.Namespace() == cm.ns {
			changes = append(changes, cm.pod(o, spec)...)
		}
	}
	return changes, nil
}

// objects moves every member's data into the first and lists the changes.
func (cm *configMerge) objects(objs []*model.Object) ([]Change, error) {
	used := map[string]bool{}
	var renamed, from []string
	for mi, o := range objs {
		if o.Kind() != cm.kind || o.Namespace() != cm.ns {
			return nil, fmt.Errorf("merging %s into %s: not of one kind and namespace", o.Ref(), objs[0].Ref())
		}
		if s, ok := o.Obj.(*corev1.Secret); ok && s.Type != objs[0].Obj.(*corev1.Secret).Type {
			return nil, fmt.Errorf("merging %s into %s: Secrets of different types", o.Ref(), objs[0].Ref())
		}
		keys := sortedKeys(cm.data[names.ConfigID(cm.kind, cm.ns, o.Name())])
		m := map[string]string{}
		for _, k := range keys {
			nk := k
			if used[k] {
				nk = o.Name() + "." + k
				if used[nk] || len(nk) > validation.DNS1123SubdomainMaxLength {
					return nil, &Conflict{Msg: fmt.Sprintf("%s key %q clashes in %s, and so does %q", o.Ref(), k, objs[0].Ref(), nk)}
				}
				renamed = append(renamed, fmt.Sprintf("%s %s -> %s", o.Name(), k, nk))
			}
			used[nk], m[k] = true, nk
		}
		cm.rename[o.Name()] = m
		if mi > 0 {
			moveData(objs[0], o, m)
			from = append(from, o.Ref())
		}
	}
	into := objs[0].Key()
	after := fmt.Sprintf("%d keys, with those of %s", len(used), strings.Join(from, ", "))
	if len(renamed) > 0 {
		after += "; keys renamed where they clash: " + strings.Join(renamed, ", ")
	}
	if acc, ok := objs[0].Obj.(interface {
		GetAnnotations() map[string]string
		SetAnnotations(map[string]string)
	}); ok {
		ann := acc.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[MergedFromAnnotation] = strings.Join(append([]string{objs[0].Name()}, namesOf(objs[1:])...), ",")
		acc.SetAnnotations(ann)
	}
	changes := []Change{{Object: into, Field: "data", Before: fmt.Sprintf("%d keys", len(cm.rename[objs[0].Name()])), After: after, Reason: cm.reason}}
	for _, o := range objs[1:] {
		changes = append(changes, Change{Object: o.Key(), Field: "(object)", Before: "present", After: "merged into " + objs[0].Ref(), Reason: cm.reason})
	}
	return changes, nil
}

func namesOf(objs []*model.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Name()
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// moveData copies src's data into dst under the renamed keys.
func moveData(dst, src *model.Object, rename map[string]string) {
	switch d := dst.Obj.(type) {
	case *corev1.ConfigMap:
		s := src.Obj.(*corev1.ConfigMap)
		for k, v := range s.Data {
			if d.Data == nil {
				d.Data = map[string]string{}
			}
			d.Data[rename[k]] = v
		}
		for k, v := range s.BinaryData {
			if d.BinaryData == nil {
				d.BinaryData = map[string][]byte{}
			}
			d.BinaryData[rename[k]] = v
		}
	case *corev1.Secret:
		s := src.Obj.(*corev1.Secret)
		for k, v := range s.Data {
			if d.Data == nil {
				d.Data = map[string][]byte{}
			}
			d.Data[rename[k]] = v
		}
		for k, v := range s.StringData {
			if d.StringData == nil {
				d.StringData = map[string]string{}
			}
			d.StringData[rename[k]] = v
		}
	}
}

// pod rewrites one pod template's references to the merged objects.
func (cm *configMerge) pod(o *model.Object, spec *corev1.PodSpec) []Change {
	var changes []Change
	note := func(where, source, before, after string) {
		changes = append(changes, Change{Object: o.Key(), Field: where, Before: before, After: after,
			Reason: fmt.Sprintf("%s/%s was merged into %s/%s; the pod reads the same values", cm.kind, source, cm.kind, cm.into)})
	}
	names.VisitConfig(spec, names.ConfigVisitor{
		Key: func(s names.ConfigSource) {
			m, ok := cm.member(s.Kind, *s.Name)
			if !ok || (*s.Name == cm.into && m[*s.Key] == *s.Key) {
				return
			}
			source, before := *s.Name, *s.Name+" key "+*s.Key
			*s.Name, *s.Key = cm.into, m[*s.Key]
			note(s.Where, source, before, *s.Name+" key "+*s.Key)
		},
		Volume: func(s names.ConfigSource) {
			m, ok := cm.member(s.Kind, *s.Name)
			if !ok || (*s.Name == cm.into && len(*s.Items) > 0 && sameKeys(*s.Items, m)) {
				return
			}
			source, before := *s.Name, *s.Name
			if len(*s.Items) == 0 {
				// Every key of the member, at its own path: the merged
				// object's other keys stay out.
				for _, k := range sortedKeys(m) {
					*s.Items = append(*s.Items, corev1.KeyToPath{Key: m[k], Path: k})
				}
				before += " (every key)"
			} else {
				for i := range *s.Items {
					(*s.Items)[i].Key = m[(*s.Items)[i].Key]
				}
			}
			*s.Name = cm.into
			note(s.Where, source, before, cm.into+" items "+itemsString(*s.Items))
		},
		EnvFrom: func(c *corev1.Container, where string) {
			if ch, ok := cm.envFrom(o, c, where); ok {
				changes = append(changes, ch)
			}
		},
	})
	return changes
}

// sameKeys: no item key is renamed.
func sameKeys(items []corev1.KeyToPath, rename map[string]string) bool {
	for _, it := range items {
		if rename[it.Key] != it.Key {
			return false
		}
	}
	return true
}

func itemsString(items []corev1.KeyToPath) string {
	var out []string
	for _, it := range items {
		if it.Key == it.Path {
			out = append(out, it.Key)
		} else {
			out = append(out, it.Key+"->"+it.Path)
		}
	}
	return strings.Join(out, ", ")
}

// member returns the key renames of a merged source, if name is one.
func (cm *configMerge) member(kind, name string) (map[string]string, bool) {
	if kind != cm.kind {
		return nil, false
	}
	m, ok := cm.rename[name]
	return m, ok
}

// envFrom turns a container's envFrom sources, one of which is merged, into
// env entries placed before its own (which win over envFrom, as before);
// a later source wins over an earlier one, as the kubelet reads them.
func (cm *configMerge) envFrom(o *model.Object, c *corev1.Container, where string) (Change, bool) {
	touched := false
	for _, ef := range c.EnvFrom {
		kind, name := names.EnvFromSource(ef)
		_, ok := cm.member(kind, name)
		touched = touched || ok
	}
	if !touched {
		return Change{}, false
	}
	explicit := map[string]string{}
	for _, e := range c.Env {
		explicit[e.Name] = e.Value
	}
	var env []corev1.EnvVar
	at := map[string]int{}
	var before []string
	for _, ef := range c.EnvFrom {
		kind, name := names.EnvFromSource(ef)
		before = append(before, kind+"/"+name+prefixNote(ef.Prefix))
		d := cm.data[names.ConfigID(kind, cm.ns, name)]
		for _, k := range sortedKeys(d) {
			v := cm.keyRef(kind, name, k, envFromOptional(ef))
			envName := ef.Prefix + k
			if val, ok := explicit[envName]; ok && !strings.Contains(val, "$(") {
				continue // the container's own entry wins anyway
			}
			if i, ok := at[envName]; ok {
				env[i].ValueFrom = v
				continue
			}
			at[envName] = len(env)
			env = append(env, corev1.EnvVar{Name: envName, ValueFrom: v})
		}
	}
	c.Env = append(env, c.Env...)
	c.EnvFrom = nil
	return Change{Object: o.Key(), Field: where + ".envFrom", Before: strings.Join(before, ", "),
		After:  fmt.Sprintf("%d env entries reading the same keys", len(env)),
		Reason: fmt.Sprintf("%s/%s now holds the keys of merged objects; envFrom would read them all", cm.kind, cm.into)}, true
}

func envFromOptional(ef corev1.EnvFromSource) *bool {
	if ef.ConfigMapRef != nil {
		return ef.ConfigMapRef.Optional
	}
	return ef.SecretRef.Optional
}

func prefixNote(p string) string {
	if p == "" {
		return ""
	}
	return " (prefix " + p + ")"
}

// keyRef is the env source of key k of kind/name, after the merge.
func (cm *configMerge) keyRef(kind, name, k string, optional *bool) *corev1.EnvVarSource {
	if m, ok := cm.member(kind, name); ok {
		name, k = cm.into, m[k]
	}
	if kind == "Secret" {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: k, Optional: optional}}
	}
	return &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: k, Optional: optional}}
}
