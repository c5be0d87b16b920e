package rightsize_test

import (
	"context"
	"testing"

	"github.com/rightsize/rightsize"
)

// TestFitProgress: Fit reports each stage in order, then a finished event
// with Done = Total.
func TestFitProgress(t *testing.T) {
	ctx := context.Background()
	app, err := rightsize.LoadApp(ctx, []string{"examples/shop"})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := rightsize.LoadTarget(ctx, "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	var events []rightsize.Progress
	if _, err := rightsize.Fit(ctx, app, tg, rightsize.WithFitProgress(func(e rightsize.Progress) { events = append(events, e) })); err != nil {
		t.Fatal(err)
	}
	if len(events) < 2 {
		t.Fatalf("%d events", len(events))
	}
	for i, e := range events {
		if e.Stage != "fit" || e.Done != i || e.Total != len(events)-1 {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	if last := events[len(events)-1]; !last.Finished {
		t.Errorf("last event not finished: %+v", last)
	}
}
