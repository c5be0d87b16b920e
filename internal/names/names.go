package names

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/par"
)

// Ref is one host name that an object uses.
type Ref struct {
	// Object uses the name (Deployment web, ConfigMap settings).
	Object model.Key `json:"object"`
	// Namespace is the object's namespace, in which the name is resolved.
	Namespace string `json:"namespace,omitempty"`
	// Container is the container whose env, command or args hold the name.
	Container string `json:"container,omitempty"`
	// Field is where the name is written: "env[DB_HOST]", "args[2]",
	// "data[nginx.conf]", "backend".
	Field string `json:"field"`
	// Host is the name as written ("db", "db.prod.svc.cluster.local").
	Host string `json:"host"`
	// Port is the port written with it ("db:5432", "http://db:80/"), 0
	// when none is.
	Port int32 `json:"port,omitempty"`
	// Resolves names what the host resolves to ("Service/prod/db",
	// "hostAliases"), "" when it does not resolve.
	Resolves string `json:"resolves,omitempty"`
}

func (r Ref) String() string {
	where := r.Object.String()
	if r.Container != "" {
		where += " container " + r.Container
	}
	return fmt.Sprintf("%s %s: %q", where, r.Field, r.Host)
}

// key identifies a use across a rewrite: merges rename objects and
// containers and namespace folding shortens names, but the field and the
// name's first label stay.
func (r Ref) key() string {
	first, _, _ := strings.Cut(r.Host, ".")
	return r.Field + "\x00" + first
}

// Check returns every host name the app's objects use, resolved where
// possible, in app order.
func Check(app *model.App) []Ref {
	ix := index(app)
	each := make([][]Ref, len(app.Objects))
	par.Each(len(app.Objects), 256, func(i int) { each[i] = ix.refs(app.Objects[i]) })
	var refs []Ref
	for _, r := range each {
		refs = append(refs, r...)
	}
	return refs
}

// Broken returns the names that resolved in before and do not in after,
// matching uses by field and first label, so that renamed objects and
// containers and folded namespaces still match.
func Broken(before, after *model.App) []Ref {
	have := map[string]int{}
	for _, r := range Check(after) {
		if r.Resolves != "" {
			have[r.key()]++
		}
	}
	var broken []Ref
	for _, r := range Check(before) {
		if r.Resolves == "" {
			continue
		}
		k := r.key()
		if have[k] > 0 {
			have[k]--
			continue
		}
		broken = append(broken, r)
	}
	return broken
}

type svcIndex struct {
	// services maps "namespace/name" to true for every Service.
	services map[string]bool
	// serviceNames holds every Service name, for spotting bare words.
	serviceNames map[string]bool
	// cmAliases holds, by ConfigID, the host aliases that every pod
	// reading a ConfigMap has (nil: none, or no pod reads it).
	cmAliases map[string]map[string]bool
}

// index lists the app's Services. A Service with a selector counts only when
// it selects a pod of the app: a name whose Service selects nothing resolves
// (or not, when headless) but reaches no one, which is what a merge that
// forgot to re-point a Service would leave.
func index(app *model.App) *svcIndex {
	ix := &svcIndex{services: map[string]bool{}, serviceNames: map[string]bool{}, cmAliases: readerAliases(app)}
	// Pod template labels by "namespace\x00key=value" of each label.
	pods := map[string][]map[string]string{}
	for _, o := range app.Objects {
		if _, md, ok := footprint.PodSpec(o); ok {
			for k, v := range md.Labels {
				pods[o.Namespace()+"\x00"+k+"="+v] = append(pods[o.Namespace()+"\x00"+k+"="+v], md.Labels)
			}
		}
	}
	for _, o := range app.Objects {
		if o.Kind() != "Service" {
			continue
		}
		ix.serviceNames[o.Name()] = true
		if s, ok := o.Obj.(*corev1.Service); ok && len(s.Spec.Selector) > 0 && !selectsAny(s.Spec.Selector, o.Namespace(), pods) {
			continue
		}
		ix.services[o.Namespace()+"/"+o.Name()] = true
	}
	return ix
}

// Selects reports whether a Service selector selects pods labelled labels;
// an empty selector selects nothing (its endpoints are managed by hand).
func Selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if l, ok := labels[k]; !ok || l != v {
			return false
		}
	}
	return true
}

// selectsAny looks for a pod among those carrying one of the selector's
// pairs (any one will do: a selected pod carries them all).
func selectsAny(selector map[string]string, ns string, pods map[string][]map[string]string) bool {
	var k string
	for k = range selector {
		break
	}
	for _, l := range pods[ns+"\x00"+k+"="+selector[k]] {
		if Selects(selector, l) {
			return true
		}
	}
	return false
}

// resolve says what host resolves to from namespace ns, given the pod's
// hostAliases.
func (ix *svcIndex) resolve(host, ns string, aliases map[string]bool) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if aliases[h] {
		return "hostAliases"
	}
	if s := ix.service(h, ns); s != "" {
		return s
	}
	// pod.service: a pod's own name under a headless Service.
	if _, rest, ok := strings.Cut(h, "."); ok {
		if s := ix.service(rest, ns); s != "" {
			return s
		}
	}
	return ""
}

func (ix *svcIndex) service(h, ns string) string {
	h = strings.TrimSuffix(h, ".cluster.local")
	h = strings.TrimSuffix(h, ".svc")
	labels := strings.Split(h, ".")
	switch len(labels) {
	case 1:
		if ix.services[ns+"/"+labels[0]] {
			return "Service/" + qualify(ns, labels[0])
		}
	case 2:
		if ix.services[labels[1]+"/"+labels[0]] {
			return "Service/" + qualify(labels[1], labels[0])
		}
		// An object without a namespace may still name its own
		// namespace's Services as name.ns: that is the deploy namespace,
		// unknown here, so a Service without a namespace matches.
		if ns == "" && ix.services["/"+labels[0]] {
			return "Service/" + labels[0]
		}
	}
	return ""
}

