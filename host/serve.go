package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/host/launch"
	"github.com/httpd-mpm/httpd-mpm/host/listen"
	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// server is the running host: its sockets, its error log and the current
// MPM generation.
type server struct {
	o         *options
	log       *errorlog.Log
	sockets   map[string][]*listen.Socket // by Listen argument, one per bucket; kept across restarts
	buckets   int                         // listeners buckets, fixed at the first bind as in Apache
	activated []*listen.Socket            // passed by systemd, not yet matched to a Listen
	socketAct bool                        // systemd socket activation is in use
	cur       *loaded
	pidFile   string
	stderr    io.Writer

	lastStatus mpm.Status // what the previous STATUS report was computed from
	lastAt     time.Time
}

// serve binds, starts the MPM and supervises it until a stop signal.
func serve(o *options, cfg *config.Config, srv *config.Server, mod config.Module, stderr io.Writer) int {
	s := &server{o: o, sockets: map[string][]*listen.Socket{}, stderr: stderr}
	levels, _ := loglevel.Parse(srv.LogLevel)
	// Signals are taken before anything starts, so none is lost.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGWINCH)
	signal.Ignore(syscall.SIGPIPE, syscall.SIGXFSZ)

	// Until ErrorLog is open, messages go to stderr as Apache's startup
	// messages do, at LogLevel or the -e level, whichever shows more (for
	// every module).
	startup := maps.Clone(levels.Modules)
	for m, n := range startup {
		startup[m] = max(n, int(o.startLevel))
	}
	s.log = errorlog.New(stderr, max(errorlog.Level(levels.Level), o.startLevel)).SetModules(startup)
	if err := checkErrorLogDirs(srv); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	s.activated = activatedSockets(func(f string, a ...any) { s.log.Printf("core", errorlog.Warn, f, a...) })
	s.socketAct = len(s.activated) > 0
	childCredential(srv) // while the sockets are bound
	if err := s.bind(cfg, srv); err != nil {
		fmt.Fprintf(stderr, "%v\nno listening sockets available, shutting down\nAH00015: Unable to open logs\n", err)
		return 1
	}
	for _, sock := range s.activated {
		if sock != nil {
			s.log.Printf("core", errorlog.Warn, "socket %s passed by systemd matches no Listen directive; closing it", sock.Addr)
			sock.Close()
		}
	}
	s.activated = nil
	log, err := openErrorLog(o.name, srv.ErrorLog, levels)
	if err != nil {
		fmt.Fprintf(stderr, "%v\nAH00015: Unable to open logs\n", err)
		return 1
	}
	s.log = log
	defer log.Close()
	// Apache reads the config again once its error log is open: the
	// DocumentRoot warnings go there too, and mod_mime's post_config
	// opens TypesConfig.
	warnings, _ := docRootProblems(o, cfg)
	for _, w := range warnings {
		log.Startup(w)
	}
	logConfigWarnings(log, cfg)
	if !typesConfigOK(log, srv) {
		log.Startup("AH00016: Configuration Failed")
		return 1
	}
	// The PID file is written once the MPM is configured, before it runs,
	// as apache2's MPM writes it first thing: if it cannot be (AH00099,
	// AH00100 logged), httpd exits 1 with nothing started.
	s.pidFile = srv.PidFile
	l, err := s.start(cfg, srv, mod, log.Ref(), func() error { return writePid(srv.PidFile, o.name, true, log) })
	if err != nil {
		return exitCode(err)
	}
	s.cur = l
	logLoaded(errorlog.New(stderr, o.startLevel), mod)
	oneProcess := o.oneProcess()
	if !oneProcess { // Apache's -X serves before its MPM would log it
		log.Printf("core", errorlog.Notice, "AH00094: Command line: '%s'", strings.Join(o.args, " "))
	}
	readyDetached()
	notifyReady()
	s.lastAt = time.Now()
	report := time.NewTicker(10 * time.Second) // mod_systemd's monitor interval
	defer report.Stop()

	var crashes crashCount
	for {
		select {
		case now := <-report.C:
			if st := s.cur.status.Load(); st != nil {
				notify(statusLine(*st, s.lastStatus, now.Sub(s.lastAt)))
				s.lastStatus, s.lastAt = *st, now
			}
		case sig := <-sigs:
			switch sig {
			case syscall.SIGTERM, syscall.SIGINT:
				log.Printf("core", errorlog.Info, "%s received: stopping %s", unix.SignalName(sig.(syscall.Signal)), s.cur.module.Name)
				s.stop(false, sigs)
				return 0
			case syscall.SIGWINCH:
				log.Printf("core", errorlog.Info, "%s received: stopping %s gracefully", unix.SignalName(sig.(syscall.Signal)), s.cur.module.Name)
				s.stop(true, sigs)
				return 0
			case syscall.SIGUSR1, syscall.SIGHUP:
				if oneProcess {
					// Apache installs no restart handler in this mode.
					log.Printf("core", errorlog.Info, "%s received: no restart in ONE_PROCESS mode (-X); ignored", unix.SignalName(sig.(syscall.Signal)))
					continue
				}
				graceful := sig == syscall.SIGUSR1
				if graceful {
					log.Printf("core", errorlog.Notice, "AH00493: SIGUSR1 received.  Doing graceful restart")
				} else {
					log.Printf("core", errorlog.Notice, "AH00494: SIGHUP received.  Attempting to restart")
				}
				if !s.restart(graceful) {
					return 1
				}
			}
		case <-s.cur.ended:
			// Apache's -X exits when its one process does.
			log.Printf("core", errorlog.Notice, "the one serving process (pid %d) has exited: shutting down (ONE_PROCESS mode, -X)", s.cur.lastPid.Load())
			s.stop(false, sigs)
			return 0
		case <-s.cur.gen.Exited():
			n := crashes.add(time.Now())
			log.Printf("core", errorlog.Error, "MPM plugin %s (pid %d) exited unexpectedly: %s", s.cur.module.Name, s.cur.gen.Pid(), s.cur.gen.ExitState())
			if oneProcess {
				s.stop(false, sigs)
				return 1
			}
			if n > 5 {
				log.Printf("core", errorlog.Emerg, "MPM plugin %s keeps exiting; giving up after %d restarts", s.cur.module.Name, n-1)
				s.stop(false, sigs)
				return 1
			}
			time.Sleep(time.Duration(n*n) * 100 * time.Millisecond)
			old := s.cur
			next, err := s.start(old.cfg, old.srv, old.module, s.log.Ref(), nil)
			if err != nil {
				log.Printf("core", errorlog.Error, "could not restart the MPM: %v", err)
				continue
			}
			// The dead plugin's children may still be draining (they hold
			// its stderr, which go-plugin reads to the end): reap it aside
			// so that signals keep being handled meanwhile.
			go old.kill()
			s.cur = next
		}
	}
}

