package mpm

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// MPM is what an MPM plugin implements. See the package documentation for
// the order of calls and who owns what.
type MPM interface {
	// Describe says what the module is and which directives it takes.
	Describe() Description
	// Configure checks and keeps the configuration. Diagnostics of
	// SeverityError refuse it; warnings are logged by the host.
	Configure(cfg *Config) []Diagnostic
	// Run starts serving on the listeners and returns once it serves.
	// ctx is cancelled if the host goes away; Stop is the normal end.
	Run(ctx context.Context, listeners []Listener) error
	// Status is a snapshot of the MPM's processes and workers.
	Status() Status
	// Stop ends serving: gracefully (drain) or at once. It returns when
	// every child process has exited (an MPM that serves in its own
	// process: every connection it serves has closed, since the host
	// then ends the process), or when ctx is done. While a
	// graceful Stop drains, a second Stop with graceful false may come
	// (the host got a second SIGTERM): the stop is then hard, at once.
	Stop(ctx context.Context, graceful bool) error
}

// Description is what Describe returns.
type Description struct {
	Module     string // LoadModule name, e.g. "mpm_event_module"
	Name       string // MPM name, e.g. "event"
	Source     string // source name for `httpd -L` and <IfModule>, e.g. "event.c"
	Version    string // the plugin's own version
	Threaded   string // `httpd -V` threaded: value, e.g. "yes (fixed thread count)" or "no"
	Forked     string // `httpd -V` forked: value, e.g. "yes (variable process count)"
	Directives []Directive
}

// ArgKind is the type of a directive's argument.
type ArgKind int

// Argument kinds.
const (
	KindString ArgKind = iota
	KindInt
	KindFloat
	KindFlag // On or Off
)

// Directive describes one configuration directive an MPM accepts. Before
// Configure the host checks each use of it against Name, MinArgs and
// MaxArgs only: the name, the argument count, and that it stands in the
// main server config (outside every section). Kind, Default, Min and Max
// are the plugin's: [Decode] checks the kind and range of each argument
// and supplies the default. `httpd -L` prints Name and Help, with the
// Source of the [Description].
type Directive struct {
	Name     string
	Kind     ArgKind
	Default  string
	Min, Max int64 // inclusive range for KindInt; both 0 = unbounded
	MinArgs  int   // 0 is taken as 1
	MaxArgs  int   // 0 is taken as MinArgs; -1 = unbounded
	Help     string
}

// Config is what Configure receives.
type Config struct {
	Core     Core
	Settings []Setting
	LogLevel string       // Apache LogLevel value: the level keyword first, then modules' own, e.g. "warn" or "warn core:info ssl:debug"
	Log      hclog.Logger // the plugin's logger (not sent over the wire)

	// linked is set by InProcess.Configure when the MPM runs in the host's
	// process: StartChild then passes its lifeline and stderr to children.
	linked *childIO
	// types is the TypesConfig file Configure's caller shares with the
	// children (see sharedTypes); nil if the Config was not configured.
	types *sharedTypes
	// mime is, in a child, the TypesConfig file its parent shared.
	mime *static.MimeTypes
}

