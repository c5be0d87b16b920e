// Package appgen generates synthetic applications for benchmarks: a mix of
// Deployments (with init containers and native sidecars), StatefulSets with
// claims, DaemonSets, Jobs and CronJobs, with Services and ConfigMaps.
package appgen

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
)

// Generate returns the application as YAML.
func Generate(n int, seed uint64) []byte {
	var b bytes.Buffer
	_ = Write(&b, n, seed)
	return b.Bytes()
}

// Write writes n workloads (and their Services and ConfigMaps) to w.
func Write(w io.Writer, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	cpu := func() string { return fmt.Sprintf("%dm", 10*(1+r.IntN(50))) }
	mem := func() string { return fmt.Sprintf("%dMi", 16*(1+r.IntN(32))) }
	resources := func(indent string) string {
		switch r.IntN(4) {
		case 0: // none
			return ""
		case 1: // limits only
			return fmt.Sprintf("%sresources:\n%s  limits: {cpu: %s, memory: %s}\n", indent, indent, cpu(), mem())
		default:
			c, m := cpu(), mem()
			return fmt.Sprintf("%sresources:\n%s  requests: {cpu: %s, memory: %s}\n%s  limits: {cpu: %s, memory: %s}\n", indent, indent, c, m, indent, c, m)
		}
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("svc-%05d", i)
		var spec bytes.Buffer
		fmt.Fprintf(&spec, "      containers:\n      - name: app\n        image: example.com/%s:1.0\n        ports: [{containerPort: 8080}]\n        env: [{name: PEER, value: \"http://svc-%05d:80\"}]\n%s", name, (i+1)%n, resources("        "))
		if r.IntN(5) == 0 {
			fmt.Fprintf(&spec, "      initContainers:\n      - name: migrate\n        image: example.com/migrate:1\n%s", resources("        "))
			if r.IntN(2) == 0 {
				fmt.Fprintf(&spec, "      - name: proxy\n        image: example.com/proxy:1\n        restartPolicy: Always\n%s", resources("        "))
			}
		}
		labels := fmt.Sprintf("{app: %s}", name)
		var err error
		switch k := r.IntN(20); {
		case k < 14:
			_, err = fmt.Fprintf(w, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s}\nspec:\n  replicas: %d\n  selector: {matchLabels: %s}\n  template:\n    metadata: {labels: %s}\n    spec:\n%s---\n", name, 1+r.IntN(3), labels, labels, spec.String())
		case k < 16:
			_, err = fmt.Fprintf(w, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: %s}\nspec:\n  replicas: %d\n  serviceName: %s\n  selector: {matchLabels: %s}\n  template:\n    metadata: {labels: %s}\n    spec:\n%s  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: %dGi}}}\n---\n", name, 1+r.IntN(3), name, labels, labels, spec.String(), 1+r.IntN(5))
		case k < 17:
			_, err = fmt.Fprintf(w, "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: %s}\nspec:\n  selector: {matchLabels: %s}\n  template:\n    metadata: {labels: %s}\n    spec:\n%s---\n", name, labels, labels, spec.String())
		case k < 19:
			_, err = fmt.Fprintf(w, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: %s}\nspec:\n  parallelism: %d\n  template:\n    metadata: {labels: %s}\n    spec:\n      restartPolicy: Never\n%s---\n", name, 1+r.IntN(3), labels, spec.String())
		default:
			_, err = fmt.Fprintf(w, "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: %s}\nspec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: %s}\n        spec:\n          restartPolicy: Never\n%s---\n", name, labels, indentBlock(spec.String(), "    "))
		}
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, service(r, name, labels)); err != nil {
			return err
		}
		if i%10 == 0 {
			if _, err := fmt.Fprintf(w, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s-config}\ndata: {LOG_LEVEL: info}\n---\n", name); err != nil {
				return err
			}
		}
	}
	return nil
}

func indentBlock(s, prefix string) string {
	var b bytes.Buffer
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			b.WriteString(prefix)
			b.WriteString(s[start : i+1])
			start = i + 1
		}
	}
	return b.String()
}

// service returns a Service of one of every type a manifest can declare
// (ClusterIP, headless, NodePort, LoadBalancer, ExternalName), mostly
// ClusterIP as real apps have them.
func service(r *rand.Rand, name, labels string) string {
	head := fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata: {name: %s}\nspec:\n", name)
	switch k := r.IntN(20); {
	case k < 2:
		return head + fmt.Sprintf("  type: NodePort\n  selector: %s\n  ports: [{port: 80, targetPort: 8080}]\n---\n", labels)
	case k < 3:
		return head + fmt.Sprintf("  type: LoadBalancer\n  selector: %s\n  ports: [{port: 80, targetPort: 8080}, {name: metrics, port: 9090}]\n---\n", labels)
	case k < 5:
		return head + fmt.Sprintf("  clusterIP: None\n  selector: %s\n  ports: [{port: 8080}]\n---\n", labels)
	case k < 6:
		return head + fmt.Sprintf("  type: ExternalName\n  externalName: %s.example.com\n---\n", name)
	}
	return head + fmt.Sprintf("  type: ClusterIP\n  selector: %s\n  ports: [{port: 80, targetPort: 8080}]\n---\n", labels)
}
