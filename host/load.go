package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/host/launch"
	"github.com/httpd-mpm/httpd-mpm/host/listen"
	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// loaded is a configuration read, checked and handed to a started plugin.
type loaded struct {
	cfg    *config.Config
	srv    *config.Server
	module config.Module
	gen    generation
	mpmCfg *mpm.Config
	status atomic.Pointer[mpm.Status] // latest snapshot from Watch
	// mainLog is its main error log (a Ref of the host's) and vhostLogs
	// the virtual hosts' own (openVhostLogs), which its plugin writes to,
	// closed once the plugin has ended.
	mainLog   *errorlog.Log
	vhostLogs []*errorlog.Log
	// maps are its RewriteMap programs, ended with it.
	maps *mapPrograms

	// In ONE_PROCESS mode (-X) ended is closed once Status reports no
	// pids: the MPM's one serving process, lastPid, has exited.
	ended   chan struct{}
	endOnce sync.Once
	lastPid atomic.Int64
}

// kill ends the generation's plugin and processes, then closes its
// error logs.
func (l *loaded) kill() {
	l.gen.Kill()
	l.maps.close()
	closeLogs(l.vhostLogs)
	l.mainLog.Close()
}

// abort is kill for a plugin that does not answer: its process group is
// killed first (generation.Abort).
func (l *loaded) abort() {
	l.gen.Abort()
	l.maps.close()
	closeLogs(l.vhostLogs)
	l.mainLog.Close()
}

// exitError is a failure already reported to the user; Main exits with code.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// readConfig parses the config, resolves the core settings and checks the
// DocumentRoots (unless -T). Errors and warnings are printed to stderr in
// Apache's form (warnings once: not again by the daemon detach started);
// with -D DUMP_INCLUDES the files read are listed on stdout first, even
// when reading failed, as Apache does.
func readConfig(o *options, stdout, stderr io.Writer) (*config.Config, *config.Server, config.Module, error) {
	cfg, err := config.Load(o.configFile(), config.Options{
		ServerRoot:  o.serverRoot(),
		Defines:     o.defines,
		Builtin:     builtinNames(),
		Linked:      linkedNames(),
		Unavailable: unavailable,
		Pre:         o.pre,
		Post:        o.post,
	})
	if o.defined("DUMP_INCLUDES") {
		printIncludes(stdout, cfg)
	}
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			printErrors(stderr, o.name, errs)
		} else {
			fmt.Fprintf(stderr, "%s: %v\n", o.name, err)
		}
		return nil, nil, config.Module{}, &exitError{1}
	}
	// A daemon started by detach reads the config again: its parent has
	// shown the warnings already.
	quiet := isDetachedChild()
	if !quiet {
		for _, w := range cfg.Warnings {
			fmt.Fprintf(stderr, "[core:warn] %s\n", w.Message)
		}
	}
	mod, err := selectMPM(cfg)
	if err != nil {
		var me *mpmError
		if errors.As(err, &me) {
			printMPMError(stderr, o.name, me)
		} else {
			fmt.Fprintf(stderr, "%s: %v\n", o.name, err)
		}
		return cfg, nil, mod, &exitError{1}
	}
	srv, errs := config.Resolve(cfg)
	if len(errs) > 0 {
		printErrors(stderr, o.name, errs)
		return cfg, nil, mod, &exitError{1}
	}
	warnings, errs := docRootProblems(o, cfg)
	for _, w := range warnings {
		if !quiet {
			fmt.Fprintln(stderr, w)
		}
	}
	if len(errs) > 0 {
		printErrors(stderr, o.name, errs)
		return cfg, nil, mod, &exitError{1}
	}
	return cfg, srv, mod, nil
}

// logLoaded is mod_so's AH01575 for the MPM plugin, a debug line shown at
// startup with -e debug, as Apache's is. A linked-in MPM is not loaded.
func logLoaded(log *errorlog.Log, mod config.Module) {
	if StaticMPM == nil {
		log.Printf("so", errorlog.Debug, "AH01575: loaded module %s from %s", mod.Name, mod.AbsPath)
	}
}

