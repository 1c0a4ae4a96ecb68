package mpm

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/httpd-mpm/httpd-mpm/internal/cloexec"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// LifelineFD is the descriptor on which the host hands the plugin the read
// end of its lifeline pipe. Listeners follow it; their numbers are in Run.
const LifelineFD = 3

// Serve runs the plugin: it answers the host's handshake and serves the
// MPM until the host stops it. In a child started by StartChild it runs
// the MPM's ServeChild instead. Run by a person, it explains what the
// binary is and exits 1. Serve does not return.
func Serve(impl MPM) {
	if status, ok := RunChild(impl); ok {
		os.Exit(status)
	}
	d := impl.Describe()
	if os.Getenv(wire.Handshake.MagicCookieKey) != wire.Handshake.MagicCookieValue {
		explain(d)
		os.Exit(1)
	}
	// Before anything else: on success this does not return but runs
	// this binary again with only the capabilities a parent needs.
	capErr := limitCapabilities()
	// What the host handed over (lifeline, listeners, logs) reaches a
	// child only through StartChild, which passes each on by number.
	cloexec.Inherited()
	saveOriginalStderr()
	log := newLogger(d, originalStderr()).With("pid", os.Getpid())
	if capErr != nil {
		log.Warn("cannot limit the MPM parent's capabilities; it keeps them all", "error", capErr)
	}
	// The host owns signals: a terminal's Ctrl-C or systemd's stop signal
	// reaches the host, which drains this plugin through Stop.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGWINCH, syscall.SIGPIPE)
	// SIGTERM is caught and dropped, not ignored: an ignored signal stays
	// ignored across exec, and a child that got SIGTERM while it started
	// (before the Go runtime took the signal) went on serving until the
	// stop's SIGKILL three seconds later. A caught one is the default
	// again in the child: SIGTERM ends it at any point. Nothing reads the
	// channel: the signal package drops what does not fit, never blocks.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM)
	// While plugin.Serve answers the handshake:
	startEarlyChildren(impl, log)
	go func() {
		wire.WarmProto()
		warmSpec()
	}()

	ctx, cancel := context.WithCancel(context.Background())
	srv := &server{impl: impl, log: log, ctx: ctx}
	watchLifeline(hostLifelineFile(), func() {
		log.Error("host process is gone; stopping")
		cancel()
		stopCtx, stop := context.WithTimeout(context.Background(), 2*time.Second)
		defer stop()
		_ = impl.Stop(stopCtx, false)
		discardEarly()
		os.Exit(1)
	})
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: wire.Handshake,
		Plugins:         wire.Plugins(srv),
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger:          log.Named("plugin"),
	})
	cancel()
	discardEarly() // the host ended it before Run (a config error, say)
	os.Exit(0)
}

func explain(d Description) {
	name := filepath.Base(os.Args[0])
	fmt.Fprintf(os.Stderr, "%s: this is the %s MPM of httpd-mpm (module %s), a plugin that httpd starts.\n", name, d.Name, d.Module)
	fmt.Fprintf(os.Stderr, "It is not run by hand. Name it in the server configuration, for example:\n\n")
	fmt.Fprintf(os.Stderr, "    LoadModule %s modules/%s\n\nthen start httpd (httpd -t checks the configuration).\n", d.Module, name)
}

var stderrCopy struct {
	once sync.Once
	f    *os.File
}

// saveOriginalStderr keeps a descriptor of the real stderr: go-plugin
// replaces os.Stderr once it serves, but logs and children must keep
// writing to the stream the host reads.
func saveOriginalStderr() {
	stderrCopy.once.Do(func() {
		fd, err := syscall.Dup(2)
		if err != nil {
			stderrCopy.f = os.Stderr
			return
		}
		syscall.CloseOnExec(fd)
		stderrCopy.f = os.NewFile(uintptr(fd), "stderr")
	})
}

func originalStderr() *os.File {
	saveOriginalStderr()
	return stderrCopy.f
}

// newLogger returns the JSON hclog logger the host understands; its name
// is the module's log tag, e.g. "mpm_event".
func newLogger(d Description, out io.Writer) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       strings.TrimSuffix(d.Module, "_module"),
		Output:     out,
		JSONFormat: true,
		Level:      hclog.Info,
	})
}

// setLevel maps an Apache LogLevel onto the logger.
func setLevel(log hclog.Logger, apache string) {
	log.SetLevel(LevelFromApache(apache))
}

// LevelFromApache maps an Apache LogLevel name to an hclog level: notice
// and info become Info, trace1-8 become Trace.
func LevelFromApache(apache string) hclog.Level {
	switch strings.ToLower(apache) {
	case "emerg", "alert", "crit", "error":
		return hclog.Error
	case "warn", "":
		return hclog.Warn
	case "notice", "info":
		return hclog.Info
	case "debug":
		return hclog.Debug
	default:
		if strings.HasPrefix(strings.ToLower(apache), "trace") {
			return hclog.Trace
		}
		return hclog.Warn
	}
}
