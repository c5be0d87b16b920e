package cli

import (
	"strings"
	"testing"
)

// Flags that do not apply to the input or the command are usage errors
// that name the flag and say why.
func TestFlagsThatDoNotApply(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"analyze", "../../examples/shop", "--values", "x.yaml"}, []string{"--values", "Helm charts", "Kubernetes manifests"}},
		{[]string{"analyze", "../../examples/shop", "--answers", "y"}, []string{"--answers", "Rancher"}},
		{[]string{"fit", "../../examples/shop", "--env-file", "e"}, []string{"--env-file", "Compose"}},
		{[]string{"convert", "../../examples/shop", "--target", "nowhere"}, []string{"--target", "convert does not use a target"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errs, code := run(t, c.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d\n%s%s", code, ExitUsage, out, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("message %q lacks %q", errs, w)
				}
			}
			if strings.Contains(errs, "option ") {
				t.Errorf("message %q speaks of the library's options, not flags", errs)
			}
		})
	}
}
