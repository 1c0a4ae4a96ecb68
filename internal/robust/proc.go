//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// pstat is what /proc/PID/stat says about a process.
type pstat struct {
	pid, ppid int
	pgrp      int
	state     byte   // R, S, D, T (stopped), Z (zombie), ...
	cpu       int64  // utime + stime, in clock ticks
	start     string // start time after boot: tells a reused pid apart
}

func readStat(pid int) (pstat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return pstat{}, false
	}
	// The command name is in parentheses and may hold anything: the
	// fields after the last ')' start at field 3 (state).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return pstat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return pstat{}, false
	}
	s := pstat{pid: pid, state: f[0][0], start: f[19]}
	s.ppid, _ = strconv.Atoi(f[1])
	s.pgrp, _ = strconv.Atoi(f[2])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	s.cpu = ut + st
	return s, true
}

// ticksPerSecond is USER_HZ, 100 on every Linux this runs on.
const ticksPerSecond = 100

// ptree is a process and its descendants at one moment.
type ptree []pstat

// allProcesses lists every live process (zombies left out).
func allProcesses() []pstat {
	var out []pstat
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if s, ok := readStat(pid); ok && !s.gone() {
			out = append(out, s)
		}
	}
	return out
}

// processTree lists root and every live descendant.
func processTree(root int) ptree {
	kids := map[int][]pstat{}
	var self pstat
	for _, s := range allProcesses() {
		if s.pid == root {
			self = s
		}
		kids[s.ppid] = append(kids[s.ppid], s)
	}
	if self.pid == 0 {
		return nil
	}
	out := ptree{self}
	for i := 0; i < len(out); i++ {
		out = append(out, kids[out[i].pid]...)
	}
	return out
}

// childrenOf lists the live processes whose parent is pid.
func (t ptree) childrenOf(pid int) []int {
	var out []int
	for _, s := range t {
		if s.ppid == pid {
			out = append(out, s.pid)
		}
	}
	return out
}

// gone reports whether the process has exited and released what it held.
// A zombie thread-group leader is not enough: its other threads may still
// be exiting, holding the descriptors they share.
func (s pstat) gone() bool {
	if s.state != 'Z' {
		return false
	}
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(s.pid) + "/task")
	return err != nil || len(tasks) <= 1
}

// alive reports whether the process seen as s still runs (an exited one
// or a new process under the same pid does not count).
func (s pstat) alive() bool {
	now, ok := readStat(s.pid)
	return ok && now.start == s.start && !now.gone()
}

// rss is the resident set size of pid in bytes (0 once it is gone).
func rss(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// treeRSS sums the resident memory of every process of the tree. Pages
// shared between processes count once per process, as ps shows them.
func (t ptree) rss() int64 {
	var n int64
	for _, s := range t {
		n += rss(s.pid)
	}
	return n
}

// fdTargets lists what each descriptor of pid points at (readlink of
// /proc/PID/fd/N: "socket:[123]", "pipe:[45]", a path, ...).
func fdTargets(pid int) map[int]string {
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
