package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run leaves a CPU profile per child, taken over the requests it served:
// their merged profile has the HTTP engine's request loop in it.
func TestProfile(t *testing.T) {
	out := t.TempDir()
	var buf bytes.Buffer
	res, err := run(context.Background(), options{MPM: "event", Duration: time.Second, Path: "/1k.bin", Out: out, Top: 10}, &buf)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(res.Children) == 0 {
		t.Fatalf("no child served\n%s", buf.String())
	}
	for _, pid := range res.Children {
		if _, err := os.Stat(filepath.Join(out, fmt.Sprintf("event-%d.pprof", pid))); err != nil {
			t.Errorf("child %d wrote no profile: %v", pid, err)
		}
	}
	profiles := res.Profiles
	for _, p := range profiles {
		b, err := os.ReadFile(p)
		if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s: %v, %d bytes; want a gzipped pprof profile", p, err, len(b))
		}
	}
	if !strings.Contains(buf.String(), "Type: cpu") || !strings.Contains(buf.String(), "Requests/sec") {
		t.Errorf("report lacks wrk's or pprof's output:\n%s", buf.String())
	}
	cum, err := exec.Command("go", append([]string{"tool", "pprof", "-top", "-cum", "-nodecount=60"}, profiles...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(cum), "mpm/http1.(*Conn).ServeRequest") {
		t.Errorf("the profiles do not show the request loop (%v):\n%s", err, cum)
	}
}
