package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// proc identifies one process; start (clock ticks after boot) tells a
// reused pid apart from the process we saw.
type proc struct {
	pid   int
	start string
}

// procStat returns the parent pid and start time of pid from /proc.
func procStat(pid int) (ppid int, start string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", false
	}
	// The command name is in parentheses and may hold spaces: fields
	// after the last ')' start at field 3 (state).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, "", false
	}
	ppid, _ = strconv.Atoi(f[1])
	return ppid, f[19], true
}

// tree returns root and all its descendants that are alive now.
func tree(root int) []proc {
	children := map[int][]proc{}
	var self proc
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		ppid, start, ok := procStat(pid)
		if !ok {
			continue
		}
		if pid == root {
			self = proc{pid, start}
		}
		children[ppid] = append(children[ppid], proc{pid, start})
	}
	if self.pid == 0 {
		return nil
	}
	out := []proc{self}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i].pid]...)
	}
	return out
}

// alive reports whether p is still the same running process (not a zombie).
func (p proc) alive() bool {
	_, start, ok := procStat(p.pid)
	if !ok || start != p.start {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/status")
	return err == nil && !strings.Contains(string(b), "\nState:\tZ")
}

// treePSS is the memory of root and all its descendants (host + MPM
// plugin + children; Apache parent + children; nginx master + workers), in
// bytes: the sum of their proportional set sizes, in which a page shared
// by n processes counts 1/n in each, so the sum is the tree's footprint.
// (Summed resident sizes count a shared page once per process: for 64
// prefork children of a 20 MB Go binary, most of them its text, that
// overstated ours about six times, and Apache's less.)
func treePSS(root int) int64 {
	var total int64
	for _, p := range tree(root) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/smaps_rollup")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
				f := strings.Fields(rest)
				if len(f) > 0 {
					kb, _ := strconv.ParseInt(f[0], 10, 64)
					total += kb * 1024
				}
				break
			}
		}
	}
	return total
}

// generation summarizes the processes under a server: how many run each
// executable (Apache's children, nginx workers, our MPM plugin and its
// children), e.g. "mod_mpm_event.so×3".
func generation(procs []proc) string {
	count := map[string]int{}
	var names []string
	for _, p := range procs {
		exe, err := os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/exe")
		if err != nil {
			continue
		}
		name := filepath.Base(strings.TrimSuffix(exe, " (deleted)"))
		if count[name] == 0 {
			names = append(names, name)
		}
		count[name]++
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s×%d", n, count[n])
	}
	return strings.Join(parts, " ")
}

// newProcs counts the processes of after that were not in before.
func newProcs(before, after []proc) int {
	seen := map[proc]bool{}
	for _, p := range before {
		seen[p] = true
	}
	n := 0
	for _, p := range after {
		if !seen[p] {
			n++
		}
	}
	return n
}
