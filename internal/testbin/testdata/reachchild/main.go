// Command reachchild plays a process of the children's User (a CGI script,
// say) that tries to reach into each new child of an MPM parent while it
// starts: it SIGKILLs one of the parent's children it may signal (its own
// user's), so that the parent starts another, and meanwhile tries every new
// process with pidfd_getfd (descriptors 0 to 7) and readlink of
// /proc/PID/fd/N. Each success on a child of the parent is a descriptor of
// the child within the user's reach (the spec socket, fd 4, carries the
// TLS keys, the listeners and the scoreboard).
//
// usage: reachchild PARENT MAXCHILDREN DURATION
//
// It prints "children N reached M" (N: new children it saw start; M: those
// it reached) and, for each reached, a line saying how.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	sysPidfdOpen  = 434
	sysPidfdGetfd = 438
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: reachchild PARENT MAXCHILDREN DURATION")
		os.Exit(2)
	}
	parent, err1 := strconv.Atoi(os.Args[1])
	most, err2 := strconv.Atoi(os.Args[2])
	limit, err3 := time.ParseDuration(os.Args[3])
	if err1 != nil || err2 != nil || err3 != nil {
		fmt.Fprintln(os.Stderr, "reachchild: bad arguments")
		os.Exit(2)
	}
	end := time.Now().Add(limit)
	seen := map[int]bool{}
	for _, pid := range children(parent) {
		seen[pid] = true // started before: not watched from their start
	}
	started, reached := 0, map[int]string{}
	for started < most && time.Now().Before(end) {
		from := lastPid()
		// Make the parent start a child: kill one of ours (as the user,
		// only a child that runs as the user can be).
		for _, pid := range children(parent) {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				break
			}
		}
		// Watch the new pids until a new child of the parent has run as
		// this user for a tenth of a second (past its start: its exec, its
		// runtime's start, its first package initialisation) or a second
		// passes.
		settle := time.Now().Add(time.Second)
		for time.Now().Before(settle) && time.Now().Before(end) {
			for pid := from + 1; pid < from+500; pid++ {
				exists, how := reach(pid)
				if !exists || ppid(pid) != parent {
					continue
				}
				if !seen[pid] {
					seen[pid] = true
					started++
				}
				if how != "" && reached[pid] == "" {
					reached[pid] = how
				}
				if ours := time.Now().Add(100 * time.Millisecond); uid(pid) == os.Getuid() && ours.Before(settle) {
					settle = ours
				}
			}
		}
	}
	fmt.Printf("children %d reached %d\n", started, len(reached))
	for pid, how := range reached {
		fmt.Printf("child %d: %s\n", pid, how)
	}
}

// reach reports whether pid exists and how this process reached one of
// its descriptors ("" if it did not).
func reach(pid int) (exists bool, how string) {
	pfd, _, e := syscall.RawSyscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if e != 0 {
		return false, ""
	}
	defer syscall.Close(int(pfd))
	for n := range 8 {
		fd, _, e := syscall.RawSyscall(sysPidfdGetfd, pfd, uintptr(n), 0)
		if e == 0 {
			syscall.Close(int(fd))
			return true, "pidfd_getfd of fd " + strconv.Itoa(n)
		}
		if e == syscall.EPERM {
			break // not within reach: no descriptor is
		}
	}
	for n := range 8 {
		l, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(n))
		if err == nil {
			return true, "readlink /proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(n) + ": " + l
		}
		if errors.Is(err, os.ErrPermission) {
			break
		}
	}
	return true, ""
}

func children(parent int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil && ppid(pid) == parent {
			out = append(out, pid)
		}
	}
	return out
}

// ppid is pid's parent, -1 if there is no such process.
func ppid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return -1
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

// uid is pid's real uid, -1 if there is no such process.
func uid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "Uid:"); ok {
			if f := strings.Fields(v); len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return -1
}

// lastPid is the last pid the kernel gave out (/proc/loadavg).
func lastPid() int {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 5 {
		return 0
	}
	p, _ := strconv.Atoi(f[4])
	return p
}
