package rancher

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"

	"github.com/rightsize/rightsize/internal/load/limit"
)

// maxCount bounds the count argument of the template functions that build
// a value of that size: a catalog template cannot ask for a 300 MB string.
const maxCount = 1 << 20

// funcs are sprig's functions, with the sizing ones bounded.
func funcs() template.FuncMap {
	m := sprig.TxtFuncMap()
	repeat := func(n int, s string) (string, error) {
		if n < 0 || n > maxCount || int64(n)*int64(len(s)) > limit.DefaultExpansion {
			return "", fmt.Errorf("repeat %d: over the expansion limit", n)
		}
		return strings.Repeat(s, n), nil
	}
	m["repeat"] = repeat
	for _, name := range []string{"indent", "nindent"} {
		orig := m[name].(func(int, string) string)
		m[name] = func(n int, s string) (string, error) {
			if n < 0 || n > maxCount || int64(n)*int64(strings.Count(s, "\n")+1) > limit.DefaultExpansion {
				return "", fmt.Errorf("%s %d: over the expansion limit", name, n)
			}
			return orig(n, s), nil
		}
	}
	for _, name := range []string{"randAlpha", "randAlphaNum", "randAscii", "randNumeric"} {
		orig := m[name].(func(int) string)
		m[name] = func(n int) (string, error) {
			if n < 0 || n > maxCount {
				return "", fmt.Errorf("%s %d: over the expansion limit", name, n)
			}
			return orig(n), nil
		}
	}
	until := m["until"].(func(int) []int)
	m["until"] = func(n int) ([]int, error) {
		if n > maxCount || n < -maxCount {
			return nil, fmt.Errorf("until %d: over the expansion limit", n)
		}
		return until(n), nil
	}
	untilStep := m["untilStep"].(func(int, int, int) []int)
	m["untilStep"] = func(start, stop, step int) ([]int, error) {
		if step != 0 && (stop-start)/step > maxCount {
			return nil, fmt.Errorf("untilStep %d %d %d: over the expansion limit", start, stop, step)
		}
		return untilStep(start, stop, step), nil
	}
	seq := m["seq"].(func(...int) string)
	m["seq"] = func(params ...int) (string, error) {
		for _, p := range params {
			if p > maxCount || p < -maxCount {
				return "", fmt.Errorf("seq %d: over the expansion limit", p)
			}
		}
		return seq(params...), nil
	}
	return m
}
