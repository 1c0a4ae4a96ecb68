package host

import (
	"fmt"
	"slices"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
)

// TestStartMessages: the lines startPlugin writes are errors of core, its
// MPM warnings (warnWriter) warnings of the MPM's module whatever their
// words, its log-only warnings marked so, in the order they came.
func TestStartMessages(t *testing.T) {
	var m startMessages
	var w warnWriter = &m
	fmt.Fprintln(w, "AH00549: first\nsecond")
	w.Warn("mpm_percore", "cores of 0 not allowed, using 1")
	fmt.Fprint(w, "third\n")
	w.LogWarn("remoteip", "AH10633: merged")
	want := startMessages{
		{module: "core", level: errorlog.Error, text: "AH00549: first"},
		{module: "core", level: errorlog.Error, text: "second"},
		{module: "mpm_percore", level: errorlog.Warn, text: "cores of 0 not allowed, using 1"},
		{module: "core", level: errorlog.Error, text: "third"},
		{module: "remoteip", level: errorlog.Warn, text: "AH10633: merged", logOnly: true},
	}
	if !slices.Equal(m, want) {
		t.Errorf("got %+v, want %+v", m, want)
	}
}