// pluginStartTimeout bounds startPlugin and Run: a plugin that has not
// answered by then is killed.
const pluginStartTimeout = 30 * time.Second

// startPlugin starts the MPM (its plugin, or the one linked into this
// binary) with the listeners, validates every directive against the core
// table and the MPM's own, and configures it. To serve (sockets given) the
// MPM gets the access logs, opened here, and the error logs errLogs, which
// the caller opened and keeps. With preconfig set, a plugin to serve may
// get its configuration at exec and run before Configure returns.
func startPlugin(ctx context.Context, o *options, cfg *config.Config, srv *config.Server, mod config.Module, sockets []*listen.Socket, errLogs *errorLogs, pluginOutput func(pid int) io.Writer, stderr io.Writer, preconfig bool) (*loaded, error) {
	pin, errs := modulePin(cfg, mod)
	if len(errs) > 0 {
		printErrors(stderr, o.name, errs)
		return nil, &exitError{1}
	}
	// Access logs are opened only to serve (sockets given), not for a config check.
	var logs *accessLogs
	if sockets != nil {
		var err error
		if logs, err = openAccessLogs(allAccessLogs(srv), len(sockets)); err != nil {
			fmt.Fprintln(stderr, err)
			return nil, &exitError{1}
		}
	} else {
		errLogs = nil // a config check hands over no logs
	}
	// The error logs' descriptors follow the access logs'.
	nAccess := 0
	if logs != nil {
		nAccess = len(logs.files)
	}
	credential := childCredential(srv)
	// RewriteMap programs are started only to serve, as the access logs.
	var maps *mapPrograms
	if logs != nil {
		maps = newMapPrograms(srv.ServerRoot, errLogs.main)
	}
	mpmConfig := func(core mpm.Core, settings []mpm.Setting) *mpm.Config {
		mc := &mpm.Config{Core: core, LogLevel: srv.LogLevel, Settings: settings}
		mc.Core.Credential, _ = credential()
		if logs != nil {
			assignAccessLogs(&mc.Core, srv, logs.logs)
			maps.assign(&mc.Core) // its error is checked before Configure
		}
		errorLogSettings(&mc.Core, srv, errLogs, func(i int) int { return launch.FileFD(len(sockets), nAccess+i) })
		return mc
	}
	// To serve, a plugin gets its configuration at exec too when it passes
	// every check but those of the MPM's own directives, which only
	// Describe tells (launch.Options.Preconfig): it may then configure
	// itself and start serving while the handshake goes on. launch.Start
	// makes it while the plugin starts, and returns after.
	var pre *mpm.Config
	var core *mpm.Core
	var vhostErrs []string
	preconfigure := func() *mpm.Config {
		if len(config.Validate(cfg, config.Core, provisionalTable(cfg))) > 0 {
			return nil
		}
		c, errs := coreSettings(cfg, srv, o)
		if len(tlsSettings(srv, &c)) > 0 || len(errs) > 0 {
			return nil // errors to print before the MPM runs
		}
		core, vhostErrs = &c, errs
		pre = mpmConfig(c, topLevelSettings(cfg))
		if maps != nil && maps.err != nil {
			pre = nil // a map program that did not start: nothing served
		}
		return pre
	}
	var p generation
	var started func(pid int) bool // the linked MPM's children
	if StaticMPM != nil {
		l, err := startLinked(sockets, logs, pluginOutput(0)) // every line carries its pid (children: mpm.InProcess)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s: %v\n", o.name, mod.Name, err)
			maps.close()
			return nil, &exitError{1}
		}
		p, started = l, l.Started
	} else {
		opts := launch.Options{Path: mod.AbsPath, Listeners: sockets, Output: pluginOutput}
		if pin != nil {
			opts.Checksum = pin.sum
		}
		if sockets != nil {
			// To serve: its first child may start as soon as the plugin
			// does, as the credential Configure will carry.
			c, err := credential()
			opts.EarlyChild, opts.ChildCredential = err == nil, c
		}
		if logs != nil {
			opts.Files = append(slices.Clip(logs.files), errLogs.files()...)
			defer logs.close() // the plugin has its own copies
		}
		if sockets != nil && preconfig {
			opts.Preconfig, opts.CoreDirective, opts.Module = preconfigure, isCoreDirective, mod.Name
		}
		lp, err := launch.Start(ctx, opts)
		if err != nil {
			fmt.Fprintf(stderr, "%s: Syntax error on line %d of %s: Cannot load %s into server: %s\n", o.name, mod.Line, mod.File, mod.Path, loadError(err, pin))
			maps.close()
			return nil, &exitError{1}
		}
		p = lp
	}
	// The programs answer its children (and it) only; those that asked
	// while it started waited for its pid.
	maps.serveFor(p.Pid(), started)
	fail := func() (*loaded, error) {
		defer maps.close()
		if ctx.Err() != nil {
			p.Abort() // it may be frozen: Kill would wait for its answer
		} else {
			p.Kill()
		}
		return nil, &exitError{1}
	}
	if p.Describe().Module != mod.Name {
		fmt.Fprintf(stderr, "%s: Syntax error on line %d of %s: Can't locate API module structure `%s' in file %s: the plugin declares module %s\n",
			o.name, mod.Line, mod.File, mod.Name, mod.AbsPath, p.Describe().Module)
		return fail()
	}
	if msg := missingFeature(p.Features(), srv, o); msg != "" {
		fmt.Fprintf(stderr, "%s: Syntax error on line %d of %s: %s (%s) %s: it was built with an older SDK (rebuild it against this httpd's SDK)\n",
			o.name, mod.Line, mod.File, mod.Name, mod.Path, msg)
		return fail()
	}
	table := mpmTable(p.Describe())
	if errs := config.Validate(cfg, config.Core, table); len(errs) > 0 {
		printErrors(stderr, o.name, errs)
		return fail()
	}
	ready := core != nil // made for the Preconfig: vhostErrs to print, TLS settings in
	if !ready {
		c, errs := coreSettings(cfg, srv, o)
		core, vhostErrs = &c, errs
	}
	// mod_proxy's lines about the ProxyPass lines, which apache2 logs as
	// it reads them: on the console at -t, in the error log (and on the
	// console at startup) to serve.
	for _, n := range proxyNotes(cfg, core, srv.ServerRoot) {
		if w, ok := stderr.(noteWriter); ok {
			w.Note("proxy", n.level, n.text)
		} else {
			errorlog.New(stderr, errorlog.Debug).Printf("proxy", n.level, "%s", n.text)
		}
	}
	if sockets != nil { // to serve; -S prints them itself (printVhosts)
		if w, ok := stderr.(warnWriter); ok {
			for _, msg := range remoteIPMergeWarnings(core) {
				w.LogWarn("remoteip", msg) // the main log's only, as apache2's post_config logs it (not -t, -S nor the console)
			}
			if msg := rootChildrenWarning(os.Geteuid(), srv.User); msg != "" {
				w.LogWarn("unixd", msg)
			}
		}
		for _, msg := range vhostErrs {
			fmt.Fprintln(stderr, msg) // Apache's AH00549, an error line of the main log
		}
	}
	if !ready {
		if errs := tlsSettings(srv, core); len(errs) > 0 {
			printErrors(stderr, o.name, errs)
			return fail()
		}
	}
	mc := pre
	if mc == nil {
		mc = mpmConfig(*core, nil)
	}
	mc.Settings = mpmSettings(cfg, table) // a plugin that took the Preconfig kept these of its Settings
	if maps != nil && maps.err != nil {
		if w, ok := stderr.(moduleErrorWriter); ok {
			w.ModuleError("rewrite", maps.err.Error()) // apache2's [rewrite:error]
		} else {
			fmt.Fprintln(stderr, maps.err)
		}
		return fail()
	}
	diags, err := p.Configure(ctx, mc)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			fmt.Fprintf(stderr, "%s: %s: the MPM (pid %d) did not answer Configure within %s; killing it\n", o.name, mod.Name, p.Pid(), pluginStartTimeout)
		} else {
			fmt.Fprintf(stderr, "%s: %s: %v\n", o.name, mod.Name, pluginErr(mod.Name, err))
		}
		return fail()
	}
	bad := false
	for _, d := range diags {
		if d.Severity == mpm.SeverityError {
			bad = true
			config.WriteDiagnostics(stderr, []config.Diagnostic{cfg.Locate(d.File, d.Line, d.Message)})
		} else if w, ok := stderr.(warnWriter); ok {
			w.Warn(strings.TrimSuffix(mod.Name, "_module"), d.Message)
		} else {
			fmt.Fprintln(stderr, d.Message)
		}
	}
	if bad {
		return fail()
	}
	return &loaded{cfg: cfg, srv: srv, module: mod, gen: p, mpmCfg: mc, maps: maps}, nil
}

