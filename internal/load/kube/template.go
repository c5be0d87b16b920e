package kube

import (
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"

	"github.com/rightsize/rightsize/internal/load/limit"
)

// templateParam is one parameter of an OpenShift Template.
type templateParam struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Generate string `json:"generate"`
	From     string `json:"from"`
	Required bool   `json:"required"`
}

var (
	// ${{NAME}} standing alone is replaced by the parameter's JSON value.
	wholeValueRef = regexp.MustCompile(`^\$\{\{([a-zA-Z0-9_]+)\}\}$`)
	// ${NAME} inside a string, and ${{NAME}} inside a longer string, are
	// replaced by the text.
	textRef = regexp.MustCompile(`\$\{\{?([a-zA-Z0-9_]+)\}?\}`)
)

// processTemplate does what `oc process` does: resolve every parameter
// (value, --param, generate), substitute them in every object and add the
// template's labels.
// It returns the objects and the names of the parameters whose values were
// generated, for the report (the values themselves are never shown).
func processTemplate(raw map[string]any, opts Options) ([]map[string]any, []string, error) {
	lim := opts.Limits.Defaults()
	rng, err := generator(opts.Seed)
	if err != nil {
		return nil, nil, err
	}
	var generated []string
	var params []templateParam
	if p, ok := raw["parameters"]; ok && p != nil {
		b, _ := json.Marshal(p)
		if err := json.Unmarshal(b, &params); err != nil {
			return nil, nil, fmt.Errorf("parameters: %v", err)
		}
	}
	values := map[string]string{}
	declared := map[string]bool{}
	for i, p := range params {
		if p.Name == "" {
			return nil, nil, fmt.Errorf("parameters[%d].name: required value", i)
		}
		declared[p.Name] = true
		v := p.Value
		if given, ok := opts.Params[p.Name]; ok {
			v = given
		} else if v == "" && p.Generate != "" {
			if p.Generate != "expression" {
				return nil, nil, fmt.Errorf("parameters[%d] (%s).generate: unknown generator %q, only \"expression\" exists", i, p.Name, p.Generate)
			}
			g, err := generate(p.From, rng, p.Name, lim.Generated)
			if err != nil {
				return nil, nil, fmt.Errorf("parameters[%d] (%s).from: %w", i, p.Name, err)
			}
			v = g
			generated = append(generated, p.Name)
		}
		if p.Required && v == "" {
			return nil, nil, fmt.Errorf("parameters[%d]: parameter %s is required and has no value; give it as the template parameter %s=VALUE", i, p.Name, p.Name)
		}
		values[p.Name] = v
	}
	var unknown []string
	for k := range opts.Params {
		if !declared[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, nil, fmt.Errorf("template parameter %s: the template has no such parameter", strings.Join(unknown, ", "))
	}

	objs, ok := raw["objects"].([]any)
	if !ok && raw["objects"] != nil {
		return nil, nil, fmt.Errorf("objects: not a list")
	}
	labels, _ := raw["labels"].(map[string]any)
	var out []map[string]any
	x := &expander{values: values, max: lim.Expansion}
	for i, o := range objs {
		m, ok := o.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("objects[%d]: not an object", i)
		}
		sub, err := x.substitute(m)
		if err != nil {
			return nil, nil, fmt.Errorf("objects[%d]: %w", i, err)
		}
		obj := sub.(map[string]any)
		if len(labels) > 0 {
			addLabels(obj, labels, values)
		}
		out = append(out, obj)
	}
	return out, generated, nil
}

// expander substitutes parameter values, keeping count of the bytes it
// produces: a short template whose long parameter is used many times must
// fail, not exhaust memory.
type expander struct {
	values   map[string]string
	max, out int64
}

func (x *expander) grow(n int) error {
	x.out += int64(n)
	if x.out > x.max {
		return &limit.Error{What: "template expansion", Limit: "expansion", Max: x.max}
	}
	return nil
}

// substitute replaces parameter references in every string of v.
func (x *expander) substitute(v any) (any, error) {
	values := x.values
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, child := range t {
			nk, err := x.substituteString(k)
			if err != nil {
				return nil, err
			}
			s, err := x.substitute(child)
			if err != nil {
				return nil, err
			}
			out[nk] = s
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, child := range t {
			s, err := x.substitute(child)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	case string:
		if m := wholeValueRef.FindStringSubmatch(t); m != nil {
			val, ok := values[m[1]]
			if !ok {
				return t, nil
			}
			if err := x.grow(len(val)); err != nil {
				return nil, err
			}
			var j any
			if err := json.Unmarshal([]byte(val), &j); err != nil {
				// oc process keeps a value that is not JSON as a string.
				return val, nil
			}
			return j, nil
		}
		return x.substituteString(t)
	}
	return v, nil
}

func (x *expander) substituteString(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	// Measure before building: the result may be what must not be built.
	n := int64(len(s))
	for _, m := range textRef.FindAllStringSubmatch(s, -1) {
		if v, ok := x.values[m[1]]; ok {
			n += int64(len(v)) - int64(len(m[0]))
		}
	}
	if err := x.grow(int(n)); err != nil {
		return "", err
	}
	return substituteString(s, x.values), nil
}

func substituteString(s string, values map[string]string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return textRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := textRef.FindStringSubmatch(ref)[1]
		if v, ok := values[name]; ok {
			return v
		}
		return ref // not a parameter: left as it is, as oc process does
	})
}

