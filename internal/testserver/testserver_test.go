package testserver_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

const conf = `LoadModule mpm_event_module %s/mod_mpm_event.so
` + testserver.Basics + `DocumentRoot htdocs
StartServers 2
%s
`

// start writes a ServerRoot with extra config and starts httpd on it in
// its own process group.
func start(t *testing.T, extra string) *testserver.Server {
	t.Helper()
	httpd, modules := testbin.Build(t)
	dir := t.TempDir()
	if err := testserver.WriteRoot(dir, fmt.Sprintf(conf, modules, extra), map[string]string{"htdocs/sub/hello.txt": "hello\n"}); err != nil {
		t.Fatal(err)
	}
	cmd := testserver.Command(httpd, dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s, err := testserver.Start(cmd, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(10*time.Second, 5*time.Second) })
	return s
}

func TestStartServeStop(t *testing.T) {
	s := start(t, "")
	if _, err := s.Ready(context.Background(), 30*time.Second, 20*time.Millisecond, testserver.Serves("/sub/hello.txt", time.Second)); err != nil {
		t.Fatal(err)
	}
	code, body, err := testserver.Get(s.Addr(), "/sub/hello.txt", 5*time.Second)
	if err != nil || code != 200 || body != "hello\n" {
		t.Fatalf("GET = %d %q %v, want 200 hello", code, body, err)
	}
	if !testbin.Eventually(10*time.Second, func() bool { return len(s.Children()) == 2 }) {
		t.Fatalf("children %v, want StartServers 2", s.Children())
	}
	if s.Plugin() == 0 {
		t.Fatal("no MPM parent under the host")
	}
	if err := s.Stop(10*time.Second, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if left := s.LeftBehind(); len(left) > 0 {
		t.Fatalf("left behind after Stop: %+v", left)
	}
}

func TestReadyReportsAnExitWithTheLog(t *testing.T) {
	s := start(t, "NoSuchDirective on")
	_, err := s.Ready(context.Background(), 30*time.Second, 20*time.Millisecond, testserver.Serves("/", time.Second))
	if err == nil || !strings.Contains(err.Error(), "exited during startup") || !strings.Contains(err.Error(), "NoSuchDirective") {
		t.Fatalf("Ready = %v, want an exit with the config error from logs/stdio", err)
	}
}
