package mpm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/errline"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// ChildServer is implemented by an MPM whose processes are children of
// the plugin process (the plugin binary re-executed, see StartChild).
// Serve calls ServeChild in such a child instead of serving the plugin.
type ChildServer interface {
	// ServeChild serves connections until the child should exit: at once
	// when the process gets SIGTERM (the default action), or after
	// draining once c.Graceful() is closed. With a scoreboard, the SDK
	// beats for the child's slot meanwhile, as long as its workers make
	// progress (see "Child health" in the package documentation).
	ServeChild(c *Child) error
}

// EarlyChildServer is a ChildServer whose first children may be started
// ahead of need, so that the first child serves sooner. When the host asks
// for it (to serve, not for a config check; Linux only), Serve calls
// EarlyChildren once, before the host configures the MPM (the answer cannot
// depend on the configuration), and starts that many children, at most 4,
// as the credential the host resolved for children (Core.Credential: nil,
// the plugin's own user, when the host is not root or no User/Group is
// set). Each waits for a spec. StartChild hands a waiting one the spec and
// descriptors instead of executing the binary when spec.Credential equals
// its credential (as Core.ChildCredential returns it; a credential the MPM
// resolves itself may differ, in its groups say, and then never matches),
// until Run returns: then the ones not taken are told to exit.
//
// An early child is a process started when Serve began: it has the
// plugin's environment, working directory, umask, resource limits and
// CPU affinity as they were then, not as the goroutine that calls
// StartChild has them. An MPM that relies on those (pinning each child to
// a CPU, say) does not implement EarlyChildServer.
//
// The first may have started before that, before most of the plugin's
// packages were initialised, when the plugin's main imports package
// mpm/earlystart, its file is named mod_mpm_X.so and a child program
// mod_mpm_X.child is beside it that passes the checks WithChildProgram
// lists but the build's: the SDK starts one child from it then, not
// knowing the MPM yet. Serve counts it as the first of EarlyChildren if
// the MPM is an EarlyChildServer and names that file with
// WithChildProgram, and ends it otherwise (it never gets a spec); a plugin
// that does not import mpm/earlystart, of another name, or without such a
// file, gets none.
type EarlyChildServer interface {
	ChildServer
	// EarlyChildren is how many children may be started ahead of need
	// (the built-in MPMs: 1, the first; the others start once it serves).
	EarlyChildren() int
}

// OnePChildServer is a ChildServer whose children may serve on one P
// (GOMAXPROCS 1) whatever the runtime's default or the environment says,
// as prefork's, which serve one connection at a time. When ChildOnOneP
// says so, RunChild calls ServeChild on the one P the child ran on until
// then (see RunChild) rather than growing to the default or the
// environment's GOMAXPROCS first, only for ServeChild to shrink back:
// 0.1-0.5 ms of CPU per child on 2 CPUs, more with more.
type OnePChildServer interface {
	ChildServer
	// ChildOnOneP reports whether c serves on one P. The child calls it
	// before ServeChild, with c as ServeChild gets it.
	ChildOnOneP(c *Child) bool
}

// Child is what a child process knows: its slot, the configuration and
// the listeners (already adopted; the child owns them).
type Child struct {
	Slot int
	// Generation is ChildSpec.Generation: the generation of the
	// configuration the parent started this child for.
	Generation int
	Config     *Config
	Listeners  []Listener
	Log        hclog.Logger
	Extra      json.RawMessage // what the parent put in ChildSpec.Extra
	// MPM is the MPM's name (Description.Name), e.g. "event".
	MPM string
	// Scoreboard is the parent's board, mapped in this process, or nil if
	// the parent gave none. The child writes only the records of its own
	// Slot (see package scoreboard).
	Scoreboard *scoreboard.Board

	graceful chan struct{}
	progress atomic.Pointer[func(time.Time) bool] // WatchProgress's
}

// Graceful is closed when the parent asks the child to finish its
// connections and exit (SIGUSR1).
func (c *Child) Graceful() <-chan struct{} { return c.graceful }

