package kube

import (
	"testing"

	"github.com/rightsize/rightsize/bench/gen/appgen"
)

// BenchmarkDecode5000 decodes the generated 5,000-workload app of
// bench/BenchmarkAnalyze5000, the loading part of it:
// go test ./internal/load/kube -run X -bench Decode5000 -benchmem
func BenchmarkDecode5000(b *testing.B) {
	data := appgen.Generate(5000, 1)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		objs, _, err := Decode(data, "app.yaml", Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(objs) < 10000 {
			b.Fatalf("%d objects", len(objs))
		}
	}
}
