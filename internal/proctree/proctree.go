// Package proctree reads Linux's /proc for the tools and tests that run
// httpd: a process's stat fields, its children and whole tree, whether it
// still runs, its memory and the CPU time and context switches it has
// used. Elsewhere /proc is absent and every list is empty.
package proctree

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// procRoot is where proc(5) is mounted (a fake tree in the parser's tests).
var procRoot = "/proc"

// dir is /proc/PID.
func dir(pid int) string { return procRoot + "/" + strconv.Itoa(pid) }

// Proc is what /proc/PID/stat says about a process.
type Proc struct {
	Pid, PPid, Pgrp int
	State           byte  // R, S, D, T (stopped), Z (zombie), ...
	CPU             int64 // utime + stime of all its threads, live and exited, in clock ticks (TicksPerSecond)
	// ChildCPU is cutime + cstime, in clock ticks: the CPU + ChildCPU of
	// every child this process has reaped (waited for), so a process that
	// exits keeps counting in its parent's.
	ChildCPU int64
	Start    string // start time after boot: tells a reused pid apart
}

// TicksPerSecond is USER_HZ, the unit of the times in /proc/PID/stat
// (sysconf(_SC_CLK_TCK), `getconf CLK_TCK`). The kernel fixes it at 100
// on every architecture Go runs on, whatever its own HZ, and x/sys/unix
// has no sysconf for Linux: a constant.
const TicksPerSecond = 100

// Stat reads /proc/PID/stat; false once the process is reaped.
func Stat(pid int) (Proc, bool) {
	b, err := os.ReadFile(dir(pid) + "/stat")
	if err != nil {
		return Proc{}, false
	}
	// The command name is in parentheses and may hold anything: the
	// fields after the last ')' start at field 3 (state).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return Proc{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return Proc{}, false
	}
	p := Proc{Pid: pid, State: f[0][0], Start: f[19]}
	p.PPid, _ = strconv.Atoi(f[1])
	p.Pgrp, _ = strconv.Atoi(f[2])
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	// Fields 14-17 of proc(5): utime, stime, cutime, cstime.
	p.CPU = n(11) + n(12)
	p.ChildCPU = n(13) + n(14)
	return p, true
}

// Gone reports whether the process has exited and released what it held.
// A zombie thread-group leader is not enough: its other threads may still
// be exiting, holding the descriptors they share.
func (p Proc) Gone() bool {
	if p.State != 'Z' {
		return false
	}
	tasks, err := os.ReadDir(dir(p.Pid) + "/task")
	return err != nil || len(tasks) <= 1
}

// Alive reports whether the process seen as p still runs (an exited one
// or a new process under the same pid does not count).
func (p Proc) Alive() bool {
	now, ok := Stat(p.Pid)
	return ok && now.Start == p.Start && !now.Gone()
}

// Alive reports whether pid names a process that is not a zombie.
func Alive(pid int) bool {
	p, ok := Stat(pid)
	return ok && p.State != 'Z'
}

