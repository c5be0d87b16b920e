package appgen

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// WriteWide writes n workloads shaped unlike Write's: spread over four
// namespaces that reach each other by qualified names; two to five
// containers a pod, a third of them with no resources at all (the
// LimitRange defaults them); every workload with two Services, two
// ConfigMaps and a Secret it reads as env vars, envFrom and volumes;
// StatefulSets with one or two claim templates, Deployments with claims
// of their own, Jobs and CronJobs with parallelism, some DaemonSets, and
// a PodDisruptionBudget or HorizontalPodAutoscaler for some Deployments.
func WriteWide(w io.Writer, n int, seed uint64) error {
	g := &wideGen{r: rand.New(rand.NewPCG(seed, 0x31de)), n: n}
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		g.workload(&b, i)
		if b.Len() > 1<<16 {
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WideGenerate returns WriteWide's application as bytes.
func WideGenerate(n int, seed uint64) []byte {
	var b bytes.Buffer
	_ = WriteWide(&b, n, seed)
	return b.Bytes()
}

type wideGen struct {
	r *rand.Rand
	n int
}

func (g *wideGen) ns(i int) string   { return fmt.Sprintf("team-%d", i%4) }
func (g *wideGen) name(i int) string { return fmt.Sprintf("wl-%05d", i) }

func (g *wideGen) workload(b *bytes.Buffer, i int) {
	name, ns := g.name(i), g.ns(i)
	labels := fmt.Sprintf("{app: %s, tier: t%d}", name, i%7)
	meta := fmt.Sprintf("metadata: {name: %s, namespace: %s, labels: %s}\n", name, ns, labels)
	k := g.r.IntN(20)
	claim := k >= 8 && k < 10 // a Deployment with a claim of its own
	pod := g.podSpec(i, claim)
	switch {
	case k < 10:
		fmt.Fprintf(b, "apiVersion: apps/v1\nkind: Deployment\n%sspec:\n  replicas: %d\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: %s}\n    spec:\n%s---\n",
			meta, 1+g.r.IntN(4), name, labels, indent(pod, "      "))
		g.deploymentExtras(b, i, claim)
	case k < 14:
		fmt.Fprintf(b, "apiVersion: apps/v1\nkind: StatefulSet\n%sspec:\n  replicas: %d\n  serviceName: %s-hl\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: %s}\n    spec:\n%s  volumeClaimTemplates:\n%s---\n",
			meta, 1+g.r.IntN(3), name, name, labels, indent(pod, "      "), g.claimTemplates())
	case k < 16:
		fmt.Fprintf(b, "apiVersion: batch/v1\nkind: Job\n%sspec:\n  parallelism: %d\n  completions: 4\n  template:\n    metadata: {labels: %s}\n    spec:\n      restartPolicy: OnFailure\n%s---\n",
			meta, 1+g.r.IntN(4), labels, indent(pod, "      "))
	case k < 18:
		fmt.Fprintf(b, "apiVersion: batch/v1\nkind: CronJob\n%sspec:\n  schedule: \"%d * * * *\"\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      parallelism: %d\n      template:\n        metadata: {labels: %s}\n        spec:\n          restartPolicy: Never\n%s---\n",
			meta, i%60, 1+g.r.IntN(2), labels, indent(pod, "          "))
	default:
		fmt.Fprintf(b, "apiVersion: apps/v1\nkind: DaemonSet\n%sspec:\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: %s}\n    spec:\n%s---\n",
			meta, name, labels, indent(pod, "      "))
	}
	g.services(b, i, k >= 10 && k < 14)
	g.configs(b, i)
}

// podSpec is a pod of 2 to 5 containers, with init containers and native
// sidecars at times, reading its ConfigMaps and Secret and naming peers.
func (g *wideGen) podSpec(i int, claim bool) string {
	name := g.name(i)
	peer, far := (i+1)%g.n, (i+g.n/2)%g.n
	var b bytes.Buffer
	b.WriteString("containers:\n")
	for c := 0; c < 2+g.r.IntN(4); c++ {
		fmt.Fprintf(&b, "- name: c%d\n  image: registry.example.com/%s/c%d:%d.%d\n", c, name, c, 1+g.r.IntN(3), g.r.IntN(10))
		if c == 0 {
			fmt.Fprintf(&b, "  ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9%03d}]\n", i%1000)
			fmt.Fprintf(&b, "  env:\n  - {name: PEER_URL, value: \"http://%s.%s.svc.cluster.local:80/api\"}\n  - {name: FAR, value: \"%s.%s:80\"}\n", g.name(peer), g.ns(peer), g.name(far), g.ns(far))
			fmt.Fprintf(&b, "  - name: LEVEL\n    valueFrom: {configMapKeyRef: {name: %s-env, key: LOG_LEVEL}}\n  - name: TOKEN\n    valueFrom: {secretKeyRef: {name: %s-creds, key: token}}\n", name, name)
			fmt.Fprintf(&b, "  envFrom: [{configMapRef: {name: %s-env}}]\n  volumeMounts:\n  - {name: conf, mountPath: /etc/app}\n  - {name: creds, mountPath: /var/run/creds}\n", name)
		} else {
			fmt.Fprintf(&b, "  args: [\"--upstream=localhost:8080\", \"--peer=%s:80\"]\n", g.name(peer))
			fmt.Fprintf(&b, "  ports: [{containerPort: %d}]\n", 9100+c)
		}
		if claim && c == 0 {
			b.WriteString("  - {name: data, mountPath: /data}\n")
		}
		b.WriteString(g.resources("  "))
	}
	if g.r.IntN(3) == 0 {
		fmt.Fprintf(&b, "initContainers:\n- name: wait\n  image: busybox:1.36\n  command: [sh, -c, \"until nslookup %s.%s; do sleep 1; done\"]\n%s", g.name(peer), g.ns(peer), g.resources("  "))
		if g.r.IntN(2) == 0 {
			fmt.Fprintf(&b, "- name: mesh\n  image: registry.example.com/mesh:2\n  restartPolicy: Always\n  ports: [{containerPort: 15001}]\n%s", g.resources("  "))
		}
	}
	fmt.Fprintf(&b, "volumes:\n- name: conf\n  configMap: {name: %s-files}\n- name: creds\n  secret: {secretName: %s-creds}\n", name, name)
	if claim {
		fmt.Fprintf(&b, "- name: data\n  persistentVolumeClaim: {claimName: %s-data}\n", name)
	}
	return b.String()
}

// resources: a third none, a sixth requests only, a sixth limits only, the
// rest both (some with a limit above the request).
func (g *wideGen) resources(indent string) string {
	cpu := func() string { return fmt.Sprintf("%dm", 5*(1+g.r.IntN(80))) }
	mem := func() string { return fmt.Sprintf("%dMi", 8*(1+g.r.IntN(64))) }
	switch g.r.IntN(6) {
	case 0, 1:
		return ""
	case 2:
		return fmt.Sprintf("%sresources: {requests: {cpu: %s, memory: %s}}\n", indent, cpu(), mem())
	case 3:
		return fmt.Sprintf("%sresources: {limits: {cpu: %s, memory: %s}}\n", indent, cpu(), mem())
	case 4:
		c, m := cpu(), mem()
		return fmt.Sprintf("%sresources: {requests: {cpu: %s, memory: %s}, limits: {cpu: %s, memory: %s}}\n", indent, c, m, c, m)
	}
	return fmt.Sprintf("%sresources: {requests: {cpu: %s, memory: %s}, limits: {cpu: 1, memory: 1Gi}}\n", indent, cpu(), mem())
}

func (g *wideGen) claimTemplates() string {
	var b strings.Builder
	for c := 0; c < 1+g.r.IntN(2); c++ {
		fmt.Fprintf(&b, "  - metadata: {name: vol%d}\n    spec: {accessModes: [ReadWriteOnce], storageClassName: standard, resources: {requests: {storage: %dGi}}}\n", c, 1+g.r.IntN(8))
	}
	return b.String()
}

// deploymentExtras: a claim the Deployment mounts, and a
// PodDisruptionBudget or an HorizontalPodAutoscaler for some.
func (g *wideGen) deploymentExtras(b *bytes.Buffer, i int, claim bool) {
	name, ns := g.name(i), g.ns(i)
	if claim {
		fmt.Fprintf(b, "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: %s-data, namespace: %s}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: %dGi}}}\n---\n", name, ns, 1+g.r.IntN(4))
	}
	switch g.r.IntN(10) {
	case 0:
		fmt.Fprintf(b, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: %s, namespace: %s}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: %s}}\n---\n", name, ns, name)
	case 1:
		fmt.Fprintf(b, "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: %s, namespace: %s}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}\n  minReplicas: 1\n  maxReplicas: 5\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]\n---\n", name, ns, name)
	}
}

