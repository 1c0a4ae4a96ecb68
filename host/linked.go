package host

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/httpd-mpm/httpd-mpm/host/listen"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// StaticMPM, when set, makes a fresh instance of the MPM linked into this
// binary (`make MPM=NAME`, Apache's --with-mpm): the host then runs it in
// its own process, needs no LoadModule for it, lists it in -l and -M as
// compiled in, and refuses a LoadModule of any other MPM with AH00534. The
// main package sets it from an init function that a build tag selects;
// nil, the default, is the host that loads its MPM as a plugin. It must
// not change once Main runs.
var StaticMPM func() mpm.MPM

// generation is one MPM instance the host runs: a plugin process
// (*launch.Plugin) or the MPM linked into this binary (*linked). The
// host calls Configure, Run, then Stop and Kill, in that order; Kill may
// come at any point and more than once.
type generation interface {
	Describe() mpm.Description
	// Features are the parts of the configuration the MPM honours
	// (wire.Features): all of them when linked in.
	Features() []string
	Pid() int
	Exited() <-chan struct{}
	ExitState() string
	Configure(ctx context.Context, cfg *mpm.Config) ([]mpm.Diagnostic, error)
	Run(ctx context.Context) error
	Watch(ctx context.Context, fn func(mpm.Status)) error
	Stop(ctx context.Context, graceful bool, timeout time.Duration) error
	// Ping returns nil if the MPM answers, even while it drains in Stop.
	Ping(ctx context.Context) error
	Kill()
	// Abort ends an MPM that does not answer (Ping, Stop) without asking
	// it anything.
	Abort()
}

// linked is the MPM linked into this binary, running in the host's
// process through mpm.InProcess: the same calls a plugin gets over gRPC,
// made directly. Its children run the MPM's child program beside this
// binary (wire.ChildProgram), or this binary's own image re-executed
// (Main answers them first); they hold this generation's lifeline, and
// their log lines and the MPM's own reach the writer a plugin's stderr
// would.
type linked struct {
	*mpm.InProcess
	sockets  []*listen.Socket
	logs     *accessLogs // owned from start to Kill: children get copies
	lifeline *os.File    // write end: closed by Kill, children then exit at once
	lifeR    *os.File    // read end, which children inherit
	ctx      context.Context
	cancel   context.CancelFunc
	exited   chan struct{}

	mu      sync.Mutex
	running bool // Run succeeded and Stop was not called yet
	killed  bool
}

var _ generation = (*linked)(nil)

// startLinked makes a new instance of StaticMPM ready to configure. It
// owns logs from here on, even when it fails.
func startLinked(sockets []*listen.Socket, logs *accessLogs, log io.Writer) (*linked, error) {
	r, w, err := os.Pipe()
	if err != nil {
		logs.close()
		return nil, fmt.Errorf("lifeline pipe: %w", err)
	}
	impl := StaticMPM()
	opts := mpm.InProcessOptions{Log: log, Lifeline: r}
	if exe, err := os.Executable(); err == nil {
		// The MPM's child program, as make MPM=NAME builds it beside httpd.
		opts.ChildProgram = filepath.Join(filepath.Dir(exe), wire.ChildProgram(impl.Describe().Name))
	}
	ip, err := mpm.NewInProcess(impl, opts)
	if err != nil {
		r.Close()
		w.Close()
		logs.close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &linked{InProcess: ip, sockets: sockets, logs: logs, lifeline: w, lifeR: r,
		ctx: ctx, cancel: cancel, exited: make(chan struct{})}, nil
}

// Pid is the host's: the MPM runs in it.
func (l *linked) Features() []string { return wire.Features }

func (l *linked) Pid() int { return os.Getpid() }

// Exited is closed by Kill: a linked MPM ends only with its host.
func (l *linked) Exited() <-chan struct{} { return l.exited }

// ExitState says where the MPM ran.
func (l *linked) ExitState() string { return "linked into httpd, ended with Kill" }

// Configure hands the configuration to the MPM.
func (l *linked) Configure(_ context.Context, cfg *mpm.Config) ([]mpm.Diagnostic, error) {
	return l.InProcess.Configure(cfg), nil
}

// Run starts the MPM on the host's sockets (the MPM gets duplicates).
func (l *linked) Run(context.Context) error {
	ls := make([]mpm.Listener, len(l.sockets))
	for i, s := range l.sockets {
		ls[i] = mpm.Listener{Name: s.Name, Network: s.Network, Address: s.Addr, Bucket: s.Bucket, File: s.File}
	}
	if err := l.InProcess.Run(l.ctx, ls); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	l.mu.Lock()
	l.running = true
	l.mu.Unlock()
	return nil
}

// Watch calls fn with each status snapshot until ctx ends or Kill.
func (l *linked) Watch(ctx context.Context, fn func(mpm.Status)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(l.ctx, cancel)()
	l.InProcess.Watch(ctx, fn)
	return nil
}

// Stop stops the MPM (draining first if graceful) and waits for it, at
// most timeout if that is not 0.
func (l *linked) Stop(ctx context.Context, graceful bool, timeout time.Duration) error {
	l.mu.Lock()
	l.running = false
	l.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := l.InProcess.Stop(ctx, graceful); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}

// Ping answers at once: the MPM runs in this process.
func (l *linked) Ping(context.Context) error { return nil }

// Abort is Kill: an MPM in this process cannot be killed apart from it,
// and Kill bounds its waits.
func (l *linked) Abort() { l.Kill() }

// Kill ends the generation: an MPM still running is stopped at once (its
// children get 2 s, as go-plugin gives a plugin), then the lifeline, the
// children's stderr pipe and the access logs are closed, once the
// children's last lines are read (at most 2 s more).
func (l *linked) Kill() {
	l.mu.Lock()
	running, killed := l.running, l.killed
	l.killed = true
	l.mu.Unlock()
	if killed {
		return
	}
	if running {
		_ = l.Stop(context.Background(), false, 2*time.Second)
	}
	l.cancel()
	l.lifeline.Close()
	l.lifeR.Close()
	l.InProcess.Close()
	// The children's last lines reach the error logs (closed once Kill
	// returns) before it returns; a child that outlives its lifeline gets
	// 2 s more, as go-plugin reads a plugin's stderr.
	select {
	case <-l.InProcess.Drained():
	case <-time.After(2 * time.Second):
	}
	l.logs.close()
	close(l.exited)
}
