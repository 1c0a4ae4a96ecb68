package proxy

import "testing"

// TestFCGIDirErrors: ProxyFCGIBackendType and ProxyFCGISetEnvIf refused in
// apache2 2.4.71's words (compared with apache2 -t).
func TestFCGIDirErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ProxyFCGIBackendType", "x"}, "ProxyFCGIBackendType requires one of the following arguments: 'GENERIC', 'FPM'"},
		{[]string{"ProxyFCGIBackendType"}, "ProxyFCGIBackendType takes one argument, Specify the type of FastCGI server: 'Generic', 'FPM'"},
		{[]string{"ProxyFCGISetEnvIf", "true"}, "ProxyFCGISetEnvIf takes two or three arguments, expr-condition env-name expr-value"},
		{[]string{"ProxyFCGISetEnvIf", "foo(", "X"}, `Could not parse expression "foo(": syntax error, unexpected $end`},
		{[]string{"ProxyFCGISetEnvIf", "true", "!X", "y"}, `Third argument ("y") is not allowed when using ProxyFCGISetEnvIf's unset mode (!X)`},
		{[]string{"ProxyFCGISetEnvIf", "true", "!"}, `ProxyFCGISetEnvIf: "!" is not a valid variable name`},
		{[]string{"ProxyFCGISetEnvIf", "true", "X", "%{"}, `Could not parse expression "%{": syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable`},
	} {
		var d FCGIDir
		err := d.Add(tc.args[0], tc.args[1:], "f", 1)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestFCGIDirMerge: a level's backend type overrides the outer one's when
// it names one; the ProxyFCGISetEnvIf lines add up, outer first, the outer
// level's own list left as it was.
func TestFCGIDirMerge(t *testing.T) {
	var outer, inner, none FCGIDir
	for _, a := range [][]string{{"ProxyFCGIBackendType", "generic"}, {"ProxyFCGISetEnvIf", "true", "A"}} {
		if err := outer.Add(a[0], a[1:], "f", 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := inner.Add("ProxyFCGISetEnvIf", []string{"true", "!B"}, "f", 2); err != nil {
		t.Fatal(err)
	}
	m := outer.Merge(&inner)
	if !m.generic() || len(m.fixups) != 2 || m.fixups[0].name != "A" || m.fixups[1].name != "B" || !m.fixups[1].unset {
		t.Errorf("merged: %+v", m)
	}
	if len(outer.fixups) != 1 {
		t.Errorf("outer changed: %+v", outer)
	}
	if err := inner.Add("ProxyFCGIBackendType", []string{"FPM"}, "f", 3); err != nil {
		t.Fatal(err)
	}
	fpm, generic := outer.Merge(&inner), outer.Merge(&none)
	if fpm.generic() || !generic.generic() {
		t.Error("backend type not overridden as apache2's merge does")
	}
	if got := m.scriptFilename("proxy:fcgi://127.0.0.1:9000/srv/x.php"); got != "/srv/x.php" {
		t.Errorf("GENERIC SCRIPT_FILENAME %q", got)
	}
}
