package e2e_test

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPreforkChildGCGoal: a prefork child collects at GOGC 25 unless the
// environment sets GOGC, so that under load its heap grows to 1 MiB, not
// to the 2 MiB of GOGC 50 or the runtime's 4 MiB. The runtime's trace
// (GODEBUG=gctrace=1, on the children's stderr: the error log) shows the
// goal of the collection an idle child forces before it gives its free
// memory back.
func TestPreforkChildGCGoal(t *testing.T) {
	root := newSite(t, "prefork", "mpm_prefork_module", "")
	httpd, _ := build(t)
	cmd := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND")
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GODEBUG=")
	}), "GODEBUG=gctrace=1")
	in := startCmd(t, root, cmd)
	if resp, _ := in.get("/hello.txt"); resp.StatusCode != 200 {
		t.Fatalf("GET /hello.txt: %d", resp.StatusCode)
	}
	forced := regexp.MustCompile(`\] gc \d+ @.* (\d+) MB goal, .*\(forced\)`)
	var goals []string
	if !eventually(10*time.Second, func() bool {
		goals = nil
		for _, m := range forced.FindAllStringSubmatch(errorLog(t, root), -1) {
			goals = append(goals, m[1])
		}
		return slices.Contains(goals, "1")
	}) {
		t.Fatalf("no forced collection with a 1 MB goal; goals %v in the error log:\n%s", goals, errorLog(t, root))
	}
}
