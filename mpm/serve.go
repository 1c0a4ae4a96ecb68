//go:build !mpmchild

package mpm

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/httpd-mpm/httpd-mpm/internal/rpcwire"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
)

// Serve runs the plugin: it answers the host's handshake and serves the
// MPM until the host stops it. In a child started by StartChild it runs
// the MPM's ServeChild instead. Run by a person, it explains what the
// binary is and exits 1. Serve does not return.
//
// Serve and what it needs of go-plugin and gRPC are left out of a build
// with the tag mpmchild, for a child program (see WithChildProgram).
func Serve(impl MPM, opts ...ServeOption) {
	var sc serveConfig
	for _, o := range opts {
		o(&sc)
	}
	if status, ok := RunChild(impl); ok {
		os.Exit(status)
	}
	d := impl.Describe()
	if os.Getenv(rpcwire.Handshake.MagicCookieKey) != rpcwire.Handshake.MagicCookieValue {
		explain(d)
		os.Exit(1)
	}
	// First: run this binary again with only the capabilities a parent
	// needs; make what the host handed over (lifeline, listeners, logs)
	// close-on-exec, so that it reaches a child only through StartChild,
	// which passes each on by number; take the first child package
	// earlystart's init started, if the plugin imports it (on Linux).
	pre := prestart.Plugin()
	saveOriginalStderr()
	log := newLogger(d, originalStderr()).With("pid", os.Getpid())
	if pre.CapErr != nil {
		log.Warn("cannot limit the MPM parent's capabilities; it keeps them all", "error", pre.CapErr)
	}
	if pre.Err != nil {
		log.Warn("cannot start a child ahead of need", "error", pre.Err)
	}
	checkBuild := useChildProgram(sc.childProgram, log)
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
	startEarlyChildren(impl, log, pre.Child)
	checkBuild() // while the first child starts

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
	srv.preconfigure()
	if !srv.running() {
		// Configure and Run, or the acknowledgement of the diagnostics the
		// Preconfig gave, will come over gRPC, and the first child waits for
		// them: their coders and the spec's are built meanwhile. A
		// preconfigured Run has begun and needs neither: building them
		// then took CPU from it and from the first child (~1 ms later to
		// the first response on 2 cores); the round trips build theirs
		// as they go, after it.
		go func() {
			rpcwire.WarmProto()
			warmSpec()
		}()
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: rpcwire.Handshake,
		Plugins:         rpcwire.Plugins(srv),
		GRPCServer:      grpcServer,
		Logger:          log.Named("plugin"),
	})
	cancel()
	discardEarly() // the host ended it before Run (a config error, say)
	os.Exit(0)
}

// grpcServer is go-plugin's gRPC server taking the host's configuration,
// however large (rpcwire.MaxConfig; gRPC's default is 4 MiB).
func grpcServer(opts []grpc.ServerOption) *grpc.Server {
	return plugin.DefaultGRPCServer(append(opts, grpc.MaxRecvMsgSize(rpcwire.MaxConfig)))
}

// A ServeOption changes how Serve runs the plugin.
type ServeOption func(*serveConfig)

type serveConfig struct{ childProgram string }

// WithChildProgram names the MPM's child program: a file in the directory
// of the plugin's own executable, built from a main that is just
// ChildMain with the same MPM. StartChild then executes it instead of the
// plugin binary, and the first children (EarlyChildServer) start from it.
// Built with the tag mpmchild, it links neither go-plugin nor gRPC, and a
// child starts with about 40 % less CPU time and memory.
//
// Serve uses the file only if it exists, passes the checks the host makes
// of a plugin file (owned by root or the user httpd runs as, writable by
// nobody else, and so its directories), has the plugin file's owner and
// group and at least its execute permissions, was built from the same
// sources (module versions, Go version, VCS revision) as the plugin, and the
// host has not pinned the plugin's checksum (LoadModuleChecksum covers
// only the plugin file). Otherwise children run the plugin binary, as
// without this option, and the plugin warns why (but for a missing file,
// a pin, or a plugin file that breaks the trust rules itself). A child
// program replaced once checked (an upgrade while the plugin runs) is not
// used for later children of this plugin: they run the plugin's own image.
// The sources are compared once the first children (EarlyChildServer)
// have started from the program, which passed the other checks: if they
// differ, those children are ended before they got anything.
func WithChildProgram(name string) ServeOption {
	return func(c *serveConfig) { c.childProgram = name }
}

func explain(d Description) {
	name := filepath.Base(os.Args[0])
	fmt.Fprintf(os.Stderr, "%s: this is the %s MPM of httpd-mpm (module %s), a plugin that httpd starts.\n", name, d.Name, d.Module)
	fmt.Fprintf(os.Stderr, "It is not run by hand. Name it in the server configuration, for example:\n\n")
	fmt.Fprintf(os.Stderr, "    LoadModule %s modules/%s\n\nthen start httpd (httpd -t checks the configuration).\n", d.Module, name)
}