// Core is the host's resolved core configuration.
type Core struct {
	ServerRoot              string
	ServerName              string
	DocumentRoot            string
	DirectoryIndex          []string
	TypesConfig             string
	AddTypes                map[string]string // extension -> MIME type
	KeepAlive               bool
	KeepAliveTimeout        time.Duration
	MaxKeepAliveRequests    int
	Timeout                 time.Duration
	User, Group             string
	Software                string // Server header and error-page signature
	MaxConnectionsPerChild  int
	GracefulShutdownTimeout time.Duration
	// Credential is what the host resolved User and Group to when it runs
	// as root (nil otherwise, and from an older host). The host does the
	// lookups (NSS: LDAP, systemd's DynamicUser, ...; they may run getent)
	// so that the plugin need not; an MPM calls Core.ChildCredential.
	Credential *Credential
	// ServerBuilt is the host's build time (`httpd -v` "Server built:").
	ServerBuilt string
	// ExtendedStatus is Apache's ExtendedStatus: On by default when
	// mod_status is loaded; then the scoreboard keeps each worker's
	// request line, client and virtual host.
	ExtendedStatus bool
	// Handlers maps URL paths to the handler a <Location PATH> section
	// sets with SetHandler, e.g. "/server-status" -> "server-status".
	Handlers []Handler
	// ServerAdmin is Apache's ServerAdmin; empty when not set.
	ServerAdmin string
	// Banner is the Server header and the error-page signature as
	// ServerTokens makes it, e.g. "httpd-mpm" for ServerTokens Prod; empty
	// means Software (ServerTokens Full).
	Banner string
	// ServerSignature is Apache's ServerSignature; the zero value is Off.
	ServerSignature http1.Signature
	// TraceEnable is Apache's TraceEnable; the zero value is TraceOff (the
	// host passes On when the config says nothing, Apache's default).
	TraceEnable http1.Trace
	// FileETag is the ETag components of FileETag; zero is Apache's
	// default, MTime Size.
	FileETag static.FileETag
	// LimitRequestLine, LimitRequestFieldSize, LimitRequestFields and
	// LimitRequestBody have http1.Server's meaning: 0 selects Apache's
	// default, a negative value is unlimited (Apache's 0 for the last two).
	LimitRequestLine, LimitRequestFieldSize, LimitRequestFields int
	LimitRequestBody                                            int64
	// BodyTimeout and BodyMinRate are RequestReadTimeout's body limit
	// (http1.Server's meaning: 0 selects the engine's default).
	BodyTimeout time.Duration
	BodyMinRate int
	// AccessLogs are the CustomLog lines in config order. The host opened
	// their targets (as root, as Apache's parent does) and handed them over
	// as inherited descriptors; StartChild passes them on to children.
	AccessLogs []AccessLog
	// ServerDirectives and Sections are the per-path configuration (see
	// package site): the top-level directives of site.Directives and the
	// <Directory>, <Files> and <Location> sections as written.
	ServerDirectives []site.Directive
	Sections         []site.Section
	// OneProcess is Apache's ONE_PROCESS debug mode: httpd runs with -X
	// (or -D ONE_PROCESS or -D DEBUG) in the foreground of a terminal or
	// a debugger. The MPM then serves with a single process: one child
	// (a prefork child, or a worker or event child with all its threads)
	// whatever StartServers, MinSpare*, MaxSpare* and MaxRequestWorkers
	// say, or the MPM parent itself for an MPM without children. It starts
	// no other, does not replace that one when it ends (it was killed,
	// crashed or reached MaxConnectionsPerChild), and does not end it for
	// seeming hung (it may be stopped in a debugger). From Run on, Status
	// names that process in Pids while it runs (the MPM parent's own pid
	// if it serves itself) and reports no Pids once it has ended: the
	// host, which watches Status, then stops the MPM and exits, as
	// Apache does when its one process exits. The host restarts nothing
	// in this mode (it ignores SIGHUP and SIGUSR1), so Configure and Run
	// come once.
	OneProcess bool
	// VirtualHosts are the <VirtualHost> sections in config order; with
	// none, the main server (the fields above) answers every request.
	// NewHTTPServer answers each request as the virtual host Apache would.
	VirtualHosts []VirtualHost
	// ErrorLog is the main server's ErrorLog, which the host opened for this
	// generation. NewHTTPServer writes the errors of the requests it answers
	// (apache2's ap_log_rerror lines: AH01630, AH00128, ...) to it in the
	// process that serves them, one write(2) per line; see ErrorLog. Unset
	// (an older host, a config check): those lines go through Config.Log.
	ErrorLog ErrorLog
	// TLS is the main server's mod_ssl settings when it has SSLEngine on (nil:
	// plain HTTP): connections whose default server (by local address, see
	// VirtualHost) has TLS are served over TLS.
	TLS *TLS
}

// AccessLog is one CustomLog: lines in Format (a LogFormat string, nicknames
// resolved) appended to the inherited descriptor FD: a file opened with
// O_APPEND, the host's stderr or the pipe to a piped logger.
type AccessLog struct {
	Target string // as configured, for messages: a path, "/dev/stderr" or "|command"
	Format string
	// Condition is CustomLog's "env=VAR" (log only requests with the
	// variable set) or "env=!VAR" (only those without), "" for none.
	Condition string
	FD        int // descriptor number in this process
	// File, if set, is the open target in this process and FD is not used:
	// an MPM run by InProcess gets its logs so. The caller keeps it open
	// while the MPM runs; children get their own copies.
	File *os.File `json:"-"`
}