// WatchProgress makes the child's heartbeat (see "Child health" in the
// package documentation) require f as well: at each beat the heartbeat's
// goroutine calls f with the time, and the child beats only if f reports
// true too. It is for what the worker records do not show: an event loop
// that accepts and holds the idle connections reports whether its current
// turn began more than HangTimeout ago (a deadlock, a read from a hung
// disk), which would otherwise go unnoticed while its workers are idle.
// f must be quick and must not block. A later call replaces f; nil removes
// it.
func (c *Child) WatchProgress(f func(now time.Time) bool) {
	if f == nil {
		c.progress.Store(nil)
		return
	}
	c.progress.Store(&f)
}

// progressing is WatchProgress's f at now, true without one.
func (c *Child) progressing(now time.Time) bool {
	if f := c.progress.Load(); f != nil {
		return (*f)(now)
	}
	return true
}

// ChildSpec says what to start a child with.
type ChildSpec struct {
	Slot int
	// Generation is Apache's generation: the number of the configuration
	// the child is started for, which a graceful restart increments. The
	// SDK only hands it to the child (Child.Generation). The parent writes
	// the same number into the slot's records (scoreboard.Process.Prepare,
	// scoreboard.Worker.Reset) and the running one into the board
	// (scoreboard.Global.SetGeneration, 0 unless set): server-status marks
	// a child of another generation "old gen", and Board.Summary counts
	// idle only the workers of the running one. Here a graceful restart
	// starts a new plugin process, with a scoreboard of its own, and
	// Configure is called once per process: one plugin process has one
	// generation, so the built-in MPMs use 0 throughout.
	Generation int
	Config     *Config
	Listeners  []Listener // passed as inherited descriptors
	Extra      any        // JSON-encoded into Child.Extra
	// Scoreboard, if set, is passed as an inherited descriptor and opened
	// in the child as Child.Scoreboard.
	Scoreboard *scoreboard.Board
	// Credential, if set, is the user and group the child runs as (see
	// ChildCredential); the parent must be root to set it. The child can
	// then no longer bind privileged ports: the host bound them already.
	Credential *Credential
}

// Process is a child process started by StartChild.
type Process struct {
	Slot int
	Pid  int

	proc  *os.Process
	done  chan struct{}
	mu    sync.Mutex
	state *os.ProcessState
}

// Done is closed when the process has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// State is the exit state once Done is closed, else nil.
func (p *Process) State() *os.ProcessState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Signal sends sig to the process; it is a no-op once the process exited.
func (p *Process) Signal(sig os.Signal) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	return p.proc.Signal(sig)
}

// LifelineFD is the descriptor on which the host hands the plugin the read
// end of its lifeline pipe. Listeners follow it; their numbers are in Run.
const LifelineFD = prestart.LifelineFD

// childWire is the spec as it travels in the child's environment.
type childWire struct {
	Slot       int
	Generation int
	Config     configWire
	Listeners  []listenerWire
	Extra      json.RawMessage
	Scoreboard bool // fd childScoreboardFD holds the board; listeners follow it
	MimeTypes  int  // the descriptor of the generation's sealed TypesConfig file (sharedTypes), 0 for none
	Parent     int  // the plugin process's pid
}

type configWire struct {
	Core     Core
	Settings []Setting
	LogLevel string
}

type listenerWire struct{ Name, Network, Address string }

// hostLifeline is the read end of the host's lifeline pipe (fd 3 of the
// plugin process). Children inherit it too: when the host dies they exit
// at once, whereas the death of the plugin process alone lets them drain.
var hostLifeline struct {
	once sync.Once
	f    *os.File
}

func hostLifelineFile() *os.File {
	hostLifeline.once.Do(func() { hostLifeline.f = prestart.Lifeline() })
	return hostLifeline.f
}