// rootChildrenWarning is the warning for a server started as root (euid)
// with no User: its children, and the CGI scripts and other programs they
// run, keep uid 0 and the MPM parent's capabilities. apache2 would use its compiled-in default, User #-1,
// and its children would fail (AH02155); here they serve, as root, which
// is what the test suites do, so it is a warning, not a refusal. "" when
// there is nothing to warn of.
func rootChildrenWarning(euid int, user string) string {
	if euid != 0 || user != "" {
		return ""
	}
	return "httpd runs as root and no User directive is set: the MPM's children, and the CGI scripts and programs they run, " +
		"keep uid 0 (root's files are theirs) with CAP_SETUID, CAP_SETGID and CAP_KILL (apache2 would use User #-1 " +
		"and its children would fail with AH02155); set User and Group to an unprivileged user"
}

// warnWriter is a writer of startPlugin's error lines, when it serves, that
// takes warnings apart: the MPM's, to be logged at warn under the MPM's log
// module (apache2's [mpm_event:warn]) whatever their words, and on the
// console at startup; and the error log's own (LogWarn).
type warnWriter interface {
	io.Writer
	Warn(module, msg string)
	LogWarn(module, msg string)
}

// noteWriter is a writer of startPlugin's error lines, when it serves,
// that takes a module's line at its level (mod_proxy's AH01145 at info).
type noteWriter interface {
	Note(module string, level errorlog.Level, msg string)
}

