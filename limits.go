package rightsize

import "fmt"

// Limit names, for WithLimit. Loading keeps to these bounds so that no
// input, however large or hostile, exhausts memory or hangs; an input over
// one fails with an error that names the limit and its value.
const (
	// LimitInput is the most bytes read from one file or standard input
	// (default 64 MiB).
	LimitInput = "input"
	// LimitDocuments is the most YAML or JSON documents in one file (default
	// 100,000).
	LimitDocuments = "documents"
	// LimitObject is the most bytes of one object's manifest (default 3 MiB,
	// the API server's request body limit).
	LimitObject = "object"
	// LimitExpansion is the most bytes an OpenShift, Helm or Rancher template
	// may expand to (default 64 MiB).
	LimitExpansion = "expansion"
	// LimitGenerated is the most characters of one generated OpenShift
	// template parameter (default 1024).
	LimitGenerated = "generated"
)

// WithLimit sets one of the bounds loading keeps to (LimitInput, ...) to
// value, a positive number of bytes or items: raise one for a trusted
// input that needs more.
func WithLimit(name string, value int64) LoadOption {
	return func(o *loadOptions) {
		if value <= 0 {
			o.limitErr = &OptionError{Option: "Limit", Reason: fmt.Sprintf("%s: %d is not a positive value", name, value)}
			return
		}
		if err := o.limits.Set(fmt.Sprintf("%s=%d", name, value)); err != nil {
			o.limitErr = &OptionError{Option: "Limit", Reason: err.Error()}
		}
	}
}
