package host

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// detachEnv marks the re-executed daemon; its value is the readiness
// pipe's descriptor.
const detachEnv = "HTTPD_MPM_DETACHED"

func isDetachedChild() bool { return os.Getenv(detachEnv) != "" }

// detach starts the server as a daemon (a new session, no terminal) and
// returns once it serves, or with its startup errors and status 1.
func detach(o *options, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "%s: find own executable: %v\n", o.name, err)
		return 1
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", o.name, err)
		return 1
	}
	cmd := exec.Command(exe, o.args[1:]...)
	cmd.Env = append(os.Environ(), detachEnv+"=3")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = stderr // startup errors still reach the console
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "%s: start daemon: %v\n", o.name, err)
		return 1
	}
	w.Close()
	var b [1]byte
	n, _ := r.Read(b[:])
	if n == 1 && b[0] == 'R' {
		_ = cmd.Process.Release()
		return 0
	}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code > 0 {
		return code
	}
	return 1
}

// readyDetached tells the waiting parent that the daemon serves, and lets
// go of the console.
func readyDetached() {
	if !isDetachedChild() {
		return
	}
	f := os.NewFile(3, "ready")
	f.Write([]byte{'R'})
	f.Close()
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		unix.Dup2(int(null.Fd()), 0)
		unix.Dup2(int(null.Fd()), 1)
		unix.Dup2(int(null.Fd()), 2)
		null.Close()
	}
	os.Unsetenv(detachEnv)
}