// services: one ClusterIP Service (a NodePort one at times) and a headless
// one for StatefulSets (their governing Service) or a metrics one.
func (g *wideGen) services(b *bytes.Buffer, i int, stateful bool) {
	name, ns := g.name(i), g.ns(i)
	typ := "ClusterIP"
	if g.r.IntN(10) == 0 {
		typ = "NodePort"
	}
	fmt.Fprintf(b, "apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  type: %s\n  selector: {app: %s}\n  ports: [{name: http, port: 80, targetPort: http}]\n---\n", name, ns, typ, name)
	if stateful {
		fmt.Fprintf(b, "apiVersion: v1\nkind: Service\nmetadata: {name: %s-hl, namespace: %s}\nspec:\n  clusterIP: None\n  selector: {app: %s}\n  ports: [{port: 8080}]\n---\n", name, ns, name)
		return
	}
	fmt.Fprintf(b, "apiVersion: v1\nkind: Service\nmetadata: {name: %s-metrics, namespace: %s}\nspec:\n  selector: {app: %s}\n  ports: [{name: metrics, port: 9090, targetPort: metrics}]\n---\n", name, ns, name)
}

// configs: an env ConfigMap, a files ConfigMap (naming a peer of its
// namespace in its data) and an Opaque Secret.
func (g *wideGen) configs(b *bytes.Buffer, i int) {
	name, ns := g.name(i), g.ns(i)
	peer := (i + 4) % g.n // a Service of the same namespace, by its short name
	fmt.Fprintf(b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s-env, namespace: %s}\ndata: {LOG_LEVEL: info, WORKERS: \"%d\", FEATURE_X: \"on\"}\n---\n", name, ns, 1+g.r.IntN(8))
	fmt.Fprintf(b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s-files, namespace: %s}\ndata:\n  app.conf: |\n    listen 8080\n    upstream %s:80\n    timeout %ds\n---\n", name, ns, g.name(peer), 1+g.r.IntN(30))
	fmt.Fprintf(b, "apiVersion: v1\nkind: Secret\nmetadata: {name: %s-creds, namespace: %s}\ntype: Opaque\nstringData: {token: t-%08x, user: svc%d}\n---\n", name, ns, g.r.Uint32(), i)
}

