package verify_test

import (
	"encoding/json"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/verify"
)

func dumpReport(r *verify.Report) string {
	data, _ := json.MarshalIndent(r, "", "  ")
	return string(data)
}

// dumpObjects renders objects as YAML documents, for failure messages that
// let the case be replayed with 'rightsize verify'.
func dumpObjects(app *model.App) string {
	var docs []string
	for _, o := range app.Objects {
		data, err := yaml.Marshal(o.Obj)
		if err != nil {
			docs = append(docs, "# "+o.Ref()+": "+err.Error())
			continue
		}
		docs = append(docs, string(data))
	}
	return strings.Join(docs, "---\n")
}

func dumpTarget(t *model.Target) string {
	var docs []string
	for _, q := range t.Quotas {
		data, _ := yaml.Marshal(q)
		docs = append(docs, "apiVersion: v1\nkind: ResourceQuota\n"+string(data))
	}
	for _, l := range t.LimitRanges {
		data, _ := yaml.Marshal(l)
		docs = append(docs, "apiVersion: v1\nkind: LimitRange\n"+string(data))
	}
	return strings.Join(docs, "---\n")
}
