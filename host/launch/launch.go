// Package launch starts an MPM plugin process with go-plugin (gRPC over a
// Unix socket in a private directory), hands it the listening sockets and
// speaks the MPM protocol to it. It is the only host package that sees
// go-plugin and proto types.
//
// The plugin's socket lives in a directory that only this process's user
// can enter (mode 0700, made per plugin and removed when it exits), so no
// other user can connect to it. go-plugin's AutoMTLS would add nothing to
// that (a process of the same user could read the host's memory anyway)
// and cost about 20 ms of CPU at every start: two P-521 keys, two
// certificates and a mutual handshake (4 ECDSA P-521 verifications).
package launch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"golang.org/x/sys/unix"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/httpd-mpm/httpd-mpm/host/listen"
	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/internal/cloexec"
	"github.com/httpd-mpm/httpd-mpm/internal/privdir"
	"github.com/httpd-mpm/httpd-mpm/internal/rpcwire"
	"github.com/httpd-mpm/httpd-mpm/internal/trust"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

// ErrExited is returned for calls to a plugin process that has exited.
var ErrExited = errors.New("mpm plugin process exited")

// Options says what to start.
type Options struct {
	Path      string           // the plugin executable (LoadModule's file)
	Listeners []*listen.Socket // handed over as fds 4, 5, ... (fd 3 is the lifeline)
	// Output, if set, makes the writer of each stream of the plugin's
	// output, given the plugin process's pid: its stderr (its log lines,
	// the Go runtime's panic traces), and what it writes to os.Stderr and
	// os.Stdout once it serves (go-plugin carries those over gRPC). It is
	// called once per stream, at the stream's first write; each writer gets
	// one stream's bytes in order, one Write at a time. Without it the
	// output is discarded.
	Output func(pid int) io.Writer
	// Stdout, if set, receives what the plugin writes to os.Stdout after
	// the handshake instead of Output (it should write nothing; see
	// package mpm).
	Stdout io.Writer
	// Files are more descriptors for the plugin, handed over after the
	// listeners: Files[i] is descriptor FileFD(len(Listeners), i) there.
	Files []*os.File
	// Checksum, if set, is the "sha256:HEX" the file must have
	// (LoadModuleChecksum); Start refuses a file with another, and the
	// plugin then runs its children from that file too (wire.PinnedEnv).
	Checksum string
	// EarlyChild lets the plugin start its first child before the host
	// configures it (mpm.EarlyChildServer), as ChildCredential (nil: as
	// the plugin's own user), so that the child's process start overlaps
	// the handshake. Set it only with the credential that Configure will
	// carry: the plugin hands an early child only a spec of its credential.
	EarlyChild      bool
	ChildCredential *mpm.Credential
	// Preconfig, if set, makes the configuration to hand the plugin at
	// exec with the listeners' Run request (wire.PreconfigEnv, a pipe), so
	// that it may configure itself and start serving while the handshake
	// goes on; nil for none. Start calls it once, concurrently with the
	// plugin's start, and returns after it has. The Settings it makes are
	// every top-level directive, and CoreDirective says which names are
	// the core's: the plugin keeps those it declares, and takes the
	// configuration (Plugin.Preconfigured) only if it declares every
	// other. Set it only to serve; it should make a configuration only
	// when that passed every check but those of the MPM's own directives.
	Preconfig     func() *mpm.Config
	CoreDirective func(name string) bool
	// Module is the module LoadModule names: a plugin takes the Preconfig
	// only if its MPM is that module.
	Module string
}

// Plugin is a running MPM plugin process. Its methods are safe for
// concurrent use, but the MPM protocol expects Configure, Run and Stop in
// that order.
type Plugin struct {
	Desc mpm.Description

	features []string // what its SDK honours (wire.Features), from Describe

	client    *plugin.Client
	rpc       mpmv1.MPMClient
	conn      *grpc.ClientConn // the connection rpc speaks over
	cmd       *exec.Cmd
	lifeline  *os.File // write end; never written, closed by Kill
	sockDir   string   // private directory of the plugin's gRPC socket (privdir.Make)
	sockFD    int      // the directory, open
	sockGone  sync.Once
	listeners []*listen.Socket
	exited    chan struct{}
	// pre is the Configure request handed over at exec (Options.Preconfig),
	// preconfigured whether the plugin took it (Describe).
	pre           *mpmv1.ConfigureRequest
	preconfigured bool
	// died is closed once the process has ended, with state saying how
	// (exitState); exited comes later, once go-plugin has read the end of
	// its output, which its children may hold.
	died     chan struct{}
	state    string
	diedOnce sync.Once
}

