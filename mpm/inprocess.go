//go:build !mpmchild

package mpm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/internal/unpolled"
)

// InProcess runs an MPM inside the calling process: the form in which an
// MPM is linked into the server binary (Apache's --with-mpm) rather than
// loaded as a plugin. The MPM's code is the same in both forms: InProcess
// calls it directly where Serve answers the host's gRPC calls, and does
// around those calls what Serve does: Configure gets a logger at the
// config's LogLevel and the content checks, Run gets listeners checked to
// be listening, Watch streams Status.
//
// Its methods follow the lifecycle of the package documentation: Configure
// once, Run once, then Stop; Status and Watch may run concurrently with
// Stop. Close comes last, in every case. One InProcess runs one MPM
// instance (one generation); a restart makes a new instance and a new
// InProcess.
//
// The MPM's children are still processes: StartChild executes the MPM's
// child program (Options.ChildProgram) or the calling program's running
// image again (/proc/self/exe on Linux, named os.Executable()), whose
// main must then call RunChild first. They
// inherit Options.Lifeline instead of a plugin's descriptor [LifelineFD],
// and their stderr goes, line by line, to Options.Log, through a pipe of
// each child's own.
type InProcess struct {
	impl     MPM
	log      *lineWriter
	children *childIO
	types    []*sharedTypes // the Configs', closed by Close
}

// InProcessOptions says where an MPM run by InProcess logs and what its
// children hold on to.
type InProcessOptions struct {
	// Log receives the MPM's log lines and its children's stderr: hclog
	// JSON lines, as a plugin writes them to its stderr (a child's plain
	// line, such as a panic, comes as an error line with the child's pid).
	// Each Write is one whole line, and Writes never overlap. InProcess
	// does not close it.
	Log io.Writer
	// Lifeline is the read end of a pipe whose write end the caller keeps
	// open, close-on-exec, for as long as the MPM may have children. Each
	// child inherits it and exits at once when it reads EOF: closing the
	// write end is how a host that dies or gives up takes its children
	// along. InProcess does not close it.
	Lifeline *os.File
	// ChildProgram, if set, is the path of the MPM's child program (see
	// WithChildProgram), which the children then execute instead of this
	// program, on the conditions WithChildProgram lists (compared with
	// this program's file; NewInProcess logs to Log why not, but for a
	// missing file or this program breaking the trust rules itself) and as
	// long as its file is the one checked.
	ChildProgram string
}

// NewInProcess prepares impl to run in this process. impl must be a fresh
// instance: no other InProcess or Serve may use it.
func NewInProcess(impl MPM, opts InProcessOptions) (*InProcess, error) {
	if opts.Log == nil || opts.Lifeline == nil {
		return nil, errors.New("in-process MPM: Log and Lifeline are required")
	}
	log := &lineWriter{w: opts.Log}
	p := &InProcess{impl: impl, log: log, children: &childIO{lifeline: opts.Lifeline, log: log, pids: map[int]bool{}, drained: make(chan struct{})}}
	if opts.ChildProgram != "" {
		if self, err := os.Executable(); err == nil {
			p.children.program = pickChildProgram(opts.ChildProgram, self, newLogger(impl.Describe(), p.log).With("pid", os.Getpid()))
		}
	}
	return p, nil
}

// Describe is the MPM's Describe.
func (p *InProcess) Describe() Description { return p.impl.Describe() }

// Started tells whether pid is one of the MPM's children, started by
// StartChild and not yet reaped: a host serving the children (mod_rewrite's
// prg map programs) admits those and not its other children, such as a
// CGI script's orphans reparented to the host when it is PID 1.
func (p *InProcess) Started(pid int) bool {
	p.children.pidMu.RLock()
	defer p.children.pidMu.RUnlock()
	return p.children.pids[pid]
}

// Configure passes cfg to the MPM's Configure with a logger writing to
// Options.Log at cfg.LogLevel, and adds the content checks every MPM
// shares. Access and error logs come as AccessLog.File and ErrorLog.File
// (FD is not used); the caller keeps those files open until Close.
// Configure keeps a copy of cfg: the caller may reuse it.
func (p *InProcess) Configure(cfg *Config) []Diagnostic {
	c := *cfg
	c.linked = p.children
	diags := configure(p.impl, newLogger(p.impl.Describe(), p.log).With("pid", os.Getpid()), &c)
	p.types = append(p.types, c.types)
	return diags
}

// Run hands the MPM duplicates of the listeners' Files, each checked to be
// a listening socket, and returns once it serves. The caller keeps its
// Files open and its own: the MPM closes only its duplicates. ctx ends the
// MPM's work if it is cancelled while the MPM runs, as the host's death
// ends a plugin's; Stop is the normal end.
func (p *InProcess) Run(ctx context.Context, listeners []Listener) error {
	var ls []Listener
	for _, l := range listeners {
		ln, err := adoptDuplicate(l)
		if err != nil {
			for _, a := range ls {
				a.File.Close()
			}
			return err
		}
		ls = append(ls, ln)
	}
	return p.impl.Run(ctx, ls)
}

// adoptDuplicate is l on a new descriptor of the same socket, checked to
// be a listening socket.
func adoptDuplicate(l Listener) (Listener, error) {
	f, err := unpolled.Dup(l.File, "listener:"+l.Name)
	if err != nil {
		return Listener{}, fmt.Errorf("listener %s: %w", l.Name, err)
	}
	if err := checkListening(int(f.Fd())); err != nil {
		f.Close()
		return Listener{}, fmt.Errorf("fd %d for %s: %w", f.Fd(), l.Name, err)
	}
	l.File = f
	return l, nil
}

// Status is the MPM's Status.
func (p *InProcess) Status() Status { return p.impl.Status() }

// Watch calls fn with a Status snapshot at once and then about once a
// second until ctx ends, as the host's Watch of a plugin does.
func (p *InProcess) Watch(ctx context.Context, fn func(Status)) {
	_ = watch(ctx, p.impl, func(st Status) error { fn(st); return nil })
}

// Stop is the MPM's Stop: see MPM.
func (p *InProcess) Stop(ctx context.Context, graceful bool) error { return p.impl.Stop(ctx, graceful) }

// Close releases what NewInProcess set up, after Stop (or when Run never
// came). Children that still run keep their stderr until they exit; the
// last of their lines reach Log before their pipe's reader ends. Close does
// not wait for that: Drained does.
func (p *InProcess) Close() error {
	p.children.close()
	for _, t := range p.types {
		t.close() // the sealed TypesConfig: one per generation otherwise, until the GC
	}
	return nil
}

// Drained is closed once the children's stderr pipes have been read to
// their end and every line in them written to Options.Log: after Close,
// when no child holds one any more. A caller that closes what Log writes
// to waits for it first (bounded: a child that does not exit keeps it open).
func (p *InProcess) Drained() <-chan struct{} { return p.children.drained }

// lineWriter serializes Writes to w: the MPM's logger and the children's
// stderr share it.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
