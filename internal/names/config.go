package names

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/par"
)

// ConfigSource is a ConfigMap or Secret source that a pod template names
// and whose name (and keys) a rewrite may change. Name and Items point into
// the template.
type ConfigSource struct {
	// Kind is "ConfigMap" or "Secret".
	Kind string
	Name *string
	// Items are a volume's (or projected source's) items: nil for a key
	// reference and an envFrom source; *Items nil for a volume of every key.
	Items *[]corev1.KeyToPath
	// Key is an env var's key reference; nil otherwise.
	Key *string
	// Where names the reference: "containers[web].env[DB]",
	// "volumes[conf]", "volumes[all].projected.sources[0]".
	Where string
}

// ConfigVisitor hears of every ConfigMap and Secret reference of a pod
// template. Any may be nil.
type ConfigVisitor struct {
	// Key: an env var's configMapKeyRef or secretKeyRef.
	Key func(ConfigSource)
	// Volume: a configMap or secret volume, or a projected volume's source.
	Volume func(ConfigSource)
	// EnvFrom: a container with envFrom sources; Container points into the
	// template.
	EnvFrom func(c *corev1.Container, where string)
	// Other: a reference no rewrite may change (imagePullSecrets, a
	// volume plugin's secretRef).
	Other func(kind, name, where string)
}

// VisitConfig walks the ConfigMap and Secret references of spec.
func VisitConfig(spec *corev1.PodSpec, v ConfigVisitor) {
	for _, group := range []struct {
		path string
		cs   []corev1.Container
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
		for i := range group.cs {
			visitContainer(&group.cs[i], group.path, v)
		}
	}
	for i := range spec.Volumes {
		visitVolume(&spec.Volumes[i], v)
	}
	if v.Other != nil {
		for _, s := range spec.ImagePullSecrets {
			v.Other("Secret", s.Name, "imagePullSecrets")
		}
	}
}

func visitContainer(c *corev1.Container, path string, v ConfigVisitor) {
	where := path + "[" + c.Name + "]"
	for i := range c.Env {
		e := &c.Env[i]
		if e.ValueFrom == nil || v.Key == nil {
			continue
		}
		if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
			v.Key(ConfigSource{Kind: "ConfigMap", Name: &r.Name, Key: &r.Key, Where: where + ".env[" + e.Name + "]"})
		}
		if r := e.ValueFrom.SecretKeyRef; r != nil {
			v.Key(ConfigSource{Kind: "Secret", Name: &r.Name, Key: &r.Key, Where: where + ".env[" + e.Name + "]"})
		}
	}
	if len(c.EnvFrom) > 0 && v.EnvFrom != nil {
		v.EnvFrom(c, where)
	}
}

func visitVolume(vol *corev1.Volume, v ConfigVisitor) {
	where := "volumes[" + vol.Name + "]"
	switch {
	case vol.ConfigMap != nil && v.Volume != nil:
		v.Volume(ConfigSource{Kind: "ConfigMap", Name: &vol.ConfigMap.Name, Items: &vol.ConfigMap.Items, Where: where})
	case vol.Secret != nil && v.Volume != nil:
		v.Volume(ConfigSource{Kind: "Secret", Name: &vol.Secret.SecretName, Items: &vol.Secret.Items, Where: where})
	case vol.Projected != nil && v.Volume != nil:
		for i := range vol.Projected.Sources {
			s := &vol.Projected.Sources[i]
			w := fmt.Sprintf("%s.projected.sources[%d]", where, i)
			if s.ConfigMap != nil {
				v.Volume(ConfigSource{Kind: "ConfigMap", Name: &s.ConfigMap.Name, Items: &s.ConfigMap.Items, Where: w})
			}
			if s.Secret != nil {
				v.Volume(ConfigSource{Kind: "Secret", Name: &s.Secret.Name, Items: &s.Secret.Items, Where: w})
			}
		}
	}
	if v.Other != nil {
		if name := pluginSecret(vol); name != "" {
			v.Other("Secret", name, where)
		}
	}
}

// pluginSecret is the Secret a volume plugin reads credentials from.
func pluginSecret(vol *corev1.Volume) string {
	ref := func(r *corev1.LocalObjectReference) string {
		if r == nil {
			return ""
		}
		return r.Name
	}
	switch s := vol.VolumeSource; {
	case s.CSI != nil:
		return ref(s.CSI.NodePublishSecretRef)
	case s.AzureFile != nil:
		return s.AzureFile.SecretName
	case s.CephFS != nil:
		return ref(s.CephFS.SecretRef)
	case s.FlexVolume != nil:
		return ref(s.FlexVolume.SecretRef)
	case s.ISCSI != nil:
		return ref(s.ISCSI.SecretRef)
	case s.RBD != nil:
		return ref(s.RBD.SecretRef)
	case s.Cinder != nil:
		return ref(s.Cinder.SecretRef)
	}
	return ""
}