// noteDeath records how the process ended (exitState), the first time.
func (p *Plugin) noteDeath(state string) {
	p.diedOnce.Do(func() {
		p.state = state
		close(p.died)
	})
}

// inherited, once, before the first plugin starts, makes the descriptors
// this process inherited close-on-exec and removes from its environment
// the variables that are Start's or go-plugin's to set: go-plugin appends
// the host's environment after the plugin's own, and the last of a name
// counts, so one of wire.Roles, PLUGIN_UNIX_SOCKET_DIR (the directory of
// the plugin's gRPC socket, which answers Stop) or another of go-plugin's
// PLUGIN_ variables in the environment httpd was started with would
// override them. (Those go-plugin appends itself after the host's
// environment, its magic cookie and PLUGIN_MIN_PORT, PLUGIN_MAX_PORT,
// PLUGIN_PROTOCOL_VERSIONS, win anyway; they go too, as they would reach
// piped loggers and programs.)
var inherited sync.Once

// ScrubInherited does it now, if not done yet: host.Main calls it first
// thing, so that nothing httpd starts, in either form (a plugin, a child
// of the MPM linked in, a piped logger, a RewriteMap program), inherits a
// descriptor httpd was started with (an `exec 200</etc/shadow` before
// starting it would reach children running as User).
func ScrubInherited() { inherited.Do(scrubInherited) }

func scrubInherited() {
	cloexec.Inherited()
	for _, name := range wire.Roles {
		os.Unsetenv(name)
	}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "PLUGIN_") || name == wire.CookieKey {
			os.Unsetenv(name)
		}
	}
}

