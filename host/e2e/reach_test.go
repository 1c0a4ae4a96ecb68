package e2e_test

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestChildrenOutOfUsersReach: a process of the children's User (nobody: a
// CGI script, say) cannot reach a child's descriptors at any moment of its
// start, when its spec socket (fd 4) would give it the spec (TLS keys), the
// listeners and the scoreboard. The child is executed as the MPM parent
// (root) and drops to User itself, which leaves it not dumpable, as
// apache2's children that fork as root and setuid; executed as User, it was
// within the user's reach from its execve until it made itself not
// dumpable. reachchild (internal/testbin/testdata) kills children as nobody,
// up to 30 in 10 s, and tries pidfd_getfd and /proc/PID/fd on every new
// process meanwhile. Then the children serve, as nobody in every id and
// group, without capabilities (but the parent's bounding set). The linked
// form (make MPM=NAME: the host starts the children) is tried too.
func TestChildrenOutOfUsersReach(t *testing.T) {
	needsRoot(t, "to change user")
	reachchild := testbin.Program(t, "./internal/testbin/testdata/reachchild")
	for _, form := range []struct{ mpm, module string }{
		{"prefork", "mpm_prefork_module"}, {"event", "mpm_event_module"}, {"linked prefork", "mpm_prefork_module"},
	} {
		t.Run(form.mpm, func(t *testing.T) {
			name := strings.TrimPrefix(form.mpm, "linked ")
			root := newSite(t, name, form.module, "User nobody\nGroup #65534\n")
			reachableByNobody(t, root)
			var in *instance
			parent, bounding := 0, "00000000000000e0" // CAP_KILL, CAP_SETGID, CAP_SETUID: the MPM parent's
			if name != form.mpm {
				httpd := testbin.Static(t, name)
				linkedSite(t, root)
				in = startCmd(t, root, exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND"))
				parent, bounding = in.cmd.Process.Pid, procStatus(in.cmd.Process.Pid)["CapBnd"]
			} else {
				in = start(t, root)
				parent = in.pluginPid()
			}
			cmd := exec.Command(reachchild, strconv.Itoa(parent), "30", "10s")
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("reachchild: %v\n%s", err, out)
			}
			m := regexp.MustCompile(`(?m)^children (\d+) reached (\d+)$`).FindSubmatch(out)
			if m == nil {
				t.Fatalf("reachchild said:\n%s", out)
			}
			started, _ := strconv.Atoi(string(m[1]))
			reached, _ := strconv.Atoi(string(m[2]))
			switch {
			case reached != 0:
				t.Errorf("user nobody reached the descriptors of %d of %d children as they started:\n%s", reached, started, out)
			case started < 3:
				t.Errorf("only %d children started while user nobody killed them: the test tried too little\n%s", started, out)
			default:
				t.Logf("%d children started, none reached", started)
			}

			if resp, body := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 || body != "hello, world\n" {
				t.Errorf("GET /hello.txt after: %d %q", resp.StatusCode, body)
			}
			var kids []int
			if !eventually(10*time.Second, func() bool { kids = children(parent); return len(kids) > 0 }) {
				t.Fatal("no child")
			}
			for _, k := range kids {
				// A child executed a moment ago is root until it drops.
				var st map[string]string
				eventually(10*time.Second, func() bool {
					st = procStatus(k)
					return st["Uid"] == "" || strings.Fields(st["Uid"])[0] != "0"
				})
				if st["Uid"] == "" {
					continue // gone meanwhile
				}
				for key, want := range map[string]string{"Uid": "65534 65534 65534 65534", "Gid": "65534 65534 65534 65534", "Groups": "65534"} {
					if got := strings.Join(strings.Fields(st[key]), " "); got != want {
						t.Errorf("child %d %s: %q, want %q", k, key, got, want)
					}
				}
				for _, key := range []string{"CapPrm", "CapEff", "CapInh", "CapAmb"} {
					if strings.Trim(st[key], "0") != "" {
						t.Errorf("child %d %s = %s, want none", k, key, st[key])
					}
				}
				if st["CapBnd"] != bounding {
					t.Errorf("child %d CapBnd = %s, want its parent's %s", k, st["CapBnd"], bounding)
				}
				if fi, err := os.Stat(fmt.Sprintf("/proc/%d/fd", k)); err == nil && fi.Sys().(*syscall.Stat_t).Uid != 0 {
					t.Errorf("child %d's /proc/PID/fd belongs to uid %d, want root's (the child not dumpable)", k, fi.Sys().(*syscall.Stat_t).Uid)
				}
			}
		})
	}
}