// All lists every process, zombies not yet reaped included.
func All() []Proc {
	var out []Proc
	dirs, _ := filepath.Glob(procRoot + "/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if p, ok := Stat(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// Live lists every process that is not Gone.
func Live() []Proc {
	var out []Proc
	for _, p := range All() {
		if !p.Gone() {
			out = append(out, p)
		}
	}
	return out
}

// Children lists the pids whose parent is pid, zombies included.
func Children(pid int) []int { return Tree(All()).ChildrenOf(pid) }

// Tree is a set of processes seen at one moment.
type Tree []Proc

// Of lists root and every live descendant, root first; nil once root is
// gone.
func Of(root int) Tree { return treeOf(root, Live()) }

// treeOf is root and its descendants among procs, root first.
func treeOf(root int, procs []Proc) Tree {
	kids := map[int][]Proc{}
	var self Proc
	for _, p := range procs {
		if p.Pid == root {
			self = p
		}
		kids[p.PPid] = append(kids[p.PPid], p)
	}
	if self.Pid == 0 {
		return nil
	}
	out := Tree{self}
	for i := 0; i < len(out); i++ {
		out = append(out, kids[out[i].Pid]...)
	}
	return out
}

// ChildrenOf lists the pids in t whose parent is pid.
func (t Tree) ChildrenOf(pid int) []int {
	var out []int
	for _, p := range t {
		if p.PPid == pid {
			out = append(out, p.Pid)
		}
	}
	return out
}

// RSS sums the resident memory of every process of t, in bytes. Pages
// shared between processes count once per process, as ps shows them.
func (t Tree) RSS() int64 {
	var n int64
	for _, p := range t {
		n += RSS(p.Pid)
	}
	return n
}

// PSS sums the proportional set sizes of every process of t, in bytes: a
// page shared by n processes counts 1/n in each, so the sum is the
// tree's footprint.
func (t Tree) PSS() int64 {
	var n int64
	for _, p := range t {
		n += PSS(p.Pid)
	}
	return n
}

// RunTime sums the CPU time every live thread of every process of t has
// run (RunTime of each): precise to the nanosecond, for spans too short
// for the clock ticks of Usage, such as a start.
func (t Tree) RunTime() time.Duration {
	var d time.Duration
	for _, p := range t {
		d += RunTime(p.Pid)
	}
	return d
}

// RunTime is the CPU time the live threads of pid have run, user and
// system, in nanoseconds from /proc/PID/task/*/schedstat (its first field;
// schedstat(5) of the kernel's scheduler statistics); 0 once pid is gone.
// A thread that has exited takes its time with it, and a reaped child's
// time is not added to its parent's, unlike Usage.
func RunTime(pid int) time.Duration {
	tasks, _ := filepath.Glob(dir(pid) + "/task/[0-9]*")
	var d time.Duration
	for _, t := range tasks {
		b, _ := os.ReadFile(t + "/schedstat")
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, _ := strconv.ParseInt(f[0], 10, 64)
		d += time.Duration(ns)
	}
	return d
}

// RSS is the resident set size of pid in bytes (0 once it is gone).
func RSS(pid int) int64 { return kib(pid, "status", "VmRSS:") << 10 }

// PSS is the proportional set size of pid in bytes (0 once it is gone).
func PSS(pid int) int64 { return kib(pid, "smaps_rollup", "Pss:") << 10 }

// Threads is the number of threads of pid, -1 once it is gone.
func Threads(pid int) int {
	n := field(pid, "status", "Threads:")
	if n == "" {
		return -1
	}
	v, _ := strconv.Atoi(n)
	return v
}

// kib is the number of a "Name:  N kB" line of /proc/PID/file, 0 if none.
func kib(pid int, file, name string) int64 {
	n, _ := strconv.ParseInt(field(pid, file, name), 10, 64)
	return n
}

// field is the first word after name at the start of a line of
// /proc/PID/file, "" if there is none.
func field(pid int, file, name string) string {
	return fieldIn(dir(pid)+"/"+file, name)
}

// fieldIn is the first word after name at the start of a line of the
// file at path, "" if there is none.
func fieldIn(path, name string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, name); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[0]
			}
			return ""
		}
	}
	return ""
}

// FDs lists what each descriptor of pid points at (readlink of
// /proc/PID/fd/N: "socket:[123]", "pipe:[45]", a path, ...).
func FDs(pid int) map[int]string {
	fds := dir(pid) + "/fd"
	ents, err := os.ReadDir(fds)
	if err != nil {
		return nil
	}
	out := make(map[int]string, len(ents))
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if t, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil {
			out[n] = t
		}
	}
	return out
}

// Switches is the number of context switches of every live thread of pid,
// voluntary (it blocked) and not (it was preempted), from
// /proc/PID/task/*/status; 0 once it is gone. A thread that has exited
// takes its counts with it.
func Switches(pid int) int64 {
	tasks, _ := filepath.Glob(dir(pid) + "/task/[0-9]*")
	var n int64
	for _, t := range tasks {
		for _, name := range []string{"voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:"} {
			v, _ := strconv.ParseInt(fieldIn(t+"/status", name), 10, 64)
			n += v
		}
	}
	return n
}

// Usage is what a process tree has used so far; the difference of two
// readings is what it used in between.
type Usage struct {
	// CPU is user + system time in clock ticks (TicksPerSecond) of every
	// process of the tree and of every child they have reaped: a process
	// that exits between two readings still counts, in its parent's
	// ChildCPU, once reaped (a zombie counts as itself until then).
	CPU int64
	// Switches are the context switches of the tree's live threads
	// (Switches); those of threads and processes that exited between two
	// readings are lost.
	Switches int64
}

// UsageOf reads the usage of root and every descendant, zombies
// included; the zero Usage once root is gone.
func UsageOf(root int) Usage {
	var u Usage
	for _, p := range treeOf(root, All()) {
		u.CPU += p.CPU + p.ChildCPU
		u.Switches += Switches(p.Pid)
	}
	return u
}

// Sub is u minus an earlier reading.
func (u Usage) Sub(earlier Usage) Usage {
	return Usage{CPU: u.CPU - earlier.CPU, Switches: u.Switches - earlier.Switches}
}

// CPUTime is u.CPU as a duration.
func (u Usage) CPUTime() time.Duration { return time.Duration(u.CPU) * time.Second / TicksPerSecond }