// Start checks that the plugin file can be trusted (see package trust) and has
// the pinned checksum, executes it, completes the handshake and calls
// Describe. It refuses a plugin that speaks no API version of this host's
// with a *VersionError.
func Start(ctx context.Context, opts Options) (*Plugin, error) {
	path, err := trust.Trusted(opts.Path, "an MPM plugin")
	if err != nil {
		return nil, err
	}
	if opts.Preconfig == nil {
		// The first child waits for Configure and Run: their coders are
		// built while the plugin starts. With a Preconfig the plugin's Run
		// has begun before the first round trip, and building them then
		// took CPU from the plugin and its first child, on the way to the
		// first response (~1 ms later on 2 cores); the round trips build
		// them as they go.
		go rpcwire.WarmProto()
	}
	if opts.Checksum != "" {
		if err := VerifyChecksum(path, opts.Checksum); err != nil {
			return nil, err
		}
	}
	ScrubInherited()
	sockDir, sockFD, err := privdir.Make("", "httpd-mpm-")
	if err != nil {
		return nil, fmt.Errorf("plugin socket directory: %w", err)
	}
	lr, lw, err := os.Pipe()
	if err != nil {
		privdir.RemoveAll(sockFD, sockDir)
		return nil, fmt.Errorf("lifeline pipe: %w", err)
	}
	defer lr.Close()
	cmd := exec.Command(path)
	// go-plugin adds the host's environment and its own variables after
	// this one; PLUGIN_UNIX_SOCKET_DIR is where the plugin makes its socket.
	cmd.Env = []string{plugin.EnvUnixSocketDir + "=" + sockDir}
	if opts.Checksum != "" {
		// The pin covers this file, not a child program next to it.
		cmd.Env = append(cmd.Env, wire.PinnedEnv+"=1")
	}
	if opts.EarlyChild {
		cred, err := json.Marshal(opts.ChildCredential)
		if err != nil {
			return nil, fmt.Errorf("encode the children's credential: %w", err)
		}
		cmd.Env = append(cmd.Env, wire.EarlyChildEnv+"="+string(cred))
	}
	cmd.ExtraFiles = []*os.File{lr}
	for _, l := range opts.Listeners {
		cmd.ExtraFiles = append(cmd.ExtraFiles, l.File)
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, opts.Files...)
	cmd.SysProcAttr = sysProcAttr()
	p := &Plugin{cmd: cmd, lifeline: lw, sockDir: sockDir, sockFD: sockFD, listeners: opts.Listeners, exited: make(chan struct{}), died: make(chan struct{})}
	var pre *preconfigPipe
	if opts.Preconfig != nil {
		if pre, err = p.handOver(opts.Preconfig, opts.CoreDirective, opts.Module); err != nil {
			lw.Close()
			p.removeSockDir()
			return nil, err
		}
		defer pre.r.Close() // the plugin has its copy
		defer pre.abandon() // unless it read all: an older SDK's does not
	}
	stdout := opts.Stdout
	if stdout == nil {
		stdout = p.output(opts.Output)
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  rpcwire.Handshake,
		Plugins:          rpcwire.Plugins(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Stderr:           p.output(opts.Output),
		SyncStderr:       p.output(opts.Output),
		SyncStdout:       stdout,
		GRPCDialOptions:  []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(rpcwire.MaxAnswer))},
		Logger:           hclog.New(&hclog.LoggerOptions{Level: hclog.Off, Output: io.Discard}),
		StartTimeout:     15 * time.Second,
	})
	p.client = client
	var rpcClient plugin.ClientProtocol
	onLauncher(func() { rpcClient, err = client.Client() })
	if err != nil {
		p.Kill()
		if v := protocolMismatch(err); v != nil {
			return nil, v
		}
		return nil, fmt.Errorf("%s is not an httpd-mpm MPM plugin: %w", opts.Path, err)
	}
	raw, err := rpcClient.Dispense(wire.PluginName)
	if err != nil {
		p.Kill()
		return nil, fmt.Errorf("%s: dispense mpm: %w", opts.Path, err)
	}
	p.rpc = raw.(mpmv1.MPMClient)
	if g, ok := rpcClient.(*plugin.GRPCClient); ok {
		p.conn = g.Conn
	}
	go func() {
		waitExit(p.Pid(), client.Exited, func(ws syscall.WaitStatus) { p.noteDeath(exitState(ws)) })
		// Without a pidfd: go-plugin has reaped it.
		state := "unknown"
		if ps := p.cmd.ProcessState; ps != nil {
			state = exitState(ps.Sys().(syscall.WaitStatus))
		}
		p.noteDeath(state)
		p.removeSockDir()
		close(p.exited)
	}()
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := p.rpc.Describe(dctx, &mpmv1.DescribeRequest{HostApiVersions: []string{wire.APIVersion}})
	if err != nil {
		if dctx.Err() != nil {
			p.Abort() // it may be frozen: Kill would wait for its answer
		} else {
			p.Kill()
		}
		return nil, fmt.Errorf("%s: describe: %w", opts.Path, p.rpcErr(err))
	}
	p.Desc = descFromProto(d)
	p.features = d.GetFeatures()
	if pre != nil {
		<-pre.decided // it has, as the plugin answered after reading it all
		p.preconfigured = p.pre != nil && d.GetPreconfigured()
	}
	if !slices.Contains(d.GetApiVersions(), wire.APIVersion) {
		p.Kill()
		return nil, &VersionError{Plugin: d.GetApiVersions(), Host: []string{wire.APIVersion}}
	}
	return p, nil
}

// pollExit returns once exited reports true, checking every millisecond
// at first and every 50 ms after a second.
func pollExit(exited func() bool) {
	for i := 0; !exited(); i++ {
		time.Sleep(min(time.Duration(i+1)*time.Millisecond, 50*time.Millisecond))
	}
}

// FileFD is the descriptor number in the plugin of Options.Files[i] when the plugin
// gets listeners listener descriptors.
func FileFD(listeners, i int) int { return mpm.LifelineFD + 1 + listeners + i }

// Describe is what the plugin's Describe returned (Desc).
func (p *Plugin) Describe() mpm.Description { return p.Desc }

// Features are the parts of the configuration the plugin's SDK honours
// (wire.Features); a plugin built with an older SDK lists fewer or none.
func (p *Plugin) Features() []string { return p.features }

