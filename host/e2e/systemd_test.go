package e2e_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// notifyListener is a real NOTIFY_SOCKET: a unixgram socket that collects
// what httpd tells systemd.
type notifyListener struct {
	conn *net.UnixConn
	path string
}

func newNotifyListener(t *testing.T) *notifyListener {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	must(t, err)
	t.Cleanup(func() { conn.Close() })
	return &notifyListener{conn: conn, path: path}
}

// expect reads messages until one contains every want line, or fails.
func (n *notifyListener) expect(t *testing.T, want ...string) string {
	t.Helper()
	buf := make([]byte, 4096)
	deadline := time.Now().Add(20 * time.Second)
	var seen []string
	for {
		n.conn.SetReadDeadline(deadline)
		k, err := n.conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification with %q; saw %q: %v", want, seen, err)
		}
		msg := string(buf[:k])
		seen = append(seen, msg)
		lines := strings.Split(msg, "\n")
		ok := true
		for _, w := range want {
			found := false
			for _, l := range lines {
				if l == w || strings.HasSuffix(w, "=") && strings.HasPrefix(l, w) {
					found = true
				}
			}
			ok = ok && found
		}
		if ok {
			return msg
		}
	}
}

// TestSystemdNotify checks the Type=notify protocol with a real socket:
// READY=1 with MAINPID once serving, RELOADING=1 then READY=1 on a
// graceful restart, STOPPING=1 on stop.
func TestSystemdNotify(t *testing.T) {
	httpd, _ := testbin.Build(t)
	n := newNotifyListener(t)
	root := newSite(t, "event", "mpm_event_module", "")
	cmd := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+n.path)
	in := startCmd(t, root, cmd)
	msg := n.expect(t, "READY=1", "MAINPID="+strconv.Itoa(in.cmd.Process.Pid))
	if !strings.Contains(msg, "STATUS=Processing requests...") {
		t.Errorf("ready message %q", msg)
	}
	in.signal(syscall.SIGUSR1)
	n.expect(t, "RELOADING=1", "MONOTONIC_USEC=")
	n.expect(t, "READY=1")
	if resp, _ := in.get("/hello.txt"); resp.StatusCode != 200 {
		t.Errorf("after reload: %d", resp.StatusCode)
	}
	in.signal(syscall.SIGTERM)
	n.expect(t, "STOPPING=1")
	if code := in.wait(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// freePort finds a port on 127.0.0.1 that is free right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestSocketActivation runs httpd under systemd-socket-activate (Debian's
// systemd package): the host adopts the socket systemd bound for its
// Listen instead of binding its own.
func TestSocketActivation(t *testing.T) {
	activate, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Fatalf("systemd-socket-activate not installed (make test-deps installs package systemd): %v", err)
	}
	httpd, _ := testbin.Build(t)
	port := freePort(t)
	root := newSite(t, "worker", "mpm_worker_module", "")
	conf := filepath.Join(root, "httpd.conf")
	b, _ := os.ReadFile(conf)
	write(t, conf, strings.Replace(string(b), "Listen 127.0.0.1:0", "Listen 127.0.0.1:"+strconv.Itoa(port), 1))
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(activate, "-l", addr, httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND")
	// systemd-socket-activate execs httpd on the first connection, so the
	// first request starts the server; it waits in the socket's backlog.
	var stderr syncBuffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	var resp string
	ok := eventually(20*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(15 * time.Second))
		c.Write([]byte("GET /hello.txt HTTP/1.0\r\n\r\n"))
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			k, err := c.Read(buf)
			sb.Write(buf[:k])
			if err != nil {
				break
			}
		}
		resp = sb.String()
		return strings.HasPrefix(resp, "HTTP/1.1 200")
	})
	if !ok {
		t.Fatalf("no 200 through the activated socket: %q", resp)
	}
	// Startup messages (before ErrorLog is open) go to stderr, as Apache's.
	if !strings.Contains(stderr.String(), "Listen "+addr+": using the socket "+addr+" passed by systemd") {
		t.Errorf("the host bound its own socket instead of adopting systemd's:\n%s", stderr.String())
	}
	addrFile, _ := os.ReadFile(filepath.Join(root, "run/addr"))
	if strings.TrimSpace(string(addrFile)) != addr {
		t.Errorf("ListenAddrFile says %q, want %s", addrFile, addr)
	}
}

// TestSystemdUnitsVerify runs systemd-analyze verify on the example units,
// pointed at the real binary.
func TestSystemdUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatalf("systemd-analyze not installed (make test-deps installs package systemd): %v", err)
	}
	httpd, _ := testbin.Build(t)
	dir := t.TempDir()
	for _, unit := range []string{"httpd.service", "httpd.socket"} {
		b, err := os.ReadFile(filepath.Join(testbin.RepoRoot(), "examples/systemd", unit))
		must(t, err)
		write(t, filepath.Join(dir, unit), strings.ReplaceAll(string(b), "/usr/local/sbin/httpd", httpd))
	}
	out, err := exec.Command(analyze, "verify", filepath.Join(dir, "httpd.service"), filepath.Join(dir, "httpd.socket")).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
