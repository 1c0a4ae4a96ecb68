package mpm

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/trust"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
)

// copyOfSelf copies the test binary (a child program of testChildMPM, as
// TestMain runs RunChild first) into a directory of its own, mode perm.
func copyOfSelf(t *testing.T, perm os.FileMode) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "child")
	if err := os.WriteFile(path, b, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
	return path
}

// A child program is used only when it is there, trusted, executable by
// whoever may execute the plugin file, built from the same sources as the
// plugin, and the plugin's checksum is not pinned.
func TestUsableChildProgram(t *testing.T) {
	plugin := copyOfSelf(t, 0o755)
	good := copyOfSelf(t, 0o755)
	if got, err := usableChildProgram(good, plugin); err != nil || got.path != good {
		t.Errorf("a copy of this binary: %+v, %v; want %q", got, err, good)
	}
	var te *trust.TrustError
	if _, err := usableChildProgram(copyOfSelf(t, 0o777), plugin); !errors.As(err, &te) || !strings.Contains(err.Error(), "an MPM's child program must not be changeable") {
		t.Errorf("a copy writable by others: %v; want a TrustError for a child program", err)
	}
	if _, err := usableChildProgram(copyOfSelf(t, 0o700), plugin); err == nil || !strings.Contains(err.Error(), "lacks execute permission 0011") {
		t.Errorf("a copy only its owner may execute: %v; want the missing permissions", err)
	}
	if _, err := usableChildProgram(filepath.Join(t.TempDir(), "missing"), plugin); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v; want not-exist", err)
	}
	t.Setenv(wire.PinnedEnv, "1")
	if _, err := usableChildProgram(good, plugin); !errors.Is(err, prestart.ErrPinned) {
		t.Errorf("pinned: %v; want errPinned", err)
	}
}

// prestart.BuiltTogether tells a program of another build from this one's.
func TestBuiltTogether(t *testing.T) {
	if err := prestart.BuiltTogether(copyOfSelf(t, 0o755), "self"); err != nil {
		t.Errorf("a copy of this binary: %v", err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err) // the go tool runs these tests
	}
	if err := prestart.BuiltTogether(goTool, "self"); err == nil || !strings.Contains(err.Error(), "built from another") || !strings.Contains(err.Error(), "than self") {
		t.Errorf("the go tool: %v; want built from another main module or Go version", err)
	}
	script := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := prestart.BuiltTogether(script, "self"); err == nil || !strings.Contains(err.Error(), "build information") {
		t.Errorf("a shell script: %v; want no build information", err)
	}
}

// useProgram makes a copy of this binary the child program, as checked.
func useProgram(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := copyOfSelf(t, 0o755)
	prog, err := usableChildProgram(path, self)
	if err != nil {
		t.Fatal(err)
	}
	childProgram = prog
	t.Cleanup(func() { childProgram = nil })
	return path
}

// StartChild executes the child program when there is one, for an early
// child and a spec alike.
func TestStartChildRunsChildProgram(t *testing.T) {
	noSpare(t)
	prog := useProgram(t)
	f, addr := tcpListenerFile(t)
	p := startTestChild(t, ChildSpec{Slot: 1, Extra: childOrder{Tag: "program"}, Listeners: []Listener{{Name: "t", Network: "tcp4", Address: addr, File: f}}})
	awaitExecuted(t, p.Pid)
	if exe, err := os.Readlink("/proc/" + strconv.Itoa(p.Pid) + "/exe"); err != nil || exe != prog {
		t.Errorf("the child runs %q (%v), want the child program %q", exe, err, prog)
	}
	if r := ask(t, p, addr); r.Slot != 1 {
		t.Errorf("report %+v, want slot 1", r)
	}
	c := offerEarly(t, nil)
	awaitExecuted(t, c.Process.Pid)
	if exe, err := os.Readlink("/proc/" + strconv.Itoa(c.Process.Pid) + "/exe"); err != nil || exe != prog {
		t.Errorf("the early child runs %q (%v), want the child program %q", exe, err, prog)
	}
}

// A child program replaced after it was checked (an upgrade while the
// plugin runs) is not run with this process's spec: StartChild runs this
// process's own image instead, /proc/self/exe, under its name.
func TestStartChildChangedChildProgram(t *testing.T) {
	noSpare(t)
	prog := useProgram(t)
	b, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // a modification time of its own
	if err := os.WriteFile(prog, b, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, addr := tcpListenerFile(t)
	p := startTestChild(t, ChildSpec{Slot: 2, Extra: childOrder{Tag: "changed"}, Listeners: []Listener{{Name: "t", Network: "tcp4", Address: addr, File: f}}})
	awaitExecuted(t, p.Pid)
	if exe, err := os.Readlink("/proc/" + strconv.Itoa(p.Pid) + "/exe"); err != nil || exe != self {
		t.Errorf("the child runs %q (%v), want this binary %q", exe, err, self)
	}
	if cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/cmdline"); err != nil || !strings.HasPrefix(string(cmdline), self+"\x00") {
		t.Errorf("the child's argv[0] is %q (%v), want %q", cmdline, err, self)
	}
	if r := ask(t, p, addr); r.Slot != 2 {
		t.Errorf("report %+v, want slot 2", r)
	}
}

// awaitExecuted waits until the child pid has executed its image (its
// environment has the child's spec; it answers nothing before it is asked):
// between fork and execve its exe is this binary whatever it will run, and
// during execve its cmdline may read empty.
func awaitExecuted(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		env, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if strings.Contains("\x00"+string(env), "\x00"+wire.ChildEnv+"=") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d has not executed its image within 10s", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The first children start from the child program before it is checked to
// be of this build: when it is not, checkBuild ends them (they have no
// spec), warns, and later children run this process's own image.
func TestEarlyChildProgramOfAnotherBuild(t *testing.T) {
	noSpare(t)
	other, err := os.ReadFile("/bin/true") // no Go build information
	if err != nil {
		t.Fatal(err)
	}
	path := copyOfSelf(t, 0o755)
	if err := os.WriteFile(path, other, 0o755); err != nil {
		t.Fatal(err)
	}
	self := copyOfSelf(t, 0o755)
	var buf bytes.Buffer
	out := &lineWriter{w: &buf}
	t.Cleanup(func() { childProgram = nil })
	checkBuild := childProgramAt(path, self, hclog.New(&hclog.LoggerOptions{Output: out, Level: hclog.Debug}))
	if childProgram == nil || childProgram.path != path {
		t.Fatalf("child program %+v before the build check, want %s", childProgram, path)
	}
	c := offerEarly(t, nil)
	if c.Path != path {
		t.Errorf("the early child executed %s, want the child program %s", c.Path, path)
	}
	checkBuild()
	if childProgram != nil {
		t.Errorf("child program %s of another build still used", childProgram.path)
	}
	noSpare(t)
	if c.State() == nil {
		t.Errorf("the early child %d of the other build was not ended and reaped", c.Process.Pid)
	}
	if exe, _, err := childExecutable(childProgram, nil); err != nil || exe == path {
		t.Errorf("children run %q (%v), want this process's image", exe, err)
	}
	out.mu.Lock()
	logged := buf.String()
	out.mu.Unlock()
	if want := "children run " + filepath.Base(self) + ", not the child program: " + path + ": read its build information"; !strings.Contains(logged, want) {
		t.Errorf("log %q; want a warning %q", logged, want)
	}
}
