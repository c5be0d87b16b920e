package compose

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// Numbers Kubernetes cannot carry are refused with their field, never
// wrapped (2^32 replicas used to become 0), clamped or dropped.
func TestNumbersRefused(t *testing.T) {
	for name, c := range map[string]struct{ svc, field string }{
		"scale 2^32":           {"scale: 4294967296", "services.web.scale"},
		"scale 2^32-1":         {"scale: 4294967295", "services.web.scale"},
		"replicas 2^31":        {"deploy: {replicas: 2147483648}", "services.web.deploy.replicas"},
		"cpus 1e300":           {"cpus: 1e300", "services.web.cpus"},
		"deploy cpus 1e300":    {"deploy: {resources: {limits: {cpus: '1e300'}}}", "services.web.deploy.resources.limits.cpus"},
		"mem_limit -5":         {"mem_limit: -5", "services.web.mem_limit"},
		"mem_reservation -1g":  {"mem_reservation: -1g", "services.web.mem_reservation"},
		"published 4294967376": {"ports: ['4294967376:80']", "services.web.ports"},
		"expose 4294967376":    {"expose: ['4294967376']", "services.web.expose[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			objs, _, err := load(t, "services:\n  web:\n    image: x\n    "+c.svc+"\n", Options{}, nil)
			if err == nil {
				d := model.Lookup[*appsv1.Deployment](objs, "Deployment", "web")
				if d != nil {
					t.Fatalf("accepted: replicas %d, resources %v", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Resources)
				}
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Errorf("err = %v, want it to name %s", err, c.field)
			}
		})
	}
}
