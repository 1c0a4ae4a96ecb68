package e2e_test

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// markerFD is where the test hands httpd a descriptor it was not meant to
// pass on: a pipe, as a shell, a supervisor or a CI runner may leave open.
const markerFD = 20

// TestPluginDescriptors reads from /proc what the MPM parent and its
// children hold, under every MPM, and checks each descriptor against what
// it may be: stdio, the lifeline, the listeners, the scoreboard, and
// things a process made itself (epoll, eventfd, pidfd, the MPM parent's
// sealed copy of TypesConfig, its own pipes and
// sockets, the Go runtime's cgroup files, in a child the files of the
// document root it served, kept open for a second by the static handler),
// and the error log, which the host opened for them and which the children
// write their requests' errors to (every child holds it). Nothing else the
// host holds may reach them: not the descriptor the host inherited. As root, the children also run as User/Group with no capability
// left. One child of each (the first) was started early, before the MPM
// was configured, and handed its descriptors: the same rules hold for it.
func TestPluginDescriptors(t *testing.T) {
	extra := statusLocation
	if os.Geteuid() == 0 {
		extra += "User nobody\nGroup #65534\n"
	}
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, extra)
			reachableByNobody(t, root)
			httpd, _ := build(t)
			in := startCmd(t, root, withMarker(t, exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND")))
			host := in.cmd.Process.Pid
			if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
				t.Fatalf("GET /hello.txt: %d", resp.StatusCode)
			}
			plugin := in.pluginPid()
			kids := in.readyChildren()
			if len(kids) == 0 {
				t.Fatal("the MPM started no child")
			}

			hostFDs := fdTable(host)
			marker := hostFDs[markerFD]
			if !strings.HasPrefix(marker, "pipe:") {
				t.Fatalf("host fd %d is %q, want the test's pipe", markerFD, marker)
			}
			pluginFDs := fdTable(plugin)
			listeners := map[string]bool{}
			for fd, target := range pluginFDs {
				if fd >= 4 && strings.HasPrefix(target, "socket:") && shares(hostFDs, target) {
					listeners[target] = true
				}
			}
			if len(listeners) != 1 {
				t.Errorf("the MPM parent shares %d sockets with the host, want the 1 listener: %v", len(listeners), pluginFDs)
			}
			lifeline, stdout, stderr := pluginFDs[3], pluginFDs[1], pluginFDs[2]
			errorLog := filepath.Join(root, "logs/error_log")
			// The MPM parent: what it shares with the host is stdio, the
			// lifeline and the listener; the rest (the scoreboard and the
			// sealed copy of TypesConfig for its children too) it made
			// itself.
			for fd, target := range pluginFDs {
				ok := ownKind(target) || listeners[target] || strings.HasPrefix(target, "/memfd:httpd-scoreboard") || strings.HasPrefix(target, "/memfd:mime.types")
				switch {
				case target == errorLog:
					ok = true // handed over for the children (mpm.ErrorLog)
				case fd == 0:
					ok = target == "/dev/null"
				case target == lifeline || target == stdout || target == stderr:
					ok = strings.HasPrefix(target, "pipe:")
				case strings.HasPrefix(target, "pipe:") || strings.HasPrefix(target, "socket:"):
					ok = ok || !shares(hostFDs, target)
				}
				if !ok || target == marker {
					t.Errorf("MPM parent (pid %d) fd %d → %s: not one it was meant to have", plugin, fd, target)
				}
			}
			// Each child: stdio, the lifeline, the scoreboard, the
			// listener; the rest it made itself, shared with nobody.
			early := 0
			for _, k := range kids {
				env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", k))
				isEarly := slices.Contains(strings.Split(string(env), "\x00"), "HTTPD_MPM_CHILD=early")
				if isEarly {
					early++ // started before the MPM was configured (mpm.EarlyChildServer)
				}
				fds := fdTable(k)
				for fd, target := range fds {
					ok := ownKind(target) || listeners[target]
					switch {
					case fd == 0 || fd == 1:
						ok = target == "/dev/null"
					case fd == 2:
						ok = target == stderr
					case fd == 3:
						ok = target == lifeline
					case target == lifeline:
						ok = true // the child's own reading copy
					case strings.HasPrefix(target, "/memfd:httpd-scoreboard"):
						ok = shares(pluginFDs, target)
					case strings.HasPrefix(target, "pipe:") || strings.HasPrefix(target, "socket:"):
						ok = ok || (!shares(hostFDs, target) && !shares(pluginFDs, target))
					case strings.HasPrefix(target, filepath.Join(root, "htdocs")+"/"):
						ok = true // a file served, in the static handler's open-file cache
					case target == errorLog:
						ok = true // where it writes its requests' errors
					}
					if !ok || target == marker {
						t.Errorf("child (pid %d) fd %d → %s: not one it was meant to have", k, fd, target)
					}
				}
				if !slices.Contains(slices.Collect(maps.Values(fds)), errorLog) {
					t.Errorf("child %d does not hold the error log %s: %v", k, errorLog, fds)
				}
				// The scoreboard is wherever the child received it (mpm.StartChild
				// hands every child its descriptors on a socket).
				if !slices.ContainsFunc(slices.Collect(maps.Values(fds)), func(t string) bool { return strings.HasPrefix(t, "/memfd:httpd-scoreboard") }) {
					t.Errorf("child %d holds no scoreboard: %v", k, fds)
				}
				if os.Geteuid() == 0 {
					st := procStatus(k)
					for _, key := range []string{"Uid", "Gid"} {
						if f := strings.Fields(st[key]); len(f) != 4 || f[0] != "65534" || f[1] != "65534" || f[2] != "65534" || f[3] != "65534" {
							t.Errorf("child %d %s: %q, want 65534 (real, effective, saved, fs)", k, key, st[key])
						}
					}
					if g := strings.Fields(st["Groups"]); len(g) > 1 || (len(g) == 1 && g[0] != "65534") {
						t.Errorf("child %d keeps supplementary groups %v", k, g)
					}
					for _, key := range []string{"CapPrm", "CapEff", "CapAmb"} {
						if strings.Trim(st[key], "0") != "" {
							t.Errorf("child %d %s = %s, want none", k, key, st[key])
						}
					}
				}
			}
			// The built-in MPMs start their first child while the host
			// configures them; the checks above hold for it too.
			if early != 1 {
				t.Errorf("%d of the children %v were started early, want 1 (the first)", early, kids)
			}
			if t.Failed() {
				t.Logf("host fds: %s\nMPM parent fds: %s", describe(hostFDs), describe(pluginFDs))
			}
		})
	}
}

