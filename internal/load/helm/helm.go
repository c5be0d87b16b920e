package helm

import (
	"fmt"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/load/kube"
	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/model"
)

// Namespace is the release namespace charts are rendered for.
const Namespace = "default"

// DefaultKubeVersion is the Kubernetes version charts see in
// .Capabilities unless Options.KubeVersion says otherwise: the one whose API
// (k8s.io/api v0.37) rightsize is built against, rather than the SDK's
// v1.20 default, which makes some charts pick retired APIs.
const DefaultKubeVersion = "v1.37.0"

// Options are the Helm loader's knobs.
type Options struct {
	// Values are values files, merged in order.
	Values []string
	// Set holds KEY=VALUE values (Helm's --set syntax), applied last.
	Set []string
	// Kube is handed to kube.Decode.
	Kube kube.Options
	// KubeVersion is the version charts see in .Capabilities.KubeVersion
	// ("v1.30.2"); "" means DefaultKubeVersion.
	KubeVersion string
}

// kubeVersion parses opts.KubeVersion.
func (o Options) kubeVersion() (chartutil.KubeVersion, error) {
	v := o.KubeVersion
	if v == "" {
		v = DefaultKubeVersion
	}
	kv, err := chartutil.ParseKubeVersion(v)
	if err != nil {
		return chartutil.KubeVersion{}, fmt.Errorf("Kubernetes version %q: %w", v, err)
	}
	return *kv, nil
}

// Load renders the chart at path and decodes the result.
func Load(path string, opts Options) ([]*model.Object, []model.Finding, error) {
	ch, err := loader.Load(path)
	if err != nil {
		return nil, nil, fmt.Errorf("loading chart %s: %w", path, err)
	}
	vals, err := values(opts)
	if err != nil {
		return nil, nil, err
	}
	return Render(ch, path, vals, opts)
}

// values merges the values files and --set values.
func values(opts Options) (map[string]any, error) {
	base := map[string]any{}
	for _, f := range opts.Values {
		data, err := limit.ReadFile(f, limit.DefaultInput)
		if err != nil {
			return nil, fmt.Errorf("reading values file %s: %w", f, err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		base = merge(base, m)
	}
	for _, kv := range opts.Set {
		if err := strvals.ParseInto(kv, base); err != nil {
			return nil, fmt.Errorf("value %s: %w", kv, err)
		}
	}
	return base, nil
}

// merge merges b into a, recursively, b winning (as Helm merges values files).
func merge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = merge(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// Render renders a loaded chart with the given values (over the chart's
// own) and decodes every manifest, CRDs and hooks included.
func Render(ch *chart.Chart, path string, vals map[string]any, opts Options) ([]*model.Object, []model.Finding, error) {
	kopts := opts.Kube
	kv, err := opts.kubeVersion()
	if err != nil {
		return nil, nil, err
	}
	name := ch.Name()
	where := fmt.Sprintf("chart %s (%s)", name, path)
	if err := ch.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where, err)
	}
	if err := checkDependencies(ch); err != nil {
		return nil, nil, fmt.Errorf("%s: dependencies: %w", where, err)
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, nil, fmt.Errorf("%s: dependencies: %w", where, err)
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = kv
	rel := chartutil.ReleaseOptions{Name: name, Namespace: Namespace, Revision: 1, IsInstall: true}
	rv, err := chartutil.ToRenderValuesWithSchemaValidation(ch, vals, rel, caps, false)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: values: %w", where, err)
	}
	chartValues, _ := rv["Values"].(chartutil.Values)
	if err := guardTemplates(ch, chartValues); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where, err)
	}
	files, err := engine.Render(ch, rv)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: rendering: %w", where, err)
	}
	if err := checkRendered(files, kopts.Limits.Defaults().Expansion); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where, err)
	}
	for f := range files {
		if strings.HasSuffix(f, "NOTES.txt") {
			delete(files, f)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, caps.APIVersions, releaseutil.InstallOrder)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where, err)
	}
	var objs []*model.Object
	var findings []model.Finding
	decode := func(data, file string) ([]*model.Object, error) {
		o, f, err := kube.Decode([]byte(data), file, kopts)
		if err != nil {
			return nil, err
		}
		for _, x := range o {
			x.Source.Format = "helm"
		}
		objs = append(objs, o...)
		findings = append(findings, f...)
		return o, nil
	}
	crds := ch.CRDObjects()
	sort.Slice(crds, func(i, j int) bool { return crds[i].Filename < crds[j].Filename })
	for _, crd := range crds {
		if _, err := decode(string(crd.File.Data), crd.Filename); err != nil {
			return nil, nil, err
		}
	}
	for _, m := range manifests {
		if _, err := decode(m.Content, m.Name); err != nil {
			return nil, nil, err
		}
	}
	for _, h := range hooks {
		o, err := decode(h.Manifest, h.Path)
		if err != nil {
			return nil, nil, err
		}
		var events []string
		for _, e := range h.Events {
			events = append(events, string(e))
		}
		for _, x := range o {
			findings = append(findings, model.Finding{Severity: model.Info, Key: "helm", Object: x.Key(),
				Message: fmt.Sprintf("hook (%s) included: Helm creates it at %s, and it is charged while it exists", h.Path, strings.Join(events, ", "))})
		}
	}
	findings = append(findings, model.Finding{Severity: model.Info, Key: "helm", Message: fmt.Sprintf("chart %s %s rendered on the client as release %s in namespace %s (Kubernetes %s assumed by lookups and .Capabilities)", name, ch.Metadata.Version, name, Namespace, caps.KubeVersion.Version)})
	return objs, findings, nil
}
