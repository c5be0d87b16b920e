package compose

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/load/workload"
)

var (
	reSchema   = regexp.MustCompile(`^(\S*) false schema$`)
	reAddProps = regexp.MustCompile(`^(\S*)\s*additional properties? (.*) not allowed$`)
	reInterp   = regexp.MustCompile(`^error while interpolating (\S+): (.*)$`)
	reDecode   = regexp.MustCompile(`'([^']*)' (.*)`)
	reIndex    = regexp.MustCompile(`\[([^\]]+)\]`)
)

// fieldError rewrites compose-go's messages into "field: problem".
func fieldError(msg string) string {
	msg = strings.TrimSpace(msg)
	if m := reSchema.FindStringSubmatch(msg); m != nil {
		return m[1] + ": unknown key"
	}
	if m := reAddProps.FindStringSubmatch(msg); m != nil {
		where := m[1]
		if where == "" {
			return fmt.Sprintf("%s: unknown top-level key(s)", strings.Trim(m[2], "'"))
		}
		return fmt.Sprintf("%s: unknown key(s) %s", where, m[2])
	}
	if m := reInterp.FindStringSubmatch(msg); m != nil {
		return m[1] + ": " + m[2]
	}
	if strings.HasPrefix(msg, "decoding failed") {
		var parts []string
		for _, line := range strings.Split(msg, "\n") {
			if m := reDecode.FindStringSubmatch(line); m != nil {
				parts = append(parts, reIndex.ReplaceAllString(m[1], ".$1")+": "+m[2])
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, "; ")
		}
	}
	return msg
}

var reRange = regexp.MustCompile(`(\d+)-(\d+)`)

// precheck finds errors that compose-go reports without naming the field:
// port specifications that do not parse, and ranges over the ports limit
// (compose-go expands a range into one port each, which takes seconds for
// "1-65535"), variables substituted first. It tells whether the file has a
// top-level version key (obsolete).
func precheck(src *source, env map[string]string, maxPorts int) (bool, error) {
	var doc struct {
		Version  any `yaml:"version"`
		Services map[string]struct {
			Ports []any `yaml:"ports"`
		} `yaml:"services"`
	}
	if err := src.decode(&doc); err != nil {
		return false, nil // compose-go reports syntax errors with a line number
	}
	names := make([]string, 0, len(doc.Services))
	for n := range doc.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for i, p := range doc.Services[n].Ports {
			s, ok := p.(string)
			if !ok {
				continue
			}
			if strings.Contains(s, "$") {
				var err error
				if s, err = template.SubstituteWithOptions(s, types.Mapping(env).Resolve, template.WithoutLogging); err != nil {
					continue // compose-go words the error
				}
			}
			for _, m := range reRange.FindAllStringSubmatch(s, -1) {
				lo, _ := strconv.Atoi(m[1])
				hi, _ := strconv.Atoi(m[2])
				if hi-lo >= maxPorts {
					return false, &limit.Error{What: fmt.Sprintf("services.%s.ports[%d]: range %s-%s", n, i, m[1], m[2]), Limit: "ports", Max: int64(maxPorts),
						Note: fmt.Sprintf("it holds %d ports", hi-lo+1)}
				}
			}
			if _, err := types.ParsePortConfig(s); err != nil {
				return false, fmt.Errorf("services.%s.ports[%d]: invalid port %q: %v", n, i, s, strings.ToLower(err.Error()[:1])+err.Error()[1:])
			}
		}
	}
	return doc.Version != nil, nil
}

// references lists the files a Compose file makes compose-go read (a
// service's extends.file, include entries), variables substituted, so
// that each is checked before compose-go opens it: a FIFO would block it
// for ever, /dev/zero never end.
func references(src *source, env map[string]string) []string {
	var doc struct {
		Services map[string]struct {
			Extends any `yaml:"extends"`
		} `yaml:"services"`
		Include []any `yaml:"include"`
	}
	if src.decode(&doc) != nil {
		return nil
	}
	var refs []any
	for _, n := range workload.SortedKeys(doc.Services) {
		if m, ok := doc.Services[n].Extends.(map[string]any); ok {
			refs = append(refs, m["file"])
		}
	}
	for _, inc := range doc.Include {
		if m, ok := inc.(map[string]any); ok {
			inc = m["path"]
		}
		if l, ok := inc.([]any); ok {
			refs = append(refs, l...)
		} else {
			refs = append(refs, inc)
		}
	}
	var out []string
	for _, r := range refs {
		s, ok := r.(string)
		if !ok || s == "" {
			continue
		}
		if v, err := template.SubstituteWithOptions(s, types.Mapping(env).Resolve, template.WithoutLogging); err == nil {
			out = append(out, v)
		}
	}
	return out
}
