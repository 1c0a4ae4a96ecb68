// Package proctree reads Linux's /proc for the tools and tests that run
// httpd: a process's stat fields, its children and whole tree, whether it
// still runs, and its memory. Elsewhere /proc is absent and every list is
// empty.
package proctree

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Proc is what /proc/PID/stat says about a process.
type Proc struct {
	Pid, PPid, Pgrp int
	State           byte   // R, S, D, T (stopped), Z (zombie), ...
	CPU             int64  // utime + stime, in clock ticks (TicksPerSecond)
	Start           string // start time after boot: tells a reused pid apart
}

// TicksPerSecond is USER_HZ, 100 on every Linux this runs on.
const TicksPerSecond = 100

// Stat reads /proc/PID/stat; false once the process is reaped.
func Stat(pid int) (Proc, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
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
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	p.CPU = ut + st
	return p, true
}

// Gone reports whether the process has exited and released what it held.
// A zombie thread-group leader is not enough: its other threads may still
// be exiting, holding the descriptors they share.
func (p Proc) Gone() bool {
	if p.State != 'Z' {
		return false
	}
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(p.Pid) + "/task")
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
	dirs, _ := filepath.Glob("/proc/[0-9]*")
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
func Of(root int) Tree {
	kids := map[int][]Proc{}
	var self Proc
	for _, p := range Live() {
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
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + file)
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
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	out := make(map[int]string, len(ents))
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if t, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil {
			out[n] = t
		}
	}
	return out
}
