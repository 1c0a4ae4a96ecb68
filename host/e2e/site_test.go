package e2e_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// siteSections is per-path configuration; %[1]s is the ServerRoot. Every expectation
// in TestPerPathConfig was first checked against apache2 2.4.71 with the same
// configuration and files (responses equal but for Date, Server, ETag and
// Last-Modified).
const siteSections = `ServerName localhost
<Directory />
    Require all denied
    Options None
</Directory>
<Directory %[1]s/htdocs>
    Require all granted
</Directory>
<Directory %[1]s/htdocs/list>
    Options +Indexes
    <Files "*.key">
        Require all denied
    </Files>
</Directory>
<Directory %[1]s/htdocs/priv>
    Require all denied
</Directory>
<Directory %[1]s/htdocs/ft>
    ForceType application/x-forced
</Directory>
<Directory %[1]s/htdocs/di>
    DirectoryIndex start.htm
</Directory>
<DirectoryMatch "^%[1]s/htdocs/num/[0-9]+/">
    Require all denied
</DirectoryMatch>
<Directory %[1]s/htdocs/own>
    Options SymLinksIfOwnerMatch
</Directory>
<Location /private>
    Require all denied
</Location>
<FilesMatch "\.htm$">
    ForceType text/x-htm
</FilesMatch>
Alias /al %[1]s/aliased
<Directory %[1]s/aliased>
    Require all granted
</Directory>
Redirect /old http://example.com/new
Redirect 301 /perm /newperm
Redirect gone /gone
ErrorDocument 404 /404.html
ErrorDocument 403 "Sorry, forbidden"
<Location /loc>
    ErrorDocument 404 http://example.com/e404
</Location>
`

func TestPerPathConfig(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, "")
			files := map[string]string{
				"htdocs/list/a.txt": "a\n", "htdocs/list/b.html": "<b>x</b>\n", "htdocs/list/we ird&<.txt": "w",
				"htdocs/list/secret.key": "sec\n", "htdocs/list/subdir/x": "x", "htdocs/priv/s.txt": "secret\n",
				"htdocs/404.html": "custom404\n", "htdocs/ft/file.bin": "data\n", "htdocs/di/start.htm": "idx\n",
				"htdocs/private2/a.txt": "p2\n", "htdocs/private/x": "x", "htdocs/num/123/n.txt": "n\n",
				"htdocs/own/t.txt": "o\n", "aliased/x.txt": "aliased\n",
			}
			for name, body := range files {
				must(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755))
				write(t, filepath.Join(root, name), body)
			}
			must(t, os.Symlink("../hello.txt", filepath.Join(root, "htdocs/list/link.txt")))
			must(t, os.Symlink("t.txt", filepath.Join(root, "htdocs/own/l.txt")))
			conf, err := os.OpenFile(filepath.Join(root, "httpd.conf"), os.O_APPEND|os.O_WRONLY, 0)
			must(t, err)
			fmt.Fprintf(conf, siteSections, root)
			must(t, conf.Close())
			in := start(t, root)
			_, port, _ := strings.Cut(in.addr, ":")

			listing := `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html>
 <head>
  <title>Index of /list</title>
 </head>
 <body>
<h1>Index of /list</h1>
<ul><li><a href="/"> Parent Directory</a></li>
<li><a href="a.txt"> a.txt</a></li>
<li><a href="b.html"> b.html</a></li>
<li><a href="subdir/"> subdir/</a></li>
<li><a href="we%20ird&amp;%3c.txt"> we ird&amp;&lt;.txt</a></li>
</ul>
</body></html>
`
			cases := []struct {
				path   string
				status int
				header map[string]string
				body   string // exact, or "~substring"
			}{
				{"/hello.txt", 200, nil, "hello, world\n"},
				{"/list", 301, map[string]string{"Location": "http://127.0.0.1:" + port + "/list/"}, ""},
				// Options +Indexes on top of None: a listing without the symlink
				// (FollowSymLinks is off) and without the denied *.key file.
				{"/list/", 200, map[string]string{"Content-Type": "text/html;charset=ISO-8859-1"}, listing},
				{"/list/secret.key", 403, map[string]string{"Content-Type": "text/html; charset=iso-8859-1"}, "Sorry, forbidden"},
				{"/list/link.txt", 403, nil, "Sorry, forbidden"},
				{"/priv/s.txt", 403, nil, "Sorry, forbidden"},
				{"/noindex/", 403, nil, "Sorry, forbidden"},
				{"/al/x.txt", 200, map[string]string{"Content-Type": "text/plain"}, "aliased\n"},
				{"/al", 301, map[string]string{"Location": "http://127.0.0.1:" + port + "/al/"}, ""},
				{"/old/x?q=1", 302, map[string]string{"Location": "http://example.com/new/x?q=1"}, `~<a href="http://example.com/new/x?q=1">here</a>`},
				{"/perm", 301, map[string]string{"Location": "http://127.0.0.1:" + port + "/newperm"}, ""},
				{"/gone", 410, nil, "~<title>410 Gone</title>"},
				{"/nothing", 404, map[string]string{"Content-Type": "text/html"}, "custom404\n"},
				{"/loc/nothing", 302, map[string]string{"Location": "http://example.com/e404"}, ""},
				{"/ft/file.bin", 200, map[string]string{"Content-Type": "application/x-forced"}, "data\n"},
				{"/di/", 200, map[string]string{"Content-Type": "text/x-htm"}, "idx\n"},
				{"/num/123/n.txt", 403, nil, "Sorry, forbidden"},
				{"/private/x", 403, nil, "Sorry, forbidden"},
				{"/private2/a.txt", 200, nil, "p2\n"},
				{"/own/l.txt", 200, nil, "o\n"},
			}
			for _, c := range cases {
				resp, body := in.get(c.path)
				if resp.StatusCode != c.status {
					t.Errorf("%s: %d, want %d\n%s", c.path, resp.StatusCode, c.status, body)
					continue
				}
				for k, v := range c.header {
					if got := resp.Header.Get(k); got != v {
						t.Errorf("%s: %s %q, want %q", c.path, k, got, v)
					}
				}
				switch {
				case strings.HasPrefix(c.body, "~"):
					if !strings.Contains(body, c.body[1:]) {
						t.Errorf("%s: body lacks %q:\n%s", c.path, c.body[1:], body)
					}
				case c.body != "" && body != c.body:
					t.Errorf("%s: body\n%q\nwant\n%q", c.path, body, c.body)
				}
			}
			if resp, _ := in.get("/nothing", "Range", "bytes=0-1"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("ErrorDocument with Range: %d", resp.StatusCode)
			}
		})
	}
}

// TestPerPathConfigErrors: a per-path directive the plugin refuses stops the start
// with Apache's message at its line.
func TestPerPathConfigErrors(t *testing.T) {
	m := testbin.MPMs[2]
	root := newSite(t, m.Name, m.Module, "<Location /x>\nRedirect 301\n</Location>\n")
	httpd, _ := build(t)
	out, _ := execCombined(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND")
	want := "Syntax error on line "
	if !strings.Contains(out, want) || !strings.Contains(out, "URL to redirect to is missing") {
		t.Errorf("output lacks the error:\n%s", out)
	}
}

func execCombined(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}
