package names

import (
	"math/rand"
	"reflect"
	"regexp"
	"testing"
)

// wordRE is the expression words replaces.
var wordRE = regexp.MustCompile(`[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?`)

// scanCases are strings of the characters the scanners tell apart.
func scanCases() []string {
	cases := []string{"", "a", "-", ".", "a.", "a-.", ".a", "a.-b", "http://db:5432/x", "db.prod.svc.cluster.local:80", "x:y:8", "::", "é-a", "\xff\xfea.b-", "redis.conf", "until nc -z a 80; do sleep 1; done"}
	r := rand.New(rand.NewSource(14))
	alphabet := []byte("aZ09.-:/@ _\xc3\xa9\xff")
	for i := 0; i < 5000; i++ {
		b := make([]byte, r.Intn(24))
		for j := range b {
			b[j] = alphabet[r.Intn(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	return cases
}

func TestWordsMatchRegexp(t *testing.T) {
	for _, s := range scanCases() {
		if got, want := words(s), wordRE.FindAllString(s, -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("words(%q) = %q, the expression finds %q", s, got, want)
		}
	}
}

// TestPrefilters: a string the prefilters rule out has no match of the
// expressions they guard.
func TestPrefilters(t *testing.T) {
	matched := 0
	for _, s := range scanCases() {
		if !colonDigit(s) && hostPortRE.MatchString(s) {
			t.Fatalf("colonDigit(%q) is false, yet hostPortRE matches", s)
		}
		if hostPortRE.MatchString(s) {
			matched++
		}
	}
	if matched < 50 {
		t.Errorf("only %d cases match hostPortRE: the test says little", matched)
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range scanCases()[:20] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := words(s), wordRE.FindAllString(s, -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("words(%q) = %q, the expression finds %q", s, got, want)
		}
		if !colonDigit(s) && hostPortRE.MatchString(s) {
			t.Fatalf("colonDigit(%q) is false, yet hostPortRE matches", s)
		}
	})
}
