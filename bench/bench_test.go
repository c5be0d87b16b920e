// Package bench holds the end-to-end benchmarks: go test ./bench -bench . -benchmem
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/rightsize/rightsize"
	"github.com/rightsize/rightsize/bench/gen/appgen"
	"github.com/rightsize/rightsize/internal/fit"
	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/target"
)

// BenchmarkAnalyze5000 loads and analyzes a generated 5,000-workload app
// from YAML against the default target, as `rightsize analyze` does.
func BenchmarkAnalyze5000(b *testing.B) {
	data := appgen.Generate(5000, 1)
	tg, err := target.Load("sandbox")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		app, err := load.Load([]string{"-"}, load.Options{Stdin: bytes.NewReader(data)})
		if err != nil {
			b.Fatal(err)
		}
		res, err := footprint.Analyze(app, tg)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Workloads) != 5000 {
			b.Fatalf("want 5000 workloads, got %d", len(res.Workloads))
		}
	}
}

// BenchmarkAnalyzeReport5000 is `rightsize analyze -o json` of the same
// app in-process: load, analyze, and the JSON report written out.
func BenchmarkAnalyzeReport5000(b *testing.B) {
	file := filepath.Join(b.TempDir(), "app.yaml")
	if err := os.WriteFile(file, appgen.Generate(5000, 1), 0o600); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	tg, err := rightsize.LoadTarget(ctx, "sandbox")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		app, err := rightsize.LoadApp(ctx, []string{file})
		if err != nil {
			b.Fatal(err)
		}
		r, err := rightsize.Analyze(ctx, app, tg)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Workloads) != 5000 {
			b.Fatalf("want 5000 workloads, got %d", len(r.Workloads))
		}
		if err := rightsize.WriteReport(io.Discard, "json", r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFit5000 loads the same app and fits it to the default target, as
// `rightsize fit` does (rendering aside).
func BenchmarkFit5000(b *testing.B) {
	data := appgen.Generate(5000, 1)
	tg, err := target.Load("sandbox")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		app, err := load.Load([]string{"-"}, load.Options{Stdin: bytes.NewReader(data)})
		if err != nil {
			b.Fatal(err)
		}
		res, err := fit.Run(app, tg, fit.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if res.After == nil {
			b.Fatal("no result")
		}
	}
}

// BenchmarkConvertCompose1000 loads a generated 1,000-service Compose file
// and writes one file per object, as `rightsize convert FILE --out DIR`
// does (the report aside).
func BenchmarkConvertCompose1000(b *testing.B) {
	dir := b.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, appgen.ComposeGenerate(1000, 1), 0o600); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		app, err := rightsize.LoadApp(ctx, []string{file})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rightsize.Convert(ctx, app); err != nil {
			b.Fatal(err)
		}
		if err := app.WriteDir(ctx, filepath.Join(dir, fmt.Sprint("out", i)), rightsize.DirOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