// Pid is the plugin process's pid.
func (p *Plugin) Pid() int {
	if p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Exited is closed once the plugin process has exited.
func (p *Plugin) Exited() <-chan struct{} { return p.exited }

// ExitState describes how the process ended ("exit status 2", "killed
// by signal 9"), once Exited is closed.
func (p *Plugin) ExitState() string {
	select {
	case <-p.died:
		return p.state
	default:
		return "unknown"
	}
}

// exitState says how a process ended, as its wait status tells.
func exitState(ws syscall.WaitStatus) string {
	switch {
	case ws.Signaled():
		s := fmt.Sprintf("killed by signal %d (%s)", int(ws.Signal()), unix.SignalName(ws.Signal()))
		if ws.CoreDump() {
			s += ", core dumped"
		}
		return s
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	}
	return fmt.Sprintf("wait status %#x", uint32(ws))
}

// ExitError is the error of a call the plugin could not answer because
// its process ended.
type ExitError struct {
	Pid   int
	State string // how it ended: "exit status 2", "killed by signal 9 (SIGKILL)"
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("the MPM plugin process (pid %d) exited: %s", e.Pid, e.State)
}

// Is makes an ExitError an ErrExited.
func (e *ExitError) Is(target error) bool { return target == ErrExited }

// output makes the writer of one stream of the plugin's output: it calls
// mk with the plugin's pid at the first write (the process has started by
// then), or discards without mk.
func (p *Plugin) output(mk func(pid int) io.Writer) io.Writer {
	if mk == nil {
		return io.Discard
	}
	return &lazyWriter{mk: func() io.Writer { return mk(p.Pid()) }}
}

// lazyWriter writes to the writer mk makes at the first Write.
type lazyWriter struct {
	once sync.Once
	mk   func() io.Writer
	w    io.Writer
}

func (l *lazyWriter) Write(b []byte) (int, error) {
	l.once.Do(func() { l.w = l.mk() })
	return l.w.Write(b)
}

// ErrPreconfigDiffers is Configure's error when the plugin took a
// Preconfig other than cfg: it has configured itself from that one, and
// only a new plugin process can take cfg.
var ErrPreconfigDiffers = errors.New("the MPM plugin configured itself from another configuration than the one to send")

// Preconfigured says whether the plugin took Options.Preconfig: it has
// configured itself from it and, unless that gave an error diagnostic,
// serves already. Configure and Run then only acknowledge it.
func (p *Plugin) Preconfigured() bool { return p.preconfigured }

// Configure sends the configuration and returns the plugin's diagnostics.
// To a plugin that took the Preconfig (Preconfigured) it sends only an
// acknowledgement, and returns ErrPreconfigDiffers if cfg is another.
func (p *Plugin) Configure(ctx context.Context, cfg *mpm.Config) ([]mpm.Diagnostic, error) {
	req := configureRequest(cfg)
	if p.preconfigured {
		if !proto.Equal(req, p.taken()) {
			return nil, ErrPreconfigDiffers
		}
		req = &mpmv1.ConfigureRequest{ApiVersion: wire.APIVersion, Preconfigured: true}
	}
	resp, err := p.rpc.Configure(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("configure: %w", p.rpcErr(err))
	}
	var diags []mpm.Diagnostic
	for _, d := range resp.GetDiagnostics() {
		sev := mpm.SeverityError
		if d.GetSeverity() == mpmv1.Severity_SEVERITY_WARNING {
			sev = mpm.SeverityWarning
		}
		diags = append(diags, mpm.Diagnostic{Severity: sev, Message: d.GetMessage(), File: d.GetFile(), Line: int(d.GetLine())})
	}
	return diags, nil
}

// configureRequest is the Configure request that sends cfg.
func configureRequest(cfg *mpm.Config) *mpmv1.ConfigureRequest {
	req := &mpmv1.ConfigureRequest{ApiVersion: wire.APIVersion, Core: coreToProto(cfg.Core), LogLevel: cfg.LogLevel}
	for _, s := range cfg.Settings {
		req.Settings = append(req.Settings, &mpmv1.Setting{Name: s.Name, Args: s.Args, File: s.File, Line: int32(s.Line)})
	}
	return req
}

// runRequest is the Run request that hands over the listeners.
func (p *Plugin) runRequest() *mpmv1.RunRequest {
	req := &mpmv1.RunRequest{}
	for i, l := range p.listeners {
		req.Listeners = append(req.Listeners, &mpmv1.Listener{Fd: uint32(mpm.LifelineFD + 1 + i), Name: l.Name, Network: l.Network, Address: l.Addr, Bucket: uint32(l.Bucket)})
	}
	return req
}

// preconfigBudget bounds how long the plugin waits for its Preconfig:
// making it may take long (a virtual host's name resolved by a slow DNS),
// and the plugin answers the handshake only once it has read it. Past the
// budget it gets none, and is configured by Configure alone.
const preconfigBudget = 500 * time.Millisecond

// preconfigPipe carries a Preconfig to the plugin: r is its end, w ours.
type preconfigPipe struct {
	r, w    *os.File
	made    chan struct{} // closed once the configuration is made
	decided chan struct{} // closed once Plugin.pre is set, or will not be
}

// handOver adds a pipe to the plugin's descriptors and environment
// (wire.PreconfigEnv) and writes to it the Preconfig of the configuration
// that mk makes, which it calls concurrently with the plugin's start:
// nothing if mk makes none or takes more than preconfigBudget.
func (p *Plugin) handOver(mk func() *mpm.Config, core func(name string) bool, module string) (*preconfigPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("preconfiguration pipe: %w", err)
	}
	pp := &preconfigPipe{r: r, w: w, made: make(chan struct{}), decided: make(chan struct{})}
	p.cmd.Env = append(p.cmd.Env, fmt.Sprintf("%s=%d", wire.PreconfigEnv, mpm.LifelineFD+len(p.cmd.ExtraFiles)))
	p.cmd.ExtraFiles = append(p.cmd.ExtraFiles, r)
	listeners := p.runRequest()
	var cfg *mpm.Config
	go func() {
		defer close(pp.made)
		cfg = mk()
	}()
	go func() {
		defer w.Close() // the plugin reads to the end
		t := time.NewTimer(preconfigBudget)
		defer t.Stop()
		select {
		case <-pp.made:
		case <-t.C:
			close(pp.decided)
			return
		}
		var b []byte
		if cfg != nil {
			pre := &mpmv1.Preconfig{Configure: configureRequest(cfg), Run: listeners, Module: module}
			for i, s := range cfg.Settings {
				if core != nil && core(s.Name) {
					pre.CoreSettings = append(pre.CoreSettings, uint32(i))
				}
			}
			var err error
			if b, err = proto.Marshal(pre); err == nil {
				p.pre = pre.Configure
			}
		}
		close(pp.decided)
		if p.pre != nil {
			_, _ = w.Write(b) // fails only if the plugin has gone, or does not read (abandon)
		}
	}()
	return pp, nil
}

