package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSeq: directives are numbered in reading order: an included file's
// lines where its Include is, a section's lines after its opening line.
func TestSeq(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extra.conf"), []byte("ProxyPass /b/ balancer://b/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "<Proxy balancer://a>\n    BalancerMember http://x\n</Proxy>\nInclude " + filepath.Join(dir, "extra.conf") + "\nListen 80\n"
	cfg, err := Parse(filepath.Join(dir, "httpd.conf"), []byte(src), Options{ServerRoot: dir, LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(ds []*Directive)
	walk = func(ds []*Directive) {
		for _, d := range ds {
			got = append(got, d.Name+"@"+filepath.Base(d.File)+":"+itoa(d.Line)+"#"+itoa(d.Seq))
			walk(d.Children)
		}
	}
	walk(cfg.Directives)
	equal(t, "directives", got, []string{"Proxy@httpd.conf:1#1", "BalancerMember@httpd.conf:2#2", "ProxyPass@extra.conf:1#3", "Listen@httpd.conf:5#4"})
}
