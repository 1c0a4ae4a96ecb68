//go:build linux

package mpm

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestTracedChildRefusesSpec: a child executed traced (PTRACE_TRACEME
// before its exec, as a debugger or strace starts a program) refuses to
// wait for its spec: guardSpec sees its TracerPid and the child exits 1
// with the reason. Its spec socket is closed at once, so a child that did
// not look would exit 0 (no spec) instead. The test is the tracer: it
// resumes each stop (the exec's SIGTRAP, the runtime's signals) until the
// child exits, on the thread that started it, as ptrace requires.
func TestTracedChildRefusesSpec(t *testing.T) {
	exe, name, err := childExecutable(childProgram, nil)
	if err != nil {
		t.Fatal(err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "child-spec"), os.NewFile(uintptr(fds[1]), "child-spec")
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer errR.Close()
	cmd, err := childCommand(exe, name, socketMarker, errW, []*os.File{hostLifelineFile(), theirs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr.Ptrace = true
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	err = cmd.Start()
	errW.Close()
	theirs.Close()
	ours.Close()
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("ptrace not permitted here (seccomp, Yama): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	stderr := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(errR)
		stderr <- string(b)
	}()
	pid := cmd.Process.Pid
	var ws syscall.WaitStatus
	for {
		if _, err := syscall.Wait4(pid, &ws, syscall.WALL, nil); err == syscall.EINTR {
			continue
		} else if err != nil {
			t.Fatalf("wait4: %v", err)
		}
		if ws.Exited() || ws.Signaled() {
			break
		}
		if ws.Stopped() {
			sig := ws.StopSignal()
			if sig == syscall.SIGTRAP {
				sig = 0 // the exec's stop, not a signal to pass on
			}
			if err := syscall.PtraceCont(pid, int(sig)); err != nil {
				t.Fatalf("ptrace cont: %v", err)
			}
		}
	}
	out := <-stderr
	if !ws.Exited() || ws.ExitStatus() != 1 || !strings.Contains(out, "traced by process") {
		t.Errorf("a traced child: %v, stderr %q; want exit status 1 and \"traced by process\"", ws, out)
	} else {
		t.Logf("a traced child: %v, stderr %q", ws, strings.TrimSpace(out))
	}
}
