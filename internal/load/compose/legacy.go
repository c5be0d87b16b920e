package compose

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/rightsize/rightsize/internal/load/workload"
)

// Legacy rewrites a version 1 or 2 Compose file into the Compose
// Specification: services at the root move under services:, net becomes
// network_mode, and keys the specification dropped are removed. It returns
// data unchanged for a file that needs none of this, and notes for the report.
func Legacy(file string, data []byte) ([]byte, []string, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc == nil {
		return data, nil, nil
	}
	var notes []string
	version := fmt.Sprint(doc["version"])
	_, hasServices := doc["services"]
	v1 := !hasServices && doc["version"] == nil
	if v1 {
		for k, v := range doc {
			if _, ok := v.(map[string]any); !ok {
				return nil, nil, fmt.Errorf("%s: %s: want a service (a mapping), got %T", file, k, v)
			}
		}
		doc = map[string]any{"services": doc}
		notes = append(notes, "version 1 file (services at the root) read as the Compose Specification")
	} else if !strings.HasPrefix(version, "1") && !strings.HasPrefix(version, "2") {
		return data, nil, nil
	}
	services, _ := doc["services"].(map[string]any)
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	changed := v1
	for _, n := range names {
		svc, ok := services[n].(map[string]any)
		if !ok {
			continue
		}
		if net, ok := svc["net"]; ok {
			delete(svc, "net")
			if _, set := svc["network_mode"]; !set {
				svc["network_mode"] = net
			}
			changed = true
		}
		for _, k := range []string{"volume_driver", "log_driver", "log_opt", "cpu_quota_legacy"} {
			if v, ok := svc[k]; ok {
				delete(svc, k)
				notes = append(notes, fmt.Sprintf("services.%s.%s (%v) is not carried over", n, k, v))
				changed = true
			}
		}
	}
	if vols, ok := doc["volumes"].(map[string]any); ok {
		for _, n := range workload.SortedKeys(vols) {
			if v, ok := vols[n].(map[string]any); ok {
				for _, k := range []string{"driver_opts", "driver"} {
					if x, set := v[k]; set && (x == nil || x == "") {
						delete(v, k)
						changed = true
					}
				}
			}
		}
	}
	if v1 {
		// Version 1 created named volumes on first use.
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
			doc["volumes"] = vols
		}
	}
	if _, ok := doc["version"]; ok {
		// The specification ignores it, with a warning.
		delete(doc, "version")
		changed = true
	}
	if !changed {
		return data, notes, nil
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	return out, notes, nil
}
