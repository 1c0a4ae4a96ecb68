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
	if proctree.Of(kid) != nil || proctree.RSS(kid) != 0 || proctree.Threads(kid) != -1 {
		t.Errorf("a reaped process still has a tree, memory or threads")
	}
}
