package site

import "testing"

// TestIfSections: an <If> keeps its lines (those after a Redirect too), an
// <Else> needs an <If> before it in the same level, a directive applied only
// outside <If> is refused at its line.
func TestIfSections(t *testing.T) {
	c, err := Compile(nil, []Section{
		{Kind: "If", Pattern: "%{QUERY_STRING} == 'x'", Directives: []Directive{
			d("Redirect", "permanent", "/to/%{QUERY_STRING}"), d("Header", "set", "X-A", "1")}},
		{Kind: "Else", Directives: []Directive{d("Header", "set", "X-B", "1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.server.ifs) != 2 || c.server.ifs[0].conf.exprRedirect == nil || c.server.ifs[0].conf.headers.Empty() ||
		c.server.ifs[1].cond != condElse || c.server.ifs[1].conf.headers.Empty() {
		t.Errorf("ifs = %+v", c.server.ifs)
	}
	_, err = Compile(nil, []Section{{Kind: "ElseIf", Pattern: "true", File: "f", Line: 3}})
	if err == nil || err.Error() != "f:3: <Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope" {
		t.Errorf("ElseIf alone: %v", err)
	}
	x := d("RewriteRule", "a", "b")
	x.File, x.Line = "f", 5
	_, err = Compile(nil, []Section{{Kind: "If", Pattern: "true", Directives: []Directive{x}}})
	if err == nil || err.Error() != "f:5: RewriteRule inside <If> is not supported by this server" {
		t.Errorf("RewriteRule in <If>: %v", err)
	}
}
