package rightsize

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/kubebin"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/report"
	"github.com/rightsize/rightsize/internal/sim"
	"github.com/rightsize/rightsize/internal/verify"
)

// Cluster is a Kubernetes control plane that Verify creates apps in.
type Cluster struct {
	sim *sim.Cluster
	// attached: a control plane another process runs ('rightsize sim up').
	attached bool
}

// LocalOption configures StartLocalCluster.
type LocalOption func(*localOptions)

type localOptions struct {
	binDir    string
	nodeCount int
	nodeSize  corev1.ResourceList
	log       io.Writer
}

// WithBinDir names the directory of the control plane's binaries (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler). Without it,
// $RIGHTSIZE_KUBE_BIN, then the cache InstallControlPlane fills.
func WithBinDir(dir string) LocalOption { return func(o *localOptions) { o.binDir = dir } }

// WithNodes gives the cluster n nodes of the given allocatable size when the
// target has no nodes of its own (default: one large node).
func WithNodes(n int, size corev1.ResourceList) LocalOption {
	return func(o *localOptions) { o.nodeCount, o.nodeSize = n, size }
}

// WithLog sends the control plane's status lines (starting, ready) to w.
func WithLog(w io.Writer) LocalOption { return func(o *localOptions) { o.log = w } }

// StartLocalCluster starts a local control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, and stand-ins for kubelets and a
// storage provisioner) on free loopback ports, with the target's nodes.
// Stop it with Cluster.Stop; it also stops when ctx is done.
func StartLocalCluster(ctx context.Context, t *Target, opts ...LocalOption) (*Cluster, error) {
	so, err := simOptions(t, opts)
	if err != nil {
		return nil, err
	}
	c, err := sim.Start(ctx, so)
	if err != nil {
		return nil, fmt.Errorf("starting the control plane: %w", err)
	}
	return &Cluster{sim: c}, nil
}

// simOptions is the local control plane that StartLocalCluster and
// ServeSimulator run: the binaries and nodes opts name (else those found
// and t's), jobs' pods completing.
func simOptions(t *Target, opts []LocalOption) (sim.Options, error) {
	var o localOptions
	for _, opt := range opts {
		opt(&o)
	}
	bin, err := kubebin.Find(o.binDir)
	if err != nil {
		return sim.Options{}, err
	}
	return sim.Options{
		BinDir:   bin,
		Nodes:    sim.Nodes(t.t, o.nodeCount, o.nodeSize),
		Kubelet:  sim.KubeletOptions{CompleteJobs: true},
		Progress: o.log,
	}, nil
}

// AttachLocalCluster uses the control plane 'rightsize sim up' keeps
// running with its files in stateDir ("" for the default,
// <user cache>/rightsize/sim). Verify then creates each app in a fresh
// namespace, seeded with the target's quotas and limit ranges and deleted
// afterwards; the nodes are those the simulator was started with, not the
// target's. Stop forgets the cluster and leaves it running. The error
// wraps os.ErrNotExist when no simulator runs there.
func AttachLocalCluster(stateDir string) (*Cluster, error) {
	stateDir, err := simulatorDir(stateDir)
	if err != nil {
		return nil, err
	}
	st, err := sim.ReadState(stateDir)
	if err != nil {
		return nil, fmt.Errorf("no running simulator in %s (start one with 'rightsize sim up'): %w", stateDir, err)
	}
	c, err := sim.Attach(st)
	if err != nil {
		return nil, err
	}
	return &Cluster{sim: c, attached: true}, nil
}

// Stop stops the cluster and removes its files; for an attached cluster it
// only releases it.
func (c *Cluster) Stop() error { return c.sim.Stop() }

// Kubeconfig is the path of the cluster's admin kubeconfig.
func (c *Cluster) Kubeconfig() string { return c.sim.Kubeconfig }

// VerifyOption configures Verify.
type VerifyOption func(*verify.Options)

// WithTimeout bounds the wait for the controllers to settle (default 60s).
func WithTimeout(d time.Duration) VerifyOption {
	return func(o *verify.Options) { o.Timeout = d }
}

// WithVerifyNamespace names the namespace the app is created in (default:
// the target's, else "rightsize").
func WithVerifyNamespace(ns string) VerifyOption {
	return func(o *verify.Options) { o.Namespace = ns }
}

