package kube

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rightsize/rightsize/internal/load/limit"
)

func TestDecodeErrorsPoint(t *testing.T) {
	const dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n      - {name: a, image: x}\n      - name: b\n        image: y2\n        ports: [{containerPort: 80}, {containerPort: %s}]\n"
	for name, c := range map[string]struct{ value, want string }{
		"fraction": {"3.5", "spec.template.spec.containers[1].ports[1].containerPort: invalid value 3.5: want a whole number"},
		"overflow": {"4294967296", "spec.template.spec.containers[1].ports[1].containerPort: invalid value 4294967296: want a whole number from -2147483648 to 2147483647"},
		"object":   {"{a: 1}", "spec.template.spec.containers[1].ports[1].containerPort: cannot use a object as a whole number"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Decode([]byte(fmt.Sprintf(dep, c.value)), "web.yaml", Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant it to hold %q", err, c.want)
			}
		})
	}
}

func TestSecretBase64ErrorNamesKeyNotValue(t *testing.T) {
	doc := "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  good: aGVsbG8=\n  token: not!base64-sup3rs3cret\n"
	_, _, err := Decode([]byte(doc), "s.yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), "data[token]") {
		t.Fatalf("err = %v, want it to name data[token]", err)
	}
	if strings.Contains(err.Error(), "sup3rs3cret") {
		t.Errorf("the error prints the secret: %v", err)
	}
}

func TestDecodeLimits(t *testing.T) {
	many := strings.Repeat("a: 1\n---\n", 10)
	_, _, err := Decode([]byte(many), "m.yaml", Options{Limits: limit.Limits{Documents: 5}})
	var le *limit.Error
	if !errors.As(err, &le) || le.Limit != "documents" {
		t.Errorf("10 documents over a limit of 5: err = %v", err)
	}
	big := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: " + strings.Repeat("x", 4<<20) + "\n"
	_, _, err = Decode([]byte(big), "c.yaml", Options{})
	if !errors.As(err, &le) || le.Limit != "object" {
		t.Errorf("a 4 MiB object: err = %v, want the object limit", err)
	}
}

const genTemplate = `apiVersion: template.openshift.io/v1
kind: Template
metadata: {name: t}
parameters:
- {name: PASSWORD, generate: expression, from: "[a-zA-Z0-9]{32}"}
objects:
- apiVersion: v1
  kind: Secret
  metadata: {name: s}
  stringData: {password: "${PASSWORD}"}
`

func generatedPassword(t *testing.T, seed int64) string {
	t.Helper()
	objs, findings, err := Decode([]byte(genTemplate), "t.yaml", Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	pw := objs[0].Obj.(interface{ GetName() string })
	_ = pw
	u := fmt.Sprint(objs[0].Obj)
	found := false
	for _, f := range findings {
		if f.Key == "generated" && strings.Contains(f.Message, "PASSWORD") {
			found = true
		}
		if strings.Contains(u, f.Message) {
			t.Errorf("finding holds the value")
		}
	}
	if !found {
		t.Errorf("no finding says PASSWORD was generated: %v", findings)
	}
	return u
}

func TestGeneratedRandomUnlessSeeded(t *testing.T) {
	if generatedPassword(t, 0) == generatedPassword(t, 0) {
		t.Error("two runs without a seed generated the same password")
	}
	if generatedPassword(t, 42) != generatedPassword(t, 42) {
		t.Error("the same seed generated different values")
	}
}

func TestTemplateExpansionBounded(t *testing.T) {
	// A short generated value used many times.
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Template\nmetadata: {name: t}\nparameters:\n- {name: P, generate: expression, from: \"[a-z]{1000}\"}\nobjects:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data:\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "    k%d: \"${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}${P}\"\n", i)
	}
	_, _, err := Decode([]byte(b.String()), "t.yaml", Options{Seed: 1, Limits: limit.Limits{Expansion: 8 << 20}})
	var le *limit.Error
	if !errors.As(err, &le) || le.Limit != "expansion" {
		t.Errorf("err = %v, want the expansion limit", err)
	}
	// A generated value longer than the limit.
	long := strings.Replace(genTemplate, "{32}", "{4096}[a-z]{4096}", 1)
	_, _, err = Decode([]byte(long), "t.yaml", Options{Seed: 1})
	if !errors.As(err, &le) || le.Limit != "generated" {
		t.Errorf("err = %v, want the generated limit", err)
	}
}