// abandon returns once the configuration is made, after it has ended a
// write the plugin does not read (one from an older SDK: a write that fits
// in the pipe has ended already).
func (pp *preconfigPipe) abandon() {
	<-pp.decided
	pp.w.Close()
	<-pp.made
}

// taken is the Configure request the plugin made of the Preconfig it took:
// the settings it declares.
func (p *Plugin) taken() *mpmv1.ConfigureRequest {
	req := proto.CloneOf(p.pre)
	req.Settings = slices.DeleteFunc(req.Settings, func(s *mpmv1.Setting) bool {
		return !slices.ContainsFunc(p.Desc.Directives, func(d mpm.Directive) bool { return apconf.SameName(d.Name, s.GetName()) })
	})
	return req
}

// Run hands over the listeners and returns once the MPM serves. To a
// plugin that took the Preconfig it sends only an acknowledgement, which
// returns once the Run the plugin started itself has.
func (p *Plugin) Run(ctx context.Context) error {
	req := p.runRequest()
	if p.preconfigured {
		req = &mpmv1.RunRequest{Preconfigured: true}
	}
	if _, err := p.rpc.Run(ctx, req); err != nil {
		return fmt.Errorf("run: %w", p.rpcErr(err))
	}
	return nil
}

// Watch calls fn with each status snapshot until ctx ends or the plugin exits.
func (p *Plugin) Watch(ctx context.Context, fn func(mpm.Status)) error {
	stream, err := p.rpc.Watch(ctx, &mpmv1.WatchRequest{})
	if err != nil {
		return p.rpcErr(err)
	}
	for {
		ev, err := stream.Recv()
		if err != nil {
			return p.rpcErr(err)
		}
		if st := ev.GetStatus(); st != nil {
			fn(statusFromProto(st))
		}
	}
}

