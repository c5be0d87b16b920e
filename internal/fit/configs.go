package fit

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/rewrite"
	"github.com/rightsize/rightsize/internal/solve"
)

// configKinds are the object kinds whose counts fit reduces by merging:
// the change kind that allows it and the quota keys that count them.
var configKinds = []struct {
	kind, allow string
	keys        []corev1.ResourceName
}{
	{"ConfigMap", AllowConfigMaps, []corev1.ResourceName{corev1.ResourceConfigMaps, "count/configmaps"}},
	{"Secret", AllowSecrets, []corev1.ResourceName{corev1.ResourceSecrets, "count/secrets"}},
}

// configs: while a ConfigMap or Secret count binds, merge ConfigMaps (and,
// when allowed, Opaque Secrets of one namespace) into one, every reference
// of the app's pods rewritten so that each container reads the same env
// vars and files (names.ConfigBroken proves it).
func (f *fitter) configs() error {
	for _, ck := range configKinds {
		if !f.opts.allowed(ck.allow) {
			continue
		}
		fp, err := f.footprint()
		if err != nil {
			return err
		}
		need, why := countOver(fp, ck.keys)
		if need <= 0 {
			continue
		}
		pins := rewrite.ConfigPins(f.app)
		var cands []solve.ConfigCandidate
		var kept []string
		data := names.ConfigData(f.app)
		for i, o := range f.app.Objects {
			if o.Kind() != ck.kind {
				continue
			}
			if why := pins[i]; why != "" {
				kept = append(kept, o.Ref()+": "+why)
				continue
			}
			cands = append(cands, solve.ConfigCandidate{Object: i, Class: configClass(o), Size: dataSize(data[names.ConfigID(o.Kind(), o.Namespace(), o.Name())])})
		}
		groups, left := solve.ConfigMerges(cands, int(need), rewrite.MaxConfigSize)
		if left > 0 {
			msg := fmt.Sprintf("%d %s(s) too many and merging the others cannot remove them", need, ck.kind)
			if len(kept) > 0 {
				msg += "; kept: " + strings.Join(firstUnique(kept, 6), "; ")
			}
			f.res.Findings = append(f.res.Findings, model.Finding{Severity: model.Warning, Key: ck.allow, Message: msg})
			continue
		}
		var ops []solve.Op
		for _, g := range groups {
			ops = append(ops, solve.Op{Kind: solve.OpMergeConfig, Object: -1, Members: g, Reason: why + "; merged so that the pods read the same values from fewer objects"})
		}
		if _, err := f.apply(ck.allow, ops); err != nil {
			return err
		}
	}
	return nil
}

// configClass is what objects must share to merge: kind, namespace and a
// Secret's type.
func configClass(o *model.Object) string {
	c := o.Kind() + "\x00" + o.Namespace()
	if s, ok := o.Obj.(*corev1.Secret); ok {
		c += "\x00" + string(s.Type)
	}
	return c
}

func dataSize(d map[string]string) int {
	n := 0
	for k, v := range d {
		n += len(k) + len(v)
	}
	return n
}