// ConfigData is the data of the app's ConfigMaps and Secrets by
// "Kind\x00namespace/name", key to value (a Secret's stringData winning).
func ConfigData(app *model.App) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, o := range app.Objects {
		data := map[string]string{}
		switch t := o.Obj.(type) {
		case *corev1.ConfigMap:
			for k, v := range t.Data {
				data[k] = v
			}
			for k, v := range t.BinaryData {
				data[k] = string(v)
			}
		case *corev1.Secret:
			for k, v := range t.Data {
				data[k] = string(v)
			}
			for k, v := range t.StringData {
				data[k] = v
			}
		default:
			continue
		}
		out[ConfigID(o.Kind(), o.Namespace(), o.Name())] = data
	}
	return out
}

// ConfigID is the key of ConfigData.
func ConfigID(kind, ns, name string) string { return kind + "\x00" + ns + "/" + name }

// ConfigUse is one value a container reads from a ConfigMap or Secret: an
// env var or a file.
type ConfigUse struct {
	Object    model.Key
	Container string
	// What is "env NAME" or "file /etc/conf/app.yaml".
	What string
	// value is what the container reads ("\x00outside kind/name/key" when
	// the source is not in the app); never shown: it may be secret.
	value string
	image string
}

func (u ConfigUse) String() string {
	return fmt.Sprintf("%s container %s %s", u.Object, u.Container, u.What)
}

func (u ConfigUse) key() string { return u.image + "\x00" + u.What + "\x00" + u.value }

// Configs returns what every container of the app reads from ConfigMaps and
// Secrets: env vars (envFrom, then env, later winning) and mounted files.
func Configs(app *model.App) []ConfigUse {
	data := ConfigData(app)
	each := make([][]ConfigUse, len(app.Objects))
	par.Each(len(app.Objects), 256, func(i int) {
		o := app.Objects[i]
		spec, _, ok := footprint.PodSpec(o)
		if !ok {
			return
		}
		for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
			each[i] = append(each[i], containerConfig(o, spec, &c, data)...)
		}
	})
	var out []ConfigUse
	for _, u := range each {
		out = append(out, u...)
	}
	return out
}

func containerConfig(o *model.Object, spec *corev1.PodSpec, c *corev1.Container, data map[string]map[string]string) []ConfigUse {
	ns := o.Namespace()
	lookup := func(kind, name, key string) (string, bool) {
		d, ok := data[ConfigID(kind, ns, name)]
		if !ok {
			return "\x00outside " + kind + "/" + name + "/" + key, true
		}
		v, ok := d[key]
		return v, ok
	}
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		kind, name := EnvFromSource(ef)
		d, ok := data[ConfigID(kind, ns, name)]
		if !ok {
			env["\x00envFrom "+ef.Prefix+" "+kind+"/"+name] = "\x00outside"
			continue
		}
		for k, v := range d {
			env[ef.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		delete(env, e.Name)
		if e.ValueFrom == nil {
			continue
		}
		var v string
		var ok bool
		switch r := e.ValueFrom; {
		case r.ConfigMapKeyRef != nil:
			v, ok = lookup("ConfigMap", r.ConfigMapKeyRef.Name, r.ConfigMapKeyRef.Key)
		case r.SecretKeyRef != nil:
			v, ok = lookup("Secret", r.SecretKeyRef.Name, r.SecretKeyRef.Key)
		}
		if ok {
			env[e.Name] = v
		}
	}
	var out []ConfigUse
	for name, v := range env {
		out = append(out, ConfigUse{Object: o.Key(), Container: c.Name, What: "env " + name, value: v, image: c.Image})
	}
	for _, m := range c.VolumeMounts {
		for path, v := range volumeFiles(spec, m.Name, data, ns) {
			if m.SubPath != "" {
				if path != m.SubPath && !strings.HasPrefix(path, m.SubPath+"/") {
					continue
				}
				path = strings.TrimPrefix(strings.TrimPrefix(path, m.SubPath), "/")
			}
			out = append(out, ConfigUse{Object: o.Key(), Container: c.Name, What: "file " + strings.TrimSuffix(m.MountPath+"/"+path, "/"), value: v, image: c.Image})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].What < out[j].What })
	return out
}