// Stop asks the MPM to stop (drain first if graceful) and waits for it.
// timeout 0 waits forever when graceful.
func (p *Plugin) Stop(ctx context.Context, graceful bool, timeout time.Duration) error {
	_, err := p.rpc.Stop(ctx, &mpmv1.StopRequest{Graceful: graceful, TimeoutMs: timeout.Milliseconds()})
	if err != nil {
		return fmt.Errorf("stop: %w", p.rpcErr(err))
	}
	return nil
}

// killGrace bounds Kill's polite part: go-plugin's Kill sends a shutdown
// request and waits for its answer without a deadline, then 2 s for the
// exit; a plugin that froze after its last answer never answers it.
const killGrace = 5 * time.Second

// Kill ends the plugin process (go-plugin's Kill: a shutdown request,
// then SIGKILL after 2 s; the plugin's process group is SIGKILLed if that
// has not ended within killGrace) and closes the lifeline. It is safe to
// call more than once.
func (p *Plugin) Kill() {
	done := make(chan struct{})
	go func() {
		p.client.Kill()
		close(done)
	}()
	t := time.NewTimer(killGrace)
	select {
	case <-done:
		t.Stop()
	case <-t.C:
		p.killGroup() // the shutdown request fails once the process is gone
		<-done
	}
	p.lifeline.Close()
	p.removeSockDir()
}

// removeSockDir removes the socket directory, once.
func (p *Plugin) removeSockDir() {
	p.sockGone.Do(func() { privdir.RemoveAll(p.sockFD, p.sockDir) })
}

// killGroup SIGKILLs the plugin's process group (the plugin and the
// children it forked, which stay in its group) unless it has exited.
func (p *Plugin) killGroup() {
	select {
	case <-p.exited: // its pid, and maybe its group's, is no longer its own
	default:
		if pid := p.Pid(); pid > 0 {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
}

// Ping asks the plugin process's gRPC server whether it serves (go-plugin's
// health service, answered apart from the MPM's calls): a plugin busy
// draining in Stop answers, a frozen one does not and Ping returns when
// ctx ends.
func (p *Plugin) Ping(ctx context.Context) error {
	if p.conn == nil {
		return errors.New("ping: no gRPC connection")
	}
	_, err := healthpb.NewHealthClient(p.conn).Check(ctx, &healthpb.HealthCheckRequest{Service: plugin.GRPCServiceName})
	if err != nil {
		return fmt.Errorf("ping: %w", p.rpcErr(err))
	}
	return nil
}

// Abort ends a plugin that does not answer at once: SIGKILL to its process
// group, then Kill (which would first ask it to shut down, killGrace).
func (p *Plugin) Abort() {
	p.killGroup()
	p.Kill()
}

// exitWait is how long rpcErr waits, after the connection to the plugin
// broke, for its process to end: the socket closes a moment before the
// exit can be seen.
const exitWait = 2 * time.Second

// rpcErr maps a gRPC error from a plugin that has exited to an *ExitError
// (how it ended), and one that hit rpcwire.MaxAnswer to a message that
// says so.
func (p *Plugin) rpcErr(err error) error {
	s, ok := status.FromError(err)
	if !ok {
		return err
	}
	switch s.Code() {
	case codes.Unavailable:
		if e := p.exitError(exitWait); e != nil {
			return e
		}
	case codes.Canceled:
		if e := p.exitError(0); e != nil {
			return e
		}
	case codes.ResourceExhausted:
		return fmt.Errorf("%s (a message from the MPM plugin may have %d MiB, one to it %d MiB)", s.Message(), rpcwire.MaxAnswer>>20, rpcwire.MaxConfig>>20)
	}
	return errors.New(s.Message())
}

// exitError is the *ExitError of the plugin if its process has ended
// within wait, else nil.
func (p *Plugin) exitError(wait time.Duration) error {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-p.died:
	case <-t.C:
		return nil
	}
	return &ExitError{Pid: p.Pid(), State: p.state}
}
