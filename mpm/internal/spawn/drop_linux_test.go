package spawn_test

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/spawn"
)

// reportMarker is wire.ChildEnv's value in this test binary re-executed as a
// child that reports what it runs as (TestMain) and exits.
const reportMarker = "drop-report"

// dropReport is what such a child reports on its stderr.
type dropReport struct {
	Status     map[string]string // Uid, Gid, Groups, CapPrm, CapEff, CapInh, CapAmb of /proc/self/status
	Dumpable   int
	Pdeathsig  int
	Credential bool // wire.CredentialEnv still in its environment
}

func TestMain(m *testing.M) {
	if os.Getenv(wire.ChildEnv) == reportMarker {
		r := dropReport{Status: map[string]string{}}
		status, _ := os.ReadFile("/proc/self/status")
		for line := range strings.Lines(string(status)) {
			k, v, _ := strings.Cut(line, ":")
			switch k {
			case "Uid", "Gid", "Groups", "CapPrm", "CapEff", "CapInh", "CapAmb":
				r.Status[k] = strings.Join(strings.Fields(v), " ")
			}
		}
		r.Dumpable, _ = unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
		var sig int32
		_ = unix.Prctl(unix.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&sig)), 0, 0, 0)
		r.Pdeathsig = int(sig)
		_, r.Credential = os.LookupEnv(wire.CredentialEnv)
		_ = json.NewEncoder(os.Stderr).Encode(r)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestChildDropsCredential: a child started for another credential is
// executed as its parent (root) and drops to it in its first package
// initialisation: all its ids and supplementary groups are the
// credential's, it holds no capability, it is not dumpable (no process of
// its user may reach its memory or descriptors) and it kept its
// parent-death signal (SIGUSR1), which the kernel clears when the
// credential changes.
func TestChildDropsCredential(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to change user")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	lr, lw, err := os.Pipe() // the lifeline
	if err != nil {
		t.Fatal(err)
	}
	defer lr.Close()
	defer lw.Close()
	er, ew, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer er.Close()
	// The thread that starts the child holds an inheritable capability,
	// which would survive the exec and the change of uid (a program with
	// file capabilities a CGI script runs would get it), and which a
	// child whose runtime uses cgo (this test's under -race, or with cgo
	// enabled) could not capset away on all its threads
	// (AllThreadsSyscall): Socket starts it without, and the thread has
	// it again after. The thread ends with the test (locked, never
	// unlocked).
	runtime.LockOSThread()
	inheritOnThisThread(t, unix.CAP_DAC_OVERRIDE)
	defer func() {
		if inh := inheritable(t); inh != 1<<unix.CAP_DAC_OVERRIDE {
			t.Errorf("the starting thread's inheritable set is %#x after, want %#x", inh, 1<<unix.CAP_DAC_OVERRIDE)
		}
	}()
	// Ids beyond 16 bits: 386 and arm have system calls of 16-bit ids too.
	cred := &syscall.Credential{Uid: 100534, Gid: 100533, Groups: []uint32{100533, 4242}}
	c, err := spawn.Socket(exe, exe, reportMarker, lr, ew, cred)
	ew.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Conn.Close()
	out, _ := io.ReadAll(er)
	if err := c.Wait(); err != nil || !c.State().Success() {
		t.Fatalf("child: %v %v\n%s", err, c.State(), out)
	}
	var r dropReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("child's report %q: %v", out, err)
	}
	want := map[string]string{
		"Uid": "100534 100534 100534 100534", "Gid": "100533 100533 100533 100533", "Groups": "4242 100533",
		"CapPrm": "0000000000000000", "CapEff": "0000000000000000", "CapInh": "0000000000000000", "CapAmb": "0000000000000000",
	}
	for k, v := range want {
		if r.Status[k] != v {
			t.Errorf("child's %s: %q, want %q", k, r.Status[k], v)
		}
	}
	if r.Dumpable != 0 {
		t.Errorf("child is dumpable (%d)", r.Dumpable)
	}
	if r.Pdeathsig != int(syscall.SIGUSR1) {
		t.Errorf("child's parent-death signal is %d, want SIGUSR1 (%d)", r.Pdeathsig, syscall.SIGUSR1)
	}
	if r.Credential {
		t.Errorf("child still has %s in its environment", wire.CredentialEnv)
	}
}

// inheritable is the calling thread's inheritable set.
func inheritable(t *testing.T) uint64 {
	t.Helper()
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		t.Fatal(err)
	}
	return uint64(data[0].Inheritable) | uint64(data[1].Inheritable)<<32
}

// inheritOnThisThread adds capability c to the calling thread's
// inheritable set.
func inheritOnThisThread(t *testing.T, c uint) {
	t.Helper()
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		t.Fatal(err)
	}
	data[c/32].Inheritable |= 1 << (c % 32)
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		t.Fatal(err)
	}
}

// TestChildRefusesBadCredential: a child asked to drop to a credential it
// cannot read (or cannot drop to) exits 1 with the reason, before anything
// else, rather than go on as its parent.
func TestChildRefusesBadCredential(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), wire.ChildEnv+"="+reportMarker, wire.CredentialEnv+`={"Uid":65534}`)
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "cannot run as the children's user") {
		t.Fatalf("child: %v\n%s\nwant exit status 1 and why", err, out)
	}
}
