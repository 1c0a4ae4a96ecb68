package host

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
)

// TestVhostLogsShared: as Apache's open_logs, a <VirtualHost> ErrorLog that is
// the main server's goes to the main log, and one an earlier virtual host
// names is that one's Log: twenty virtual hosts on one piped logger start one
// logger process, not twenty; every line reaches it and closeLogs ends it once.
func TestVhostLogsShared(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "piped")
	marker := "vhostlogs-" + strconv.Itoa(os.Getpid())
	piped := "|$cat >> " + out + " # " + marker
	srv := &config.Server{ErrorLog: filepath.Join(dir, "error_log"), LogLevel: "warn"}
	srv.VirtualHosts = append(srv.VirtualHosts, config.VirtualHost{ErrorLog: srv.ErrorLog}, config.VirtualHost{})
	for range 20 {
		srv.VirtualHosts = append(srv.VirtualHosts, config.VirtualHost{ErrorLog: piped})
	}
	srv.VirtualHosts = append(srv.VirtualHosts, config.VirtualHost{ErrorLog: filepath.Join(dir, "b_log")})
	logs, err := openVhostLogs("httpd", srv)
	if err != nil {
		t.Fatal(err)
	}
	if logs[0] != nil || logs[1] != nil {
		t.Errorf("a vhost on the main ErrorLog or without one has its own Log: %v %v", logs[0], logs[1])
	}
	for i := 3; i < 22; i++ {
		if logs[i] != logs[2] {
			t.Errorf("vhost %d's piped ErrorLog is not the first one's", i+1)
		}
	}
	if logs[22] == nil || logs[22] == logs[2] {
		t.Errorf("vhost 23's own file log: %v", logs[22])
	}
	// The shell forks cat: between fork and exec, that child has the
	// shell's command line too, for a moment. Twenty loggers would stay.
	n := loggers(marker)
	for i := 0; n > 1 && i < 100; i++ {
		time.Sleep(20 * time.Millisecond)
		n = loggers(marker)
	}
	if n != 1 {
		t.Errorf("%d piped logger processes for twenty vhosts on one target, want 1", n)
	}
	for _, l := range logs[2:22] {
		l.Printf("core", errorlog.Error, "line")
	}
	closeLogs(logs)
	var b []byte
	for range 100 { // the logger writes once it read EOF; bounded wait
		if b, _ = os.ReadFile(out); strings.Count(string(b), "\n") >= 20 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(string(b), "] [core:error] [pid "); n != 20 {
		t.Errorf("%d lines reached the shared logger, want 20:\n%s", n, b)
	}
}

// loggers counts the running processes whose command line has marker.
func loggers(marker string) int {
	n := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range dirs {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), marker) {
			n++
		}
	}
	return n
}
