// Package testbin gives tests the real binaries: bin/httpd and the MPM
// plugins, from the Makefile (HTTPD_BIN and HTTPD_MODULES) or, when a
// test runs on its own, built once per test process with go build.
package testbin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// MPMs are the built-in MPMs: name and module.
var MPMs = []struct{ Name, Module string }{
	{"prefork", "mpm_prefork_module"},
	{"worker", "mpm_worker_module"},
	{"event", "mpm_event_module"},
}

var built struct {
	once           sync.Once
	httpd, modules string
	err            error
}

// Example is the third-party MPM of examples/mpm-percore, a Go module of
// its own: its module name and file in the modules directory.
const (
	ExampleModule = "mpm_percore_module"
	ExampleFile   = "mod_mpm_percore.so"
)

// Build returns the httpd binary and the modules directory holding
// mod_mpm_{prefork,worker,event}.so and the Example.
func Build(t testing.TB) (httpd, modules string) {
	t.Helper()
	built.once.Do(func() {
		built.httpd, built.modules = os.Getenv("HTTPD_BIN"), os.Getenv("HTTPD_MODULES")
		if built.httpd != "" && built.modules != "" {
			// Tests run children as User nobody: the plugins must be
			// reachable by others. A checkout under a private directory
			// gets a world-readable copy.
			if !reachableByOthers(built.modules) {
				built.httpd, built.modules, built.err = publicCopy(built.httpd, built.modules)
			}
			return
		}
		dir, err := tempDir("httpd-testbin")
		if err != nil {
			built.err = err
			return
		}
		built.httpd = filepath.Join(dir, "httpd")
		built.modules = filepath.Join(dir, "modules")
		// As the Makefile builds them: without cgo.
		cmds := [][]string{{"env", "CGO_ENABLED=0", "go", "build", "-tags", wire.BuildTags, "-o", built.httpd, "./cmd/httpd"}}
		for _, m := range MPMs {
			cmds = append(cmds,
				[]string{"env", "CGO_ENABLED=0", "go", "build", "-tags", wire.BuildTags, "-o", filepath.Join(built.modules, "mod_mpm_"+m.Name+".so"), "./plugins/" + m.Name},
				[]string{"env", "CGO_ENABLED=0", "go", "build", "-tags", "mpmchild", "-o", filepath.Join(built.modules, wire.ChildProgram(m.Name)), "./plugins/" + m.Name + "/child"})
		}
		// The example is a module of its own: built from its directory.
		cmds = append(cmds, []string{"go", "-C", "examples/mpm-percore", "build", "-tags", wire.BuildTags, "-o", filepath.Join(built.modules, ExampleFile), "."})
		for _, c := range cmds {
			cmd := exec.Command(c[0], c[1:]...)
			cmd.Dir = RepoRoot()
			if out, err := cmd.CombinedOutput(); err != nil {
				built.err = fmt.Errorf("%v: %v\n%s", c, err, out)
				return
			}
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.httpd, built.modules
}

// RepoRoot is the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var plugins struct {
	sync.Mutex
	dir   string
	paths map[string]string
}

// Plugin builds the main package pkg (a path relative to the repository,
// such as "./internal/testbin/testdata/apiv2") once per test process and
// returns the executable, mode 0755 in a directory of its own.
func Plugin(t testing.TB, pkg string) string {
	t.Helper()
	return buildOnce(t, pkg, filepath.Base(pkg)+".so", "-tags", wire.BuildTags, pkg)
}

// Program builds the main package pkg (a path relative to the repository,
// such as "./internal/testbin/testdata/reachchild") once per test process
// and returns the executable, named as pkg's last element, mode 0755 in a
// directory others may reach (a test runs it as User nobody).
func Program(t testing.TB, pkg string) string {
	t.Helper()
	return buildOnce(t, "program "+pkg, filepath.Base(pkg), pkg)
}

// Static builds httpd with the MPM name linked in, and the MPM's child
// program beside it (`make MPM=name`: CGO_ENABLED=0 go build -tags
// grpcnotrace,mpm_name ./cmd/httpd), once per test process and returns the
// executable, named httpd (messages say "httpd:") in a directory of its
// own, reachable by the user children run as.
func Static(t testing.TB, name string) string {
	t.Helper()
	buildOnce(t, "static child "+name, filepath.Join(name, wire.ChildProgram(name)), "-tags", "mpmchild", "./plugins/"+name+"/child")
	return buildOnce(t, "static "+name, filepath.Join(name, "httpd"), "-tags", wire.BuildTags+",mpm_"+name, "./cmd/httpd")
}

// buildOnce runs go build args -o DIR/out, without cgo, once per key and
// test process.
func buildOnce(t testing.TB, key, out string, args ...string) string {
	t.Helper()
	plugins.Lock()
	defer plugins.Unlock()
	if p, ok := plugins.paths[key]; ok {
		return p
	}
	if plugins.dir == "" {
		dir, err := tempDir("httpd-testplugins")
		if err != nil {
			t.Fatal(err)
		}
		plugins.dir, plugins.paths = dir, map[string]string{}
	}
	out = filepath.Join(plugins.dir, out)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", append([]string{"build", "-o", out}, args...)...)
	cmd.Dir = RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as the Makefile builds
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", args, err, b)
	}
	plugins.paths[key] = out
	return out
}

// reachableByOthers reports whether every directory from / to dir lets
// other users through (search permission).
func reachableByOthers(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for d := abs; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// publicCopy copies httpd and the modules directory into a fresh 0755
// directory under the system temp dir.
func publicCopy(httpd, modules string) (string, string, error) {
	dir, err := tempDir("httpd-testbin")
	if err != nil {
		return "", "", err
	}
	dst := filepath.Join(dir, "modules")
	if err := os.Mkdir(dst, 0o755); err != nil {
		return "", "", err
	}
	ents, err := os.ReadDir(modules)
	if err != nil {
		return "", "", err
	}
	copyFile := func(from, to string) error {
		b, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o755)
	}
	for _, e := range ents {
		if err := copyFile(filepath.Join(modules, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return "", "", err
		}
	}
	h := filepath.Join(dir, "httpd")
	return h, dst, copyFile(httpd, h)
}

// tempDir makes a directory, mode 0755 (children running as nobody exec
// from it), under the system temp dir for the binaries of this test
// process: prefix-PID-random. A test process has no hook at its exit and
// these hold ~150 MB, so each call first removes those of test processes
// that are gone (a run that was killed, or that ended: every one).
func tempDir(prefix string) (string, error) {
	sweep(prefix)
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s-%d-", prefix, os.Getpid()))
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	return dir, err
}

// sweep removes prefix-PID-* directories whose process no longer exists.
func sweep(prefix string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"-*-*"))
	for _, d := range dirs {
		rest := strings.TrimPrefix(filepath.Base(d), prefix+"-")
		pid, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, '-'), 0)])
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}
