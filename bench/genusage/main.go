// Command genusage writes the recommend benchmark's input: an app of N
// Deployments (one container each) and an OpenMetrics recording of their
// usage, CPU counter and working set, DAYS days at 1-minute resolution,
// series after series as cAdvisor/promtool recordings are laid out.
//
//	go run ./bench/genusage -dir bench/out -containers 1000 -days 8
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	dir := flag.String("dir", "bench/out", "output directory")
	n := flag.Int("containers", 1000, "containers (one Deployment each)")
	days := flag.Int("days", 8, "days of usage at 1-minute resolution")
	flag.Parse()
	if err := run(*dir, *n, *days); err != nil {
		fmt.Fprintln(os.Stderr, "genusage:", err)
		os.Exit(1)
	}
}

func run(dir string, n, days int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	app, err := os.Create(filepath.Join(dir, "app.yaml"))
	if err != nil {
		return err
	}
	aw := bufio.NewWriter(app)
	for i := 0; i < n; i++ {
		fmt.Fprintf(aw, `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: w%04d}
spec:
  selector: {matchLabels: {app: w%04d}}
  template:
    metadata: {labels: {app: w%04d}}
    spec:
      containers:
      - name: server
        image: example/server:1
        resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {cpu: "1", memory: 1Gi}}
`, i, i, i)
	}
	if err := aw.Flush(); err != nil {
		return err
	}
	if err := app.Close(); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "usage.om"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	const start = 1661155200 // 2022-08-22T08:00:00Z
	steps := days * 24 * 60
	rng := rand.New(rand.NewSource(1))
	buf := make([]byte, 0, 256)
	series := func(metric string, i int, value func(step int) float64) {
		buf = buf[:0]
		buf = fmt.Appendf(buf, `%s{namespace="bench",pod="w%04d-5c4d8b9f7-x7k2p",container="server"} `, metric, i)
		prefix := len(buf)
		for s := 0; s < steps; s++ {
			buf = buf[:prefix]
			buf = strconv.AppendFloat(buf, value(s), 'f', 3, 64)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(start+60*s), 10)
			buf = append(buf, '\n')
			w.Write(buf)
		}
	}
	fmt.Fprintln(w, "# TYPE container_cpu_usage_seconds_total counter")
	for i := 0; i < n; i++ {
		base := 0.02 + 0.5*rng.Float64()
		counter := 0.0
		series("container_cpu_usage_seconds_total", i, func(s int) float64 {
			rate := base * (1 + 0.5*math.Sin(float64(s)/1440*2*math.Pi) + 0.2*rng.NormFloat64())
			counter += 60 * math.Max(rate, 0)
			return counter
		})
	}
	fmt.Fprintln(w, "# TYPE container_memory_working_set_bytes gauge")
	for i := 0; i < n; i++ {
		base := 5e7 + 5e8*rng.Float64()
		series("container_memory_working_set_bytes", i, func(s int) float64 {
			return math.Round(base * (1 + 0.1*math.Sin(float64(s)/1440*2*math.Pi) + 0.02*rng.Float64()))
		})
	}
	fmt.Fprintln(w, "# EOF")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