func qualify(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

var (
	urlRE      = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)
	hostPortRE = regexp.MustCompile(`(?:^|[^a-zA-Z0-9.@/:-])([a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?):([0-9]{1,5})\b`)
	ipRE       = regexp.MustCompile(`^[0-9.]+$`)
)

// hostPort is one host name written in a string, with the port written
// with it (0 when none).
type hostPort struct {
	host string
	port int32
}

// hosts returns the host names written in s: URL hosts, host:port hosts, and
// words that name a Service or a host alias of the pod (or end in .svc or
// .svc.cluster.local), unique by host and port, in order of appearance; a
// bare word is left out when the same host was written with a port.
func (ix *svcIndex) hosts(s string, aliases map[string]bool) []hostPort {
	var out []hostPort
	seen := map[hostPort]bool{}
	hosts := map[string]bool{}
	add := func(h, port string) {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		if h == "" || isIP(h) || h == "localhost" {
			return
		}
		p, _ := strconv.Atoi(port)
		hp := hostPort{h, int32(p)}
		if seen[hp] || (p == 0 && hosts[h]) {
			return
		}
		seen[hp], hosts[h] = true, true
		out = append(out, hp)
	}
	if strings.Contains(s, "://") { // what urlRE needs
		for _, u := range urlRE.FindAllString(s, -1) {
			if p, err := url.Parse(u); err == nil {
				add(p.Hostname(), p.Port())
			}
		}
	}
	if colonDigit(s) { // what hostPortRE needs
		for _, m := range hostPortRE.FindAllStringSubmatch(s, -1) {
			add(m[1], m[2])
		}
	}
	for _, w := range words(s) {
		lw := strings.ToLower(w)
		first, _, _ := strings.Cut(lw, ".")
		if ix.serviceNames[lw] || aliases[lw] || strings.HasSuffix(lw, ".svc") || strings.HasSuffix(lw, ".svc.cluster.local") ||
			(strings.Contains(lw, ".") && ix.serviceNames[first] && looksInternal(lw)) {
			add(lw, "")
		}
	}
	return out
}

// colonDigit tells whether s has a colon followed by a digit.
func colonDigit(s string) bool {
	for i := strings.IndexByte(s, ':'); i >= 0 && i+1 < len(s); {
		if isDigit(s[i+1]) {
			return true
		}
		j := strings.IndexByte(s[i+1:], ':')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// words returns what wordRE.FindAllString(s, -1) returns, without the
// regular expression: every run of letters, digits, dots and dashes that
// starts with a letter or digit, less the dots and dashes it ends with.
func words(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		if !isAlnum(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && (isAlnum(s[j]) || s[j] == '.' || s[j] == '-') {
			j++
		}
		k := j
		for !isAlnum(s[k-1]) {
			k--
		}
		out = append(out, s[i:k])
		i = j
	}
	return out
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// looksInternal rejects words like "redis.conf" or "app.py" that begin with
// a Service's name but are file names: an internal name has at most the
// name.ns shape before .svc.
func looksInternal(w string) bool {
	labels := strings.Split(w, ".")
	if len(labels) != 2 {
		return false
	}
	switch labels[1] {
	case "conf", "py", "js", "json", "yaml", "yml", "sh", "txt", "xml", "ini", "log", "pid", "sock", "jar", "html", "cfg", "rb", "go", "toml", "properties", "d":
		return false
	}
	return true
}

func isIP(h string) bool {
	return ipRE.MatchString(h) || strings.Contains(h, ":")
}

func (ix *svcIndex) refs(o *model.Object) []Ref {
	ns := o.Namespace()
	var refs []Ref
	add := func(container, field, s string, aliases map[string]bool) {
		for _, h := range ix.hosts(s, aliases) {
			refs = append(refs, Ref{Object: o.Key(), Namespace: ns, Container: container, Field: field, Host: h.host, Port: h.port, Resolves: ix.resolve(h.host, ns, aliases)})
		}
	}
	if spec, _, ok := footprint.PodSpec(o); ok {
		aliases := podAliases(spec)
		cs := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
		for _, c := range cs {
			for _, e := range c.Env {
				add(c.Name, "env["+e.Name+"]", e.Value, aliases)
			}
			for i, a := range c.Command {
				add(c.Name, fmt.Sprintf("command[%d]", i), a, aliases)
			}
			for i, a := range c.Args {
				add(c.Name, fmt.Sprintf("args[%d]", i), a, aliases)
			}
		}
		return refs
	}
	switch t := o.Obj.(type) {
	case *corev1.ConfigMap:
		keys := make([]string, 0, len(t.Data))
		for k := range t.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		aliases := ix.cmAliases[ConfigID("ConfigMap", ns, o.Name())]
		for _, k := range keys {
			add("", "data["+k+"]", t.Data[k], aliases)
		}
	case *networkingv1.Ingress:
		var backends []string
		if b := t.Spec.DefaultBackend; b != nil && b.Service != nil {
			backends = append(backends, b.Service.Name)
		}
		for _, r := range t.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				if p.Backend.Service != nil {
					backends = append(backends, p.Backend.Service.Name)
				}
			}
		}
		for _, b := range backends {
			refs = append(refs, Ref{Object: o.Key(), Namespace: ns, Field: "backend", Host: b, Resolves: ix.resolve(b, ns, nil)})
		}
	}
	return refs
}
