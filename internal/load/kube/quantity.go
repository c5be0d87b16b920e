package kube

import (
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"
)

// quantityMaps are the field names whose values are maps of quantities in
// the Kubernetes API (resources, quota, limit ranges, node status).
var quantityMaps = map[string]bool{
	"limits": true, "requests": true, "hard": true, "overhead": true,
	"capacity": true, "allocatable": true, "min": true, "max": true,
	"default": true, "defaultRequest": true, "maxLimitRequestRatio": true,
}

// checkQuantities walks an object and reports the first value that should be
// a quantity and is not, with its field path. The typed decoder would reject
// it too, but without saying where.
func checkQuantities(v any, path string) error {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			if k == "data" || k == "stringData" || k == "binaryData" || k == "metadata" {
				continue // user data, not API fields
			}
			p := joinPath(path, k)
			child := t[k]
			if k == "sizeLimit" || (k == "storage" && isUnder(path, "capacity")) {
				if err := checkQuantity(child, p); err != nil {
					return err
				}
				continue
			}
			if quantityMaps[k] {
				if m, ok := child.(map[string]any); ok && looksLikeResourceMap(m) {
					for _, rk := range sortedKeys(m) {
						if err := checkQuantity(m[rk], p+"."+rk); err != nil {
							return err
						}
					}
					continue
				}
			}
			if err := checkQuantities(child, p); err != nil {
				return err
			}
		}
	case []any:
		for i, it := range t {
			if err := checkQuantities(it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func isUnder(path, key string) bool {
	return len(path) >= len(key) && path[len(path)-len(key):] == key
}

// looksLikeResourceMap is true when every value is a scalar: "limits" under a
// container holds quantities, but user data (a ConfigMap key called
// "limits") may hold anything and is not our business.
func looksLikeResourceMap(m map[string]any) bool {
	for _, v := range m {
		switch v.(type) {
		case string, float64, int64, int:
		default:
			return false
		}
	}
	return true
}

func checkQuantity(v any, path string) error {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case float64:
		s = strconv.FormatFloat(t, 'f', -1, 64)
	case nil:
		return nil
	default:
		return fmt.Errorf("%s: invalid quantity: want a string or number, got %T", path, v)
	}
	if _, err := resource.ParseQuantity(s); err != nil {
		return fmt.Errorf("%s: invalid quantity %q: %v", path, s, err)
	}
	return nil
}
