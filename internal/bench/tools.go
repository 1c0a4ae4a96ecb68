package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// tools are the outside programs the benchmark needs, with the Debian
// package that ships each.
var tools = []struct{ bin, pkg string }{
	{"wrk", "wrk"},
	{"apache2", "apache2"},
	{"nginx", "nginx"},
	{"ab", "apache2-utils"},
}

// ensureTools finds every tool; as root it installs the missing ones with
// apt-get, otherwise it says what to install.
func ensureTools() error {
	var missing []string
	for _, t := range tools {
		if _, err := exec.LookPath(t.bin); err != nil {
			missing = append(missing, t.pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("missing tools; install them with: sudo apt-get install -y %s", strings.Join(missing, " "))
	}
	fmt.Fprintf(os.Stderr, "==> Installing %s with apt-get\n", strings.Join(missing, " "))
	for _, argv := range [][]string{
		{"apt-get", "update"},
		append([]string{"apt-get", "install", "-y", "--no-install-recommends"}, missing...),
	} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %v", strings.Join(argv, " "), err)
		}
	}
	return nil
}

// fact is one line of "the machine and the software".
type fact struct{ Name, Value string }

// machineFacts describes where the numbers come from.
func machineFacts(repo string, loadBefore float64) []fact {
	facts := []fact{
		{"CPUs (nproc)", fmt.Sprint(runtime.NumCPU())},
		{"CPU", cpuModel()},
		{"kernel", firstLine(readFile("/proc/sys/kernel/osrelease"))},
		{"load average (1 min)", fmt.Sprintf("%.2f before the run (%.2f after, with our own load)", loadBefore, loadAverage())},
		{"OS", osName()},
		{"Go (harness)", runtime.Version()},
		{"ours", firstLine(output(filepath.Join(repo, "bin", "httpd"), "-v"))},
		{"Apache", firstLine(output("apache2", "-v"))},
		{"nginx", firstLine(output("nginx", "-v"))},
		{"wrk", firstLine(output("wrk", "-v"))},
	}
	return facts
}

func cpuModel() string {
	for _, line := range strings.Split(readFile("/proc/cpuinfo"), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func osName() string {
	for _, line := range strings.Split(readFile("/etc/os-release"), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return runtime.GOOS
}

func readFile(name string) string {
	b, _ := os.ReadFile(name)
	return string(b)
}

// output runs a version command; some print on stderr, some exit non-zero.
func output(name string, args ...string) string {
	b, err := exec.Command(name, args...).CombinedOutput()
	if len(b) == 0 && err != nil {
		return "unavailable (" + err.Error() + ")"
	}
	return string(b)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// loadAverage is the 1-minute load average: well above 0 before the run
// means other work shares the CPUs and the numbers come out low.
func loadAverage() float64 {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// raiseFileLimit raises this process's open file limit as far as it may:
// the soft limit to the hard one and, as root, both to at least 65,536.
// The servers and wrk inherit it (Go passes a limit the program set itself
// on to the processes it starts). It returns the soft limit in force.
func raiseFileLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	want := rl.Max
	if os.Geteuid() == 0 {
		want = max(want, 1<<16)
	}
	for _, try := range []syscall.Rlimit{{Cur: want, Max: max(rl.Max, want)}, {Cur: rl.Max, Max: rl.Max}} {
		if try.Cur < rl.Cur {
			continue
		}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &try) == nil {
			return uint64(try.Cur) // int64 on FreeBSD
		}
	}
	return uint64(rl.Cur)
}