// crashCount counts the MPM plugin's unexpected exits that follow each other
// within crashQuiet: after a quiet spell the count starts again, so only a
// plugin that keeps dying makes httpd give up.
type crashCount struct {
	n    int
	last time.Time
}

// crashQuiet is the spell without an exit that forgets the earlier ones.
const crashQuiet = time.Minute

// add counts an exit at now and returns the count.
func (c *crashCount) add(now time.Time) int {
	if now.Sub(c.last) > crashQuiet {
		c.n = 0
	}
	c.n++
	c.last = now
	return c.n
}

// bind makes sure there are sockets for every Listen, reusing the ones
// already bound (a restart refuses nothing), and writes ListenAddrFile.
func (s *server) bind(cfg *config.Config, srv *config.Server) error {
	if s.buckets == 0 {
		s.buckets = s.bucketCount(cfg)
	}
	var addrs []string
	for _, l := range srv.Listeners {
		socks, ok := s.sockets[l.Addr]
		if !ok && s.socketAct {
			sock := s.takeActivated(l.Addr)
			if sock == nil {
				return fmt.Errorf("Listen %s (line %d of %s): Systemd socket activation is used, but this port is not configured in systemd", l.Addr, l.Line, l.File)
			}
			socks = []*listen.Socket{sock}
			s.sockets[l.Addr] = socks
		} else if !ok {
			var err error
			if socks, err = listen.BindBuckets(l.Addr, srv.ListenBacklog, s.buckets); err != nil {
				return err
			}
			s.sockets[l.Addr] = socks
		}
		// Apache applies the accept filter on every (re)start, to the
		// sockets it bound and to systemd's alike.
		for _, sock := range socks {
			if err := sock.SetDeferAccept(srv.DeferAccept(l.Proto)); err != nil {
				s.log.Printf("core", errorlog.Warn, "AH00076: Failed to enable APR_TCP_DEFER_ACCEPT: %v", err)
			}
		}
		addrs = append(addrs, socks[0].Addr)
	}
	if len(srv.Listeners) == 0 {
		return errors.New("no Listen directive")
	}
	if srv.ListenAddrFile != "" {
		// Through a new file renamed over it, as the PID file: its
		// directory may be one User can write.
		if _, err := replaceFile(srv.ListenAddrFile, []byte(strings.Join(addrs, "\n")+"\n")); err != nil {
			return fmt.Errorf("ListenAddrFile: %w", err)
		}
	}
	return nil
}