func indent(s, prefix string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if line != "" {
			b.WriteString(prefix)
			b.WriteString(line)
		}
	}
	return b.String()
}

// Targets lists the targets WriteTarget writes.
var Targets = []string{"roomy", "counts", "nodes"}

// WriteTarget writes a target (ResourceQuota, LimitRange and Node objects)
// for an app of n workloads of WriteWide's shape, unlike the built-in
// plans: "roomy" fits it once requests and limits are scaled (LimitRange
// min, max and ratio included); "counts" also bounds Services,
// ConfigMaps, Secrets, claims and Deployments below what the app has;
// "nodes" sets no quota, only a LimitRange and three nodes.
func WriteTarget(w io.Writer, name string, n int) error {
	lr := "apiVersion: v1\nkind: LimitRange\nmetadata: {name: limits}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m, memory: 512Mi}\n    defaultRequest: {cpu: 50m, memory: 64Mi}\n    min: {cpu: 5m, memory: 8Mi}\n    max: {cpu: \"2\", memory: 4Gi}\n    maxLimitRequestRatio: {cpu: \"20\"}\n  - type: PersistentVolumeClaim\n    max: {storage: 50Gi}\n---\n"
	var s string
	switch name {
	case "roomy":
		s = fmt.Sprintf("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute}\nspec:\n  hard:\n    requests.cpu: \"%d\"\n    requests.memory: %dGi\n    limits.cpu: \"%d\"\n    limits.memory: %dGi\n    pods: \"%d\"\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: storage}\nspec:\n  hard:\n    requests.storage: %dGi\n    persistentvolumeclaims: \"%d\"\n---\n",
			n/4+1, n/4+1, n/2+1, n/2+1, 8*n, 20*n, 4*n) + lr
	case "counts":
		s = fmt.Sprintf("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute}\nspec:\n  hard:\n    requests.cpu: \"%d\"\n    limits.memory: %dGi\n    pods: \"%d\"\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: objects}\nspec:\n  hard:\n    services: \"%d\"\n    configmaps: \"%d\"\n    secrets: \"%d\"\n    persistentvolumeclaims: \"%d\"\n    count/deployments.apps: \"%d\"\n---\n",
			n/4+1, n/2+1, 3*n, 3*n/2, 3*n/2, 2*n, n, n/3) + lr
	case "nodes":
		s = lr
		for i := 0; i < 3; i++ {
			s += fmt.Sprintf("apiVersion: v1\nkind: Node\nmetadata: {name: node-%d, labels: {kubernetes.io/hostname: node-%d, kubernetes.io/os: linux}}\nstatus:\n  allocatable: {cpu: \"%d\", memory: %dGi, pods: \"%d\"}\n---\n", i, i, n/8+4, n/4+8, 2*n+110)
		}
	default:
		return fmt.Errorf("unknown target %q: want one of %v", name, Targets)
	}
	_, err := io.WriteString(w, s)
	return err
}
