package host

import (
	"fmt"
	"slices"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
)

// TestStartMessages: the lines startPlugin writes are errors of core, its
// MPM warnings (warnWriter) warnings of the MPM's module whatever their
// words, in the order they came.
func TestStartMessages(t *testing.T) {
	var m startMessages
	var w warnWriter = &m
	fmt.Fprintln(w, "AH00549: first\nsecond")
	w.Warn("mpm_percore", "cores of 0 not allowed, using 1")
	fmt.Fprint(w, "third\n")
	want := startMessages{
		{"core", errorlog.Error, "AH00549: first"},
		{"core", errorlog.Error, "second"},
		{"mpm_percore", errorlog.Warn, "cores of 0 not allowed, using 1"},
		{"core", errorlog.Error, "third"},
	}
	if !slices.Equal(m, want) {
		t.Errorf("got %+v, want %+v", m, want)
	}
}
