package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
)

// generation summarizes the processes under a server: how many run each
// executable (Apache's children, nginx workers, our MPM plugin and its
// children), e.g. "mod_mpm_event.so×3".
func generation(procs proctree.Tree) string {
	count := map[string]int{}
	var names []string
	for _, p := range procs {
		exe, err := os.Readlink("/proc/" + strconv.Itoa(p.Pid) + "/exe")
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
func newProcs(before, after proctree.Tree) int {
	type id struct {
		pid   int
		start string // tells a reused pid apart
	}
	seen := map[id]bool{}
	for _, p := range before {
		seen[id{p.Pid, p.Start}] = true
	}
	n := 0
	for _, p := range after {
		if !seen[id{p.Pid, p.Start}] {
			n++
		}
	}
	return n
}
