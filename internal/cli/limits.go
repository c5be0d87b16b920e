package cli

import (
	"strings"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize"
)

// limitFlags are the --limit NAME=VALUE flags: bounds loading keeps to.
type limitFlags struct {
	limits []string
}

func (f *limitFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.limits, "limit", nil, "raise a loading limit for a trusted input, NAME=VALUE (repeatable): input=64Mi, documents=100000, object=3Mi, expansion=64Mi, generated=1024, ports=1000 (the defaults)")
}

// options turns --limit flags into library options.
func (f *limitFlags) options() ([]rightsize.LoadOption, error) {
	var opts []rightsize.LoadOption
	for _, kv := range f.limits {
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usageError("--limit %q: want NAME=VALUE", kv)
		}
		q, err := resource.ParseQuantity(val)
		if err != nil || q.Sign() <= 0 {
			return nil, usageError("--limit %s: %q is not a positive size or count", name, val)
		}
		opts = append(opts, rightsize.WithLimit(name, q.Value()))
	}
	return opts, nil
}
