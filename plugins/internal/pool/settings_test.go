package pool

import (
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// TestResolveWarnings: each case's warnings are what apache2 2.4.71 -t
// printed for the same directives (captured on this machine).
func TestResolveWarnings(t *testing.T) {
	cases := []struct {
		kind Kind
		dirs []string // "Name value"
		want []string
	}{
		{Prefork, []string{"ServerLimit 300000"}, []string{"AH00175: WARNING: ServerLimit of 300000 exceeds compile-time limit of 200000 servers, decreasing to 200000."}},
		{Prefork, []string{"ServerLimit 0"}, []string{
			"AH00177: WARNING: ServerLimit of 0 not allowed, increasing to 1.",
			"AH00180: WARNING: MaxRequestWorkers of 256 exceeds ServerLimit value of 1 servers, decreasing MaxRequestWorkers to 1. To increase, please see the ServerLimit directive."}},
		{Prefork, []string{"MaxRequestWorkers 0"}, []string{"AH00182: WARNING: MaxRequestWorkers of 0 not allowed, increasing to 1."}},
		{Prefork, []string{"StartServers abc"}, []string{"AH00184: WARNING: StartServers of 0 not allowed, increasing to 1."}},
		{Prefork, []string{"MinSpareServers 0"}, []string{"AH00186: WARNING: MinSpareServers of 0 not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation."}},
		{Prefork, []string{"MaxClients 20", "MaxSpareServers 2", "MinSpareServers 5"}, nil},
		{Worker, []string{"ServerLimit 30000"}, []string{"AH00300: WARNING: ServerLimit of 30000 exceeds compile-time limit of 20000 servers, decreasing to 20000."}},
		{Worker, []string{"ServerLimit 0"}, []string{
			"AH00302: WARNING: ServerLimit of 0 not allowed, increasing to 1.",
			"AH00318: WARNING: MaxRequestWorkers of 400 would require 16 servers and would exceed ServerLimit of 1, decreasing to 25. To increase, please see the ServerLimit directive."}},
		{Worker, []string{"ThreadLimit 200000"}, []string{"AH00305: WARNING: ThreadLimit of 200000 exceeds compile-time limit of 20000 threads, decreasing to 20000."}},
		{Worker, []string{"ThreadLimit 0"}, []string{
			"AH00307: WARNING: ThreadLimit of 0 not allowed, increasing to 1.",
			"AH00310: WARNING: ThreadsPerChild of 25 exceeds ThreadLimit of 1 threads, decreasing to 1. To increase, please see the ThreadLimit directive.",
			"AH00318: WARNING: MaxRequestWorkers of 400 would require 400 servers and would exceed ServerLimit of 16, decreasing to 16. To increase, please see the ServerLimit directive."}},
		{Worker, []string{"ThreadsPerChild 100"}, []string{
			"AH00310: WARNING: ThreadsPerChild of 100 exceeds ThreadLimit of 64 threads, decreasing to 64. To increase, please see the ThreadLimit directive.",
			"AH00316: WARNING: MaxRequestWorkers of 400 is not an integer multiple of ThreadsPerChild of 64, decreasing to nearest multiple 384, for a maximum of 6 servers."}},
		{Worker, []string{"MaxRequestWorkers 10"}, []string{"AH00314: WARNING: MaxRequestWorkers of 10 is less than ThreadsPerChild of 25, increasing to 25. MaxRequestWorkers must be at least as large as the number of threads in a single server."}},
		{Worker, []string{"StartServers 0"}, []string{"AH00320: WARNING: StartServers of 0 not allowed, increasing to 1."}},
		{Worker, []string{"MinSpareThreads 0"}, []string{"AH00322: WARNING: MinSpareThreads of 0 not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation."}},
		{Event, []string{"ServerLimit 30000"}, []string{"AH00497: WARNING: ServerLimit of 30000 exceeds compile-time limit of 20000 servers, decreasing to 20000."}},
		{Event, []string{"ThreadLimit 200000"}, []string{"AH00502: WARNING: ThreadLimit of 200000 exceeds compile-time limit of 100000 threads, decreasing to 100000."}},
		{Event, []string{"ThreadsPerChild 0"}, []string{
			"AH00509: WARNING: ThreadsPerChild of 0 not allowed, increasing to 1.",
			"AH00515: WARNING: MaxRequestWorkers of 400 would require 400 servers and would exceed ServerLimit of 16, decreasing to 16. To increase, please see the ServerLimit directive."}},
		{Event, []string{"MaxRequestWorkers 110"}, []string{"AH00513: WARNING: MaxRequestWorkers of 110 is not an integer multiple of ThreadsPerChild of 25, decreasing to nearest multiple 100, for a maximum of 4 servers."}},
		{Event, []string{"MaxRequestWorkers 1000"}, []string{"AH00515: WARNING: MaxRequestWorkers of 1000 would require 40 servers and would exceed ServerLimit of 16, decreasing to 400. To increase, please see the ServerLimit directive."}},
		{Event, []string{"MaxRequestWorkers 10"}, []string{"AH00511: WARNING: MaxRequestWorkers of 10 is less than ThreadsPerChild of 25, increasing to 25. MaxRequestWorkers must be at least as large as the number of threads in a single server."}},
		{Event, []string{"StartServers 0"}, []string{"AH00517: WARNING: StartServers of 0 not allowed, increasing to 1."}},
		{Event, []string{"MinSpareThreads 0"}, []string{"AH00519: WARNING: MinSpareThreads of 0 not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation."}},
		{Event, []string{"MaxSpareThreads 0", "AsyncRequestWorkerFactor 0.5", "ListenCoresBucketsRatio 1"}, nil},
	}
	for _, c := range cases {
		_, diags := decode(t, c.kind, c.dirs...)
		var got []string
		for _, d := range diags {
			if d.Severity != mpm.SeverityWarning {
				t.Errorf("%v %v: unexpected error %q", c.kind, c.dirs, d.Message)
			}
			got = append(got, d.Message)
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%v %v:\n got %q\nwant %q", c.kind, c.dirs, got, c.want)
		}
	}
}

// TestResolveErrors: what apache2 refuses (AH00526 with the line).
func TestResolveErrors(t *testing.T) {
	cases := []struct {
		kind Kind
		dir  string
		want string
	}{
		{Event, "AsyncRequestWorkerFactor 0", "AsyncRequestWorkerFactor argument must be a positive number"},
		{Event, "AsyncRequestWorkerFactor 1.5x", "error parsing value"},
		{Event, "ListenCoresBucketsRatio 0", "ListenCoresBucketsRatio must be > 0"},
		{Prefork, "ListenCoresBucketsRatio abc", "ListenCoresBucketsRatio must be > 0"},
		{Prefork, "ThreadsPerChild 20", "Invalid command 'ThreadsPerChild', perhaps misspelled or defined by a module not included in the server configuration"},
		{Worker, "MinSpareServers 3", "Invalid command 'MinSpareServers', perhaps misspelled or defined by a module not included in the server configuration"},
		{Worker, "AsyncRequestWorkerFactor 2", "Invalid command 'AsyncRequestWorkerFactor', perhaps misspelled or defined by a module not included in the server configuration"},
	}
	for _, c := range cases {
		_, diags := decode(t, c.kind, c.dir)
		if len(diags) != 1 || diags[0].Severity != mpm.SeverityError || diags[0].Message != c.want || diags[0].Line != 1 || diags[0].File != "/x.conf" {
			t.Errorf("%v %q: %+v, want the error %q at /x.conf:1", c.kind, c.dir, diags, c.want)
		}
	}
}

// TestResolveValues: the numbers in force after clamping and run-time
// adjustment.
func TestResolveValues(t *testing.T) {
	s, _ := decode(t, Event)
	if s.StartServers != 3 || s.MinSpare != 75 || s.MaxSpare != 250 || s.MaxRequestWorkers != 400 || s.DaemonsLimit != 16 ||
		s.ServerLimit != 16 || s.ThreadLimit != 64 || s.ThreadsPerChild != 25 || s.AsyncRequestWorkerFactor != 2 {
		t.Errorf("event defaults %+v", s)
	}
	// Debian's mpm_event.conf.
	s, _ = decode(t, Event, "StartServers 2", "MinSpareThreads 25", "MaxSpareThreads 75", "ThreadLimit 64", "ThreadsPerChild 25", "MaxRequestWorkers 150")
	if s.StartServers != 2 || s.MinSpare != 25 || s.MaxSpare != 75 || s.DaemonsLimit != 6 {
		t.Errorf("debian event %+v", s)
	}
	// MaxSpareThreads is raised to MinSpareThreads + ThreadsPerChild + 1.
	s, _ = decode(t, Worker, "MinSpareThreads 10", "MaxSpareThreads 5", "ThreadsPerChild 4", "StartServers 50")
	if s.MaxSpare != 15 || s.StartServers != 16 {
		t.Errorf("worker adjustments %+v", s)
	}
	s, _ = decode(t, Prefork, "MinSpareServers 5", "MaxSpareServers 2", "StartServers 500", "MaxClients 20")
	if s.MaxSpare != 6 || s.StartServers != 20 || s.MaxRequestWorkers != 20 || s.DaemonsLimit != 20 {
		t.Errorf("prefork adjustments %+v", s)
	}
	s, _ = decode(t, Event, "AsyncRequestWorkerFactor 0.5")
	if s.AsyncRequestWorkerFactor != 1 {
		t.Errorf("factor %g, want 1", s.AsyncRequestWorkerFactor)
	}
}

func decode(t *testing.T, k Kind, dirs ...string) (Settings, []mpm.Diagnostic) {
	t.Helper()
	var settings []mpm.Setting
	for i, d := range dirs {
		name, arg, _ := strings.Cut(d, " ")
		settings = append(settings, mpm.Setting{Name: name, Args: []string{arg}, File: "/x.conf", Line: i + 1})
	}
	m := &MPM{Kind: k, Desc: mpm.Description{Directives: Directives(k)}}
	s, _, diags := m.decode(&mpm.Config{Settings: settings})
	return s, diags
}

// TestChildMemoryLimit: our extension takes MiB, 0 or nothing for no
// limit; a negative or tiny value is fixed with a warning, anything but a
// whole number is refused at its line.
func TestChildMemoryLimit(t *testing.T) {
	cases := []struct {
		kind Kind
		arg  string
		want int64
		warn string
		err  string
	}{
		{Prefork, "", 0, "", ""},
		{Worker, "0", 0, "", ""},
		{Event, "256", 256 << 20, "", ""},
		{Event, "-1", 0, "WARNING: ChildMemoryLimit of -1 not allowed, setting to 0 (no limit).", ""},
		{Prefork, "8", 32 << 20, "WARNING: ChildMemoryLimit of 8 MiB is less than a child needs to start, increasing to 32.", ""},
		{Worker, "1.5G", 0, "", `ChildMemoryLimit takes a whole number of MiB (0 for no limit), not "1.5G"`},
	}
	for _, c := range cases {
		var dirs []string
		if c.arg != "" {
			dirs = append(dirs, "ChildMemoryLimit "+c.arg)
		}
		s, diags := decode(t, c.kind, dirs...)
		var warn, err string
		for _, d := range diags {
			if d.Severity == mpm.SeverityError {
				err = d.Message
				if d.File != "/x.conf" || d.Line != 1 {
					t.Errorf("%q: error at %s:%d, want /x.conf:1", c.arg, d.File, d.Line)
				}
			} else {
				warn = d.Message
			}
		}
		if warn != c.warn || err != c.err {
			t.Errorf("%v %q: warning %q error %q, want %q and %q", c.kind, c.arg, warn, err, c.warn, c.err)
		}
		if c.err == "" && s.ChildMemoryLimit != c.want {
			t.Errorf("%v %q: limit %d, want %d", c.kind, c.arg, s.ChildMemoryLimit, c.want)
		}
	}
}
