package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeTree creates files (path relative to dir -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// noEnv is a LookupEnv that knows nothing, so tests do not depend on the
// environment.
func noEnv(string) (string, bool) { return "", false }

// loadTree writes files into a temporary ServerRoot and loads httpd.conf.
func loadTree(t *testing.T, files map[string]string, opts Options) (*Config, error, string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, files)
	opts.ServerRoot = root
	if opts.LookupEnv == nil {
		opts.LookupEnv = noEnv
	}
	cfg, err := Load("httpd.conf", opts)
	return cfg, err, root
}

// parseString parses src as /srv/httpd.conf with a ServerRoot of /srv.
func parseString(t *testing.T, src string, opts Options) (*Config, Errors) {
	t.Helper()
	if opts.ServerRoot == "" {
		opts.ServerRoot = "/srv"
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = noEnv
	}
	cfg, err := parse("/srv/httpd.conf", []byte(src), opts, emptyFS{})
	if cfg == nil {
		t.Fatalf("parse returned nil config (err %v)", err)
	}
	return cfg, asErrors(t, err)
}

func asErrors(t *testing.T, err error) Errors {
	t.Helper()
	if err == nil {
		return nil
	}
	errs, ok := err.(Errors)
	if !ok {
		t.Fatalf("error is %T (%v), want Errors", err, err)
	}
	return errs
}

// messages returns the Message of each diagnostic.
func messages(ds []Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Message)
	}
	return out
}

// dump renders directives compactly: "Name[arg|arg]{children}" joined by
// "; ".
func dump(ds []*Directive) string {
	var parts []string
	for _, d := range ds {
		s := d.Name
		if len(d.Args) > 0 {
			s += "[" + strings.Join(d.Args, "|") + "]"
		}
		if d.IsSection() {
			s += "{" + dump(d.Children) + "}"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got: %#v\nwant: %#v", what, got, want)
	}
}