// StartChild starts a child process that runs the MPM's ServeChild: the
// MPM's child program (WithChildProgram, InProcessOptions.ChildProgram)
// while its file is still the one checked, else this process's own image
// again (/proc/self/exe on Linux: the code running here, even if its file
// was replaced since). The child gets the listeners as descriptors, logs
// to the plugin's original stderr and has no stdin or stdout. For an MPM
// run by InProcess, this process is the host (whose main calls RunChild
// first), and lifeline and stderr are the ones given to NewInProcess. If the
// plugin process dies (a crash, kill -9) the child is asked to finish
// gracefully (its Graceful channel closes: in-flight requests complete
// while the host starts a new MPM on the same sockets); if the host dies,
// the child exits at once.
//
// The kernel sends that parent-death signal when the thread that started
// the child ends, not the process: call StartChild from a goroutine that
// is not locked to an OS thread about to exit.
//
// In a plugin whose MPM is an EarlyChildServer, the first children may
// already be running, started as the credential the host resolved:
// until Run returns, StartChild hands one of spec.Credential the spec and
// descriptors instead of executing the binary (see EarlyChildServer).
func StartChild(spec ChildSpec) (*Process, error) {
	w := childWire{Slot: spec.Slot, Generation: spec.Generation, Parent: os.Getpid()}
	if spec.Config != nil {
		w.Config = configWire{Core: spec.Config.Core, Settings: spec.Config.Settings, LogLevel: spec.Config.LogLevel}
	}
	prog, lifeline, stderr := childProgram, hostLifelineFile(), originalStderr()
	var log hclog.Logger
	var linked *childIO
	if spec.Config != nil {
		log = spec.Config.Log
		if linked = spec.Config.linked; linked != nil {
			prog, lifeline = linked.program, linked.lifeline
		}
	}
	files := []*os.File{lifeline}
	if spec.Scoreboard != nil && spec.Scoreboard.File() != nil {
		w.Scoreboard = true
		files = append(files, spec.Scoreboard.File())
	}
	for _, l := range spec.Listeners {
		w.Listeners = append(w.Listeners, listenerWire{l.Name, l.Network, l.Address})
		files = append(files, l.File)
	}
	files = passLogs(files, &w.Config.Core)
	if spec.Config != nil {
		if f := spec.Config.types.file(spec.Config.Core.TypesConfig); f != nil {
			w.MimeTypes = childLifelineFD + len(files)
			files = append(files, f)
		}
	}
	var err error
	if spec.Extra != nil {
		if w.Extra, err = json.Marshal(spec.Extra); err != nil {
			return nil, fmt.Errorf("encode child extra: %w", err)
		}
	}
	blob, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode child spec: %w", err)
	}
	if spec.Config == nil || spec.Config.linked == nil {
		// An early child has the lifeline already. One that cannot take
		// the spec (it died) is dropped; the next, or an exec, serves.
		for ec := takeEarly(spec.Credential); ec != nil; ec = takeEarly(spec.Credential) {
			err := ec.handOver(blob, files[1:])
			if err == nil {
				return watchProcess(spec.Slot, ec.Process, nil), nil
			}
			if log != nil {
				log.Warn("early child not used", "error", err)
			}
		}
	}
	exe, name, err := childExecutable(prog, log)
	if err != nil {
		return nil, err
	}
	var relay *os.File
	if linked != nil {
		// A pipe of its own, so that its plain lines (a panic) carry its pid.
		if relay, stderr, err = os.Pipe(); err != nil {
			return nil, fmt.Errorf("start child %d: stderr pipe: %w", spec.Slot, err)
		}
	}
	if linked != nil {
		// Started waits for the pid of a child being started: it may
		// ask before execChild returns.
		linked.pidMu.Lock()
	}
	proc, err := execChild(exe, name, blob, stderr, files, spec.Credential)
	if linked != nil {
		if err == nil {
			linked.pids[proc.Pid] = true
		}
		linked.pidMu.Unlock()
	}
	if relay != nil {
		stderr.Close()
		if err != nil {
			relay.Close()
		} else {
			linked.relay(relay, proc.Pid)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("start child %d: %w", spec.Slot, err)
	}
	if linked == nil {
		return watchProcess(spec.Slot, proc, nil), nil
	}
	return watchProcess(spec.Slot, proc, func() { linked.reaped(proc.Pid) }), nil
}

// childCommand is prestart.Command for a child of credential cred.
func childCommand(exe, name, spec string, stderr *os.File, files []*os.File, cred *Credential) (*exec.Cmd, error) {
	return prestart.Command(exe, name, spec, stderr, files, cred.sys())
}

// warmSpec builds encoding/json's encoder of the child spec, which the
// first StartChild would build on its way to the first child (0.9 ms of
// CPU then, 0.1 ms warm). Serve calls it while the plugin waits for the
// host's first calls. The type information it caches (the fields of every
// struct in the spec) is also what Unmarshal looks up: a child calls it
// while it waits for its spec.
func warmSpec() { _, _ = json.Marshal(childWire{}) }

