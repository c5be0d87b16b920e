package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// wholeJSON is what WriteJSON wrote before it streamed: json.Encoder over
// the whole report. The stream must write the same bytes.
func wholeJSON(r *Report) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(r.normalized())
	return b.Bytes(), err
}

// TestStreamMatchesEncoder fills reports at random, every field of every
// type the report holds (nil, empty and full lists and maps, zero values
// that omitempty drops, strings json escapes) and compares WriteJSON with
// json.Encoder byte for byte.
func TestStreamMatchesEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	streamedLists := 0
	for i := range 400 {
		r := &Report{}
		fill(rng, reflect.ValueOf(r).Elem(), 0)
		want, err := wholeJSON(r)
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		var got bytes.Buffer
		if err := WriteJSON(&got, r); err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("report %d: stream differs from json.Encoder at byte %d:\nstream:\n%s\nencoder:\n%s", i, firstDiff(got.Bytes(), want), got.Bytes(), want)
		}
		if len(r.Workloads) > 0 {
			streamedLists++
		}
	}
	if streamedLists < 100 {
		t.Errorf("only %d reports with workloads: the filler does not exercise the stream", streamedLists)
	}
}

// TestStreamWalksReport checks that the report and its details are written
// field by field, so that the check above compares the stream and not just
// json.Encoder with itself.
func TestStreamWalksReport(t *testing.T) {
	for _, v := range []any{Report{}, RecommendDetail{}, FitDetail{}, VerifyDetail{}} {
		if streamable(reflect.TypeOf(v)) == nil {
			t.Errorf("%T is marshaled whole: a field the stream cannot write as encoding/json does?", v)
		}
	}
	type tagged struct {
		A int `json:"a,string"`
	}
	type embedded struct{ tagged }
	for _, v := range []any{resource.Quantity{}, time.Time{}, tagged{}, embedded{}} {
		if streamable(reflect.TypeOf(v)) != nil {
			t.Errorf("%T would be written field by field: it must be marshaled whole", v)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

var (
	quantities = []string{"0", "100m", "1", "1.5", "64Mi", "2Gi", "1e3", "123456789012345"}
	strs       = []string{"", "web", "a > b", "<none>", "quote \" and \\ back", "é\u2028\t", "requests.cpu"}
)

// fill sets v to random contents: lists and maps nil, empty or full,
// pointers nil or set, strings and quantities from small sets.
func fill(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Interface().(type) {
	case resource.Quantity:
		v.Set(reflect.ValueOf(resource.MustParse(quantities[rng.IntN(len(quantities))])))
		return
	case time.Time:
		v.Set(reflect.ValueOf(time.Unix(rng.Int64N(2e9), 0).UTC()))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(rng, v.Field(i), depth)
			}
		}
	case reflect.Pointer:
		if depth < 6 && rng.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(rng, v.Elem(), depth+1)
		}
	case reflect.Slice:
		switch n := rng.IntN(5); {
		case n == 0 || depth >= 6:
		case n == 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1))
			for i := range n - 1 {
				fill(rng, v.Index(i), depth+1)
			}
		}
	case reflect.Map:
		switch n := rng.IntN(4); {
		case n == 0 || depth >= 6:
		case n == 1:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			v.Set(reflect.MakeMap(v.Type()))
			for range n {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fill(rng, k, depth+1)
				fill(rng, e, depth+1)
				v.SetMapIndex(k, e)
			}
		}
	case reflect.String:
		v.SetString(strs[rng.IntN(len(strs))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(rng.Int64N(5) - 1)
	case reflect.Float64:
		v.SetFloat([]float64{0, 0.5, 1e-9, 1e21, 1.0 / 3}[rng.IntN(5)])
	default:
		panic(fmt.Sprintf("fill: no rule for %s", v.Type()))
	}
}
