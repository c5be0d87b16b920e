package rancher

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/load/limit"
)

// resolve returns the template version folder that dir stands for, and a
// note on how it was chosen.
func resolve(dir string) (string, error) {
	if isVersionDir(dir) {
		return dir, nil
	}
	if exists(filepath.Join(dir, "config.yml")) {
		return pickVersion(dir)
	}
	tdir := filepath.Join(dir, "templates")
	entries, err := os.ReadDir(tdir)
	if err != nil {
		return "", fmt.Errorf("%s: not a Rancher catalog entry (no rancher-compose.yml, config.yml or templates/)", dir)
	}
	var templates []string
	for _, e := range entries {
		if e.IsDir() && exists(filepath.Join(tdir, e.Name(), "config.yml")) {
			templates = append(templates, e.Name())
		}
	}
	switch len(templates) {
	case 0:
		return "", fmt.Errorf("%s: templates/ holds no template folder with a config.yml", dir)
	case 1:
		return pickVersion(filepath.Join(tdir, templates[0]))
	}
	return "", fmt.Errorf("%s: the catalog holds %d templates (%s): give one template folder", dir, len(templates), strings.Join(templates, ", "))
}

// pickVersion returns the version folder of a template folder whose
// rancher-compose.yml catalog version is the one config.yml names, else the
// highest numbered one.
func pickVersion(dir string) (string, error) {
	cfgFile := filepath.Join(dir, "config.yml")
	data, err := limit.ReadFile(cfgFile, limit.DefaultInput)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", cfgFile, err)
	}
	var cfg struct {
		Version string `json:"version"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("%s: %w", cfgFile, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", dir, err)
	}
	var nums []int
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() && isVersionDir(filepath.Join(dir, e.Name())) {
			nums = append(nums, n)
		}
	}
	if len(nums) == 0 {
		return "", fmt.Errorf("%s: no version folder (0, 1, ...) with a rancher-compose.yml", dir)
	}
	sort.Ints(nums)
	for _, n := range nums {
		v := filepath.Join(dir, strconv.Itoa(n))
		if rc, err := readRancherCompose(v); err == nil && cfg.Version != "" && rc.catalog.Version == cfg.Version {
			return v, nil
		}
	}
	return filepath.Join(dir, strconv.Itoa(nums[len(nums)-1])), nil
}

// Question is one catalog question.
type Question struct {
	Variable string   `json:"variable"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Default  any      `json:"default"`
	Options  []string `json:"options"`
}

type catalog struct {
	Name      string     `json:"name"`
	Version   string     `json:"version"`
	Questions []Question `json:"questions"`
}

type rancherCompose struct {
	file     string
	catalog  catalog
	services map[string]map[string]any
	catKey   string
}

func readRancherCompose(dir string) (*rancherCompose, error) {
	file := filepath.Join(dir, "rancher-compose.yml")
	if !exists(file) {
		file = filepath.Join(dir, "rancher-compose.yaml")
	}
	data, err := limit.ReadFile(file, limit.DefaultInput)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return parseRancherCompose(file, data)
}

func parseRancherCompose(file string, data []byte) (*rancherCompose, error) {
	var doc map[string]any
	if err := unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	rc := &rancherCompose{file: file, services: map[string]map[string]any{}}
	for _, k := range []string{".catalog", "catalog"} {
		raw, ok := doc[k]
		if !ok {
			continue
		}
		rc.catKey = k
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, k, err)
		}
		if err := decodeJSON(b, &rc.catalog); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, k, err)
		}
		for i, q := range rc.catalog.Questions {
			if q.Variable == "" {
				return nil, fmt.Errorf("%s: %s.questions[%d].variable: missing", file, k, i)
			}
		}
	}
	services := doc
	if s, ok := doc["services"]; ok {
		m, ok := s.(map[string]any)
		if !ok && s != nil {
			return nil, fmt.Errorf("%s: services: want a mapping, got %T", file, s)
		}
		services = m
	}
	for name, v := range services {
		if name == ".catalog" || name == "catalog" || name == "version" {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			if v == nil {
				continue
			}
			return nil, fmt.Errorf("%s: %s: want a mapping, got %T", file, name, v)
		}
		rc.services[name] = m
	}
	return rc, nil
}