// ownKind reports descriptors a process can only have made itself, or
// that carry nothing of anyone else's: kernel objects of its own and the
// cgroup files Go's runtime reads for GOMAXPROCS.
func ownKind(target string) bool {
	for _, k := range []string{"anon_inode:[eventpoll]", "anon_inode:[eventfd]", "anon_inode:[pidfd]", "anon_inode:[timerfd]", "/dev/null"} {
		if target == k {
			return true
		}
	}
	return strings.HasPrefix(target, "/sys/fs/cgroup/")
}

// shares reports whether a process with the descriptor table fds holds
// the same open object (pipe, socket, memfd) as target.
func shares(fds map[int]string, target string) bool {
	for _, t := range fds {
		if t == target {
			return true
		}
	}
	return false
}

// withMarker gives cmd a pipe at markerFD, as inherited (not close-on-exec);
// the test closes it at its end.
func withMarker(t testing.TB, cmd *exec.Cmd) *exec.Cmd {
	pr, pw, err := os.Pipe()
	must(t, err)
	t.Cleanup(func() { pr.Close(); pw.Close() })
	cmd.ExtraFiles = make([]*os.File, markerFD-2)
	cmd.ExtraFiles[markerFD-3] = pr
	return cmd
}

// fdTable is proctree.FDs: what each descriptor of pid points at.
func fdTable(pid int) map[int]string { return proctree.FDs(pid) }

func describe(fds map[int]string) string {
	var keys []int
	for fd := range fds {
		keys = append(keys, fd)
	}
	sort.Ints(keys)
	var b strings.Builder
	for _, fd := range keys {
		fmt.Fprintf(&b, " %d→%s", fd, fds[fd])
	}
	return b.String()
}

// procStatus is /proc/PID/status as key → value.
func procStatus(pid int) map[string]string {
	return procStatusFile(fmt.Sprintf("/proc/%d/status", pid))
}

// procStatusFile reads a status file (a process's or one thread's) as key → value.
func procStatusFile(path string) map[string]string {
	b, _ := os.ReadFile(path)
	out := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}