// moduleErrorWriter is a writer of startPlugin's error lines that logs a
// module's error under that module.
type moduleErrorWriter interface {
	ModuleError(module, msg string)
}

// pluginErr is err, or for a plugin process that has exited (a crash,
// os.Exit, a signal) an error naming the plugin, its pid and how it ended.
func pluginErr(name string, err error) error {
	var ee *launch.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("MPM plugin %s (pid %d) exited: %s", name, ee.Pid, ee.State)
	}
	return err
}

// missingFeature says what the configuration needs that an MPM honouring
// only features (wire.Features) would ignore, "" when nothing: a plugin
// built with an older SDK would serve every virtual host's requests as the
// main server's, or -X with all its processes.
func missingFeature(features []string, srv *config.Server, o *options) string {
	if len(srv.VirtualHosts) > 0 && !slices.Contains(features, wire.FeatureVirtualHosts) {
		v := srv.VirtualHosts[0].Section
		return fmt.Sprintf("does not serve <VirtualHost> sections (the first is on line %d of %s)", v.Line, v.File)
	}
	if o.oneProcess() && !slices.Contains(features, wire.FeatureOneProcess) {
		return "cannot serve with a single process (-X, -D ONE_PROCESS or -D DEBUG)"
	}
	return ""
}

// lookup is the latest config's credential lookup (childCredential).
var lookup struct {
	sync.Mutex
	srv        *config.Server
	credential func() (*mpm.Credential, error)
}

// childCredential returns the lookup of srv's User and Group for the
// children, started in the background at the first call for this config:
// the host resolves them, and the lookup (reading /etc/passwd and
// /etc/group, or a few milliseconds when NSS needs getent) overlaps
// whatever the caller does next. A failed lookup is not kept: the next
// call for srv (the restart of a crashed plugin) looks up again, as NSS
// may have been down for a moment. An error is the plugin's to report.
func childCredential(srv *config.Server) func() (*mpm.Credential, error) {
	lookup.Lock()
	defer lookup.Unlock()
	if lookup.srv != srv {
		once := sync.OnceValues(func() (*mpm.Credential, error) { return mpm.ChildCredential(srv.User, srv.Group) })
		lookup.srv = srv
		lookup.credential = func() (*mpm.Credential, error) {
			c, err := once()
			if err != nil {
				lookup.Lock()
				if lookup.srv == srv {
					lookup.srv = nil
				}
				lookup.Unlock()
			}
			return c, err
		}
		go once()
	}
	return lookup.credential
}