// ErrorLog is an error log the host opened for one generation of the MPM (a
// start, or a restart: each opens its logs anew, which is how renaming the
// file and a graceful restart rotate it) and handed over as an inherited
// descriptor, as Apache's parent opens its error logs before it forks its
// children. It is a file opened with O_APPEND, the host's stderr, or the
// write end of the pipe to a piped logger ("|command"); a line shorter than
// PIPE_BUF (4096 bytes) written in one write(2) is never interleaved with
// another process's.
//
// The descriptor is the process's for its whole life: the MPM never closes
// it, and StartChild passes it on to children (as the access logs), which
// keep writing to it until they exit, after a graceful restart too, as
// Apache's old children keep their generation's files. The host writes its
// own lines to its own copy.
type ErrorLog struct {
	Target string // as configured, for messages: a path, "/dev/stderr" or "|command"
	FD     int    // descriptor number in this process; 0 with File nil: no log
	// File, if set, is the open target in this process and FD is not used:
	// an MPM run by InProcess gets its error logs so. The caller keeps it
	// open while the MPM runs; children get their own copies.
	File *os.File `json:"-"`
}

// Handler is one <Location PATH> section with SetHandler NAME.
type Handler struct {
	Path string // the Location path, e.g. "/server-status"
	Name string // the handler, e.g. "server-status"
}

// Setting is one directive from the config file, with its position.
type Setting struct {
	Name string
	Args []string
	File string
	Line int
}

// Severity of a Diagnostic.
type Severity int

// Severities.
const (
	SeverityError Severity = iota + 1
	SeverityWarning
)

// Diagnostic is a problem found in the configuration. File and Line come
// from the Setting it is about, when there is one. The host prints an
// error as Apache's syntax errors ("AH00526: Syntax error on line N of
// FILE:", then Message; Message alone without a File) and refuses the
// configuration; a warning as its Message alone, as Apache's MPMs print
// theirs. Both go to stderr at startup. When the host serves, a warning
// also goes to the error log at warn under the MPM's module name without
// "_module" ([mpm_event:warn]), at startup and at a graceful restart; a
// refused configuration's errors at error.
type Diagnostic struct {
	Severity Severity
	Message  string
	File     string
	Line     int
}

// Status is a snapshot of the MPM's processes and workers, as Apache's
// scoreboard counts them: it feeds sd_notify STATUS= ("Idle/Busy workers"
// as percentages of their sum, requests and bytes per second) and, in
// ONE_PROCESS mode, tells the host when the one process has ended (Pids).
// A worker is whatever serves one connection at a time (a thread, a
// goroutine's slot under a connection limit). The conformance suite
// (package mpm/mpmtest) wants at least one worker, TotalAccesses counting
// every request answered, and a Scoreboard at least BusyWorkers+IdleWorkers
// long.
type Status struct {
	Processes   int // serving processes
	BusyWorkers int // workers serving a request (or a connection) now
	IdleWorkers int // workers ready to take a connection
	// TotalAccesses and TotalBytes count the requests answered and their
	// body bytes since Run (http1.Server.RequestDone gives both).
	TotalAccesses uint64
	TotalBytes    uint64
	// Scoreboard is one character per worker, as mod_status prints it:
	// '_' waiting, 'S' starting, 'R' reading, 'W' writing (serving),
	// 'K' keep-alive, 'D' DNS lookup, 'C' closing, 'L' logging,
	// 'G' gracefully finishing, 'I' idle cleanup, '.' an open slot with
	// no worker.
	Scoreboard string
	// Pids are the serving processes: the children, or the plugin's own
	// pid if it serves itself.
	Pids []int
}

// configure is Configure as both forms call it: the MPM logs through log
// at the config's LogLevel, then the MPM's own diagnostics come before
// the content checks every MPM shares.
func configure(impl MPM, log hclog.Logger, cfg *Config) []Diagnostic {
	setLevel(log, cfg.LogLevel)
	cfg.Log = log
	cfg.types = new(sharedTypes)
	// Read while the MPM configures and runs, not when it starts its
	// first child, which waits for it.
	go cfg.types.file(cfg.Core.TypesConfig)
	cfg.Core.newTicketKeys()
	return append(impl.Configure(cfg), contentDiagnostics(&cfg.Core)...)
}

// watch calls send with a Status snapshot at once and then about once a
// second, until ctx ends (nil) or send fails (its error).
func watch(ctx context.Context, impl MPM, send func(Status) error) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if err := send(impl.Status()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
