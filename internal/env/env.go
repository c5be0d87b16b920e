// Package env reads named environments from rightsize.yaml files: each
// environment is a target (a built-in plan, a file, or a cluster
// namespace) with defaults for the settings of every command, named as the
// command-line flags are (namespace, context, kubeconfig, allow, min-cpu,
// usage, timeout, ...).
//
//	environments:
//	  dev:
//	    target: cluster:kind-dev/shop
//	    timeout: 2m
//	  edge:
//	    target: edge-4cpu-4gi
//	    allow: [resources, replicas]
//
// It reads files it is given and never looks at flags or the process
// environment.
package env

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// FileName is the name of an environments file.
const FileName = "rightsize.yaml"

// Environment is one named environment.
type Environment struct {
	Name string
	// Settings are flag names and their values (strings, or lists for
	// flags that take several).
	Settings map[string][]string
	// File is where the environment was defined.
	File string
}

// Target is the environment's target setting, "" when it has none.
func (e *Environment) Target() string {
	if v := e.Settings["target"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Files returns the environments files that apply to an app at paths, in
// the order they are consulted: rightsize.yaml beside the app (in the
// directory given, or the directory of the file given), then the one in
// the user's configuration directory (userDir/rightsize/rightsize.yaml).
// Files that do not exist are left out.
func Files(paths []string, userDir string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if p == "" || seen[p] {
			return
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			out = append(out, p)
			seen[p] = true
		}
	}
	for _, p := range paths {
		if p == "-" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			add(filepath.Join(p, FileName))
		} else {
			add(filepath.Join(filepath.Dir(p), FileName))
		}
	}
	if userDir != "" {
		add(filepath.Join(userDir, "rightsize", FileName))
	}
	return out
}

type file struct {
	Environments map[string]map[string]any `json:"environments"`
}

// Load reads the environments of files; an environment defined in an
// earlier file hides one of the same name in a later file. The result is
// sorted by name.
func Load(files []string) ([]*Environment, error) {
	byName := map[string]*Environment{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading environments: %w", err)
		}
		var doc file
		if err := yaml.UnmarshalStrict(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for name, raw := range doc.Environments {
			if _, ok := byName[name]; ok {
				continue
			}
			e := &Environment{Name: name, File: f, Settings: map[string][]string{}}
			for k, v := range raw {
				vals, err := values(v)
				if err != nil {
					return nil, fmt.Errorf("%s: environments.%s.%s: %w", f, name, k, err)
				}
				e.Settings[k] = vals
			}
			byName[name] = e
		}
	}
	out := make([]*Environment, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func values(v any) ([]string, error) {
	switch t := v.(type) {
	case []any:
		var out []string
		for _, x := range t {
			s, err := values(x)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	case map[string]any:
		return nil, errors.New("want a value or a list of values")
	case nil:
		return nil, nil
	case float64:
		return []string{strings.TrimSuffix(fmt.Sprintf("%v", t), ".0")}, nil
	}
	return []string{fmt.Sprint(v)}, nil
}

// Find returns the environment called name.
func Find(envs []*Environment, name string, files []string) (*Environment, error) {
	var names []string
	for _, e := range envs {
		if e.Name == name {
			return e, nil
		}
		names = append(names, e.Name)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("environment %q: no %s beside the app or in the user configuration directory", name, FileName)
	}
	if len(names) == 0 {
		names = []string{"none"}
	}
	return nil, fmt.Errorf("environment %q is not defined in %s (defined: %s)", name, strings.Join(files, ", "), strings.Join(names, ", "))
}
