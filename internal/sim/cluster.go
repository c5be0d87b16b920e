package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/rightsize/rightsize/internal/kubebin"
)

// Options configure Start.
type Options struct {
	// BinDir holds the binaries (see Find and Install).
	BinDir string
	// Dir is where the cluster keeps its data, certificates, kubeconfig and
	// logs. When empty, Start makes a temporary directory that Stop removes.
	Dir string
	// Nodes are created Ready and untainted; see Nodes for defaults.
	Nodes []*corev1.Node
	// Kubelet configures the kubelet stand-in.
	Kubelet KubeletOptions
	// Progress receives status lines; nil discards them.
	Progress io.Writer
	// Namespace is the kubeconfig context's namespace, "" for none.
	Namespace string
}

// Cluster is a running control plane.
type Cluster struct {
	// Dir holds the cluster's files; Kubeconfig is the admin kubeconfig in it.
	Dir, Kubeconfig string
	// Server is the apiserver's URL.
	Server string
	Config *rest.Config
	Client kubernetes.Interface

	caData         []byte
	discoveryCache string
	tenantToken    string
	kubelet        KubeletOptions
	ownDir         bool
	procs          []*proc
	cancel         context.CancelFunc
	agents         sync.WaitGroup
	stopOnce       sync.Once
	stopErr        error
	// died is closed when the first component exits.
	died     chan struct{}
	diedOnce sync.Once
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// Start starts etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler on free loopback ports, creates the nodes, starts the
// kubelet and volume provisioner stand-ins, and returns when the apiserver
// serves, the scheduler and controller manager are healthy and the nodes
// are schedulable. On error nothing is left running. The processes stop
// when ctx ends or Stop is called, whichever comes first.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	// Free ports are found by listening and closing; another process may
	// take one before a component binds it. Then start again.
	for attempt := 1; ; attempt++ {
		c, err := startOnce(ctx, opts)
		if err == nil || !errors.Is(err, errPortInUse) || attempt == 3 {
			return c, err
		}
		fmt.Fprintf(progressOf(opts), "a port was taken meanwhile; starting again\n")
	}
}

// errPortInUse marks a start that failed because a port was taken.
var errPortInUse = errors.New("port in use")

func progressOf(opts Options) io.Writer {
	if opts.Progress == nil {
		return io.Discard
	}
	return opts.Progress
}