// bucketCount is Apache's listeners buckets rule: with
// ListenCoresBucketsRatio R, online cores / R buckets when that is more
// than one, each with its own SO_REUSEPORT sockets; otherwise one. Socket
// activation always uses one (systemd bound the sockets).
func (s *server) bucketCount(cfg *config.Config) int {
	ratio := 0
	for _, d := range cfg.Directives {
		if strings.EqualFold(d.Name, "ListenCoresBucketsRatio") && len(d.Args) == 1 {
			ratio, _ = strconv.Atoi(d.Args[0])
		}
	}
	if ratio <= 0 || s.socketAct {
		return 1
	}
	cores := runtime.NumCPU()
	n := cores / ratio
	if n <= 1 {
		return 1
	}
	s.log.Printf("core", errorlog.Info, "AH02819: Using %d listeners bucket(s) based on %d online CPU cores and a ratio of %d", n, cores, ratio)
	return n
}

// socketsFor lists the bound sockets a config uses, in Listen order, every
// bucket's.
func (s *server) socketsFor(srv *config.Server) []*listen.Socket {
	var out []*listen.Socket
	for _, l := range srv.Listeners {
		out = append(out, s.sockets[l.Addr]...)
	}
	return out
}

// start launches and runs an MPM generation on the bound sockets. It owns
// main, the generation's main error log (the host's, or a restart's opened
// anew), from here on: the generation's processes write to it until it
// retires, as Apache's old children keep the file they were forked with, and
// it is closed with the generation or at once if the start fails.
// beforeRun, if set, runs once the MPM is configured, before it runs: an
// error it returns (it has logged it) ends the generation, exit 1.
func (s *server) start(cfg *config.Config, srv *config.Server, mod config.Module, main *errorlog.Log, beforeRun func() error) (*loaded, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pluginStartTimeout)
	defer cancel()
	var msgs startMessages
	// The virtual hosts' ErrorLogs, opened anew for each generation: its
	// children write to them until it retires, as the main one.
	// One it cannot open is said in the main log as Apache's startup
	// messages are, and on the console at startup.
	vlogs, err := openVhostLogs(s.o.name, srv)
	if err != nil {
		main.Close()
		for _, line := range lines(err.Error()) {
			s.log.Startup(line)
		}
		if s.cur == nil {
			fmt.Fprintln(s.stderr, err)
		}
		return nil, &exitError{1}
	}
	// The MPM may run before Configure returns (a Preconfig) unless the
	// PID file, written before Run, looks unwritable or is there at start
	// (AH00098): then apache2's order, its lines before the MPM's and
	// nothing served before a failure, holds.
	preconfig := beforeRun == nil || pidFileWritable(srv.PidFile, s.cur == nil)
	l, err := startPlugin(ctx, s.o, cfg, srv, mod, s.socketsFor(srv), &errorLogs{main: main, vhosts: vlogs}, main.PluginOutput(vlogs), &msgs, preconfig)
	if len(msgs) > 0 {
		to := main // the log the generation serves with, or, if it does not, the one that goes on
		if err != nil {
			to = s.log
		}
		for _, m := range msgs {
			switch {
			case !m.read:
				to.Printf(m.module, m.level, "%s", m.text)
			case s.cur != nil || !isDetachedChild():
				// proxyNotes applied the level of the server whose line
				// it is, as apache2 does; the main log's does not apply.
				to.Note(m.module, m.level, m.text)
			}
			switch {
			case s.cur != nil || m.logOnly:
			case m.read: // at startup the console sees them too
				errorlog.New(s.stderr, errorlog.Debug).Printf(m.module, m.level, "%s", m.text)
			default:
				fmt.Fprintln(s.stderr, m.text)
			}
		}
	}
	if err != nil {
		closeLogs(vlogs)
		main.Close()
		return nil, err
	}
	l.mainLog, l.vhostLogs = main, vlogs
	if beforeRun != nil && beforeRun() != nil {
		l.kill()
		return nil, &exitError{1}
	}
	if err := l.gen.Run(ctx); err != nil {
		if ctx.Err() != nil {
			l.abort() // it may be frozen: kill would wait for its answer
		} else {
			l.kill()
		}
		s.log.Printf("core", errorlog.Error, "AH02818: MPM run failed: %v", pluginErr(mod.Name, err))
		return nil, &exitError{1}
	}
	l.ended = make(chan struct{})
	go s.watch(l)
	return l, nil
}

