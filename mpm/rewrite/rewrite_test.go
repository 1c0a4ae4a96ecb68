package rewrite

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dir compiles lines ("RewriteRule ^a b [L]") into a level.
func dir(t *testing.T, server bool, lines ...string) *Dir {
	t.Helper()
	d := &Dir{}
	for _, l := range lines {
		f := strings.Fields(l)
		if err := d.Set(f[0], f[1:], server); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	return d
}

func request(uri, query string, header ...string) *Request {
	r := (&http.Request{Method: "GET", Host: "example.test", URL: &url.URL{Path: uri, RawQuery: query},
		Proto: "HTTP/1.1", Header: http.Header{}}).WithContext(context.Background())
	r.RequestURI = uri
	if query != "" {
		r.RequestURI += "?" + query
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return &Request{R: r, URI: uri, Query: query, HasQuery: query != "", Out: http.Header{}, DocumentRoot: "/srv/www"}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		uri    string
		query  string
		header []string
		want   Result
		wantQ  string
	}{
		{"no match declines", []string{"RewriteRule ^/x$ /y"}, "/a", "", nil, Result{}, ""},
		{"local", []string{"RewriteRule ^/a$ /b.html"}, "/a", "", nil, Result{Action: Local, Path: "/b.html"}, ""},
		{"relative gets a slash", []string{"RewriteRule ^/a$ b.html"}, "/a", "", nil, Result{Action: Local, Path: "/b.html"}, ""},
		{"query replaced", []string{"RewriteRule ^/a$ /b?x=1"}, "/a", "y=2", nil, Result{Action: Local, Path: "/b"}, "x=1"},
		{"QSA", []string{"RewriteRule ^/a$ /b?x=1 [QSA]"}, "/a", "y=2", nil, Result{Action: Local, Path: "/b"}, "x=1&y=2"},
		{"QSD", []string{"RewriteRule ^/a$ /b [QSD]"}, "/a", "y=2", nil, Result{Action: Local, Path: "/b"}, ""},
		{"trailing ? drops the query", []string{"RewriteRule ^/a$ /b?"}, "/a", "y=2", nil, Result{Action: Local, Path: "/b"}, ""},
		{"QSL splits at the last ?", []string{"RewriteRule ^/a$ /b?c?d=1 [QSL]"}, "/a", "", nil, Result{Action: Local, Path: "/b?c"}, "d=1"},
		{"redirect", []string{"RewriteRule ^/a(.*)$ /b$1 [R=301]"}, "/a/x", "q=1", nil,
			Result{Action: Redirect, Status: 301, Location: "http://example.test/b/x?q=1"}, "q=1"},
		{"redirect escapes", []string{"RewriteRule ^/a/(.*)$ /b/$1 [R]"}, "/a/x y%", "", nil,
			Result{Action: Redirect, Status: 302, Location: "http://example.test/b/x%20y%25"}, ""},
		{"NE", []string{"RewriteRule ^/a/(.*)$ /b/$1 [R,NE]"}, "/a/x y", "", nil,
			Result{Action: Redirect, Status: 302, Location: "http://example.test/b/x y"}, ""},
		{"absolute URL redirects", []string{"RewriteRule ^/(.*)$ https://other.test/$1"}, "/p", "", nil,
			Result{Action: Redirect, Status: 302, Location: "https://other.test/p"}, ""},
		{"own URL is reduced", []string{"RewriteRule ^/a$ http://example.test/b"}, "/a", "", nil, Result{Action: Local, Path: "/b"}, ""},
		{"F", []string{"RewriteRule ^/a - [F]"}, "/a", "", nil, Result{Action: Status, Status: 403}, ""},
		{"G", []string{"RewriteRule ^/a - [G]"}, "/a", "", nil, Result{Action: Status, Status: 410}, ""},
		{"R=404", []string{"RewriteRule ^/a - [R=404]"}, "/a", "", nil, Result{Action: Status, Status: 404}, ""},
		{"PT", []string{"RewriteRule ^/a$ /b [PT]", "RewriteRule ^/b$ /c"}, "/a", "", nil, Result{Action: PassThrough, Path: "/b"}, ""},
		{"L stops", []string{"RewriteRule ^/a$ /b [L]", "RewriteRule ^/b$ /c"}, "/a", "", nil, Result{Action: Local, Path: "/b"}, ""},
		{"rules run in turn", []string{"RewriteRule ^/a$ /b", "RewriteRule ^/b$ /c"}, "/a", "", nil, Result{Action: Local, Path: "/c"}, ""},
		{"chain skipped", []string{"RewriteRule ^/x$ /y [C]", "RewriteRule ^ /z", "RewriteRule ^/a$ /b"}, "/a", "", nil, Result{Action: Local, Path: "/b"}, ""},
		{"chain followed", []string{"RewriteRule ^/a$ /y [C]", "RewriteRule ^/y$ /z"}, "/a", "", nil, Result{Action: Local, Path: "/z"}, ""},
		{"S skips", []string{"RewriteRule ^/a$ - [S=1]", "RewriteRule ^ /skipped", "RewriteRule ^/a$ /b"}, "/a", "", nil, Result{Action: Local, Path: "/b"}, ""},
		{"N loops", []string{"RewriteRule ^/x(a*)a$ /x$1 [N]"}, "/xaaa", "", nil, Result{Action: Local, Path: "/x"}, ""},
		{"N bound", []string{"RewriteRule ^/(.*)$ /x$1 [N=3]"}, "/a", "", nil, Result{Action: Status, Status: 500}, ""},
		{"negated pattern", []string{"RewriteRule !^/keep /other"}, "/a", "", nil, Result{Action: Local, Path: "/other"}, ""},
		{"NC", []string{"RewriteRule ^/A$ /b [NC]"}, "/a", "", nil, Result{Action: Local, Path: "/b"}, ""},
		{"cond backreference", []string{`RewriteCond %{HTTP_HOST} ^(www\.)?(.+)$`, "RewriteRule ^/(.*)$ /%2/$1"}, "/p", "", []string{"Host", "www.site.test"},
			Result{Action: Local, Path: "/site.test/p"}, ""},
		{"cond fails", []string{"RewriteCond %{HTTP_USER_AGENT} bot", "RewriteRule ^ /bot"}, "/p", "", []string{"User-Agent", "human"}, Result{}, ""},
		{"OR", []string{"RewriteCond %{HTTP_USER_AGENT} bot [NC,OR]", "RewriteCond %{HTTP_REFERER} spam", "RewriteRule ^ - [F]"}, "/p", "",
			[]string{"User-Agent", "BOT"}, Result{Action: Status, Status: 403}, ""},
		{"OR both false", []string{"RewriteCond %{HTTP_USER_AGENT} bot [OR]", "RewriteCond %{HTTP_REFERER} spam", "RewriteRule ^ - [F]"}, "/p", "",
			nil, Result{}, ""},
		{"string equal", []string{"RewriteCond %{REQUEST_METHOD} =GET", "RewriteRule ^ /get"}, "/p", "", nil, Result{Action: Local, Path: "/get"}, ""},
		{"empty string", []string{`RewriteCond %{QUERY_STRING} =""`, "RewriteRule ^ /none"}, "/p", "", nil, Result{Action: Local, Path: "/none"}, ""},
		{"integer", []string{"RewriteCond %{SERVER_PORT} -lt81", "RewriteRule ^ /low"}, "/p", "", nil, Result{Action: Local, Path: "/low"}, ""},
		{"-ne", []string{"RewriteCond %{SERVER_PORT} -ne80", "RewriteRule ^ /odd"}, "/p", "", nil, Result{}, ""},
		{"lexical", []string{"RewriteCond %{QUERY_STRING} >b", "RewriteRule ^ /later"}, "/p", "c", nil, Result{Action: Local, Path: "/later"}, "c"},
		{"variables", []string{"RewriteRule ^ /%{REQUEST_SCHEME}/%{SERVER_NAME}/%{SERVER_PORT}/%{HTTPS}/%{REQUEST_URI}"}, "/p", "", nil,
			Result{Action: Local, Path: "/http/example.test/80/off//p"}, ""},
		{"THE_REQUEST", []string{`RewriteCond %{THE_REQUEST} ^GET\s/p\?q\sHTTP`, "RewriteRule ^ /seen"}, "/p", "q", nil, Result{Action: Local, Path: "/seen"}, "q"},
		{"env", []string{"RewriteRule ^ - [E=WHO:%{REQUEST_URI}]", "RewriteCond %{ENV:WHO} ^/p$", "RewriteRule ^ /env"}, "/p", "", nil,
			Result{Action: Local, Path: "/env"}, ""},
		{"B", []string{"RewriteRule ^/s/(.*)$ /search?q=$1 [B]"}, "/s/a&b c", "", nil, Result{Action: Local, Path: "/search"}, "q=a%26b+c"},
		{"query from an expansion is refused", []string{"RewriteRule ^/s/(.*)$ /x/$1"}, "/s/a?b", "", nil, Result{Action: Status, Status: 403}, ""},
		{"UnsafeAllow3F", []string{"RewriteRule ^/s/(.*)$ /x/$1 [UnsafeAllow3F]"}, "/s/a?b", "", nil, Result{Action: Local, Path: "/x/a"}, "b"},
		{"bad query", []string{"RewriteRule ^/a$ /b?x=a\x01"}, "/a", "", nil, Result{Action: Status, Status: 403}, "x=a\x01"},
		{"file system path", []string{"RewriteRule ^/a$ /tmp/x"}, "/a", "", nil, Result{Action: Local, Path: "/tmp/x", FilePath: true}, ""},
		{"no such first segment", []string{"RewriteRule ^/a$ /nonexistent-dir-xyz/x"}, "/a", "", nil, Result{Action: Local, Path: "/nonexistent-dir-xyz/x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dir(t, true, append([]string{"RewriteEngine On"}, tt.lines...)...)
			req := request(tt.uri, tt.query, tt.header...)
			got := Apply(d, req)
			got.Log = "" // TestApplyLog
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if tt.want.Action != Declined && req.Query != tt.wantQ {
				t.Errorf("query %q, want %q", req.Query, tt.wantQ)
			}
		})
	}
}

// TestApplyLog: the error-log lines of the statuses rules hit as errors.
func TestApplyLog(t *testing.T) {
	for _, tt := range []struct{ rule, uri, want string }{
		{"RewriteRule ^/(.*)$ /x$1 [N=3]", "/a", "AH02596: RewriteRule '^/(.*)$' and URI '/a' exceeded maximum number of rounds (3) via the [N] flag"},
		{"RewriteRule ^/s/(.*)$ /x/$1", "/s/a?b", "AH10508: Unsafe URL with %3f URL rewritten without UnsafeAllow3F"},
		{"RewriteRule ^/a$ /b?x=%{THE_REQUEST}", "/a", "AH10410: Rewritten query string contains control characters or spaces"},
		{"RewriteRule ^/a - [F]", "/a", ""},
	} {
		d := dir(t, true, "RewriteEngine On", tt.rule)
		if got := Apply(d, request(tt.uri, "")); got.Log != tt.want {
			t.Errorf("%s: log %q, want %q", tt.rule, got.Log, tt.want)
		}
	}
}

// TestApplyVaryAsWritten: a %{HTTP:name} condition adds the field to Vary
// by the name as the rule writes it (Laravel's %{HTTP:x-xsrf-token}),
// as apache2's lookup_header; %{HTTP_USER_AGENT} by apache2's spelling.
func TestApplyVaryAsWritten(t *testing.T) {
	d := dir(t, true, "RewriteEngine On", "RewriteCond %{HTTP:x-xsrf-token} .", "RewriteCond %{HTTP_USER_AGENT} .", "RewriteRule ^/a$ /m")
	req := request("/a", "", "X-Xsrf-Token", "t", "User-Agent", "u")
	if got := Apply(d, req); got.Action != Local {
		t.Fatalf("got %+v", got)
	}
	if v := req.Out.Values("Vary"); !slices.Equal(v, []string{"x-xsrf-token, User-Agent"}) {
		t.Errorf("Vary %q, want x-xsrf-token, User-Agent", v)
	}
}

func TestApplyEngineOff(t *testing.T) {
	d := dir(t, true, "RewriteRule ^ /x")
	if got := Apply(d, request("/a", "")); got.Action != Declined {
		t.Errorf("without RewriteEngine On: %+v", got)
	}
}

func TestApplyFlagsLeaveFields(t *testing.T) {
	d := dir(t, true, "RewriteEngine On", "RewriteCond %{HTTP:X-Mobile} =1", "RewriteRule ^/a$ /m [CO=k:v:.example.test,T=text/x-test,END]")
	req := request("/a", "", "X-Mobile", "1")
	if got := Apply(d, req); got.Action != Local || got.Path != "/m" {
		t.Fatalf("got %+v", got)
	}
	if v := req.Out.Get("Vary"); v != "X-Mobile" {
		t.Errorf("Vary %q", v)
	}
	if c := req.Out.Get("Set-Cookie"); c != "k=v; path=/; domain=.example.test" {
		t.Errorf("Set-Cookie %q", c)
	}
	if req.Type != "text/x-test" || !req.End {
		t.Errorf("type %q end %v", req.Type, req.End)
	}
	if got := Apply(d, req); got.Action != Declined {
		t.Errorf("after END: %+v", got)
	}
}

func TestApplyDir(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "app"), 0o755))
	must(os.WriteFile(filepath.Join(root, "app", "real.txt"), []byte("x"), 0o644))
	section := func(lines ...string) *Dir {
		d := dir(t, false, lines...)
		d.SetDirectory(root + "/app")
		m := Merge(&Dir{}, d)
		return &m
	}
	front := section("RewriteEngine On", "RewriteBase /app/", "RewriteCond %{REQUEST_FILENAME} !-f", "RewriteRule ^(.*)$ index.html?p=$1 [QSA,L]")
	tests := []struct {
		name     string
		d        *Dir
		filename string
		follow   bool
		want     Result
	}{
		{"front controller", front, root + "/app/missing", true, Result{Action: Local, Path: "/app/index.html"}},
		{"existing file", front, root + "/app/real.txt", true, Result{}},
		{"directory without slash", front, root + "/app", true, Result{}},
		{"no FollowSymLinks", front, root + "/app/missing", false, Result{Action: Status, Status: 403}},
		{"without RewriteBase the DocumentRoot is stripped", section("RewriteEngine On", "RewriteRule ^a$ b"), root + "/app/a", true, Result{Action: Local, Path: "/app/b"}},
		{"same file", section("RewriteEngine On", "RewriteRule ^real.txt$ real.txt"), root + "/app/real.txt", true, Result{Action: Unchanged}},
		{"redirect keeps the directory without RewriteBase", section("RewriteEngine On", "RewriteRule ^a$ b [R]"), root + "/app/a", true,
			Result{Action: Redirect, Status: 302, Location: "http://example.test" + root + "/app/b"}},
		{"redirect with RewriteBase", section("RewriteEngine On", "RewriteBase /x/", "RewriteRule ^a$ b [R]"), root + "/app/a", true,
			Result{Action: Redirect, Status: 302, Location: "http://example.test/x/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("/app/x", "")
			req.DocumentRoot = root
			got := ApplyDir(tt.d, req, tt.filename, tt.follow)
			got.Log = ""
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	parent := dir(t, false, "RewriteEngine On", "RewriteRule ^p$ /parent")
	parent.SetDirectory("/srv")
	for _, tt := range []struct {
		options string
		want    []string
	}{
		{"", []string{"^c$"}},
		{"Inherit", []string{"^c$", "^p$"}},
		{"InheritBefore", []string{"^p$", "^c$"}},
	} {
		lines := []string{"RewriteRule ^c$ /child"}
		if tt.options != "" {
			lines = append(lines, "RewriteOptions "+tt.options)
		}
		child := dir(t, false, lines...)
		child.SetDirectory("/srv/sub")
		m := Merge(parent, child)
		var got []string
		for _, r := range m.Rules() {
			got = append(got, r.pattern)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("RewriteOptions %q: rules %v, want %v", tt.options, got, tt.want)
		}
		if !m.Enabled() || m.Directory != "/srv/sub/" {
			t.Errorf("RewriteOptions %q: engine %v directory %q", tt.options, m.Enabled(), m.Directory)
		}
	}
}

func TestSetErrors(t *testing.T) {
	for _, tt := range []struct {
		line, want string
		server     bool
	}{
		{"RewriteEngine maybe", "RewriteEngine must be On or Off", true},
		{"RewriteOptions Bogus", "RewriteOptions: unknown option 'Bogus'", true},
		{"RewriteBase /x", "RewriteBase: only valid in per-directory config files", true},
		{"RewriteBase x", "RewriteBase: argument is not a valid URL", false},
		{"RewriteCond a", "RewriteCond: bad argument line 'a'", true},
		{"RewriteCond a b [XX]", "RewriteCond: unknown flag 'XX'", true},
		{"RewriteCond a b c", "RewriteCond: bad flag delimiters", true},
		{"RewriteRule a b [Q]", "RewriteRule: unknown flag 'Q'", true},
		{"RewriteRule a b [R=999]", "RewriteRule: invalid HTTP response code '999' for flag 'R'", true},
		{"RewriteRule (a b", "RewriteRule: cannot compile regular expression '(a'", true},
		{`RewriteRule (a)\1 b`, "no backreferences or lookaround", true},
		{"RewriteRule (?=a) b", "no backreferences or lookaround", true},
		{"RewriteCond a -F", "-F (a subrequest lookup) is not supported", true},
		{"RewriteMap m prg:", "RewriteMap: bad path to prg map: ", true},
		{"RewriteMap m int:x y z", "RewriteMap takes two or three arguments", true},
		{"RewriteMap m prg:/bin/cat user:group 500", "RewriteMap takes two or three arguments", true}, // only the host's socket and timeout
		{"RewriteMap m prg:/bin/cat /abs/socket 0", "RewriteMap takes two or three arguments", true},
	} {
		f := strings.Fields(tt.line)
		var d Dir
		err := d.Set(f[0], f[1:], tt.server)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.line, err, tt.want)
		}
	}
}