// watchProcess is the Process of a started child, reaped when it exits
// (then reaped is called, if not nil).
func watchProcess(slot int, proc *os.Process, reaped func()) *Process {
	p := &Process{Slot: slot, Pid: proc.Pid, proc: proc, done: make(chan struct{})}
	go func() {
		state, _ := proc.Wait()
		if reaped != nil {
			reaped()
		}
		p.mu.Lock()
		p.state = state
		p.mu.Unlock()
		close(p.done)
	}()
	return p
}

// childIO is what the children of an MPM run by InProcess inherit
// instead of the plugin's lifeline descriptor, the child program they
// run, if not this binary, and where their stderr goes: each child writes
// to a pipe of its own, whose lines relay passes to log.
type childIO struct {
	lifeline *os.File
	program  *program
	log      io.Writer // InProcess's lineWriter

	pidMu sync.RWMutex
	pids  map[int]bool // the children started and not yet reaped (InProcess.Started)

	mu      sync.Mutex
	relays  int           // relay goroutines still reading
	closed  bool          // no more children: drained closes after the last relay
	drained chan struct{} // InProcess.Drained
}

// reaped forgets the child pid, which has been reaped.
func (c *childIO) reaped(pid int) {
	c.pidMu.Lock()
	defer c.pidMu.Unlock()
	delete(c.pids, pid)
}

// relay writes the lines of r, the stderr of the child pid, to c.log until
// the child and every process it passed the pipe to have closed it:
// hclog's JSON lines as they are (they carry the child's pid), any other
// (a panic, the runtime's SIGQUIT dump) as an error line with the pid.
func (c *childIO) relay(r *os.File, pid int) {
	c.mu.Lock()
	c.relays++
	c.mu.Unlock()
	go func() {
		defer c.relayDone()
		defer r.Close()
		relayLines(c.log, r, pid)
	}()
}

// relayLines copies the lines of r to log as childLine makes them until r
// ends; a line is at most errline.MaxLine bytes (a longer one is cut
// there), so a child writing without a newline cannot grow the reader.
func relayLines(log io.Writer, r io.Reader, pid int) {
	s := errline.Splitter{Line: func(line []byte) {
		if b := childLine(line, pid); b != nil {
			_, _ = log.Write(b)
		}
	}}
	_, _ = io.Copy(&s, r)
	s.Flush()
}

func (c *childIO) relayDone() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.relays--
	if c.relays == 0 && c.closed {
		close(c.drained)
	}
}

// close says no child starts any more: drained closes once the children
// that hold a relay's pipe have all closed it.
func (c *childIO) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	if c.relays == 0 {
		close(c.drained)
	}
}

// childLine is a line of a child's stderr as relay writes it (nil for an
// empty one): an hclog JSON line as it is, else an hclog error line of the
// text with the child's pid.
func childLine(line []byte, pid int) []byte {
	text := bytes.TrimRight(line, "\r\n")
	if len(text) == 0 {
		return nil
	}
	if text[0] == '{' && json.Valid(text) {
		return append(text, '\n')
	}
	b, _ := json.Marshal(map[string]any{"@level": "error", "@message": string(text), "pid": pid})
	return append(b, '\n')
}

// RunChild serves impl's child side if this process is a child started by
// StartChild, and then returns its exit status and true; otherwise it
// returns 0 and false at once, having done nothing. A program that runs an
// MPM with InProcess calls it first thing in main, with a fresh instance
// of that MPM, and exits with the status when ok: StartChild re-executes
// the program's own binary. (Serve does this for a plugin.) In a child,
// RunChild takes over the process's signals (SIGUSR1 starts draining) and
// exits the process at once if the host dies. The MPM's ServeChild starts
// with the runtime's default GOMAXPROCS, or the environment's (one P for an
// OnePChildServer whose ChildOnOneP says so); one set in code before
// RunChild is not kept.
func RunChild(impl MPM) (status int, ok bool) {
	blob := os.Getenv(wire.ChildEnv)
	if blob == "" {
		return 0, false
	}
	// The spec holds the child's settings, TLS keys included: nothing the
	// configuration can name (%{ENV:...}, PassEnv, a CGI script's
	// environment) may read it from the environment. (/proc/PID/environ
	// still has it: a child holding keys is not dumpable.)
	os.Unsetenv(wire.ChildEnv)
	if os.Getenv(wire.OnePEnv) != "" {
		// The plugin's GOMAXPROCS=1 (not the server's), which gave the
		// runtime one P from its start; onOneP keeps it until ServeChild.
		os.Unsetenv("GOMAXPROCS")
		os.Unsetenv(wire.OnePEnv)
	}
	fdOf := func(fd int) int { return fd }
	// One P until ServeChild (see onOneP).
	restore := onOneP()
	var sig *childSignals
	if blob == earlyMarker || blob == socketMarker {
		// What does not depend on the spec is done while the child waits
		// for it (an early child waits for the host's handshake): the
		// lifeline's and SIGUSR1's watches (each starts a thread), and
		// encoding/json's decoder of the spec, which serveChild's
		// Unmarshal then finds built.
		go warmSpec()
		sig = watchChildSignals()
		if err := guardSpec(); err != nil {
			newLogger(impl.Describe(), os.Stderr).Error("cannot make the child non-dumpable before its spec", "error", err)
			return 1, true
		}
		var err error
		if blob, fdOf, err = receiveSpec(); err != nil {
			if errors.Is(err, errNoSpec) {
				return 0, true
			}
			newLogger(impl.Describe(), os.Stderr).Error("early child", "error", err)
			return 1, true
		}
	}
	return serveChild(impl, blob, fdOf, restore, sig), true
}

