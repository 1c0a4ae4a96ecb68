// Package mpmtest is the conformance suite for MPM plugins: what every MPM,
// built-in or third-party, must do to be loaded by httpd and trusted with
// its traffic. An MPM runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		mpmtest.Run(t, mpmtest.Build(t, "."), mpmtest.Options{})
//	}
//
// Every check starts the real plugin binary the way httpd does (go-plugin
// handshake, the lifeline on fd 3, listening sockets on
// 127.0.0.1 port 0 from fd 4), configures it, and talks to it with real
// HTTP clients. Each check has a plugin process of its own. Waiting is
// bounded and polled; nothing asserts how fast anything is.
//
// The checks, one subtest each:
//
//   - Handshake: run by hand (no handshake), the binary exits 1 and writes
//     nothing to stdout.
//   - Describe: the module and MPM names are set, directive names are
//     unique, defaults of numeric directives parse and lie in range.
//   - ConfigErrors: a bad value of a numeric directive is an error at the
//     file and line it came from.
//   - Serve: it answers on every socket it was given, static files and 404s.
//   - KeepAlive: several requests on one connection.
//   - Concurrent: many clients at once.
//   - Status: Watch reports a sane scoreboard that counts the requests.
//   - GracefulStopDrains: a graceful Stop lets an in-flight response finish,
//     answers a request on an idle keep-alive connection (then closes it)
//     and closes a keep-alive connection that stays idle http1.DrainIdle
//     after the stop (with slack for a loaded machine, but well before the
//     suite's KeepAliveTimeout), all before it returns.
//   - StopWithinTimeout: a graceful Stop returns within its timeout when a
//     client never reads its response, and an immediate Stop returns too.
//   - NoStdout: the plugin writes nothing to stdout, and its children do not
//     hold go-plugin's handshake channel.
//   - NoLeaks: descriptors do not grow with connections; after Stop no
//     process of the plugin is left and nothing but the host holds the
//     listening sockets, which still listen (the MPM never shut them down).
package mpmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// Options adjust the configuration the checks run with.
type Options struct {
	// Settings are the MPM's own directives, as a config file would set
	// them (e.g. {Name: "StartServers", Args: []string{"2"}}). The
	// defaults of the MPM's directive table apply to the others.
	Settings []mpm.Setting
	// KeepAliveTimeout is the core setting; zero means 60 s. A graceful
	// stop must close an idle keep-alive connection http1.DrainIdle after
	// the stop (or at KeepAliveTimeout, if shorter); GracefulStopDrains
	// allows drainSlack more. The default is far above that bound, so that
	// an MPM that waits out KeepAliveTimeout instead fails; a value below
	// http1.DrainIdle+drainSlack (16 s) cannot tell the two apart.
	KeepAliveTimeout time.Duration
}

// drainSlack is how much later than http1.DrainIdle after a graceful stop
// began a connection idle during it may be closed: the Stop call reaching
// the children, scheduling on a loaded machine. A bound, not a
// measurement; the default KeepAliveTimeout is well above
// http1.DrainIdle+drainSlack.
const drainSlack = 15 * time.Second

func (o Options) withDefaults() Options {
	if o.KeepAliveTimeout == 0 {
		o.KeepAliveTimeout = 60 * time.Second
	}
	return o
}

// Run runs every check against the plugin executable at path, each as a
// parallel subtest of t.
func Run(t *testing.T, path string, opts Options) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("plugin: %v", err)
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, path, opts)
		})
	}
}

var checks = []struct {
	name string
	run  func(t *testing.T, path string, opts Options)
}{
	{"Handshake", checkHandshake},
	{"Describe", checkDescribe},
	{"ConfigErrors", checkConfigErrors},
	{"Serve", checkServe},
	{"KeepAlive", checkKeepAlive},
	{"Concurrent", checkConcurrent},
	{"Status", checkStatus},
	{"GracefulStopDrains", checkGracefulStopDrains},
	{"StopWithinTimeout", checkStopWithinTimeout},
	{"NoStdout", checkNoStdout},
	{"NoLeaks", checkNoLeaks},
}

// Build builds the main package in dir (for a plugin's own test: ".") with
// `go build` into a temporary directory of t and returns the executable.
func Build(t testing.TB, dir string) string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	must(t, err)
	exe := filepath.Join(t.TempDir(), "mod_mpm_"+filepath.Base(abs)+".so")
	cmd := exec.Command("go", "build", "-o", exe, ".")
	cmd.Dir = abs
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", abs, err, b)
	}
	return exe
}
