package kustomize

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Build runs kustomize on dir as `kustomize build --load-restrictor
// LoadRestrictionsNone` does (the overlay names the user's files outside
// it) and returns the objects as maps, in Kustomize's order.
func Build(dir string) (objs []map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			objs, err = nil, fmt.Errorf("kustomize failed: %v", r)
		}
	}()
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	res, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	for _, r := range res.Resources() {
		m, err := r.Map()
		if err != nil {
			return nil, err
		}
		objs = append(objs, m)
	}
	return objs, nil
}

// buildCanon builds dir and returns canon of every object by identity.
func buildCanon(dir string) (map[string]map[string]any, error) {
	objs, err := Build(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, m := range objs {
		c, err := canon(m)
		if err != nil {
			return nil, err
		}
		out[identity(c)] = c
	}
	return out, nil
}
