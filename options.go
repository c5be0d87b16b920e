package rightsize

import (
	"fmt"
	"io"
	"sort"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/load/limit"
)

// OptionError is returned when an option does not apply to the input or to
// the call: a Helm values file for plain Kubernetes manifests, a target for
// Convert. Option is the option's name as this package spells it (the
// function without its "With": "HelmValues").
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("option %s: %s", e.Option, e.Reason)
}

// Option names, as OptionError.Option reports them.
const (
	OptFormat             = "Format"
	OptTemplateParams     = "TemplateParams"
	OptTemplateParamFiles = "TemplateParamFiles"
	OptTemplateSeed       = "TemplateSeed"
	OptHelmValues         = "HelmValues"
	OptSet                = "Set"
	OptRancherAnswers     = "RancherAnswers"
	OptComposeEnvFiles    = "ComposeEnvFiles"
	OptComposeProfiles    = "ComposeProfiles"
	OptStatefulSets       = "StatefulSets"
	OptComposeClaimSize   = "ComposeClaimSize"
	OptHelmKubeVersion    = "HelmKubeVersion"
	OptTarget             = "Target"
)

// LoadOption configures LoadApp.
type LoadOption func(*loadOptions)

// loadOptions are LoadApp's knobs; set records which ones the caller gave,
// so that those that do not apply to the detected input can be refused.
type loadOptions struct {
	format     string
	stdin      io.Reader
	params     []string
	paramFiles []string
	seed       int64
	values     []string
	set        []string
	answers    string
	envFiles   []string
	profiles   []string
	stateful   []string
	claimSize  *resource.Quantity
	kubeVer    string
	limits     limit.Limits
	limitErr   error
	given      map[string]bool
}

func (o *loadOptions) mark(name string) {
	if o.given == nil {
		o.given = map[string]bool{}
	}
	o.given[name] = true
}

// WithFormat forces the input format of every path: kubernetes, compose,
// rancher, vamp, helm or kustomize. Without it each path's is detected.
func WithFormat(format string) LoadOption {
	return func(o *loadOptions) { o.format = format; o.mark(OptFormat) }
}

// WithStdin gives the reader the path "-" reads.
func WithStdin(r io.Reader) LoadOption { return func(o *loadOptions) { o.stdin = r } }

// WithTemplateParams sets OpenShift Template parameters, "KEY=VALUE" each.
func WithTemplateParams(kv ...string) LoadOption {
	return func(o *loadOptions) { o.params = append(o.params, kv...); o.mark(OptTemplateParams) }
}

// WithTemplateParamFiles reads OpenShift Template parameters from files of
// KEY=VALUE lines.
func WithTemplateParamFiles(files ...string) LoadOption {
	return func(o *loadOptions) { o.paramFiles = append(o.paramFiles, files...); o.mark(OptTemplateParamFiles) }
}

// WithTemplateSeed seeds the generator of OpenShift Template parameters
// that say "generate: expression", making them reproducible. Without it (or
// with 0) they are random per run, as oc process makes them, so that two
// users of one template never share a generated password.
func WithTemplateSeed(seed int64) LoadOption {
	return func(o *loadOptions) { o.seed = seed; o.mark(OptTemplateSeed) }
}

// WithHelmValues adds Helm values files, in order.
func WithHelmValues(files ...string) LoadOption {
	return func(o *loadOptions) { o.values = append(o.values, files...); o.mark(OptHelmValues) }
}

// WithSet sets Helm values or Rancher answers, "KEY=VALUE" each.
func WithSet(kv ...string) LoadOption {
	return func(o *loadOptions) { o.set = append(o.set, kv...); o.mark(OptSet) }
}

// WithRancherAnswers reads a Rancher catalog answers file (KEY=VALUE lines,
// YAML or JSON).
func WithRancherAnswers(file string) LoadOption {
	return func(o *loadOptions) { o.answers = file; o.mark(OptRancherAnswers) }
}

// WithComposeEnvFiles adds Compose environment files.
func WithComposeEnvFiles(files ...string) LoadOption {
	return func(o *loadOptions) { o.envFiles = append(o.envFiles, files...); o.mark(OptComposeEnvFiles) }
}

// WithComposeProfiles enables Compose profiles.
func WithComposeProfiles(profiles ...string) LoadOption {
	return func(o *loadOptions) { o.profiles = append(o.profiles, profiles...); o.mark(OptComposeProfiles) }
}

// WithStatefulSets names Compose or Rancher services to convert to
// StatefulSets (a claim per replica) rather than Deployments.
func WithStatefulSets(services ...string) LoadOption {
	return func(o *loadOptions) { o.stateful = append(o.stateful, services...); o.mark(OptStatefulSets) }
}

// WithComposeClaimSize sets what the claim of a Compose or Rancher named
// volume requests (default 1Gi; a volume's driver_opts size wins).
func WithComposeClaimSize(q resource.Quantity) LoadOption {
	return func(o *loadOptions) { o.claimSize = &q; o.mark(OptComposeClaimSize) }
}

// WithHelmKubeVersion sets the Kubernetes version charts see in
// .Capabilities.KubeVersion (default: the version rightsize follows).
func WithHelmKubeVersion(v string) LoadOption {
	return func(o *loadOptions) { o.kubeVer = v; o.mark(OptHelmKubeVersion) }
}

// formatOptions says which formats each option applies to.
var formatOptions = map[string][]string{
	OptTemplateParams:     {"kubernetes", "openshift", "helm", "kustomize"},
	OptTemplateParamFiles: {"kubernetes", "openshift", "helm", "kustomize"},
	OptTemplateSeed:       {"kubernetes", "openshift", "helm", "kustomize"},
	OptHelmValues:         {"helm"},
	OptSet:                {"helm", "rancher"},
	OptRancherAnswers:     {"rancher"},
	OptComposeEnvFiles:    {"compose"},
	OptComposeProfiles:    {"compose"},
	OptStatefulSets:       {"compose", "rancher"},
	OptComposeClaimSize:   {"compose", "rancher"},
	OptHelmKubeVersion:    {"helm"},
}

// formatNames are the formats' names in OptionError reasons.
var formatNames = map[string]string{
	"kubernetes": "Kubernetes manifests", "openshift": "OpenShift templates", "compose": "Compose files",
	"rancher": "Rancher catalog entries", "vamp": "Vamp blueprints", "helm": "Helm charts", "kustomize": "Kustomize directories",
}

func sortedOptions(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func uniq(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
