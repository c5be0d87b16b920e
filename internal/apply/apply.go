package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rightsize/rightsize/internal/cluster"
	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/model"
)

// Ownership marks.
const (
	// LabelApp names the app on every object an apply created.
	LabelApp = "rightsize.io/app"
	// AnnotationApplied holds a hash of what the last apply wrote.
	AnnotationApplied = "rightsize.io/applied"
	// FieldManager is the default server-side apply field manager.
	FieldManager = "rightsize"
)

// Options configure Apply.
type Options struct {
	// App names the application (the value of LabelApp). Required.
	App string
	// FieldManager for server-side apply; "" means FieldManager.
	FieldManager string
	// Timeout bounds the wait for every pod to be Ready; 0 means 5 minutes.
	Timeout time.Duration
	// RefusalGrace is how long pods refused by admission (FailedCreate)
	// may go without progress before the apply gives up early; 0 means 20
	// seconds. Refusals during a rolling update can be passing.
	RefusalGrace time.Duration
	// RestoreTimeout bounds the restore, retried while the server does not
	// answer; 0 means 3 minutes.
	RestoreTimeout time.Duration
	// Poll is the interval of the wait; 0 means 500ms.
	Poll time.Duration
	// Progress receives status lines; nil discards them.
	Progress io.Writer
}

