// Command profile writes CPU profiles (pprof) of an MPM's child
// processes under load, the hot path of every request: it builds httpd,
// the MPM's plugin and its child program with the tag mpmprofile (see
// mpm.ProfileEnv), serves a 1 KiB and a 100 KiB file with that MPM on
// 127.0.0.1, loads it with wrk, stops the server gracefully so that each
// child writes its profile when it exits, and prints the top of them
// merged (go tool pprof -top). The profiles stay in -out for
// `go tool pprof -http=: DIR/*.pprof`. `make profile` runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

func main() {
	var o options
	flag.StringVar(&o.MPM, "mpm", "event", "the MPM: prefork, worker or event")
	flag.DurationVar(&o.Duration, "d", 10*time.Second, "how long wrk loads the server")
	flag.StringVar(&o.Path, "path", "/1k.bin", "what wrk requests: /1k.bin or /100k.bin")
	flag.BoolVar(&o.Close, "close", false, "requests with Connection: close instead of keep-alive")
	flag.StringVar(&o.Out, "out", "profile", "directory for the profiles (emptied of earlier ones)")
	flag.IntVar(&o.Top, "top", 30, "functions to list")
	flag.Parse()
	// Ctrl-C ends the load and stops the server (in its own process
	// group) before this exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		stop()
		os.Exit(1)
	}
}

type options struct {
	MPM      string
	Duration time.Duration
	Path     string
	Close    bool
	Out      string
	Top      int
}

const siteConfig = `LoadModule mpm_%[1]s_module modules/mod_mpm_%[1]s.so
` + testserver.Basics + `LogLevel warn
DocumentRoot htdocs
TypesConfig /etc/mime.types
KeepAlive On
MaxKeepAliveRequests 0
<IfModule mpm_prefork_module>
    StartServers 8
    MinSpareServers 8
    MaxSpareServers 16
</IfModule>
<IfModule !mpm_prefork_module>
    StartServers 2
    ThreadsPerChild 25
    MinSpareThreads 25
    MaxSpareThreads 75
</IfModule>
`

// result is what run found: the children that served the load (alive
// when the graceful stop began) and the profiles written.
type result struct {
	Children []int
	Profiles []string
}

// run does it all, until ctx ends at the latest, and writes what it finds
// to w.
func run(ctx context.Context, o options, w io.Writer) (*result, error) {
	if !slices.Contains([]string{"prefork", "worker", "event"}, o.MPM) {
		return nil, fmt.Errorf("-mpm %q: prefork, worker or event", o.MPM)
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return nil, errors.New("wrk not found (apt-get install wrk, or make test-deps as root)")
	}
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return nil, fmt.Errorf("profile directory: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("profile directory: %w", err)
	}
	old, err := filepath.Glob(filepath.Join(out, "*.pprof"))
	for _, f := range old {
		if err == nil {
			err = os.Remove(f)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("remove earlier profiles: %w", err)
	}
	tmp, err := os.MkdirTemp("", "httpd-profile")
	if err != nil {
		return nil, fmt.Errorf("build directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	root := filepath.Join(tmp, "root")
	httpd := filepath.Join(tmp, "httpd")
	child := filepath.Join(root, "modules", wire.ChildProgram(o.MPM))
	for _, args := range [][]string{
		{"-tags", "mpmprofile," + wire.BuildTags, "-o", httpd, "./cmd/httpd"},
		{"-tags", "mpmprofile," + wire.BuildTags, "-o", filepath.Join(root, "modules", "mod_mpm_"+o.MPM+".so"), "./plugins/" + o.MPM},
		{"-tags", "mpmchild,mpmprofile", "-o", child, "./plugins/" + o.MPM + "/child"},
	} {
		cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, args...)...)
		cmd.Dir = testbin.RepoRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, b)
		}
	}
	if err := testserver.WriteRoot(root, fmt.Sprintf(siteConfig, o.MPM), map[string]string{
		"htdocs/1k.bin":   strings.Repeat("x", 1024),
		"htdocs/100k.bin": strings.Repeat("y", 100*1024),
	}); err != nil {
		return nil, fmt.Errorf("server root: %w", err)
	}
	cmd := testserver.Command(httpd, root)
	cmd.Env = append(os.Environ(), mpm.ProfileEnv+"="+out)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	srv, err := testserver.Start(cmd, root, "")
	if err != nil {
		return nil, fmt.Errorf("start httpd: %w", err)
	}
	defer srv.Stop(10*time.Second, 5*time.Second) // nothing left to stop after the graceful stop
	if _, err := srv.Ready(ctx, 30*time.Second, 20*time.Millisecond, testserver.Serves(o.Path, 2*time.Second)); err != nil {
		return nil, fmt.Errorf("httpd did not serve: %w\n%s", err, srv.LogTail(20))
	}
	args := []string{"-t1", "-c50", "-d" + o.Duration.String(), "--latency"}
	if o.Close {
		args = append(args, "-H", "Connection: close")
	}
	load := exec.CommandContext(ctx, "wrk", append(args, "http://"+srv.Addr()+o.Path)...)
	b, err := load.CombinedOutput()
	fmt.Fprintf(w, "$ wrk %s\n%s\n", strings.Join(load.Args[1:], " "), b)
	if err != nil {
		return nil, fmt.Errorf("wrk: %w", err)
	}
	// A graceful stop: every child drains, returns from ServeChild and
	// writes its profile.
	res := &result{Children: srv.Children()}
	if err := srv.Signal(syscall.SIGWINCH); err != nil {
		return nil, fmt.Errorf("graceful stop: %w", err)
	}
	select {
	case <-srv.Done:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(30 * time.Second):
		return nil, errors.New("httpd did not stop within 30 s of SIGWINCH")
	}
	if res.Profiles, err = filepath.Glob(filepath.Join(out, "*.pprof")); err != nil || len(res.Profiles) == 0 {
		return nil, fmt.Errorf("no profile in %s (%v)\n%s", out, err, srv.LogTail(20))
	}
	top := exec.CommandContext(ctx, "go", append([]string{"tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", o.Top), child}, res.Profiles...)...)
	b, err = top.CombinedOutput()
	fmt.Fprintf(w, "$ go tool pprof -top %s %s/*.pprof (%d children)\n%s", filepath.Base(child), o.Out, len(res.Profiles), b)
	if err != nil {
		return nil, fmt.Errorf("go tool pprof: %w", err)
	}
	fmt.Fprintf(w, "\nProfiles: %s/*.pprof (go tool pprof -http=: %s/*.pprof)\n", o.Out, o.Out)
	return res, nil
}
