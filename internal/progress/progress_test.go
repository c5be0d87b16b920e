package progress

import "testing"

func TestNilFunc(t *testing.T) {
	var f Func
	f.Report(Event{Stage: "x"}) // must not panic
	var got []Event
	f = func(e Event) { got = append(got, e) }
	f.Report(Event{Stage: "verify", Done: 1, Total: 2})
	if len(got) != 1 || got[0].Done != 1 || got[0].Total != 2 {
		t.Fatalf("got %+v", got)
	}
}
