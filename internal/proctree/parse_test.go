package proctree

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakeProc writes a /proc with the processes given (pid → ppid, state,
// name, utime, stime, cutime, cstime) and their threads' switch counts,
// and points the package at it.
func fakeProc(t *testing.T, procs map[int]fakeProcess) {
	root := t.TempDir()
	for pid, p := range procs {
		d := filepath.Join(root, fmt.Sprint(pid))
		// Fields 3-22 of proc(5) after the name: state ppid pgrp session
		// tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
		// cstime priority nice threads itrealvalue starttime, then more.
		stat := fmt.Sprintf("%d (%s) %c %d %d 0 0 -1 4194560 10 0 0 0 %d %d %d %d 20 0 %d 0 %d 123456 42 0\n",
			pid, p.name, p.state, p.ppid, p.ppid, p.utime, p.stime, p.cutime, p.cstime, len(p.switches), 1000+pid)
		write(t, filepath.Join(d, "stat"), stat)
		for i, sw := range p.switches {
			status := fmt.Sprintf("Name:\t%s\nState:\tS (sleeping)\nThreads:\t%d\nvoluntary_ctxt_switches:\t%d\nnonvoluntary_ctxt_switches:\t%d\n",
				p.name, len(p.switches), sw[0], sw[1])
			write(t, filepath.Join(d, "task", fmt.Sprint(pid+i), "status"), status)
			// schedstat(5): run time, wait time (ns), time slices.
			write(t, filepath.Join(d, "task", fmt.Sprint(pid+i), "schedstat"), fmt.Sprintf("%d 777 %d\n", p.runNs, i+1))
		}
	}
	old := procRoot
	procRoot = root
	t.Cleanup(func() { procRoot = old })
}

type fakeProcess struct {
	ppid                         int
	state                        byte
	name                         string
	utime, stime, cutime, cstime int64
	switches                     [][2]int64 // per thread: voluntary, nonvoluntary
	runNs                        int64      // per thread: CPU time run (schedstat)
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUsageOfAFakeTree(t *testing.T) {
	fakeProc(t, map[int]fakeProcess{
		// A host with two threads, whose reaped children used 7 ticks.
		100: {ppid: 1, state: 'S', name: "httpd", utime: 10, stime: 5, cutime: 4, cstime: 3, switches: [][2]int64{{100, 10}, {20, 2}}, runNs: 1500000},
		// Its child, named to trip a parser that stops at the first ')'.
		200: {ppid: 100, state: 'R', name: "mpm) S 1 (x", utime: 1000, stime: 500, switches: [][2]int64{{7, 1}}, runNs: 250000},
		// A grandchild that exited and is not yet reaped: it counts as
		// itself (no threads left: no switches).
		300: {ppid: 200, state: 'Z', name: "child", utime: 30, stime: 20},
		// Not in the tree.
		400: {ppid: 1, state: 'S', name: "other", utime: 99999, stime: 99999, switches: [][2]int64{{5000, 5000}}},
	})
	p, ok := Stat(200)
	if !ok || p.PPid != 100 || p.Pgrp != 100 || p.State != 'R' || p.CPU != 1500 || p.ChildCPU != 0 || p.Start != "1200" {
		t.Errorf("Stat(200) = %+v, %v", p, ok)
	}
	if p, _ := Stat(100); p.CPU != 15 || p.ChildCPU != 7 {
		t.Errorf("Stat(100) CPU = %d, ChildCPU = %d; want 15, 7", p.CPU, p.ChildCPU)
	}
	if n := Switches(100); n != 132 {
		t.Errorf("Switches(100) = %d, want 100+10+20+2", n)
	}
	if n := Switches(300); n != 0 {
		t.Errorf("Switches of a zombie without threads = %d", n)
	}
	want := Usage{CPU: 15 + 7 + 1500 + 50, Switches: 132 + 8}
	if u := UsageOf(100); u != want {
		t.Errorf("UsageOf(100) = %+v, want %+v", u, want)
	}
	if tree := Of(100); len(tree) != 2 || tree[0].Pid != 100 || tree[1].Pid != 200 {
		t.Errorf("Of(100) = %+v, want the host and its live child, not the zombie", tree)
	}
	if d := RunTime(100); d != 3*time.Millisecond {
		t.Errorf("RunTime(100) = %v, want its two threads' 1.5ms each", d)
	}
	if d := Of(100).RunTime(); d != 3250*time.Microsecond {
		t.Errorf("Of(100).RunTime() = %v, want 3ms + 250µs (the zombie has no threads, 400 is not in the tree)", d)
	}
	if d := RunTime(999); d != 0 {
		t.Errorf("RunTime(a missing pid) = %v", d)
	}
	if u := UsageOf(999); u != (Usage{}) {
		t.Errorf("UsageOf(a missing pid) = %+v", u)
	}

	// The grandchild is reaped: its ticks move into its parent's cutime
	// and the total does not change.
	fakeProc(t, map[int]fakeProcess{
		100: {ppid: 1, state: 'S', name: "httpd", utime: 10, stime: 5, cutime: 4, cstime: 3, switches: [][2]int64{{100, 10}, {20, 2}}},
		200: {ppid: 100, state: 'S', name: "mpm) S 1 (x", utime: 1000, stime: 500, cutime: 40, cstime: 10, switches: [][2]int64{{9, 1}}},
	})
	later := UsageOf(100)
	if d := later.Sub(want); d != (Usage{CPU: 0, Switches: 2}) {
		t.Errorf("usage across the reaping = %+v, want no CPU and 2 switches", d)
	}
	if d := (Usage{CPU: 250}).CPUTime(); d != 2500*time.Millisecond {
		t.Errorf("250 ticks = %v", d)
	}
}
