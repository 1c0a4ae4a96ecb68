package e2e_test

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMPMWarningsLogged: the MPM's warnings about its settings (AH00513 of
// event's check_config) go to the console at startup and to the error log
// at warn under the MPM's own module, at startup and at a graceful restart,
// as apache2's [mpm_event:warn] line, not as core's or at error. The level
// comes from the MPM's diagnostic, not from the words of its message.
func TestMPMWarningsLogged(t *testing.T) {
	in := start(t, newSite(t, "event", "mpm_event_module", "MaxRequestWorkers 10"))
	const msg = "AH00513: WARNING: MaxRequestWorkers of 10 is not an integer multiple of ThreadsPerChild of 4, decreasing to nearest multiple 8, for a maximum of 2 servers."
	if !strings.Contains(in.stderr.String(), msg+"\n") {
		t.Errorf("console at startup lacks %q:\n%s", msg, in.stderr)
	}
	line := regexp.MustCompile(`(?m)^\[[^\]]+\] \[mpm_event:warn\] \[pid \d+\] ` + regexp.QuoteMeta(msg) + `$`)
	if n := len(line.FindAllString(in.srv.ErrorLog(), -1)); n != 1 {
		t.Fatalf("error log has %d [mpm_event:warn] AH00513 lines at startup, want 1:\n%s", n, in.srv.ErrorLog())
	}
	in.signal(syscall.SIGUSR1)
	if !eventually(20*time.Second, func() bool { return strings.Contains(in.srv.ErrorLog(), "serving; retiring") }) {
		t.Fatalf("no restart:\n%s", in.srv.ErrorLog())
	}
	log := in.srv.ErrorLog()
	if n := len(line.FindAllString(log, -1)); n != 2 {
		t.Errorf("error log has %d [mpm_event:warn] AH00513 lines after a graceful restart, want 2:\n%s", n, log)
	}
	if regexp.MustCompile(`:error\] \[pid \d+\] AH00513`).MatchString(log) {
		t.Errorf("AH00513 logged at error:\n%s", log)
	}
}
