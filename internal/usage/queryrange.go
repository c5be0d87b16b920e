package usage

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// queryResult is a Prometheus HTTP API answer of a query_range (matrix) or
// a range-selector query.
type queryResult struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Values [][2]any          `json:"values"`
		} `json:"result"`
	} `json:"data"`
}

// ReadQueryRange reads one or more Prometheus query_range JSON answers
// (concatenated) of the raw metrics: each result's __name__ label says which
// metric it is, since a CPU counter must become rates. name is the file's
// name for messages.
func ReadQueryRange(name string, in io.Reader, opts Options, sink Sink) (*Summary, error) {
	r := newReader(name, opts, sink)
	l := r.labels
	names := map[string]Metric{l.CPUMetric: CPU, l.MemoryMetric: Memory, l.OOMMetric: OOM}
	dec := json.NewDecoder(bufio.NewReaderSize(in, 1<<20))
	for doc := 1; ; doc++ {
		var q queryResult
		if err := dec.Decode(&q); err != nil {
			if errors.Is(err, io.EOF) && doc > 1 {
				break
			}
			return nil, fmt.Errorf("%s: answer %d: not a Prometheus query_range JSON answer: %w", name, doc, err)
		}
		if q.Status != "success" {
			return nil, fmt.Errorf("%s: answer %d: status %q: %s", name, doc, q.Status, q.Error)
		}
		if q.Data.ResultType != "matrix" {
			return nil, fmt.Errorf("%s: answer %d: resultType %q, want matrix (a query_range answer)", name, doc, q.Data.ResultType)
		}
		res := q.Data.Result
		sort.SliceStable(res, func(a, b int) bool { return fmt.Sprint(res[a].Metric) < fmt.Sprint(res[b].Metric) })
		for i, ss := range res {
			m, ok := names[ss.Metric["__name__"]]
			if !ok {
				if ss.Metric["__name__"] == "" {
					return nil, fmt.Errorf("%s: answer %d, result %d: no __name__ label: record the raw series (%s, %s), not an expression of them", name, doc, i, l.CPUMetric, l.MemoryMetric)
				}
				continue
			}
			if m == OOM && ss.Metric["reason"] != "OOMKilled" {
				continue
			}
			ns, pod, ctr := ss.Metric[l.Namespace], ss.Metric[l.Pod], ss.Metric[l.Container]
			s := r.lookup(fmt.Sprintf("%d/%s/%s/%s", m, ns, pod, ctr), m, ns, pod, ctr)
			if s == nil {
				continue
			}
			for j, p := range ss.Values {
				t, v, err := jsonPoint(p)
				if err != nil {
					return nil, fmt.Errorf("%s: answer %d, result %d (%s), value %d: %w", name, doc, i, pod, j, err)
				}
				s.add(r.sum, t, v, r.since, r.until, r.sink)
			}
		}
	}
	return r.finish(), nil
}

func jsonPoint(p [2]any) (int64, float64, error) {
	ts, ok := p[0].(float64)
	if !ok {
		return 0, 0, fmt.Errorf("timestamp %v: want a number of seconds", p[0])
	}
	vs, ok := p[1].(string)
	if !ok {
		return 0, 0, fmt.Errorf("value %v: want a string", p[1])
	}
	v, err := strconv.ParseFloat(vs, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("value %q: not a number", vs)
	}
	return int64(math.Round(ts * 1000)), v, nil
}
