package compose

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/rightsize/rightsize/internal/load/workload"
)

// Legacy rewrites a version 1 or 2 Compose file into the Compose
// Specification: services at the root move under services:, net becomes
// network_mode, and keys the specification dropped are removed. It returns
// data unchanged for a file that needs none of this, and notes for the report.
func Legacy(file string, data []byte) ([]byte, []string, error) {
	src, notes, err := legacySource(file, newSource(data))
	if err != nil {
		return nil, nil, err
	}
	return src.data, notes, nil
}

// legacySource is Legacy on a parsed source: it returns src itself, with
// its tree, when nothing changes, else a new source of the rewritten file.
func legacySource(file string, src *source) (*source, []string, error) {
	var doc map[string]any
	if err := src.decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc == nil {
		return src, nil, nil
	}
	l := legacy{doc: doc}
	_, hasServices := doc["services"]
	version := fmt.Sprint(doc["version"])
	switch {
	case !hasServices && doc["version"] == nil:
		if err := l.rootServices(file); err != nil {
			return nil, nil, err
		}
	case !strings.HasPrefix(version, "1") && !strings.HasPrefix(version, "2"):
		src.tree = doc
		return src, nil, nil
	}
	services, _ := l.doc["services"].(map[string]any)
	names := workload.SortedKeys(services)
	for _, n := range names {
		if svc, ok := services[n].(map[string]any); ok {
			l.service(n, svc)
		}
	}
	l.volumeDrivers()
	if l.v1 {
		l.implicitVolumes(services, names)
	}
	if _, ok := l.doc["version"]; ok {
		// The specification ignores it, with a warning.
		delete(l.doc, "version")
		l.changed = true
	}
	if !l.changed {
		src.tree = doc
		return src, l.notes, nil
	}
	out, err := yaml.Marshal(l.doc)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	return newSource(out), l.notes, nil
}

// legacy holds one file's rewrite in progress.
type legacy struct {
	doc     map[string]any
	v1      bool // services at the root
	changed bool
	notes   []string
}

// rootServices moves a version 1 file's services under services:.
func (l *legacy) rootServices(file string) error {
	for _, k := range workload.SortedKeys(l.doc) {
		if _, ok := l.doc[k].(map[string]any); !ok {
			return fmt.Errorf("%s: %s: want a service (a mapping), got %T", file, k, l.doc[k])
		}
	}
	l.doc = map[string]any{"services": l.doc}
	l.v1, l.changed = true, true
	l.notes = append(l.notes, "version 1 file (services at the root) read as the Compose Specification")
	return nil
}

// service renames net to network_mode and drops the keys the specification
// no longer has, each with a note.
func (l *legacy) service(n string, svc map[string]any) {
	if net, ok := svc["net"]; ok {
		delete(svc, "net")
		if _, set := svc["network_mode"]; !set {
			svc["network_mode"] = net
		}
		l.changed = true
	}
	for _, k := range []string{"volume_driver", "log_driver", "log_opt", "cpu_quota_legacy"} {
		if v, ok := svc[k]; ok {
			delete(svc, k)
			l.notes = append(l.notes, fmt.Sprintf("services.%s.%s (%v) is not carried over", n, k, v))
			l.changed = true
		}
	}
}

// volumeDrivers removes empty driver settings, which the specification refuses.
func (l *legacy) volumeDrivers() {
	vols, ok := l.doc["volumes"].(map[string]any)
	if !ok {
		return
	}
	for _, n := range workload.SortedKeys(vols) {
		v, ok := vols[n].(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"driver_opts", "driver"} {
			if x, set := v[k]; set && (x == nil || x == "") {
				delete(v, k)
				l.changed = true
			}
		}
	}
}

// implicitVolumes declares the named volumes a version 1 file created on
// first use.
func (l *legacy) implicitVolumes(services map[string]any, names []string) {
	vols := map[string]any{}
	for _, n := range names {
		svc, _ := services[n].(map[string]any)
		list, _ := svc["volumes"].([]any)
		for _, v := range list {
			s, ok := v.(string)
			if !ok {
				continue
			}
			src, _, found := strings.Cut(s, ":")
			if found && src != "" && !strings.ContainsAny(src[:1], "./~$") {
				vols[src] = nil
			}
		}
	}
	if len(vols) > 0 {
		l.doc["volumes"] = vols
	}
}