func addLabels(obj map[string]any, labels map[string]any, values map[string]string) {
	md, ok := obj["metadata"].(map[string]any)
	if !ok {
		md = map[string]any{}
		obj["metadata"] = md
	}
	l, ok := md["labels"].(map[string]any)
	if !ok {
		l = map[string]any{}
		md["labels"] = l
	}
	for k, v := range labels {
		if _, set := l[k]; set {
			continue
		}
		if s, ok := v.(string); ok {
			v = substituteString(s, values)
		}
		l[k] = v
	}
}

// generator returns the source of generated values: seeded from the
// operating system's random source unless a seed is given, so that two users
// of one template never share a "generated" password.
func generator(seed int64) (func(name string) *rand.Rand, error) {
	var key [32]byte
	if seed == 0 {
		if _, err := crand.Read(key[:]); err != nil {
			return nil, fmt.Errorf("generating parameter values: %w", err)
		}
	} else {
		binary.LittleEndian.PutUint64(key[:], uint64(seed))
	}
	return func(name string) *rand.Rand {
		// One stream per parameter name: adding a parameter does not change
		// the others' values for a given seed.
		k := key
		h := fnv.New64a()
		h.Write([]byte(name))
		binary.LittleEndian.PutUint64(k[8:], h.Sum64())
		return rand.New(rand.NewChaCha8(k))
	}, nil
}

// generate produces a value for an expression such as "[a-zA-Z0-9]{16}",
// of at most max characters.
func generate(expr string, gen func(string) *rand.Rand, name string, max int) (string, error) {
	rng := gen(name)
	total := 0
	var b strings.Builder
	for i := 0; i < len(expr); {
		var class []rune
		switch {
		case expr[i] == '[':
			end := strings.IndexByte(expr[i:], ']')
			if end < 0 {
				return "", fmt.Errorf("expression %q: unterminated [", expr)
			}
			c, err := charClass(expr[i+1 : i+end])
			if err != nil {
				return "", fmt.Errorf("expression %q: %v", expr, err)
			}
			class = c
			i += end + 1
		case expr[i] == '\\' && i+1 < len(expr):
			c, err := charClass(expr[i : i+2])
			if err != nil {
				return "", fmt.Errorf("expression %q: %v", expr, err)
			}
			class = c
			i += 2
		default:
			class = []rune{rune(expr[i])}
			i++
		}
		n := 1
		if i < len(expr) && expr[i] == '{' {
			end := strings.IndexByte(expr[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("expression %q: unterminated {", expr)
			}
			if _, err := fmt.Sscanf(expr[i+1:i+end], "%d", &n); err != nil || n < 0 || n > 4096 {
				return "", fmt.Errorf("expression %q: bad count %q", expr, expr[i+1:i+end])
			}
			i += end + 1
		}
		if total += n; total > max {
			return "", &limit.Error{What: fmt.Sprintf("expression %q", shorten(expr)), Limit: "generated", Max: int64(max)}
		}
		for j := 0; j < n; j++ {
			b.WriteRune(class[rng.IntN(len(class))])
		}
	}
	return b.String(), nil
}

const (
	lower   = "abcdefghijklmnopqrstuvwxyz"
	upper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits  = "0123456789"
	symbols = "~!@#$%^&*()-_+={}[]\\|<,>.?/\"';:`"
)

// charClass expands the inside of [...] (or one escape) as OpenShift's
// expression generator does: ranges, \w, \d, \a (letters), \A (symbols).
func charClass(s string) ([]rune, error) {
	var out []rune
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'w':
				out = append(out, []rune(lower+upper+digits+"_")...)
			case 'd':
				out = append(out, []rune(digits)...)
			case 'a':
				out = append(out, []rune(lower+upper)...)
			case 'A':
				out = append(out, []rune(symbols)...)
			default:
				out = append(out, rune(s[i]))
			}
		case i+2 < len(s) && s[i+1] == '-':
			lo, hi := s[i], s[i+2]
			if lo > hi {
				return nil, fmt.Errorf("bad range %c-%c", lo, hi)
			}
			for c := lo; ; c++ {
				out = append(out, rune(c))
				if c == hi {
					break
				}
			}
			i += 2
		default:
			out = append(out, rune(s[i]))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty character class")
	}
	return out, nil
}

// shorten cuts a value quoted in a message to a readable length.
func shorten(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
