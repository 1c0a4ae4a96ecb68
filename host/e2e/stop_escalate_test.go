package e2e_test

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecondTermHardensGracefulStop: a SIGTERM during a graceful stop
// (SIGWINCH) makes it a hard stop, as apache2's event MPM does: the
// children get SIGTERM (a download the client stalls is cut) and httpd
// exits, without killing the MPM plugin's processes at once (no SIGKILL of
// the process group) and, as apache2, without another AH line.
func TestSecondTermHardensGracefulStop(t *testing.T) {
	const size = 16 << 20
	in, c, resp, _ := stalledDownload(t, "GracefulShutdownTimeout 600\n", size)
	in.signal(syscall.SIGWINCH)
	// The graceful stop has begun once the PID file is gone (the host) and
	// the MPM has said so (the plugin, as apache2's one process logs it with
	// the PID file's removal): a SIGTERM before the MPM took the graceful
	// stop is a hard stop of its own (AH00491), in apache2 too.
	waitFor(t, "the graceful stop", 10*time.Second, func() (bool, string) {
		_, err := os.Stat(filepath.Join(in.root, "run/httpd.pid"))
		if !os.IsNotExist(err) {
			return false, "the PID file is still there"
		}
		return strings.Contains(in.srv.ErrorLog(), "AH00492"), "no AH00492 in the error log"
	})
	in.signal(syscall.SIGTERM)
	c.SetReadDeadline(time.Now().Add(60 * time.Second))
	got, _ := io.ReadAll(resp.Body)
	if len(got) == size {
		t.Errorf("the stalled download got all %d bytes", size)
	}
	if code := in.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	log := in.srv.ErrorLog()
	for _, want := range []string{
		"AH00492: caught SIGWINCH, shutting down gracefully\n",
		"[core:info] [pid " + strconv.Itoa(in.cmd.Process.Pid) + "] SIGTERM received: stopping mpm_event_module at once\n",
	} {
		if strings.Count(log, want) != 1 {
			t.Errorf("error log has %d of %q, want 1:\n%s", strings.Count(log, want), want, log)
		}
	}
	for _, unwanted := range []string{"killing its processes", "AH00491", "AH00046"} {
		if strings.Contains(log, unwanted) {
			t.Errorf("error log has %q:\n%s", unwanted, log)
		}
	}
}
