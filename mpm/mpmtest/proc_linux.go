//go:build linux

package mpmtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
)

// procAvailable reports whether /proc can tell about processes and
// descriptors; the checks that need it are skipped elsewhere.
const procAvailable = true

// identity is a pid and its start time, so that a reused pid is not taken
// for the process seen before.
type identity struct {
	pid   int
	start string
}

func identify(pid int) (identity, bool) {
	p, ok := proctree.Stat(pid)
	return identity{pid, p.Start}, ok
}

// alive reports whether the process is still the one identified and is
// not a zombie.
func (id identity) alive() bool {
	p, ok := proctree.Stat(id.pid)
	return ok && p.Start == id.start && p.State != 'Z'
}

// family lists the processes of process group pgid and every descendant
// of pgid (a child that left the group is still a descendant until its
// parent dies).
func family(pgid int) []int {
	procs := proctree.All()
	in := map[int]bool{}
	for _, p := range procs {
		if p.Pid == pgid || p.Pgrp == pgid {
			in[p.Pid] = true
		}
	}
	for grew := true; grew; {
		grew = false
		for _, p := range procs {
			if !in[p.Pid] && in[p.PPid] {
				in[p.Pid], grew = true, true
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
