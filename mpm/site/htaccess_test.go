package site

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// accessSite is a site over a fresh document root with AllowOverride
// (overrides) on it and the top-level directives top; files are written
// below the root.
func accessSite(t *testing.T, top []Directive, overrides []string, files map[string]string) (*Handler, string) {
	t.Helper()
	docs := t.TempDir()
	for name, body := range files {
		p := filepath.Join(docs, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := Compile(top, []Section{
		{Kind: "Directory", Pattern: docs, Directives: []Directive{d("Require", "all", "granted"), d("AllowOverride", overrides...)}},
		{Kind: "Directory", Pattern: docs + "/sub/deeper", Directives: []Directive{d("ForceType", "text/x-section")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{Static: &static.Handler{DocumentRoot: docs}, Config: cfg}, docs
}

func configure(h *Handler, dir string) *static.Options {
	u, _ := url.ParseRequestURI("/x")
	return h.Configure(&http.Request{Method: "GET", URL: u, Header: http.Header{}}, dir, "x")
}

// TestAccessFileWalk: a deeper .htaccess file overrides a shallower one, a
// <Directory> section of a level merges before that level's file, and the
// first AccessFileName found is the one read.
func TestAccessFileWalk(t *testing.T) {
	h, docs := accessSite(t, []Directive{d("AccessFileName", ".first", ".htaccess")}, []string{"All"}, map[string]string{
		".htaccess":               "ForceType text/x-root\nOptions -FollowSymLinks\n",
		"sub/.htaccess":           "ForceType text/x-sub\n",
		"sub/deeper/.htaccess":    "Options +Indexes\n",
		"sub/deeper/d4/.first":    "ForceType text/x-first\n",
		"sub/deeper/d4/.htaccess": "ForceType text/x-never\n",
	})
	for _, c := range []struct {
		dir, typ       string
		indexes, links bool
	}{
		{docs, "text/x-root", false, false},
		{docs + "/sub", "text/x-sub", false, false},
		{docs + "/sub/deeper", "text/x-section", true, false},
		{docs + "/sub/deeper/d4", "text/x-first", true, false},
	} {
		o := configure(h, c.dir)
		if o.ForceType != c.typ || o.Indexes != c.indexes || o.FollowSymLinks != c.links {
			t.Errorf("%s: ForceType %q Indexes %t FollowSymLinks %t, want %q %t %t", c.dir, o.ForceType, o.Indexes, o.FollowSymLinks, c.typ, c.indexes, c.links)
		}
	}
}

// TestAccessFileCache: an unchanged file is not read again (the same
// settings come back); a changed one is, at the next request.
func TestAccessFileCache(t *testing.T) {
	h, docs := accessSite(t, nil, []string{"FileInfo"}, map[string]string{".htaccess": "ForceType text/x-one\n"})
	first := configure(h, docs)
	if again := configure(h, docs); again != first || first.ForceType != "text/x-one" {
		t.Fatalf("unchanged file: %p %q, then %p", first, first.ForceType, again)
	}
	if err := os.WriteFile(filepath.Join(docs, ".htaccess"), []byte("ForceType text/x-second\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if o := configure(h, docs); o.ForceType != "text/x-second" {
		t.Errorf("changed file: ForceType %q, want text/x-second", o.ForceType)
	}
	if err := os.Remove(filepath.Join(docs, ".htaccess")); err != nil {
		t.Fatal(err)
	}
	if o := configure(h, docs); o.ForceType != "" {
		t.Errorf("removed file: ForceType %q, want none", o.ForceType)
	}
}

// TestAccessFileRefused: what AllowOverride does not allow, and what this
// server does not know, refuse every request below with a 500.
func TestAccessFileRefused(t *testing.T) {
	for _, c := range []struct {
		overrides []string
		file      string
		status    int
		msg       string
	}{
		{[]string{"Options=Indexes"}, "Options +Indexes\n", 0, ""},
		{[]string{"Options=Indexes"}, "Options +FollowSymLinks\n", 500, "Option FollowSymLinks not allowed here"},
		{[]string{"Options"}, "Options +MultiViews\n", 500, "Option MultiViews not allowed here"},
		{[]string{"Options=Includes"}, "Options +Includes\n", 0, ""},
		{[]string{"FileInfo=x", "Limit=y"}, "ForceType text/plain\nOrder deny,allow\n", 0, ""},
		{[]string{"Options=Includes"}, "Options +IncludesNoExec\n", 0, ""},
		{[]string{"Options=IncludesNoExec"}, "Options +Includes\n", 500, "Option Includes not allowed here"},
		{[]string{"Options=RunScripts"}, "Options +MultiViews +ExecCGI\n", 0, ""},
		{[]string{"Options=ExecCGI"}, "Options +RunScripts\n", 500, "Option RunScripts not allowed here"},
		{[]string{"AuthConfig"}, "Options +Indexes\n", 500, "Options not allowed here"},
		{[]string{"AuthConfig"}, "ORDER deny,allow\n", 500, "order not allowed here"},
		{[]string{"Limit"}, "header set X y\n", 500, "Header not allowed here"},
		{[]string{"AuthConfig", "Nonfatal=Override"}, "Options +Indexes\n", 0, ""},
		{[]string{"All"}, "php_value x 1\n", 500, "Invalid command 'php_value', perhaps misspelled or defined by a module not included in the server configuration"},
		{[]string{"All", "Nonfatal=Unknown"}, "php_value x 1\n", 0, ""},
		{[]string{"All", "Nonfatal=Unknown"}, "<IfDirective !Foo>\nRequire all denied\n</IfDirective>\n", 500, "<IfDirective> is not supported in .htaccess files by this server"},
		{[]string{"All", "Nonfatal=Unknown"}, "<IfDefine !X>\nRequire all denied\n</IfDefine>\n", 500, "<IfDefine> is not supported in .htaccess files by this server"},
		{[]string{"All", "Nonfatal=Unknown"}, "<If \"-n %{QUERY_STRING}\">\nForceType text/x-q\n</If>\n<Else>\nForceType text/x-noq\n</Else>\n", 0, ""},
		{[]string{"All", "Nonfatal=Unknown"}, "SSLRequire %{SSL_CIPHER} =~ m/RC4/\n", 500, "SSLRequire is not applied in .htaccess files by this server"},
		{[]string{"All", "Nonfatal=All"}, "SetInputFilter x\n", 500, "SetInputFilter is not applied in .htaccess files by this server"},
		{[]string{"All"}, "DocumentRoot /tmp\n", 500, "DocumentRoot not allowed here"},
		{[]string{"All"}, "ProxyWebsocketFallbackToProxyHttp On\n", 500, "ProxyWebsocketFallbackToProxyHttp not allowed here"},
		{[]string{"All"}, "remoteipheader X-Forwarded-For\n", 500, "RemoteIPHeader not allowed here"},
		{[]string{"All"}, "ErrorDocument 404\n", 500, "ErrorDocument takes two arguments, Change responses for HTTP errors"},
		{[]string{"All"}, "<IfModule mod_rewrite.c>\nRewriteEngine On\n</IfModule>\n<IfModule !mod_rewrite.c>\nFoo\n</IfModule>\n", 0, ""},
	} {
		h, docs := accessSite(t, nil, c.overrides, map[string]string{".htaccess": c.file})
		var logged string
		h.Static.LogError = func(_ *http.Request, _ static.Level, _ string, _ error, msg string) { logged = msg }
		o := configure(h, docs)
		status := 0
		if o.Access != nil {
			status, _ = o.Access.Check(&nullWriter{h: http.Header{}}, &http.Request{})
		}
		want := ""
		if c.msg != "" {
			want = filepath.Join(docs, ".htaccess") + ": " + c.msg
		}
		if status != c.status || (c.status != 0 && logged != want) {
			t.Errorf("AllowOverride %v, %q: %d %q, want %d %q", c.overrides, c.file, status, logged, c.status, want)
		}
	}
}

// TestAccessFileServerRoot: a relative AuthUserFile or AuthGroupFile in a
// .htaccess file names a file below ServerRoot, as in httpd.conf.
func TestAccessFileServerRoot(t *testing.T) {
	m := &Dir{Override: OverrideAll, OverrideOptions: defaultOverrideOpts}
	sec, msg, _ := compileAccessFile("/www/.htaccess", []byte("AuthUserFile conf/users\nAuthGroupFile /etc/groups\n"), "/www", m, "/srv/httpd")
	if msg != "" {
		t.Fatal(msg)
	}
	if sec.conf.auth.UserFile != "/srv/httpd/conf/users" || sec.conf.auth.GroupFile != "/etc/groups" {
		t.Errorf("AuthUserFile %q, AuthGroupFile %q", sec.conf.auth.UserFile, sec.conf.auth.GroupFile)
	}
}

// TestAccessFileNotRegular: a FIFO named .htaccess is refused (403) without
// waiting for a writer, as apache2 refuses a file that is not regular; a
// file longer than maxAccessFileSize is refused without being read whole.
func TestAccessFileNotRegular(t *testing.T) {
	h, docs := accessSite(t, nil, []string{"All"}, nil)
	if err := syscall.Mkfifo(filepath.Join(docs, ".htaccess"), 0o644); err != nil {
		t.Fatal(err)
	}
	status := func() int {
		o := configure(h, docs)
		if o.Access == nil {
			return 0
		}
		s, _ := o.Access.Check(nil, &http.Request{})
		return s
	}
	if s := status(); s != http.StatusForbidden {
		t.Errorf("FIFO: %d, want 403", s)
	}
	if err := os.Remove(filepath.Join(docs, ".htaccess")); err != nil {
		t.Fatal(err)
	}
	long := make([]byte, maxAccessFileSize+1)
	for i := range long {
		long[i] = '#'
	}
	if err := os.WriteFile(filepath.Join(docs, ".htaccess"), long, 0o644); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != http.StatusForbidden {
		t.Errorf("a file of %d bytes: %d, want 403", len(long), s)
	}
}

// TestAccessFileWarningEachRequest: a Nonfatal= warning is logged at each
// request, as apache2 reads the file (and warns) at each, under the name
// apache2 registers.
func TestAccessFileWarningEachRequest(t *testing.T) {
	h, docs := accessSite(t, nil, []string{"AuthConfig", "Nonfatal=Override"}, map[string]string{".htaccess": "forcetype text/x\n"})
	var logged []string
	h.Static.LogError = func(_ *http.Request, _ static.Level, _ string, _ error, msg string) { logged = append(logged, msg) }
	h.Static.LogLevel = static.LevelWarn
	configure(h, docs)
	configure(h, docs)
	want := "AH02295: ForceType in .htaccess forbidden by AllowOverride"
	if len(logged) != 2 || logged[0] != want || logged[1] != want {
		t.Errorf("logged %q, want %q twice", logged, want)
	}
}

// TestAccessFileLongNotKept: a file longer than maxKeptAccessFile is read at
// each request, neither it nor its directory's configuration kept.
func TestAccessFileLongNotKept(t *testing.T) {
	long := strings.Repeat("# padding\n", maxKeptAccessFile/10+1) + "ForceType text/x-long\n"
	h, docs := accessSite(t, nil, []string{"FileInfo"}, map[string]string{".htaccess": long, "sub/.htaccess": "ForceType text/x-short\n"})
	first := configure(h, docs)
	if again := configure(h, docs); again == first || again.ForceType != "text/x-long" {
		t.Errorf("long file: %p then %p, ForceType %q", first, again, again.ForceType)
	}
	if _, ok := h.accessFiles.Load(filepath.Join(docs, ".htaccess")); ok {
		t.Error("long file kept")
	}
	if n := h.accessBytes.Load(); n != 0 {
		t.Errorf("%d bytes counted kept, want 0", n)
	}
	configure(h, docs+"/sub")
	if _, ok := h.accessFiles.Load(filepath.Join(docs, "sub/.htaccess")); !ok {
		t.Error("short file not kept")
	}
}