// mpmTable turns the plugin's directive list into a validation table.
func mpmTable(d mpm.Description) config.Table {
	var t config.Table
	for _, dir := range d.Directives {
		lo, hi := dir.ArgRange()
		t = append(t, config.Spec{Name: dir.Name, MinArgs: lo, MaxArgs: hi, Context: config.ServerConfig, Help: dir.Help})
	}
	return t
}

// provisionalTable is the table of the directives that may be the MPM's
// before Describe tells which are: every top-level one that is not the
// core's, with any number of arguments. A configuration that passes
// config.Validate with it and the core's has no error but maybe in the
// MPM's directives or in a name the MPM does not declare, which a plugin
// checks itself before it takes a Preconfig (launch.Options).
func provisionalTable(cfg *config.Config) config.Table {
	var t config.Table
	for _, d := range cfg.Directives {
		if !isCoreDirective(d.Name) {
			t = append(t, config.Spec{Name: d.Name, MaxArgs: -1, Context: config.ServerConfig})
		}
	}
	return t
}

// isCoreDirective says whether name is a directive or section of the core's.
func isCoreDirective(name string) bool {
	return config.Core.Lookup(name, false) != nil || config.Core.Lookup(name, true) != nil
}

// topLevelSettings are every top-level directive, as settings: those of a
// Preconfig, of which the plugin keeps its own, as mpmSettings does.
func topLevelSettings(cfg *config.Config) []mpm.Setting {
	out := make([]mpm.Setting, 0, len(cfg.Directives))
	for _, d := range cfg.Directives {
		out = append(out, mpm.Setting{Name: d.Name, Args: d.Args, File: d.File, Line: d.Line})
	}
	return out
}

// mpmSettings collects the top-level directives the MPM declared.
func mpmSettings(cfg *config.Config, table config.Table) []mpm.Setting {
	var out []mpm.Setting
	for _, d := range cfg.Directives {
		if slices.ContainsFunc(table, func(s config.Spec) bool { return apconf.SameName(s.Name, d.Name) }) {
			out = append(out, mpm.Setting{Name: d.Name, Args: d.Args, File: d.File, Line: d.Line})
		}
	}
	return out
}

// coreSettings are the core's settings for the MPM, and Apache's AH00549 errors
// for virtual hosts' names it could not resolve (virtualHosts).
func coreSettings(cfg *config.Config, s *config.Server, o *options) (mpm.Core, []string) {
	c := mpm.Core{
		ServerBuilt: Built, ExtendedStatus: extendedStatus(cfg), Handlers: locationHandlers(s.Sections),
		ServerRoot: s.ServerRoot, ServerName: s.ServerName, DocumentRoot: s.DocumentRoot,
		DirectoryIndex: s.DirectoryIndex, TypesConfig: s.TypesConfig, AddTypes: s.AddTypes,
		KeepAlive: s.KeepAlive, KeepAliveTimeout: s.KeepAliveTimeout,
		MaxKeepAliveRequests: s.MaxKeepAliveRequests, Timeout: s.Timeout,
		User: s.User, Group: s.Group, Software: Software(),
		MaxConnectionsPerChild:  s.MaxConnectionsPerChild,
		GracefulShutdownTimeout: s.GracefulShutdownTimeout,
		OneProcess:              o.oneProcess(),
	}
	engineSettings(&c, s)
	siteSettings(&c, cfg, s)
	var errs []string
	c.VirtualHosts, errs = virtualHosts(cfg, s, &c)
	return c, errs
}

// printErrors prints errs in Apache's form, or as HCL diagnostics for
// problems in HCL files.
func printErrors(w io.Writer, name string, errs config.Errors) {
	config.WriteDiagnostics(w, errs)
}
