package e2e_test

import "testing"

// TestNegotiationVariantAlsoNegotiates: a variant that is negotiated in
// turn, a type map or a MultiViews name, chosen by a transparent
// negotiation (a GET), is mod_negotiation's 506 (setup_choice_response);
// one negotiated otherwise (a POST) is served as its own negotiation says
// (or, for a map naming itself, redirected to itself up to the limit). %>U
// is left out: after a map's redirect to a MultiViews name ours logs the
// name, apache2 the file chosen (README).
func TestNegotiationVariantAlsoNegotiates(t *testing.T) {
	p := startPair(t, 1, mainSite+`
<Directory @DOCS@/mv>
	Options +MultiViews
	AddHandler type-map .var
	MultiviewsMatch Handlers
</Directory>
LogFormat "%r %>s %U" tcnlog
CustomLog logs/tcn_log tcnlog
`, map[string]string{
		"mv/b.html": "b html\n", "mv/b.txt": "b text\n",
		// a map whose variant is a MultiViews name
		"mv/a.var": "URI: b\nContent-Type: text/html\n",
		// a map whose variant is itself
		"mv/c.var": "URI: c.var\nContent-Type: text/html\n",
		// a map whose variant is another map
		"mv/d.var": "URI: a.var\nContent-Type: text/html\n",
		// a map whose variant is a MultiViews name that finds nothing
		"mv/e.var": "URI: nix\nContent-Type: text/html\n",
	})
	var reqs []diffRequest
	for _, path := range []string{"/mv/a", "/mv/a.var", "/mv/c", "/mv/c.var", "/mv/d", "/mv/d.var", "/mv/e", "/mv/e.var", "/mv/b"} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")},
			diffRequest{Raw: request("POST", path, "main.test", "x=y")},
			diffRequest{Raw: get(path+"?q", "main.test")})
	}
	p.check(reqs)
	p.checkLogs("tcn_log")
	compareLines(t, "error_log", errorLogLines(t, p.apache, ahLine), errorLogLines(t, p.ours, ahLine))
}