// onOneP sets GOMAXPROCS to 1 and returns what sets it back, as it was in
// the environment or the runtime's default. A child's work before its
// MPM's ServeChild (the spec, descriptors, scoreboard) is one goroutine's;
// and an MPM that wants fewer Ps (event, prefork) then shrinks from a P
// that has done nothing. Shrinking at that point from where the child
// started cost 0.6-0.8 ms of CPU on the way to the first response: the
// dropped P's span caches were full, and handing them back faults in the
// runtime's span sets. Growing is cheap.
func onOneP() (restore func()) {
	prev := runtime.GOMAXPROCS(1)
	// The runtime's rule: only a positive number counts.
	if n, err := strconv.Atoi(os.Getenv("GOMAXPROCS")); err == nil && n > 0 {
		return func() { runtime.GOMAXPROCS(prev) }
	}
	return runtime.SetDefaultGOMAXPROCS // with its updates as the CPU limit changes
}

// Child descriptors: fd 3 is the host's lifeline, then the scoreboard if
// there is one, then the listeners.
const (
	childLifelineFD   = 3
	childScoreboardFD = 4
)

// childSignals is what a child's host lifeline and SIGUSR1 do: graceful
// is closed by drain, which SIGUSR1 calls.
type childSignals struct {
	graceful chan struct{}
	drain    func()
}

// watchChildSignals exits the process when the host's lifeline (fd 3)
// closes, the host being gone, and has SIGUSR1 call drain.
func watchChildSignals() *childSignals {
	watchLifeline(os.NewFile(childLifelineFD, "lifeline"), func() { os.Exit(0) }) // the host is gone
	s := &childSignals{graceful: make(chan struct{})}
	var once sync.Once
	s.drain = func() { once.Do(func() { close(s.graceful) }) }
	onGraceful(s.drain)
	return s
}

