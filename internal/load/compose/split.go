package compose

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sync"

	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// compose-go loads a file on one core: for 1,000 services, two thirds of
// its time go to turning the YAML tree into its canonical model, service by
// service (interpolation, defaults, schema validation, canonical forms,
// normalization),
// and the rest to decoding that model into a Project. Where no step of the
// first part can relate one service to another, loadSplit runs it on two
// halves of the services at once and decodes the merged model as compose-go
// does; anything unexpected (an error, halves that disagree on what is not
// a service) gives up, and the caller loads the whole file, which reports
// compose-go's own error.

// minSplit is the number of services from which a load is split: below it
// the second goroutine costs more than it saves.
const minSplit = 64

// maxSplitNodes keeps a split file well under compose-go's limit of
// 100,000 YAML nodes visited per document, which only the whole file's
// load enforces.
const maxSplitNodes = 90_000

// splittable tells whether src can be loaded in halves: it holds one
// document (checked by the caller), GOMAXPROCS allows two at once,
// and nothing in the file reaches across services or depends on how
// compose-go reads YAML rather than on the tree: no anchor or alias, no
// custom tag (!reset, !override), no mapping key written twice, no
// extends, include, jobs or merge key, top-level keys that are strings, and
// at least min services.
func splittable(src *source, min int) bool {
	if runtime.GOMAXPROCS(0) < 2 || src.node.Kind != yaml.DocumentNode || len(src.node.Content) != 1 {
		return false
	}
	top := src.node.Content[0]
	if top.Kind != yaml.MappingNode {
		return false
	}
	services := -1
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Tag != "!!str" {
			return false
		}
		switch k.Value {
		case "jobs", "include":
			return false
		case "services":
			if v.Kind != yaml.MappingNode {
				return false
			}
			services = len(v.Content) / 2
		}
	}
	nodes := 0
	return services >= min && plainNodes(top, &nodes)
}

// plainNodes checks n and what it holds for splittable, counting nodes.
func plainNodes(n *yaml.Node, count *int) bool {
	*count++
	if *count > maxSplitNodes || n.Anchor != "" || n.Kind == yaml.AliasNode || (n.Tag != "" && !isStandardTag(n.Tag)) {
		return false
	}
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if seen[key] || key == "extends" || key == "<<" {
				return false
			}
			seen[key] = true
		}
	}
	for _, c := range n.Content {
		if !plainNodes(c, count) {
			return false
		}
	}
	return true
}

func isStandardTag(tag string) bool {
	return len(tag) > 2 && tag[:2] == "!!"
}

// loadSplit loads src as compose-go's LoadWithContext(details,
// optionsFor(unset)) would, in two halves of its services at once, or
// returns nil. optionsFor gives the options of a load that records the
// variables it finds unset in the map it is given: each half has its own,
// added to unset when the split succeeds. It sets COMPOSE_PROJECT_NAME in
// details.Environment, as LoadWithContext does.
func loadSplit(src *source, details types.ConfigDetails, name string, unset map[string]bool, optionsFor func(map[string]bool) func(*loader.Options)) *types.Project {
	details.Environment[consts.ComposeProjectName] = name
	var models [2]map[string]any
	var errs [2]error
	unsets := [2]map[string]bool{{}, {}}
	var wg sync.WaitGroup
	for i := range models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			half, err := halfOf(src, i)
			if err != nil {
				errs[i] = err
				return
			}
			d := types.ConfigDetails{
				WorkingDir:  details.WorkingDir,
				ConfigFiles: []types.ConfigFile{{Filename: details.ConfigFiles[0].Filename, Config: half}},
				Environment: maps.Clone(details.Environment),
			}
			models[i], errs[i] = loader.LoadModelWithContext(context.Background(), d, optionsFor(unsets[i]))
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		return nil
	}
	model, ok := mergeModels(models[0], models[1])
	if !ok {
		return nil
	}
	p, err := loader.ModelToProject(model, loader.ToOptions(&details, []func(*loader.Options){optionsFor(unset)}), details)
	if err != nil {
		return nil
	}
	maps.Copy(unset, unsets[0])
	maps.Copy(unset, unsets[1])
	return p
}

var errNotSplit = errors.New("services are not a mapping with string keys")

// halfOf decodes src's document (a decoding of its own: compose-go changes
// the maps in place) and keeps the first half of the services, by name,
// for i == 0, the rest for i == 1.
func halfOf(src *source, i int) (map[string]any, error) {
	var doc map[string]any
	if err := src.node.Decode(&doc); err != nil {
		return nil, err
	}
	services, ok := doc["services"].(map[string]any)
	if !ok {
		return nil, errNotSplit
	}
	names := slices.Sorted(maps.Keys(services))
	for j, n := range names {
		if (j < len(names)/2) != (i == 0) {
			delete(services, n)
		}
	}
	return doc, nil
}

// mergeModels puts b's services into a, when a and b agree on everything
// else.
func mergeModels(a, b map[string]any) (map[string]any, bool) {
	sa, okA := a["services"].(map[string]any)
	sb, okB := b["services"].(map[string]any)
	if !okA || !okB {
		return nil, false
	}
	delete(a, "services")
	delete(b, "services")
	if !reflect.DeepEqual(a, b) {
		return nil, false
	}
	for n, s := range sb {
		if _, dup := sa[n]; dup {
			return nil, false
		}
		sa[n] = s
	}
	a["services"] = sa
	return a, true
}
