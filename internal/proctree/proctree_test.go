package proctree_test

import (
	"os"
	"os/exec"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

func TestTreeOfARealChild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	self, kid := os.Getpid(), cmd.Process.Pid

	p, ok := proctree.Stat(kid)
	if !ok || p.PPid != self || p.Start == "" {
		t.Fatalf("Stat(%d) = %+v, %v; want parent %d and a start time", kid, p, ok, self)
	}
	if !proctree.Alive(kid) || !p.Alive() {
		t.Errorf("a sleeping child is not alive")
	}
	if !slices.Contains(proctree.Children(self), kid) {
		t.Errorf("Children(%d) = %v, want %d in it", self, proctree.Children(self), kid)
	}
	tree := proctree.Of(self)
	if len(tree) == 0 || tree[0].Pid != self || !slices.Contains(tree.ChildrenOf(self), kid) {
		t.Errorf("Of(%d) = %+v, want itself first and %d under it", self, tree, kid)
	}
	if n := proctree.Threads(self); n < 1 {
		t.Errorf("Threads(self) = %d", n)
	}
	if proctree.RSS(self) <= 0 || tree.RSS() < proctree.RSS(self) {
		t.Errorf("RSS(self) = %d, tree %d", proctree.RSS(self), tree.RSS())
	}
	// This test process has run (its runtime and this test at least):
	// schedstat is readable and counts in the tree's sum.
	if d := proctree.RunTime(self); d <= 0 || tree.RunTime() < d {
		t.Errorf("RunTime(self) = %v, tree %v", d, tree.RunTime())
	}
	if fds := proctree.FDs(self); len(fds) < 3 {
		t.Errorf("FDs(self) = %v, want at least stdin, stdout, stderr", fds)
	}

	// Killed and not yet reaped: a zombie, listed as a child but neither
	// alive nor in the tree.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if !testbin.Eventually(10*time.Second, func() bool { z, ok := proctree.Stat(kid); return ok && z.State == 'Z' }) {
		t.Fatalf("the killed child %d did not become a zombie", kid)
	}
	if proctree.Alive(kid) || p.Alive() {
		t.Errorf("a zombie counts as alive")
	}
	if !slices.Contains(proctree.Children(self), kid) {
		t.Errorf("the zombie %d is not among Children", kid)
	}
	if slices.Contains(proctree.Of(self).ChildrenOf(self), kid) {
		t.Errorf("the zombie %d is still in the tree", kid)
	}
	cmd.Wait()
	if _, ok := proctree.Stat(kid); ok {
		t.Errorf("Stat of a reaped process succeeds")
	}
	if proctree.Of(kid) != nil || proctree.RSS(kid) != 0 || proctree.Threads(kid) != -1 || proctree.RunTime(kid) != 0 {
		t.Errorf("a reaped process still has a tree, memory, threads or run time")
	}
}

func TestUsageCountsAReapedChild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	self := os.Getpid()
	// Ticks are sampled: a test process run alone may not have one yet.
	// Burn CPU until it has, for at most 5 s.
	for end := time.Now().Add(5 * time.Second); proctree.UsageOf(self).CPU <= 0 && time.Now().Before(end); {
		for i := 0; i < 1_000_000; i++ {
			spin++
		}
	}
	before, stBefore := proctree.UsageOf(self), mustStat(t, self)
	if before.CPU <= 0 || before.Switches <= 0 {
		t.Fatalf("UsageOf(self) = %+v, want some CPU and context switches already", before)
	}
	// A child that burns some CPU, then exits and is reaped by Wait.
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	used := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()) * proctree.TicksPerSecond / time.Second
	after, stAfter := proctree.UsageOf(self), mustStat(t, self)
	if used < 2 {
		t.Skipf("the child used %d ticks, too few to tell", used)
	}
	// Ticks are counted per process and rounded: allow one either way.
	if got := stAfter.ChildCPU - stBefore.ChildCPU; got < int64(used)-1 {
		t.Errorf("ChildCPU grew by %d ticks, the reaped child used %d", got, used)
	}
	if got := after.Sub(before).CPU; got < int64(used)-1 {
		t.Errorf("UsageOf(self) CPU grew by %d ticks, the reaped child alone used %d", got, used)
	}
	if after.Switches < before.Switches {
		t.Errorf("context switches went down: %d → %d", before.Switches, after.Switches)
	}
}

// spin is what the CPU burn writes, so the compiler keeps the loop.
var spin int

func mustStat(t *testing.T, pid int) proctree.Proc {
	t.Helper()
	p, ok := proctree.Stat(pid)
	if !ok {
		t.Fatalf("Stat(%d) failed", pid)
	}
	return p
}