// serveChild is the child side of StartChild. fdOf maps the descriptor
// numbers of the spec (an executed child's) to this process's. sig is
// watchChildSignals' when RunChild called it already, else nil.
func serveChild(impl MPM, blob string, fdOf func(int) int, restore func(), sig *childSignals) int {
	cs, ok := impl.(ChildServer)
	log := newLogger(impl.Describe(), os.Stderr)
	if !ok {
		log.Error("this MPM does not run child processes")
		return 1
	}
	var w childWire
	if err := json.Unmarshal([]byte(blob), &w); err != nil {
		log.Error("bad child spec", "error", err)
		return 1
	}
	setLevel(log, w.Config.LogLevel)
	log = log.With("pid", os.Getpid())
	if err := guardKeys(&w.Config.Core); err != nil {
		log.Error("cannot make the child non-dumpable: it holds TLS keys", "error", err)
		return 1
	}
	need := len(w.Listeners)
	if w.Scoreboard {
		need++
	}
	for _, fd := range w.Config.Core.logFDs() {
		need = max(need, *fd-childLifelineFD)
		*fd = fdOf(*fd)
	}
	need = max(need, w.MimeTypes-childLifelineFD)
	if need > 0 && fdOf(childLifelineFD+need) < 0 {
		log.Error("child descriptors missing", "want", need)
		return 1
	}
	c := &Child{
		Slot: w.Slot, Generation: w.Generation, Log: log, Extra: w.Extra, MPM: impl.Describe().Name,
		Config: &Config{Core: w.Config.Core, Settings: w.Config.Settings, LogLevel: w.Config.LogLevel, Log: log},
	}
	if w.MimeTypes > 0 {
		text, err := mapSealed(fdOf(w.MimeTypes))
		if err != nil {
			log.Error("map the TypesConfig file shared by the parent", "error", err)
			return 1
		}
		c.Config.mime = static.ParseMimeTypes(text)
	}
	fd := childScoreboardFD
	if w.Scoreboard {
		b, err := scoreboard.Open(os.NewFile(uintptr(fdOf(fd)), "scoreboard"))
		if err != nil {
			log.Error("open scoreboard", "error", err)
			return 1
		}
		c.Scoreboard = b
		fd++
		go keepHeartbeat(b, c.Slot, HangTimeout(c.Config.Core), nil, c.progressing)
	}
	for i, l := range w.Listeners {
		ln, err := adoptListener(uintptr(fdOf(fd+i)), l.Name, l.Network, l.Address)
		if err != nil {
			log.Error("adopt listener", "error", err)
			return 1
		}
		c.Listeners = append(c.Listeners, ln)
	}
	if sig == nil {
		sig = watchChildSignals()
	}
	c.graceful = sig.graceful
	// SIGUSR1 stayed blocked from exec until onGraceful listened (see
	// prestart.Start); this covers systems without that.
	if os.Getppid() != w.Parent {
		sig.drain()
	}
	if one, ok := impl.(OnePChildServer); !ok || !one.ChildOnOneP(c) {
		restore()
	}
	stopProfile := startProfile(c.MPM, log)
	defer stopProfile()
	if err := cs.ServeChild(c); err != nil && !errors.Is(err, errStopped) {
		log.Error("child failed", "error", err)
		return 1
	}
	return 0
}

var errStopped = errors.New("stopped")

// HeartbeatInterval is how often a child started by StartChild with a
// scoreboard refreshes its heartbeat (scoreboard.Process.Beat).
const HeartbeatInterval = time.Second

// hangSlack absorbs the scheduling stalls of a loaded machine.
const hangSlack = 5 * time.Second

// HangTimeout is how long a child may go without showing progress before
// it counts as hung: the longest Timeout or KeepAliveTimeout of the main
// server and the virtual hosts (each of the engine's waits on the network
// is bounded by one of them, so past that every client of the child has
// waited longer than the server would wait on it) plus 5 s. A child stops
// beating once every worker in use has been busy for HangTimeout without a
// wait on the network (scoreboard.Board.Progressing); a parent may end a
// child whose heartbeat is older than HangTimeout.
func HangTimeout(core Core) time.Duration {
	longest := max(orDefault(core.Timeout, http1.DefaultTimeout), orDefault(core.KeepAliveTimeout, http1.DefaultKeepAliveTimeout))
	for _, v := range core.VirtualHosts {
		longest = max(longest, orDefault(v.Timeout, http1.DefaultTimeout), orDefault(v.KeepAliveTimeout, http1.DefaultKeepAliveTimeout))
	}
	return longest + hangSlack
}

// orDefault is d, or def when d is not positive (the engine's zero).
func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// keepHeartbeat beats for slot every HeartbeatInterval while the child
// makes progress (its workers, and also, if not nil), until stop is
// closed (nil: for the life of the process). It runs on its own
// goroutine, so a stopped process (SIGSTOP), a starved one or one whose
// workers are all stuck stops beating, whereas a busy one does not.
func keepHeartbeat(b *scoreboard.Board, slot int, stuck time.Duration, stop <-chan struct{}, also func(time.Time) bool) {
	p := b.Process(slot)
	p.Beat()
	t := time.NewTicker(HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			if b.Progressing(slot, now, stuck) && (also == nil || also(now)) {
				p.Beat()
			}
		}
	}
}

// watchLifeline calls gone when f reads EOF (or fails): the process that
// holds the write end has died.
func watchLifeline(f *os.File, gone func()) {
	go func() {
		var b [1]byte
		for {
			if _, err := f.Read(b[:]); err != nil {
				gone()
				return
			}
		}
	}()
}
