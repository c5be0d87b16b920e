// Package progress is how long-running library work (building the control
// plane, waiting for verify to settle, sampling usage, fitting a big app)
// tells its caller how far it got. The library calls a Func; it never
// prints. The CLI renders events as a bar on a terminal and as timestamped
// lines elsewhere, on standard error.
package progress

// Event is one step of long work.
type Event struct {
	// Stage names the work: "control plane", "verify", "fit", "usage".
	Stage string
	// Message says what is happening now, for people.
	Message string
	// Done of Total units are complete; Total 0 means unknown.
	Done, Total int
	// Finished is set on the stage's last event.
	Finished bool
}

// Func receives events. A nil Func discards them.
type Func func(Event)

// Report calls f with e, when f is set.
func (f Func) Report(e Event) {
	if f != nil {
		f(e)
	}
}
