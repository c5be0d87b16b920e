package appgen

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
)

// ComposeGenerate returns a Compose file of n services as bytes.
func ComposeGenerate(n int, seed uint64) []byte {
	var b bytes.Buffer
	_ = WriteCompose(&b, n, seed)
	return b.Bytes()
}

// WriteCompose writes a Compose file of n services to w: published and
// exposed ports, deploy resources and replicas, healthchecks (CMD and
// CMD-SHELL), named and anonymous volumes, tmpfs, environment, depends_on
// with conditions, and a few one-shot services (restart: "no").
func WriteCompose(w io.Writer, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 0xc0de))
	var b bytes.Buffer
	b.WriteString("name: bench\nservices:\n")
	g := composeGen{r: r, n: n}
	for i := 0; i < n; i++ {
		g.service(&b, i)
		if b.Len() > 1<<16 {
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if len(g.volumes) > 0 {
		b.WriteString("volumes:\n")
		for _, v := range g.volumes {
			fmt.Fprintf(&b, "  %s: {}\n", v)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

type composeGen struct {
	r       *rand.Rand
	n       int
	volumes []string // named volumes, declared at the end
	healthy []int    // services with a healthcheck, for service_healthy
}

func (g *composeGen) service(b *bytes.Buffer, i int) {
	r := g.r
	name := fmt.Sprintf("svc-%05d", i)
	fmt.Fprintf(b, "  %s:\n    image: example.com/%s:1.0\n", name, name)
	fmt.Fprintf(b, "    environment:\n      PEER: http://svc-%05d:8080\n      LOG_LEVEL: info\n", (i+1)%g.n)
	switch r.IntN(4) {
	case 0:
		fmt.Fprintf(b, "    ports: [\"%d:8080\"]\n", 20000+i)
	case 1:
		b.WriteString("    expose: [\"8080\"]\n")
	default:
		b.WriteString("    ports: [\"8080\"]\n")
	}
	if r.IntN(3) > 0 {
		mem := 1 + r.IntN(8) // reservations stay below limits, as compose requires
		fmt.Fprintf(b, "    deploy:\n      replicas: %d\n      resources:\n        limits: {cpus: \"0.%d\", memory: %dM}\n        reservations: {cpus: \"0.0%d\", memory: %dM}\n",
			1+r.IntN(3), 1+r.IntN(9), 64*mem, 1+r.IntN(9), 32*mem)
	}
	g.healthcheck(b, i)
	switch r.IntN(5) {
	case 0:
		v := name + "-data"
		g.volumes = append(g.volumes, v)
		fmt.Fprintf(b, "    volumes: [\"%s:/var/lib/data\", \"/cache\"]\n", v)
	case 1:
		b.WriteString("    tmpfs: [/tmp]\n")
	}
	g.dependsOn(b, i)
	if r.IntN(25) == 0 {
		b.WriteString("    restart: \"no\"\n")
	}
}

func (g *composeGen) healthcheck(b *bytes.Buffer, i int) {
	switch g.r.IntN(4) {
	case 0:
		b.WriteString("    healthcheck:\n      test: [\"CMD\", \"/bin/check\", \"--port\", \"8080\"]\n      interval: 30s\n      timeout: 5s\n      retries: 3\n")
	case 1:
		b.WriteString("    healthcheck:\n      test: [\"CMD-SHELL\", \"curl -f http://localhost:8080/ || exit 1\"]\n      interval: 10s\n      start_period: 20s\n")
	default:
		return
	}
	g.healthy = append(g.healthy, i)
}

func (g *composeGen) dependsOn(b *bytes.Buffer, i int) {
	if i == 0 || g.r.IntN(3) != 0 {
		return
	}
	healthy := g.healthy
	if len(healthy) > 0 && healthy[len(healthy)-1] == i {
		healthy = healthy[:len(healthy)-1] // never on itself
	}
	if len(healthy) > 0 && g.r.IntN(2) == 0 {
		fmt.Fprintf(b, "    depends_on:\n      svc-%05d: {condition: service_healthy}\n", healthy[g.r.IntN(len(healthy))])
		return
	}
	fmt.Fprintf(b, "    depends_on:\n      svc-%05d: {condition: service_started}\n", g.r.IntN(i))
}
