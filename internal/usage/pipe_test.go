package usage

import "testing"

// Pipe hands over every sample, in order, across batch boundaries, and
// wait returns only when the sink has had them all.
func TestPipe(t *testing.T) {
	for _, n := range []int{0, 1, pipeBatch, 3*pipeBatch + 17} {
		var got []int64
		put, wait := Pipe(func(s Sample) { got = append(got, s.T) })
		for i := 0; i < n; i++ {
			put(Sample{T: int64(i)})
		}
		wait()
		if len(got) != n {
			t.Fatalf("%d samples put, %d delivered", n, len(got))
		}
		for i, v := range got {
			if v != int64(i) {
				t.Fatalf("%d samples: sample %d is %d: out of order", n, i, v)
			}
		}
	}
}
