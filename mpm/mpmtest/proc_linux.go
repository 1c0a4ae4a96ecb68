//go:build linux

package mpmtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// procAvailable reports whether /proc can tell about processes and
// descriptors; the checks that need it are skipped elsewhere.
const procAvailable = true

// stat returns the fields of /proc/PID/stat after the command name:
// state is [0], ppid [1], pgrp [2], starttime [19].
func stat(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

// identity is a pid and its start time, so that a reused pid is not taken
// for the process seen before.
type identity struct {
	pid   int
	start string
}

func identify(pid int) (identity, bool) {
	f := stat(pid)
	if len(f) < 20 {
		return identity{}, false
	}
	return identity{pid, f[19]}, true
}

// alive reports whether the process is still the one identified and is
// not a zombie.
func (id identity) alive() bool {
	f := stat(id.pid)
	return len(f) >= 20 && f[19] == id.start && f[0] != "Z"
}

// family lists the processes of process group pgid and every descendant
// of pgid (a child that left the group is still a descendant until its
// parent dies).
func family(pgid int) []int {
	type proc struct{ ppid, pgrp int }
	procs := map[int]proc{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f := stat(pid)
		if len(f) < 3 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		pgrp, _ := strconv.Atoi(f[2])
		procs[pid] = proc{ppid, pgrp}
	}
	in := map[int]bool{}
	for pid, p := range procs {
		if pid == pgid || p.pgrp == pgid {
			in[pid] = true
		}
	}
	for grew := true; grew; {
		grew = false
		for pid, p := range procs {
			if !in[pid] && in[p.ppid] {
				in[pid], grew = true, true
			}
		}
	}
	var out []int
	for pid := range in {
		out = append(out, pid)
	}
	return out
}

func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// fdCount is the number of open descriptors of pid, -1 if unknown.
func fdCount(pid int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(ents)
}

// fdTarget is what descriptor fd of pid refers to, e.g. "pipe:[123]".
func fdTarget(pid, fd int) string {
	s, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, fd))
	return s
}

// holders lists the processes other than this one that hold the socket
// of f.
func holders(f *os.File) []int {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return nil
	}
	want := fmt.Sprintf("socket:[%d]", st.Ino)
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			if s, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); s == want {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}
