package compose

import (
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
)

// compose-go's interpolation substitutes variables in every string of the
// file and casts the strings at some paths (services.*.deploy.replicas,
// ...) to numbers and booleans. For each string it looks for a cast by
// matching the string's path against every cast path, splitting both on
// every call: about a quarter of loading a 1,000-service file. For a file
// with no "$" in any string and no string at a cast path it changes
// nothing (it returns an equal copy of the tree), so it is skipped there:
// needsInterpolation tells which files those are, on the tree compose-go
// interpolates.

// castPaths are compose-go's cast paths (the TypeCastMapping its loader
// uses by default), by their last part.
var castPaths = sync.OnceValue(func() map[string][]string {
	byLast := map[string][]string{}
	for p := range loader.ToOptions(&types.ConfigDetails{}, nil).Interpolate.TypeCastMapping {
		s := string(p)
		last := s[strings.LastIndex(s, ".")+1:]
		byLast[last] = append(byLast[last], s)
	}
	return byLast
})

// needsInterpolation tells whether compose-go's interpolation could change
// doc, a decoded Compose document (its top level as compose-go decodes it):
// whether a string holds "$" or sits at a cast path. It also answers true
// for what it does not follow: a mapping with keys that are not all
// strings, an include, an extends of another file (compose-go interpolates
// those files with the same options).
func needsInterpolation(doc map[string]any) bool {
	if _, ok := doc["include"]; ok {
		return true
	}
	for k, v := range doc {
		// As compose-go's: the top-level key as it is, the others with
		// any "." escaped.
		if interpolates(v, tree.NewPath(k)) {
			return true
		}
	}
	return false
}

func interpolates(v any, p tree.Path) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, "$") || isCastPath(string(p))
	case map[string]any:
		if e, ok := v["extends"].(map[string]any); ok {
			if _, ok := e["file"]; ok {
				return true
			}
		}
		for k, e := range v {
			if interpolates(e, p.Next(k)) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if interpolates(e, p.Next(tree.PathMatchList)) {
				return true
			}
		}
	case map[any]any:
		return true
	}
	return false
}

// isCastPath tells whether compose-go casts a string at path p.
func isCastPath(p string) bool {
	byLast := castPaths()
	for _, last := range []string{p[strings.LastIndex(p, ".")+1:], tree.PathMatchAll} {
		for _, pattern := range byLast[last] {
			if pathMatches(p, pattern) {
				return true
			}
		}
	}
	return false
}

// pathMatches is tree.Path(p).Matches(tree.Path(pattern)) without
// splitting either: the same number of dotted parts, each equal or "*" in
// the pattern.
func pathMatches(p, pattern string) bool {
	for {
		part, pRest, pMore := strings.Cut(p, ".")
		want, patRest, patMore := strings.Cut(pattern, ".")
		if want != tree.PathMatchAll && want != part {
			return false
		}
		if pMore != patMore {
			return false
		}
		if !pMore {
			return true
		}
		p, pattern = pRest, patRest
	}
}