// restart re-reads the config and starts the next MPM generation (which
// may be a different MPM) on the same sockets, then retires the old one:
// gracefully (drain) for USR1, at once for HUP. A broken config leaves the
// running server as it is. The PID file is written again (PidFile may have
// changed); if it cannot be, restart stops everything, as apache2 exits 1
// then, and returns false.
func (s *server) restart(graceful bool) bool {
	notifyReloading()
	defer notifyReady() // either way, a generation serves
	var msgs strings.Builder
	cfg, srv, mod, err := readConfig(s.o, &msgs, &msgs)
	if err == nil {
		// The warnings of a config that loads (AH00112, AH00111) go to
		// the error log as Apache's do, before mod_mime's check.
		for _, line := range lines(msgs.String()) {
			s.log.Startup(line)
		}
		msgs.Reset()
		logConfigWarnings(s.log, cfg)
		if dirErr := checkErrorLogDirs(srv); dirErr != nil {
			fmt.Fprintln(&msgs, dirErr)
			err = &exitError{1}
		} else if !typesConfigOK(s.log, srv) {
			// Apache exits here (AH00020: Configuration Failed, exiting);
			// we keep serving, as for any other broken config.
			err = &exitError{1}
		}
	}
	// The main error log is opened again, as Apache's open_logs does at
	// each restart: a file renamed away (rotated) is created anew.
	var log *errorlog.Log
	if err == nil {
		levels, _ := loglevel.Parse(srv.LogLevel)
		var openErr error
		if log, openErr = openErrorLog(s.o.name, srv.ErrorLog, levels); openErr != nil {
			fmt.Fprintln(&msgs, openErr)
			err = &exitError{1}
		}
	}
	if err == nil {
		childCredential(srv) // while the sockets are bound
		err = s.bind(cfg, srv)
	}
	if err != nil {
		if log != nil {
			log.Close()
		}
		for _, line := range lines(msgs.String()) {
			s.log.Printf("core", errorlog.Error, "%s", line)
		}
		if !errors.As(err, new(*exitError)) {
			s.log.Printf("core", errorlog.Error, "%v", err)
		}
		s.log.Printf("core", errorlog.Error, "configuration not reloaded; still serving with the previous one")
		return true
	}
	// The host's own lines go to the new main log once the new generation
	// serves; until then, and if it does not, to the one in use.
	// As apache2's MPM at each generation, the PID file is written
	// again before the new generation runs; apache2 exits 1 when it
	// cannot be (its old children go with it), the old file left.
	pidFailed := false
	next, err := s.start(cfg, srv, mod, log, func() error {
		err := writePid(srv.PidFile, s.o.name, false, log)
		pidFailed = err != nil
		return err
	})
	if pidFailed {
		s.abandon(s.cur)
		return false
	}
	if err != nil {
		s.log.Printf("core", errorlog.Error, "configuration not reloaded; still serving with the previous one")
		return true
	}
	s.pidFile = srv.PidFile
	if err := s.log.Swap(log.Ref()); err != nil {
		s.log.Printf("core", errorlog.Warn, "closing the previous error log: %v", err)
	}
	old := s.cur
	s.cur = next
	s.log.Printf("core", errorlog.Notice, "%s serving; retiring %s (pid %d)", next.module.Name, old.module.Name, old.gen.Pid())
	go s.retire(old, graceful)
	s.closeUnused(srv)
	return true
}

// abandon stops l at once (its children get hardStopTimeout) and closes
// every listening socket, for an exit without removing the PID file, as
// apache2's exit(1) when it cannot write it at a restart.
func (s *server) abandon(l *loaded) {
	s.end(l, false, hardStopTimeout, nil)
	for _, socks := range s.sockets {
		closeAll(socks)
	}
}