// EnvFromSource names an envFrom entry's source: kind and name.
func EnvFromSource(ef corev1.EnvFromSource) (kind, name string) {
	if ef.ConfigMapRef != nil {
		return "ConfigMap", ef.ConfigMapRef.Name
	}
	if ef.SecretRef != nil {
		return "Secret", ef.SecretRef.Name
	}
	return "", ""
}

// volumeFiles lists the files the ConfigMap and Secret sources of volume
// name put in it, by path.
func volumeFiles(spec *corev1.PodSpec, name string, data map[string]map[string]string, ns string) map[string]string {
	files := map[string]string{}
	for i := range spec.Volumes {
		if spec.Volumes[i].Name != name {
			continue
		}
		VisitConfig(&corev1.PodSpec{Volumes: []corev1.Volume{spec.Volumes[i]}}, ConfigVisitor{Volume: func(s ConfigSource) {
			d, ok := data[ConfigID(s.Kind, ns, *s.Name)]
			if !ok {
				files["\x00outside "+s.Kind+"/"+*s.Name] = ""
				return
			}
			if len(*s.Items) == 0 {
				for k, v := range d {
					files[k] = v
				}
				return
			}
			for _, it := range *s.Items {
				files[it.Path] = d[it.Key]
			}
		}})
	}
	return files
}

// ConfigBroken returns what a container read from a ConfigMap or Secret in
// before and no longer reads, or reads differently, in after, and what it
// reads in after only (an env var a merged source added). Uses are matched
// by image, env var name or file path, and value, so that merged and
// renamed workloads and containers still match.
func ConfigBroken(before, after *model.App) []ConfigUse {
	if !hasConfig(before) && !hasConfig(after) {
		return nil
	}
	have := map[string]int{}
	afterUses := Configs(after)
	for _, u := range afterUses {
		have[u.key()]++
	}
	var broken []ConfigUse
	for _, u := range Configs(before) {
		if have[u.key()] > 0 {
			have[u.key()]--
			continue
		}
		broken = append(broken, u)
	}
	for _, u := range afterUses {
		if have[u.key()] > 0 {
			have[u.key()]--
			u.What += " (new)"
			broken = append(broken, u)
		}
	}
	return broken
}

func hasConfig(app *model.App) bool {
	for _, o := range app.Objects {
		if k := o.Kind(); k == "ConfigMap" || k == "Secret" {
			return true
		}
	}
	return false
}

// ConfigReaders lists, by ConfigID, the app's pod-creating objects (by
// index) that read each ConfigMap or Secret: through env, envFrom or a
// volume.
func ConfigReaders(app *model.App) map[string][]int {
	out := map[string][]int{}
	for i, o := range app.Objects {
		spec, _, ok := footprint.PodSpec(o)
		if !ok {
			continue
		}
		seen := map[string]bool{}
		note := func(kind, name string) {
			id := ConfigID(kind, o.Namespace(), name)
			if !seen[id] {
				seen[id] = true
				out[id] = append(out[id], i)
			}
		}
		VisitConfig(spec, ConfigVisitor{
			Key:    func(s ConfigSource) { note(s.Kind, *s.Name) },
			Volume: func(s ConfigSource) { note(s.Kind, *s.Name) },
			EnvFrom: func(c *corev1.Container, _ string) {
				for _, ef := range c.EnvFrom {
					note(EnvFromSource(ef))
				}
			},
		})
	}
	return out
}

// readerAliases gives, for every ConfigMap that pods of the app read, the
// host aliases all of those pods have: a name in the ConfigMap resolves
// through them in every pod that reads it.
func readerAliases(app *model.App) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for id, readers := range ConfigReaders(app) {
		var common map[string]bool
		for _, i := range readers {
			spec, _, _ := footprint.PodSpec(app.Objects[i])
			have := podAliases(spec)
			if common == nil {
				common = have
				continue
			}
			for h := range common {
				if !have[h] {
					delete(common, h)
				}
			}
		}
		if len(common) > 0 {
			out[id] = common
		}
	}
	return out
}

func podAliases(spec *corev1.PodSpec) map[string]bool {
	aliases := map[string]bool{}
	for _, a := range spec.HostAliases {
		for _, h := range a.Hostnames {
			aliases[strings.ToLower(h)] = true
		}
	}
	return aliases
}
