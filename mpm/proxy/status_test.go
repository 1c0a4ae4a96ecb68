package proxy

import "testing"

// TestStatusLine: mod_proxy_http's r->status_line of a backend's first
// line, as apache2 2.4.71 keeps it (host/e2e TestProxyStatusLine compares
// the answers).
func TestStatusLine(t *testing.T) {
	for _, tc := range []struct {
		line, want string
		ok         bool
	}{
		{"HTTP/1.1 200 OK", "200 OK", true},
		{"HTTP/1.1 500 Oops  ", "500 Oops  ", true},
		{"HTTP/1.0 500  ", "500  ", true},
		{"HTTP/1.1 500 ", "500 ", true},
		{"HTTP/1.1 500", "500 ", true},
		{"HTTP/1.1 500\tTab", "500\tTab", true},
		{"HTTP/1.1 500Xyz", "500Xyz", true},
		{"HTTP/1.1 50", "", false},
		{"HTTP/1.1  500 x", "", false},
		{"HTTP/x.1 500 x", "", false},
		{"ICY 200 OK", "", false},
	} {
		got, ok := statusLine(tc.line)
		if got != tc.want || ok != tc.ok {
			t.Errorf("statusLine(%q) = %q, %v; want %q, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}