// lines are the non-empty lines of s.
func lines(s string) []string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// retire stops an old generation and ends its plugin process: at once
// (3 s for its children) for HUP; for USR1 after draining, for at most
// GracefulShutdownTimeout if set, else as long as its connections last,
// as Apache's old children do. Either way a plugin that stops answering
// is killed (see end), so a frozen one does not keep serving the old
// configuration on the shared sockets.
func (s *server) retire(l *loaded, graceful bool) {
	timeout := time.Duration(0)
	if !graceful {
		timeout = hardStopTimeout
	}
	s.end(l, graceful, timeout, nil)
}

// hardStopTimeout is the MPM's stop timeout for a hard stop (SIGTERM, or
// SIGHUP for the old generation): its children are killed after it.
const hardStopTimeout = 3 * time.Second

// stopGrace is how long past the MPM's own stop timeout the host waits for
// Stop to return before it kills the plugin's process group: with the 3 s
// of a hard stop, 9 s, when apache2's ap_reclaim_child_processes SIGKILLs
// the children that are left.
const stopGrace = 6 * time.Second

// pingEvery is how often, and pingTimeout how long, end checks that a
// plugin still answers while Stop lasts: a plugin that drains answers, one
// that is frozen does not and is killed.
const (
	pingEvery   = 5 * time.Second
	pingTimeout = 10 * time.Second
)

// end stops l (draining first if graceful, its children given timeout, 0
// for as long as draining lasts) and ends its plugin process. It kills the
// plugin's process group instead (Abort) when Stop has not returned
// stopGrace after timeout, or when the plugin does not answer a ping within
// pingTimeout. A signal on hurry (a second stop signal) makes a graceful
// stop hard, as apache2's event MPM does: the MPM is asked to Stop again,
// at once (its children get SIGTERM, then SIGKILL after hardStopTimeout),
// and killed if that has not ended stopGrace later. During a hard stop it
// kills at once.
func (s *server) end(l *loaded, graceful bool, timeout time.Duration, hurry <-chan os.Signal) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- l.gen.Stop(ctx, graceful, timeout) }()
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout + stopGrace)
		defer t.Stop()
		deadline = t.C
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	pinged := make(chan error, 1) // a ping's answer; one at a time
	pinging := false
	pid := l.gen.Pid()
	abort := func(why string, a ...any) {
		s.log.Printf("core", errorlog.Warn, "%s (pid %d) %s: killing its processes", l.module.Name, pid, fmt.Sprintf(why, a...))
		cancel()
		l.abort()
	}
	for {
		select {
		case err := <-stopped:
			switch {
			case errors.As(err, new(*launch.ExitError)): // it died while it stopped
				s.log.Printf("core", errorlog.Error, "%v", pluginErr(l.module.Name, err))
			case err != nil && !errors.Is(err, launch.ErrExited):
				s.log.Printf("core", errorlog.Warn, "stopping %s (pid %d): %v", l.module.Name, pid, err)
			}
			l.kill()
			return
		case <-deadline:
			abort("has not stopped %s after it was asked to", timeout+stopGrace)
			return
		case sig := <-hurry:
			if !graceful {
				abort("is still stopping when %s came", unix.SignalName(sig.(syscall.Signal)))
				return
			}
			graceful = false
			s.log.Printf("core", errorlog.Info, "%s received: stopping %s at once", unix.SignalName(sig.(syscall.Signal)), l.module.Name)
			go func() { _ = l.gen.Stop(ctx, false, hardStopTimeout) }() // the first Stop returns once it is done
			t := time.NewTimer(hardStopTimeout + stopGrace)
			defer t.Stop()
			deadline, timeout = t.C, hardStopTimeout
		case <-ping.C:
			if pinging {
				continue
			}
			pinging = true
			go func() {
				pctx, pcancel := context.WithTimeout(ctx, pingTimeout)
				defer pcancel()
				pinged <- l.gen.Ping(pctx)
			}()
		case err := <-pinged:
			pinging = false
			select {
			case <-l.gen.Exited(): // Stop returns next
				continue
			default:
			}
			if err != nil && ctx.Err() == nil && !errors.Is(err, launch.ErrExited) {
				abort("does not answer while it stops (%v)", err)
				return
			}
		}
	}
}

