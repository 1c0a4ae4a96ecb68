package e2e_test

import "testing"

// TestHeaderEchoOrder: Header echo copies the matching request fields in
// the order the request has them, as apache2's (apr_table_do over
// r->headers_in, in which a repeated field is one line, its values joined
// at its first place), not in name order; after the fields other Header
// lines set before it, and before those set after it; Header always
// echo's too, before the onsuccess lines' fields (apache2's echo adds to
// r->headers_out whatever the line's table), and on an error page, where
// they and mod_expires' fields come before the Content-Length. The regex
// matches a field's name as the client spelled it, which the echo keeps.
func TestHeaderEchoOrder(t *testing.T) {
	p := startPair(t, 1, `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
Header set X-Before b
Header echo ^X-
Header always echo ^Y-
Header echo ^z-
Header set X-After a
Redirect /old /a.txt
<Location /old>
	ExpiresActive On
	ExpiresDefault A60
</Location>
`, map[string]string{"a.txt": "a\n"})
	p.compareEach([]string{
		request("GET", "/a.txt", "main.test", "", "X-Zed: 1", "Y-Two: 2", "X-Mid: 3", "Other: 4", "X-Alpha: 5", "Y-One: 6"),
		request("GET", "/a.txt", "main.test", "", "X-Zed: 1", "X-Alpha: 2", "X-Zed: 3", "Other: 4", "X-Alpha: 5"),
		request("GET", "/nothere", "main.test", "", "Y-Zed: 1", "X-Zed: 1", "Y-Alpha: 2"),
		request("GET", "/a.txt", "main.test", "", "X-Before: mine", "X-After: mine"),
		request("GET", "/a.txt", "main.test", "", "x-low: 1", "X-Up: 2", "y-low: 3", "Y-Up: 4", "z-low: 5", "Z-Up: 6", "z-low: 7"),
	}, (*diffServer).fieldOrder)
	// An error page's echoed fields and mod_expires' come before its
	// Content-Length, a file's after it (parity16).
	p.compareEach([]string{
		request("GET", "/nothere", "main.test", "", "Y-Zed: 1", "X-Zed: 1", "Y-Alpha: 2"),
		request("GET", "/old", "main.test", "", "Y-Zed: 1"),
		request("GET", "/a.txt", "main.test", "", "Y-Zed: 1", "X-Zed: 1"),
	}, (*diffServer).framedFieldOrder)
}
