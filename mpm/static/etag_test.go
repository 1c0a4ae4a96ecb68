package static

import (
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// The expectations come from apache2 2.4.71 at the top level of httpd.conf, where '-'
// on the default removes nothing and '+' replaces it.
func TestFileETagFields(t *testing.T) {
	cases := []struct {
		args []string
		want FileETag
	}{
		{nil, ETagDefault},
		{[]string{"None"}, ETagNone},
		{[]string{"all"}, ETagAll},
		{[]string{"INode"}, ETagINode},
		{[]string{"+INode"}, ETagINode},
		{[]string{"-Size"}, ETagDefault},
		{[]string{"Digest"}, ETagDigest},
		{[]string{"None", "MTime"}, ETagNone},
		{[]string{"MTime", "+INode"}, ETagMTime | ETagINode},
		{[]string{"LMTime", "LastModified"}, ETagMTime},
	}
	for _, c := range cases {
		got, err := ParseFileETag(c.args)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got.Fields() != c.want {
			t.Errorf("FileETag %v = %b, want %b", c.args, got.Fields(), c.want)
		}
	}
	for args, msg := range map[string]string{
		"bogus": "Unknown keyword 'bogus' for FileETag directive",
		"+None": "FileETag keyword 'None' cannot be used with '+' or '-'",
		"-all":  "FileETag keyword 'all' cannot be used with '+' or '-'",
	} {
		if _, err := ParseFileETag([]string{args}); err == nil || err.Error() != msg {
			t.Errorf("FileETag %s: error %v, want %q", args, err, msg)
		}
	}
}

func TestFileETagMerge(t *testing.T) {
	parse := func(args ...string) ETagConfig {
		c, err := ParseFileETag(args)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		parent, child ETagConfig
		want          FileETag
	}{
		{parse("All"), parse("-INode"), ETagMTime | ETagSize},
		{parse("MTime"), parse("+Size"), ETagMTime | ETagSize},
		{parse("MTime", "Size"), parse("INode"), ETagINode},
		{parse("None"), parse(), ETagNone},
		{parse("None"), parse("Size"), ETagSize},
		{parse("+INode"), parse("-INode"), ETagDefault},
	}
	for i, c := range cases {
		if got := c.parent.Merge(c.child).Fields(); got != c.want {
			t.Errorf("case %d: %b, want %b", i, got, c.want)
		}
	}
}

func TestServeFileETag(t *testing.T) {
	root, _ := docroot(t)
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(root, "hello.txt"), &st); err != nil {
		t.Fatal(err)
	}
	hex := func(n int64) string { return strconv.FormatInt(n, 16) }
	ino, size, mt := hex(int64(st.Ino)), hex(6), hex(mtime.UnixMicro())
	cases := []struct {
		fields FileETag
		want   string
	}{
		{0, `"` + size + "-" + mt + `"`},
		{ETagAll, `"` + ino + "-" + size + "-" + mt + `"`},
		{ETagINode, `"` + ino + `"`},
		{ETagMTime | ETagINode, `"` + ino + "-" + mt + `"`},
		// sha1("hello\n") in base64, as apache2 makes it for FileETag Digest.
		{ETagDigest, `"9XLTlvrpIGYocU+yzgD3LpTyJY8="`},
		{ETagNone, ""},
	}
	for _, c := range cases {
		addr := serveStatic(t, &Handler{DocumentRoot: root, Types: testTypes(), FileETag: c.fields})
		r := do(t, addr, "GET", "/hello.txt")
		if got := r.Header.Get("ETag"); got != c.want || r.StatusCode != 200 || r.body != "hello\n" {
			t.Errorf("FileETag %b: %d ETag %q, want %q", c.fields, r.StatusCode, got, c.want)
		}
		if c.want == "" {
			if r := do(t, addr, "GET", "/hello.txt", "If-None-Match: *"); r.StatusCode != 304 {
				t.Errorf("FileETag None, If-None-Match *: %d, want 304", r.StatusCode)
			}
			if r := do(t, addr, "GET", "/hello.txt", `If-Match: "x"`); r.StatusCode != 412 {
				t.Errorf("FileETag None, If-Match: %d, want 412", r.StatusCode)
			}
			continue
		}
		if r := do(t, addr, "GET", "/hello.txt", "If-None-Match: "+c.want); r.StatusCode != 304 {
			t.Errorf("FileETag %b: If-None-Match: %d, want 304", c.fields, r.StatusCode)
		}
	}
}

func TestAllowWithTrace(t *testing.T) {
	root, _ := docroot(t)
	addr := serveStatic(t, &Handler{DocumentRoot: root, Types: testTypes(), TraceEnabled: true})
	if r := do(t, addr, "OPTIONS", "/hello.txt"); r.Header.Get("Allow") != AllowTrace {
		t.Errorf("OPTIONS Allow %q, want %q", r.Header.Get("Allow"), AllowTrace)
	}
	if r := do(t, addr, "DELETE", "/hello.txt"); r.StatusCode != 405 || r.Header.Get("Allow") != AllowTrace {
		t.Errorf("DELETE: %d Allow %q", r.StatusCode, r.Header.Get("Allow"))
	}
}
