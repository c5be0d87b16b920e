package workload

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"web":                   "web",
		"Web_App":               "web-app",
		"redis.cache--1":        "redis-cache-1",
		"9lives":                "x-9lives",
		"__":                    "x",
		strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		got := Sanitize(in)
		if got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
		if errs := validation.IsDNS1035Label(got); len(errs) > 0 {
			t.Errorf("Sanitize(%q) = %q is not a DNS-1035 label: %v", in, got, errs)
		}
	}
}

func TestNamerCollisions(t *testing.T) {
	set := &Set{}
	n := Namer{What: "service"}
	b, a, c := n.Name(set, "web-app"), n.Name(set, "web_app"), n.Name(set, "web.app")
	if b != "web-app" || a != "web-app-2" || c != "web-app-3" {
		t.Errorf("names = %s, %s, %s: want unique names in order", a, b, c)
	}
	if again := n.Name(set, "web_app"); again != a {
		t.Errorf("second call gave %s, want %s", again, a)
	}
	if len(set.Findings) != 2 {
		t.Errorf("findings = %+v, want one per rename (web_app, web.app)", set.Findings)
	}
	if r := n.Renames(); r["web_app"] != "web-app-2" || r["web.app"] != "web-app-3" || len(r) != 2 {
		t.Errorf("renames = %v", r)
	}
}

func TestQuantities(t *testing.T) {
	for bytes, want := range map[int64]string{512 << 20: "512Mi", 3 << 30: "3Gi", 1536 << 20: "1536Mi", 1000: "1k"} {
		if got := Memory(bytes); got.String() != want {
			t.Errorf("Memory(%d) = %s, want %s", bytes, got.String(), want)
		}
	}
	for cores, want := range map[float64]string{0.5: "500m", 2: "2", 0.0001: "1m", 0.2: "200m"} {
		if got := CPU(cores); got.String() != want {
			t.Errorf("CPU(%v) = %s, want %s", cores, got.String(), want)
		}
	}
}

func TestReplaceHost(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"http://db_main:5432/x", "http://db-main:5432/x"},
		{"db_main", "db-main"},
		{"db_main_replica", "db_main_replica"},
		{"mydb_main", "mydb_main"},
		{"db_main,db_main.local", "db-main,db-main.local"},
	} {
		if got, _ := replaceHost(c.in, "db_main", "db-main"); got != c.want {
			t.Errorf("replaceHost(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