// closeUnused closes sockets no Listen names any more.
func (s *server) closeUnused(srv *config.Server) {
	keep := map[string]bool{}
	for _, l := range srv.Listeners {
		keep[l.Addr] = true
	}
	for addr, socks := range s.sockets {
		if !keep[addr] {
			closeAll(socks)
			delete(s.sockets, addr)
		}
	}
}

// stop ends the current generation and removes the pid file. A hard stop
// removes it once the generation has ended, as Apache does once its
// children are reclaimed. A graceful stop closes the listening sockets and
// removes the pid file first (as Apache does), then drains, for at most
// GracefulShutdownTimeout if set. A plugin that does not stop in time, or
// stops answering, is killed with its children (see end). A SIGTERM or
// SIGINT on sigs makes a graceful stop hard, and kills at once a plugin
// still in a hard stop.
func (s *server) stop(graceful bool, sigs <-chan os.Signal) {
	notifyStopping()
	timeout := hardStopTimeout
	if graceful {
		for _, socks := range s.sockets {
			closeAll(socks)
		}
		removePid(s.pidFile, s.log)
		timeout = s.cur.srv.GracefulShutdownTimeout
	}
	s.end(s.cur, graceful, timeout, stopSignals(sigs))
	for _, socks := range s.sockets {
		closeAll(socks)
	}
	if !graceful {
		removePid(s.pidFile, s.log)
	}
}

// stopSignals passes on the SIGTERMs and SIGINTs that come on sigs and
// drops the others, from now on: after a stop the process exits.
func stopSignals(sigs <-chan os.Signal) <-chan os.Signal {
	out := make(chan os.Signal, 1)
	go func() {
		for sig := range sigs {
			if sig == syscall.SIGTERM || sig == syscall.SIGINT {
				select {
				case out <- sig:
				default:
				}
			}
		}
	}()
	return out
}

// watch keeps a generation's latest status until its plugin exits. In
// ONE_PROCESS mode it closes l.ended once the MPM reports no process.
func (s *server) watch(l *loaded) {
	_ = l.gen.Watch(context.Background(), func(st mpm.Status) {
		l.status.Store(&st)
		if !l.mpmCfg.Core.OneProcess {
			return
		}
		if len(st.Pids) > 0 {
			l.lastPid.Store(int64(st.Pids[0]))
		} else {
			l.endOnce.Do(func() { close(l.ended) })
		}
	})
}

func closeAll(socks []*listen.Socket) {
	for _, sock := range socks {
		sock.Close()
	}
}

// startMessages are the lines startPlugin writes when a generation starts,
// in order: its error lines, under core, the MPM's warnings (Warn) and the
// error log's own warnings (LogWarn).
type startMessages []startMessage

type startMessage struct {
	module  string
	level   errorlog.Level
	text    string
	logOnly bool // not on the console at startup
	// read is a line about the configuration as apache2 logs it while it
	// reads it (Note): on the console at startup in the log's format, in
	// the error log unless the server detached at startup (apache2's
	// -k start reads the configuration again with no error log to write
	// to; it writes there at a restart).
	read bool
}

// Write takes p's lines as errors.
func (m *startMessages) Write(p []byte) (int, error) {
	for _, line := range lines(string(p)) {
		*m = append(*m, startMessage{module: "core", level: errorlog.Error, text: line})
	}
	return len(p), nil
}

// Warn takes a warning of the MPM whose log module is module.
func (m *startMessages) Warn(module, msg string) {
	for _, line := range lines(msg) {
		*m = append(*m, startMessage{module: module, level: errorlog.Warn, text: line})
	}
}

// Note takes a line of module at level about the configuration read.
func (m *startMessages) Note(module string, level errorlog.Level, msg string) {
	*m = append(*m, startMessage{module: module, level: level, text: msg, read: true})
}

// ModuleError takes an error of module, for the error log and the console.
func (m *startMessages) ModuleError(module, msg string) {
	for _, line := range lines(msg) {
		*m = append(*m, startMessage{module: module, level: errorlog.Error, text: line})
	}
}

// LogWarn takes a warning of module for the error log only (apache2's
// post_config warnings, such as mod_remoteip's AH10633).
func (m *startMessages) LogWarn(module, msg string) {
	for _, line := range lines(msg) {
		*m = append(*m, startMessage{module: module, level: errorlog.Warn, text: line, logOnly: true})
	}
}
