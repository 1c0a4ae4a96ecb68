package expires

import (
	"net/http"
	"testing"
	"time"
)

// TestParseCode: both syntaxes with apache2's abbreviations and messages.
func TestParseCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Code
		err  string
	}{
		{"A3600", Code{Seconds: 3600}, ""},
		{"M86400", Code{Modification: true, Seconds: 86400}, ""},
		{"Abc", Code{}, ""},
		{"access plus 1 month", Code{Seconds: 30 * 86400}, ""},
		{"now 1 day", Code{Seconds: 86400}, ""},
		{"a p 1 mo 2 mi 3 s", Code{Seconds: 30*86400 + 123}, ""},
		{"modification plus 1 year 1 week 1 hour", Code{Modification: true, Seconds: 365*86400 + 7*86400 + 3600}, ""},
		{"now plus", Code{}, ""},
		{"later", Code{}, "bad expires code, unrecognised <base> 'later'"},
		{"access plus x day", Code{}, "bad expires code, numeric value expected <num> 'x'"},
		{"access plus 1", Code{}, "bad expires code, missing <type>"},
		{"m plus 1 m", Code{}, "bad expires code, unrecognised <type>'m'"},
	} {
		got, err := ParseCode(tc.in)
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err == "" && got != tc.want:
			t.Errorf("%q: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func config(t *testing.T, lines ...[]string) Config {
	t.Helper()
	var c Config
	for _, l := range lines {
		if err := c.Set(l[0], l[1:]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestApply: which code applies, the max-age merged into Cache-Control,
// nothing for an error status, an Expires already there, or a
// modification-based code without a file.
func TestApply(t *testing.T) {
	now := time.Date(2026, 11, 22, 20, 0, 0, 500e6, time.UTC)
	mtime := now.Add(-time.Hour)
	c := config(t, []string{"ExpiresActive", "On"}, []string{"ExpiresByType", "text/html", "A60"},
		[]string{"ExpiresByType", "image/*", "M7200"}, []string{"ExpiresDefault", "A10"})
	for _, tc := range []struct {
		name   string
		h      http.Header
		status int
		mtime  time.Time
		cc     string
		exp    string
	}{
		{"by type, params ignored", http.Header{"Content-Type": {"TEXT/HTML; charset=utf-8"}}, 200, time.Time{}, "max-age=60", "Sun, 22 Nov 2026 20:01:00 GMT"},
		{"wildcard from modification", http.Header{"Content-Type": {"image/png"}}, 304, mtime, "max-age=3600", "Sun, 22 Nov 2026 21:00:00 GMT"},
		{"modification without file", http.Header{"Content-Type": {"image/png"}}, 200, time.Time{}, "", ""},
		{"default, Cache-Control merged", http.Header{"Cache-Control": {"public"}}, 301, time.Time{}, "public, max-age=10", "Sun, 22 Nov 2026 20:00:10 GMT"},
		{"error status", http.Header{"Content-Type": {"text/html"}}, 404, time.Time{}, "", ""},
		{"Expires already set", http.Header{"Expires": {"x"}}, 200, time.Time{}, "", "x"},
	} {
		c.Apply(tc.h, tc.status, now, tc.mtime)
		if got := tc.h.Get("Cache-Control"); got != tc.cc {
			t.Errorf("%s: Cache-Control %q, want %q", tc.name, got, tc.cc)
		}
		if got := tc.h.Get("Expires"); got != tc.exp {
			t.Errorf("%s: Expires %q, want %q", tc.name, got, tc.exp)
		}
	}
	past := config(t, []string{"ExpiresActive", "On"}, []string{"ExpiresDefault", "M10"})
	h := http.Header{}
	past.Apply(h, 200, now, mtime)
	if h.Get("Cache-Control") != "max-age=0" {
		t.Errorf("an expiry in the past: %v", h)
	}
}

// TestMerge: the inner level's ExpiresByType first, its Active and Default
// when set, and (mod_expires' quirk) only its own wildcard flag; a level
// without Expires lines changes nothing.
func TestMerge(t *testing.T) {
	outer := config(t, []string{"ExpiresActive", "On"}, []string{"ExpiresByType", "text/*", "A1"}, []string{"ExpiresByType", "text/css", "A2"})
	if m := outer.Merge(&Config{}); m.lookup("text/plain") == nil || m.lookup("text/plain").Seconds != 1 {
		t.Errorf("an empty level changed the wildcards")
	}
	inner := config(t, []string{"ExpiresByType", "text/css", "A3"}, []string{"ExpiresDefault", "A4"})
	m := outer.Merge(&inner)
	if !m.Enabled() {
		t.Fatal("Active not inherited")
	}
	if got := m.lookup("text/css").Seconds; got != 3 {
		t.Errorf("text/css: %d, want the inner 3", got)
	}
	if got := m.lookup("text/plain").Seconds; got != 4 {
		t.Errorf("text/plain: %d, want the default 4 (the inner level has no wildcard)", got)
	}
	off := config(t, []string{"ExpiresActive", "Off"})
	if m := m.Merge(&off); m.Enabled() {
		t.Errorf("ExpiresActive Off did not turn it off")
	}
}