// Verify seeds a namespace of c with t's ResourceQuotas and LimitRanges,
// creates app in it in dependency order, waits for the controllers to
// settle and reports what the control plane did: per workload the pods
// created and scheduled, every refusal in Kubernetes' words, and each
// quota's status.used next to Analyze's prediction. Report.Fits is true when
// every pod was admitted and scheduled.
//
// On a cluster from AttachLocalCluster, without WithVerifyNamespace, the
// app goes to a fresh namespace that is being deleted when Verify returns:
// the simulator removes its pods at once, and the next Verify waits for
// that before it creates anything; the namespace controller removes the
// rest about 5 seconds later.
func Verify(ctx context.Context, c *Cluster, app *App, t *Target, opts ...VerifyOption) (r *Report, err error) {
	var o verify.Options
	for _, opt := range opts {
		opt(&o)
	}
	if c.attached && o.Namespace == "" {
		ns, err := scratchName("rightsize-verify-")
		if err != nil {
			return nil, err
		}
		o.Namespace = ns
		defer func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			defer cancel()
			if derr := c.sim.DeleteNamespace(dctx, ns); derr != nil && err == nil {
				r, err = nil, derr
			}
		}()
	}
	v, err := verify.New(c.sim)
	if err != nil {
		return nil, err
	}
	vr, err := v.Run(ctx, app.app, t.t, o)
	if err != nil {
		return nil, err
	}
	// The prediction, in the namespace verify used (messages name it).
	return verifyReport(app.app, analyzeReport(vr.Footprint), vr), nil
}

// scratchName is prefix and six random hex digits.
func scratchName(prefix string) (string, error) {
	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(suffix), nil
}

// verifyReport merges the control plane's report into the prediction's
// shape: the quotas gain Used, workloads their status; refusals are the
// control plane's.
func verifyReport(app *model.App, predicted *Report, vr *verify.Report) *Report {
	keys := map[string]model.Key{}
	for _, o := range app.Objects {
		keys[o.Ref()] = o.Key()
	}
	key := func(ref string) model.Key {
		if k, ok := keys[ref]; ok {
			return k
		}
		kind, name := splitRef(ref)
		return model.Key{Kind: kind, Name: name}
	}
	r := predicted
	r.Command, r.Namespace, r.Fits = report.Verify, vr.Namespace, vr.OK
	for i := range r.Quotas {
		r.Quotas[i].Used = vr.QuotaUsed[r.Quotas[i].Name]
	}
	r.Summarize()
	r.Workloads = []Workload{}
	for _, w := range vr.Workloads {
		st := &report.WorkloadStatus{Created: w.Created, Scheduled: w.Scheduled, Ready: w.Ready}
		for _, u := range w.Unschedulable {
			st.Unschedulable = append(st.Unschedulable, report.Reason{Count: u.Count, Message: u.Message})
		}
		r.Workloads = append(r.Workloads, Workload{Object: key(w.Object), Replicas: w.Desired, Status: st})
	}
	// Findings: the prediction's, except its refusals, which give way to
	// the control plane's.
	predictedRefusals := map[Finding]bool{}
	for _, f := range r.Refusals {
		predictedRefusals[footprint.RefusalFinding(footprint.Refusal(f))] = true
	}
	var findings []Finding
	for _, f := range r.Findings {
		if !predictedRefusals[f] {
			findings = append(findings, f)
		}
	}
	r.Refusals = []Refusal{}
	for _, f := range vr.Refusals {
		ref := Refusal{Object: key(f.Object), Count: f.Count, Message: f.Message}
		r.Refusals = append(r.Refusals, ref)
		findings = append(findings, footprint.RefusalFinding(footprint.Refusal(ref)))
	}
	rank := map[Severity]int{Error: 0, Warning: 1, Info: 2}
	sort.SliceStable(findings, func(i, j int) bool { return rank[findings[i].Severity] < rank[findings[j].Severity] })
	r.Findings = findings
	r.Verify = &report.VerifyDetail{Settled: vr.Settled}
	for _, s := range vr.Skipped {
		r.Verify.Skipped = append(r.Verify.Skipped, report.Skipped{Object: key(s.Object), Reason: s.Reason})
	}
	r.Nodes = nil
	return r
}
