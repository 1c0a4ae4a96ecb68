package loglevel

import "testing"

func TestApply(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"", "warn", ""},
		{"INFO", "info", ""},
		{"info core:debug", "info core:debug", ""},
		{"core:debug info", "info", ""}, // a level keyword forgets the modules' levels
		{"error mod_authz_core.c:info core.c:debug http_core.c:info event.c:trace2 mod_cgi.c:info", "error authz_core:info cgi:info core:debug http:info mpm_event:trace2", ""},
		{"ssl_module:Trace8 proxy:crit", "warn proxy:crit ssl:trace8", ""},
		{"bogus", "", Message},
		{"warn core:", "", "Module specifier 'core' must be followed by a log level keyword"},
		{"warn core:bogus", "", "core:bogus: " + Message},
		{"warn a:b:info", "warn a:b:info", ""}, // the last colon, as apache2's strrchr
	}
	for _, tt := range tests {
		l, err := Parse(tt.in)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("Parse(%q): error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("Parse(%q): %v", tt.in, err)
		case tt.err == "" && l.String() != tt.want:
			t.Errorf("Parse(%q) = %q, want %q", tt.in, l.String(), tt.want)
		}
	}
}

// TestMerge checks ap_merge_log_config's rules and that Over agrees with
// the merge it skips building.
func TestMerge(t *testing.T) {
	section := func(words ...string) *Levels {
		l := Section()
		if err := l.Apply(words); err != nil {
			t.Fatal(err)
		}
		return &l
	}
	server, _ := Parse("warn core:info authz_core:error")
	tests := []struct {
		over *Levels
		want string
	}{
		{nil, "warn authz_core:error core:info"},
		{section("core:debug"), "warn authz_core:error core:debug"},
		{section("ssl:info"), "warn authz_core:error core:info ssl:info"},
		{section("crit", "ssl:info"), "crit ssl:info"},
		{section(), "warn authz_core:error core:info"},
	}
	for _, tt := range tests {
		m := Merge(&server, tt.over)
		if m.String() != tt.want {
			t.Errorf("Merge(%v, %v) = %q, want %q", server, tt.over, m.String(), tt.want)
		}
		if tt.over == nil {
			continue
		}
		for _, mod := range []string{"core", "authz_core", "ssl", "rewrite"} {
			if got, want := tt.over.Over(&server, mod), m.For(mod); got != want {
				t.Errorf("%v over %v for %s: %d, merged %d", tt.over, server, mod, got, want)
			}
		}
	}
	if got := server.String(); got != "warn authz_core:error core:info" {
		t.Errorf("Merge changed its base: %q", got)
	}
	if got := section("core:debug", "ssl:trace3").Max(); got != 10 {
		t.Errorf("Max = %d, want 10 (trace3)", got)
	}
}
