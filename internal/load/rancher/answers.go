package rancher

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/rightsize/rightsize/internal/load/limit"
)

// answer is a value and where it came from, for messages.
type answer struct{ value, from string }

// readAnswers reads an answers file: KEY=VALUE lines, or a YAML or JSON
// mapping.
func readAnswers(file string) (map[string]answer, error) {
	out := map[string]answer{}
	if file == "" {
		return out, nil
	}
	data, err := limit.ReadFile(file, limit.DefaultInput)
	if err != nil {
		return nil, fmt.Errorf("reading answers file %s: %w", file, err)
	}
	return parseAnswers(data, file)
}

// parseAnswers reads the contents of an answers file.
func parseAnswers(data []byte, file string) (map[string]answer, error) {
	out := map[string]answer{}
	var m map[string]any
	if err := unmarshal(data, &m); err == nil && m != nil {
		for k, v := range m {
			switch v.(type) {
			case map[string]any, []any:
				return nil, fmt.Errorf("%s: %s: want a single value, got %T", file, k, v)
			case nil:
				out[k] = answer{"", file}
			default:
				out[k] = answer{fmt.Sprint(v), file}
			}
		}
		return out, nil
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s:%d: want KEY=VALUE (the line is not shown: it may hold a secret)", file, i+1)
		}
		out[strings.TrimSpace(k)] = answer{v, fmt.Sprintf("%s:%d", file, i+1)}
	}
	return out, nil
}

// answerQuestions returns the value of every question: its answer, else its
// default. An answer to no question, a required question without answer or
// default, and an answer of the wrong type are errors.
func answerQuestions(rc *rancherCompose, answersFile string, set []string) (map[string]string, []string, error) {
	answers, err := readAnswers(answersFile)
	if err != nil {
		return nil, nil, err
	}
	return resolveAnswers(rc, answers, set)
}

// resolveAnswers is answerQuestions on answers already read.
func resolveAnswers(rc *rancherCompose, answers map[string]answer, set []string) (map[string]string, []string, error) {
	for _, kv := range set {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, nil, fmt.Errorf("answer %q: want KEY=VALUE", kv)
		}
		answers[k] = answer{v, "answer " + k}
	}
	known := map[string]Question{}
	var names []string
	for _, q := range rc.catalog.Questions {
		known[q.Variable] = q
		names = append(names, q.Variable)
	}
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := known[k]; !ok {
			a := answers[k]
			return nil, nil, fmt.Errorf("%s: %s: no such question in %s (questions: %s)", a.from, k, rc.file, strings.Join(names, ", "))
		}
	}
	values := map[string]string{}
	var notes []string
	for i, q := range rc.catalog.Questions {
		a, answered := answers[q.Variable]
		def := ""
		if q.Default != nil {
			def = fmt.Sprint(q.Default)
		}
		switch {
		case answered && (a.value != "" || !q.Required):
		case def != "":
			a = answer{def, fmt.Sprintf("%s: %s.questions[%d].default", rc.file, rc.catKey, i)}
			if q.Secret() {
				notes = append(notes, fmt.Sprintf("question %s: default used (a secret: value not shown)", q.Variable))
			} else {
				notes = append(notes, fmt.Sprintf("question %s: default %q used", q.Variable, def))
			}
		case q.Required:
			return nil, nil, fmt.Errorf("%s: %s.questions[%d] (%s): required question has no answer and no default (give the answer %s=VALUE)", rc.file, rc.catKey, i, q.Variable, q.Variable)
		}
		if err := checkType(q, a.value); err != nil && q.Secret() {
			return nil, nil, fmt.Errorf("%s: %s: want a %s (value not shown: a secret)", a.from, q.Variable, q.Type)
		} else if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", a.from, q.Variable, err)
		}
		values[q.Variable] = a.value
	}
	return values, notes, nil
}

func checkType(q Question, v string) error {
	if v == "" {
		return nil
	}
	switch q.Type {
	case "int":
		if _, err := strconv.Atoi(v); err != nil {
			return fmt.Errorf("want an int, got %q", v)
		}
	case "float":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Errorf("want a number, got %q", v)
		}
	case "boolean":
		if v != "true" && v != "false" {
			return fmt.Errorf("want true or false, got %q", v)
		}
	case "enum":
		for _, o := range q.Options {
			if o == v {
				return nil
			}
		}
		return fmt.Errorf("want one of %s, got %q", strings.Join(q.Options, ", "), v)
	}
	return nil
}

// secretWords mark a question whose value is a secret even when its type is
// not password.
var secretWords = []string{"password", "passwd", "secret", "token", "apikey", "api_key", "private_key", "credential"}

// Secret tells whether the question's value must never be shown: a password
// question, or one whose name says it holds a secret.
func (q Question) Secret() bool {
	if q.Type == "password" {
		return true
	}
	v := strings.ToLower(q.Variable)
	for _, w := range secretWords {
		if strings.Contains(v, w) {
			return true
		}
	}
	return false
}
