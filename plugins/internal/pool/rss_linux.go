//go:build linux

package pool

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// residentBytes is the resident memory of process pid, from
// /proc/PID/statm (readable by anyone, whatever user the child runs as).
func residentBytes(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, fmt.Errorf("statm of %d: %q", pid, b)
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("statm of %d: %w", pid, err)
	}
	return pages * int64(os.Getpagesize()), nil
}