func startOnce(ctx context.Context, opts Options) (c *Cluster, err error) {
	progress := progressOf(opts)
	if err := kubebin.Check(opts.BinDir, "Options.BinDir"); err != nil {
		return nil, err
	}
	c = &Cluster{Dir: opts.Dir, kubelet: opts.Kubelet, died: make(chan struct{})}
	if c.Dir == "" {
		if c.Dir, err = os.MkdirTemp("", "rightsize-sim-"); err != nil {
			return nil, fmt.Errorf("creating the simulator's directory: %w", err)
		}
		c.ownDir = true
	}
	runCtx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	defer func() {
		if err != nil {
			_ = c.Stop()
			c = nil
		}
	}()
	// Stop when the caller's context ends, also while starting.
	go func() {
		select {
		case <-ctx.Done():
			_ = c.Stop()
		case <-runCtx.Done():
		}
	}()
	for _, d := range []string{"pki", "logs", "etcd", "cm", "scheduler"} {
		if err := os.MkdirAll(filepath.Join(c.Dir, d), 0o700); err != nil {
			return c, err
		}
	}
	pki, err := newPKI(filepath.Join(c.Dir, "pki"))
	if err != nil {
		return c, fmt.Errorf("generating certificates: %w", err)
	}
	ports, err := freePorts(5)
	if err != nil {
		return c, err
	}
	etcdPort, peerPort, apiPort, cmPort, schedPort := ports[0], ports[1], ports[2], ports[3], ports[4]
	token, err := randomToken()
	if err != nil {
		return c, err
	}
	c.caData = pki.CAData
	tokens, err := c.writeTokens(token)
	if err != nil {
		return c, err
	}
	c.Server = "https://127.0.0.1:" + strconv.Itoa(apiPort)
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	if err := writeKubeconfig(c.Kubeconfig, c.Server, pki.CAData, token, opts.Namespace); err != nil {
		return c, err
	}
	c.Config = &rest.Config{
		Host:            c.Server,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAData: pki.CAData},
		QPS:             1000,
		Burst:           2000,
	}
	if c.Client, err = kubernetes.NewForConfig(c.Config); err != nil {
		return c, err
	}
	schedConfig := filepath.Join(c.Dir, "scheduler", "config.yaml")
	if err := os.WriteFile(schedConfig, []byte(fmt.Sprintf(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %q
  qps: 1000
  burst: 2000
leaderElection:
  leaderElect: false
`, c.Kubeconfig)), 0o600); err != nil {
		return c, err
	}
	loop := "http://127.0.0.1:"
	fmt.Fprintf(progress, "starting etcd, kube-apiserver, kube-controller-manager and kube-scheduler in %s\n", c.Dir)
	type spec struct {
		name string
		args []string
	}
	specs := []spec{
		{"etcd", []string{
			"--name=sim",
			"--data-dir=" + filepath.Join(c.Dir, "etcd"),
			"--listen-client-urls=" + loop + strconv.Itoa(etcdPort),
			"--advertise-client-urls=" + loop + strconv.Itoa(etcdPort),
			"--listen-peer-urls=" + loop + strconv.Itoa(peerPort),
			"--initial-advertise-peer-urls=" + loop + strconv.Itoa(peerPort),
			"--initial-cluster=sim=" + loop + strconv.Itoa(peerPort),
			"--unsafe-no-fsync", // the data is thrown away; fsync only costs time
			"--log-level=warn",
		}},
		{"kube-apiserver", []string{
			"--etcd-servers=" + loop + strconv.Itoa(etcdPort),
			"--bind-address=127.0.0.1",
			"--advertise-address=127.0.0.1",
			"--endpoint-reconciler-type=none", // loopback may not be an endpoint
			"--secure-port=" + strconv.Itoa(apiPort),
			"--cert-dir=" + filepath.Join(c.Dir, "pki"),
			"--tls-cert-file=" + pki.ServingCert,
			"--tls-private-key-file=" + pki.ServingKey,
			"--client-ca-file=" + pki.CACert,
			"--token-auth-file=" + tokens,
			"--authorization-mode=RBAC",
			"--service-account-issuer=https://kubernetes.default.svc",
			"--service-account-key-file=" + pki.SAPub,
			"--service-account-signing-key-file=" + pki.SAKey,
			"--service-cluster-ip-range=10.0.0.0/16",
			"--allow-privileged=true",
			"--enable-priority-and-fairness=false",
			"--profiling=false",
			// The aggregator: APIServices (metrics.k8s.io) are reached
			// with this client certificate and the user in headers.
			"--proxy-client-cert-file=" + pki.ProxyCert,
			"--proxy-client-key-file=" + pki.ProxyKey,
			"--requestheader-client-ca-file=" + pki.CACert,
			"--requestheader-allowed-names=" + frontProxyClient,
			"--requestheader-username-headers=X-Remote-User",
			"--requestheader-group-headers=X-Remote-Group",
			"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		}},
		{"kube-controller-manager", append(c.serving("cm", cmPort),
			"--kubeconfig="+c.Kubeconfig,
			"--leader-elect=false",
			// No kubelet heartbeats: node lifecycle would taint every node.
			"--controllers=*,-nodelifecycle",
			"--service-account-private-key-file="+pki.SAKey,
			"--root-ca-file="+pki.CACert,
			"--kube-api-qps=1000",
			"--kube-api-burst=2000",
			"--concurrent-replicaset-syncs=20",
			"--concurrent-statefulset-syncs=20",
			"--concurrent-job-syncs=20",
			"--concurrent-deployment-syncs=20",
			"--concurrent-daemonset-syncs=20",
		)},
		{"kube-scheduler", append(c.serving("scheduler", schedPort), "--config="+schedConfig)},
	}
	spawn := func(specs []spec) error {
		for _, s := range specs {
			p, err := c.spawn(s.name, filepath.Join(opts.BinDir, s.name), s.args)
			if err != nil {
				return err
			}
			c.procs = append(c.procs, p)
		}
		return nil
	}
	// etcd and the apiserver first: the controller manager and the scheduler
	// read the apiserver's authentication config map once at start and exit
	// when it cannot be reached, which happens on a loaded machine.
	if err := spawn(specs[:2]); err != nil {
		return c, err
	}
	waitCtx, waitCancel := context.WithTimeout(ctx, 60*time.Second)
	defer waitCancel()
	if err := c.waitHealthy(waitCtx, "kube-apiserver", c.Server+"/readyz", token); err != nil {
		return c, err
	}
	if err := spawn(specs[2:]); err != nil {
		return c, err
	}
	nodes := opts.Nodes
	if len(nodes) == 0 {
		nodes = Nodes(nil, 0, nil)
	}
	if err := createNodes(waitCtx, c.Client, nodes); err != nil {
		return c, err
	}
	c.agents.Add(3)
	go func() { defer c.agents.Done(); runKubelet(runCtx, c.Client, opts.Kubelet) }()
	go func() { defer c.agents.Done(); runProvisioner(runCtx, c.Client) }()
	go func() { defer c.agents.Done(); runReaper(runCtx, c.Client) }()
	for _, h := range []struct{ name, url string }{
		{"kube-controller-manager", "https://127.0.0.1:" + strconv.Itoa(cmPort) + "/healthz"},
		{"kube-scheduler", "https://127.0.0.1:" + strconv.Itoa(schedPort) + "/healthz"},
	} {
		if err := c.waitHealthy(waitCtx, h.name, h.url, token); err != nil {
			return c, err
		}
	}
	return c, nil
}

// writeTokens writes the apiserver's token file: one identity in
// system:masters for the user and every component (the simulator checks
// admission and scheduling, not authorization), and an unprivileged one
// that plays a tenant of a shared cluster (see Tenant).
func (c *Cluster) writeTokens(admin string) (string, error) {
	var err error
	if c.tenantToken, err = randomToken(); err != nil {
		return "", err
	}
	path := filepath.Join(c.Dir, "pki", "tokens.csv")
	data := admin + ",admin,admin,system:masters\n" + c.tenantToken + "," + TenantUser + "," + TenantUser + "\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		return "", err
	}
	return path, nil
}

// serving are the flags of a component's health endpoint: loopback, its
// own port and certificate directory, and the admin kubeconfig to
// authenticate callers.
func (c *Cluster) serving(dir string, port int) []string {
	return []string{
		"--authentication-kubeconfig=" + c.Kubeconfig,
		"--authorization-kubeconfig=" + c.Kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(c.Dir, dir),
		"--profiling=false",
	}
}

// spawn starts one binary with its output in logs/NAME.log.
func (c *Cluster) spawn(name, path string, args []string) (*proc, error) {
	logPath := filepath.Join(c.Dir, "logs", name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
		c.diedOnce.Do(func() { close(c.died) })
	}()
	return p, nil
}

// waitHealthy polls url until it answers 200, failing early when a process
// exits, with the end of its log.
func (c *Cluster) waitHealthy(ctx context.Context, name, url, token string) error {
	client := insecureClient()
	for {
		req, err := newGet(ctx, url, token)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if err := c.exited(); err != nil {
			return fmt.Errorf("waiting for %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return fmt.Errorf("waiting for %s: %w", name, ctx.Err()) // interrupted: no logs to show
			}
			var logs string
			for _, p := range c.procs {
				if p.name == name {
					logs = "\n" + tailFile(p.log, 20)
				}
			}
			return fmt.Errorf("waiting for %s to be healthy: %w%s", name, ctx.Err(), logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// CompletesJobs reports whether Jobs' pods succeed (KubeletOptions).
func (c *Cluster) CompletesJobs() bool { return c.kubelet.CompleteJobs }

// exited returns an error, with the end of its log, when a component has
// exited: the cluster is broken.
func (c *Cluster) exited() error {
	for _, p := range c.procs {
		select {
		case <-p.done:
			log := tailFile(p.log, 20)
			err := fmt.Errorf("%s exited: %v\n%s", p.name, p.err, log)
			if strings.Contains(log, "address already in use") {
				err = fmt.Errorf("%w: %w", errPortInUse, err)
			}
			return err
		default:
		}
	}
	return nil
}

// retry calls f until it succeeds, ctx ends, the deadline passes or a
// component exits: again after 10 ms, then twice as long each time, up to
// 100 ms.
func (c *Cluster) retry(ctx context.Context, timeout time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	pause := 10 * time.Millisecond
	for {
		err := f()
		if err == nil {
			return nil
		}
		if exit := c.exited(); exit != nil {
			return exit
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// PIDs returns the process ids of the control plane's processes.
func (c *Cluster) PIDs() []int {
	var pids []int
	for _, p := range c.procs {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}

// Stop kills every process, waits for them, stops the stand-ins, and removes
// the directory when Start made it. It is safe to call more than once.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.cancel()
		for _, p := range c.procs {
			_ = p.cmd.Process.Kill() // the data is thrown away: no graceful shutdown needed
		}
		for _, p := range c.procs {
			<-p.done
		}
		c.agents.Wait()
		if c.ownDir {
			if err := os.RemoveAll(c.Dir); err != nil {
				c.stopErr = fmt.Errorf("removing %s: %w", c.Dir, err)
			}
		}
	})
	return c.stopErr
}

// Log returns the end of a component's log, for error messages.
func (c *Cluster) Log(name string, lines int) string {
	return tailFile(filepath.Join(c.Dir, "logs", name+".log"), lines)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free loopback port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func writeKubeconfig(path, server string, ca []byte, token, namespace string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["rightsize-sim"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos["rightsize-sim"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["rightsize-sim"] = &clientcmdapi.Context{Cluster: "rightsize-sim", AuthInfo: "rightsize-sim", Namespace: namespace}
	cfg.CurrentContext = "rightsize-sim"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return nil
}

func tailFile(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// Alive reports whether the process with pid exists.
func Alive(pid int) bool {
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}