func (o *Options) defaults() error {
	if o.App == "" {
		return errors.New("apply: Options.App (the application's name) is required")
	}
	if o.FieldManager == "" {
		o.FieldManager = FieldManager
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.RefusalGrace == 0 {
		o.RefusalGrace = 20 * time.Second
	}
	if o.RestoreTimeout == 0 {
		o.RestoreTimeout = 3 * time.Minute
	}
	if o.Poll == 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return nil
}

// Stage names where an apply stopped.
type Stage string

// Stages of an apply.
const (
	StageDryRun      Stage = "dry-run"
	StageApply       Stage = "apply"
	StageWait        Stage = "wait"
	StageTimeout     Stage = "timeout"
	StageInterrupted Stage = "interrupted"
	StageConnection  Stage = "connection"
)

// Report is what an apply did.
type Report struct {
	App       string `json:"app"`
	Namespace string `json:"namespace"`
	// OK is true when every object is applied and every pod Ready.
	OK bool `json:"ok"`
	// Unchanged is true when the namespace held exactly this app already:
	// nothing was written.
	Unchanged bool `json:"unchanged"`
	// Objects says per object what the apply did: created, updated,
	// unchanged (and, after a failure, not-applied).
	Objects   []ObjectResult `json:"objects"`
	Workloads []Workload     `json:"workloads"`
	// Failure says why the apply stopped; nil when OK.
	Failure *Failure `json:"failure,omitempty"`
	// Problems are Kubernetes' own messages about the app's pods: refusals
	// (FailedCreate), the scheduler's reasons, failed Jobs.
	Problems []Problem `json:"problems,omitempty"`
	// RolledBack is true when a failure made the apply restore the
	// namespace; Restore says what it did per object and RestoreErrors
	// what it could not do (the namespace is then not as before).
	RolledBack    bool           `json:"rolledBack"`
	Restore       []ObjectResult `json:"restore,omitempty"`
	RestoreErrors []string       `json:"restoreErrors,omitempty"`
}

// ObjectResult is one object and what was done to it.
type ObjectResult struct {
	Object string `json:"object"`
	Action string `json:"action"`
}

// Workload is the readiness of one pod-creating object.
type Workload struct {
	Object  string `json:"object"`
	Desired int32  `json:"desired"`
	Ready   int32  `json:"ready"`
	Done    bool   `json:"done"`
}

// Failure is why an apply stopped.
type Failure struct {
	Stage   Stage  `json:"stage"`
	Object  string `json:"object,omitempty"`
	Message string `json:"message"`
}

// Problem is a message of Kubernetes about one workload's pods.
type Problem struct {
	Object  string `json:"object"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// item is one object of the app on its way into the namespace.
type item struct {
	o       *model.Object
	ref     string
	desired *unstructured.Unstructured
	hash    string
	// prior is the live object before the apply; nil when absent.
	prior *unstructured.Unstructured
	// attempted: an apply request was sent (it may have taken effect even
	// when no answer came back).
	attempted bool
	action    string
}

// Apply applies app to the handle's namespace, all or nothing. Verdicts
// (refused, timed out, interrupted) are in the Report; an error means
// nothing was changed (the app could not be prepared) or the restore itself
// failed, which the Report details.
func Apply(ctx context.Context, h *cluster.Handle, app *model.App, opts Options) (*Report, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	a := &applier{h: h, opts: opts, r: &Report{App: opts.App, Namespace: h.Namespace, Objects: []ObjectResult{}}}
	if err := a.prepare(ctx, app); err != nil {
		return nil, err
	}
	if a.unchanged() {
		a.r.Unchanged = true
		for _, it := range a.items {
			a.r.Objects = append(a.r.Objects, ObjectResult{Object: it.ref, Action: "unchanged"})
		}
		st, err := a.status(ctx)
		if err != nil {
			return nil, err
		}
		a.r.Workloads = st.workloads
		a.r.OK = st.done
		return a.r, nil
	}
	if f := a.dryRun(ctx); f != nil {
		a.r.Failure = f
		return a.r, nil
	}
	if err := a.recordDependents(ctx); err != nil {
		return nil, err
	}
	f := a.applyAll(ctx)
	if f == nil {
		f = a.wait(ctx)
	}
	a.results()
	if f == nil {
		a.r.OK = true
		return a.r, nil
	}
	a.r.Failure = f
	fmt.Fprintf(a.opts.Progress, "%s: %s; restoring namespace %s\n", f.Stage, f.Message, h.Namespace)
	if err := a.restore(ctx); err != nil {
		return a.r, err
	}
	return a.r, nil
}

// DryRun asks the server to admit every object of app in the handle's
// namespace without storing anything (server-side dry run), and one pod of
// every workload that does not exist yet, and returns every refusal, in
// Kubernetes' words. Quota is checked object by object against what the
// namespace holds now, not cumulatively: Analyze and Verify answer that.
func DryRun(ctx context.Context, h *cluster.Handle, app *model.App, opts Options) ([]Failure, error) {
	if opts.App == "" {
		opts.App = "dry-run"
	}
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	a := &applier{h: h, opts: opts, r: &Report{}}
	if err := a.prepare(ctx, app); err != nil {
		return nil, err
	}
	var out []Failure
	for _, f := range a.dryRunAll(ctx, false) {
		if f.Stage != StageDryRun {
			return nil, fmt.Errorf("dry run of %s: %s", f.Object, f.Message)
		}
		out = append(out, *f)
	}
	return out, nil
}

type applier struct {
	h     *cluster.Handle
	opts  Options
	r     *Report
	items []*item
	// workloads are the pod-creating items.
	workloads []*item
	// before holds the UIDs of the namespace's controller-made objects
	// (ReplicaSets, ControllerRevisions, claims) before the apply.
	before map[string]bool
	start  time.Time
}

// unchanged reports whether every object exists as this apply would write it.
func (a *applier) unchanged() bool {
	for _, it := range a.items {
		if it.prior == nil || it.prior.GetAnnotations()[AnnotationApplied] != it.hash {
			return false
		}
	}
	return true
}

func (a *applier) results() {
	for _, it := range a.items {
		action := it.action
		if action == "" {
			action = "not-applied"
		}
		a.r.Objects = append(a.r.Objects, ObjectResult{Object: it.ref, Action: action})
	}
}

// isWorkload reports whether o creates pods.
func isWorkload(o *model.Object) bool {
	_, _, ok := footprint.PodSpec(o)
	return ok
}
