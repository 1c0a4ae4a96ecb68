package mpm

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestInProcessStarted: Started knows a child StartChild started for the
// MPM, until it is reaped, and no other process (the host's other
// children: a prg map's program, or an orphan reparented to a host that is
// PID 1, are refused the map's socket so).
func TestInProcessStarted(t *testing.T) {
	m := &inProcessMPM{}
	ip, _, _ := newTestInProcess(t, m)
	defer ip.Close()
	ip.Configure(&Config{LogLevel: "info"})
	f, addr := tcpListenerFile(t)
	p := startTestChild(t, ChildSpec{Slot: 1, Config: m.cfg, Extra: childOrder{Tag: "started", AwaitGraceful: true},
		Listeners: []Listener{{Name: "t", Network: "tcp4", Address: addr, File: f}}})
	if !ip.Started(p.Pid) {
		t.Errorf("Started(%d): false for the child just started", p.Pid)
	}
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { other.Process.Kill(); other.Wait() }()
	if ip.Started(other.Process.Pid) || ip.Started(os.Getpid()) {
		t.Errorf("Started: true for a process StartChild did not start")
	}
	p.Signal(syscall.SIGKILL)
	exited(t, p)
	if ip.Started(p.Pid) {
		t.Errorf("Started(%d): true once the child has been reaped", p.Pid)
	}
}
