package workload

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// maxName keeps names valid as DNS-1035 labels, which Service names must be.
const maxName = 63

// Sanitize turns a name into a DNS-1035 label: lowercase letters, digits and
// hyphens, starting with a letter, at most 63 characters.
func Sanitize(raw string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(raw) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "x-" + s
		s = strings.TrimRight(s, "-")
	}
	if len(s) > maxName {
		s = strings.TrimRight(s[:maxName], "-")
	}
	return s
}

// Namer hands out unique Kubernetes names for the names of an input,
// recording a finding for every name it had to change.
type Namer struct {
	// What names the input's things in findings ("service", "cluster").
	What  string
	names map[string]string
	used  map[string]string
}

// Name returns the Kubernetes name for raw, the same one on every call.
func (n *Namer) Name(set *Set, raw string) string {
	if n.names == nil {
		n.names, n.used = map[string]string{}, map[string]string{}
	}
	if s, ok := n.names[raw]; ok {
		return s
	}
	s := Sanitize(raw)
	base := s
	for i := 2; ; i++ {
		if _, taken := n.used[s]; !taken {
			break
		}
		suffix := fmt.Sprintf("-%d", i)
		s = strings.TrimRight(base[:min(len(base), maxName-len(suffix))], "-") + suffix
	}
	n.names[raw], n.used[s] = s, raw
	if s != raw && Sanitize(raw) == raw {
		set.Finding(model.Warning, "rename", "", "%s %q: the name is taken, renamed to %q; references to it in environment values and commands are rewritten", n.What, raw, s)
	} else if s != raw {
		set.Finding(model.Warning, "rename", "", "%s %q is not a valid Kubernetes name: renamed to %q; references to it in environment values and commands are rewritten", n.What, raw, s)
	}
	return s
}

// Lookup returns the Kubernetes name given to raw, if any.
func (n *Namer) Lookup(raw string) (string, bool) {
	s, ok := n.names[raw]
	return s, ok
}

// Finish applies the name rules once a loader is done with the set: the ROS
// rule, and a finding for every Service left headless for want of ports.
func (s *Set) Finish() {
	s.ResolveROS()
	for _, v := range s.Services {
		if len(v.Ports) == 0 {
			s.Finding(model.Info, "names", "Service/"+v.Name, "headless Service (clusterIP: None): no ports are declared, and the name must still resolve to the pod")
		}
	}
}

// ResolveROS applies the ROS 1 rule: every ROS_HOSTNAME and the host of every
// ROS_MASTER_URI must be a headless Service selecting that node's pod, as
// ROS peers connect to the advertised host on random ports. A Service that
// exists is made headless; a missing ROS_HOSTNAME Service is created.
func (s *Set) ResolveROS() {
	for _, w := range s.Workloads {
		for _, c := range w.Pod.Containers {
			for _, e := range c.Env {
				switch e.Name {
				case "ROS_HOSTNAME":
					s.rosName(w, e.Value, "ROS_HOSTNAME")
				case "ROS_MASTER_URI":
					u, err := url.Parse(e.Value)
					if err != nil || u.Hostname() == "" {
						s.Finding(model.Warning, "names", w.kindName(), "container %s: ROS_MASTER_URI %q has no host name", c.Name, e.Value)
						continue
					}
					s.rosName(nil, u.Hostname(), "ROS_MASTER_URI")
				}
			}
		}
	}
}

func (w *Workload) kindName() string { return w.Kind + "/" + w.Name }

func (s *Set) rosName(owner *Workload, host, env string) {
	if host == "" || host == "localhost" || strings.Contains(host, ".") {
		return
	}
	if svc := s.Service(host); svc != nil {
		if !svc.Headless && len(svc.Ports) > 0 {
			svc.Headless = true
			s.Finding(model.Info, "names", "Service/"+host, "made headless (clusterIP: None): it is named by %s, and ROS 1 peers connect to the advertised host on undeclared ports", env)
		}
		return
	}
	if owner == nil || Sanitize(host) != host {
		s.Finding(model.Warning, "names", "", "%s names host %q, which no Service of this app provides", env, host)
		return
	}
	s.Services = append(s.Services, &Service{Name: host, Headless: true, Selector: owner.Selector()})
	s.Finding(model.Info, "names", "Service/"+host, "headless Service added for %s=%s of %s, so that ROS 1 peers reach the node", env, host, owner.kindName())
}

// Renames returns every name the namer changed, old to new.
func (n *Namer) Renames() map[string]string {
	out := map[string]string{}
	for raw, s := range n.names {
		if raw != s {
			out[raw] = s
		}
	}
	return out
}

// hostChar tells whether a byte can continue a host name token; a renamed
// name is replaced only where it stands as a whole token.
func hostChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-'
}

// replaceHost replaces old by new in s where old is a whole host token.
func replaceHost(s, old, new string) (string, bool) {
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], old)
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		end := j + len(old)
		if (j == 0 || !hostChar(s[j-1])) && (end == len(s) || !hostChar(s[end])) {
			b.WriteString(s[i:j])
			b.WriteString(new)
			changed = true
		} else {
			b.WriteString(s[i:end])
		}
		i = end
	}
	return b.String(), changed
}

// RewriteHosts replaces, in every container's env values, command and
// args, the names that were renamed, so that a reference to a renamed
// service still resolves. Each rewrite is a finding.
func (s *Set) RewriteHosts(renames map[string]string) {
	olds := SortedKeys(renames)
	// Longest first, so that "db_main" is not rewritten through "db".
	sort.SliceStable(olds, func(i, j int) bool { return len(olds[i]) > len(olds[j]) })
	rewrite := func(w *Workload, c *corev1.Container, field string, v *string) {
		for _, old := range olds {
			if out, ok := replaceHost(*v, old, renames[old]); ok {
				*v = out
				s.Finding(model.Info, "names", w.kindName(), "container %s %s: host %q rewritten to %q, the renamed Service", c.Name, field, old, renames[old])
			}
		}
	}
	for _, w := range s.Workloads {
		for ci := range w.Pod.Containers {
			c := &w.Pod.Containers[ci]
			for i := range c.Env {
				rewrite(w, c, "env["+c.Env[i].Name+"]", &c.Env[i].Value)
			}
			for i := range c.Command {
				rewrite(w, c, fmt.Sprintf("command[%d]", i), &c.Command[i])
			}
			for i := range c.Args {
				rewrite(w, c, fmt.Sprintf("args[%d]", i), &c.Args[i])
			}
		}
	}
}
