package proxy

import (
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	var c Config
	for _, d := range [][]string{
		{"ProxyPass", "/app/skip", "!"},
		{"ProxyPass", "/app/", "http://b.test:8080/x/"},
		{"ProxyPass", "/plain", "http://B.test/", "noquery"},
		{"ProxyPassMatch", `^/m/(\w+)\.gif$`, "http://b.test/img/$1"},
		{"ProxyPassMatch", `^/n/(\w+)\.gif$`, "http://n.test/img/$1"},
		{"ProxyPassMatch", `\.png$`, "http://b.test"},
	} {
		if err := c.Set(d[0], d[1:]); err != nil {
			t.Fatalf("%v: %v", d, err)
		}
	}
	if err := c.SetLocation("ProxyPass", []string{"http://l.test/loc"}, "/loc", false); err != nil {
		t.Fatal(err)
	}
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, query, want string }{
		{"/app/a b", "q=1", "http://b.test:8080/x/a%20b?q=1"},
		{"/app//c", "", "http://b.test:8080/x/c"},
		{"/app/skip/x", "", ""},
		{"/plain/x%y", "q", "http://B.test//x%25y"},
		{"/m/pic.gif", "", "http://b.test/img/pic"},
		{"/a/b.png", "", "http://b.test/a/b.png"},
		{"/loc/sub", "", "http://l.test/loc/sub"},
		{"/other", "", ""},
	} {
		got := ""
		if tg := c.Match(tc.path, tc.query, tc.query != ""); tg != nil {
			got = tg.URL
		}
		if got != tc.want {
			t.Errorf("%s?%s: %q, want %q", tc.path, tc.query, got, tc.want)
		}
	}
	// The ProxyPass lines of one backend share its worker (and its pool).
	a, b := c.Match("/app/x", "", false), c.Match("/app/y", "", false)
	if a.w != b.w || a.w.settings.disableReuse {
		t.Errorf("workers %p %p (disablereuse %v)", a.w, b.w, a.w.settings.disableReuse)
	}
	if m := c.Match("/n/pic.gif", "", false); !m.w.settings.disableReuse || m.w.id != "http://n.test/img/$1" {
		t.Errorf("worker %q (disablereuse %v), want the substitution's, reusing no connection", m.w.id, m.w.settings.disableReuse)
	}
	// A URL shorter than the substitution's name is not its worker's:
	// here the generic worker's, with no reuse either.
	if m := c.Match("/n/p.gif", "", false); !m.w.generic {
		t.Errorf("/n/p.gif: worker %q, want the generic one", m.w.id)
	}
}

func TestSetErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ProxyPass", "/x"}, "ProxyPass|ProxyPassMatch needs a path when not defined in a location"},
		{[]string{"ProxyPass", "/x", "http://b/", "foo"}, "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'."},
		{[]string{"ProxyPass", "/x", "http://b/", "bogus=1"}, "ProxyPass unknown Worker parameter"},
		{[]string{"ProxyPass", "/x", "http://b/", "timeout=0"}, "ProxyPass Timeout must be at least one second"},
		{[]string{"ProxyPass", "/x", "http://b/", "disablereuse=maybe"}, "ProxyPass DisableReuse must be On|Off"},
		{[]string{"ProxyPassMatch", "^/(x", "http://b/"}, "Regular expression could not be compiled."},
		// The request must not choose the socket (review rv61).
		{[]string{"ProxyPassMatch", "^/s/([^/]+)/(.*)$", "unix:/run/$1.sock|http://localhost/$2"}, "ProxyPassMatch: a $ substitution in the unix: socket path (/run/$1.sock) would let requests choose the socket; write the socket path literally"},
		{[]string{"ProxyPassMatch", "^/f/(.*)$", "unix:/run/$1|fcgi://localhost/"}, "ProxyPassMatch: a $ substitution in the unix: socket path (/run/$1) would let requests choose the socket; write the socket path literally"},
		{[]string{"ProxyTimeout", "0"}, "Proxy Timeout must be at least 1 second."},
		{[]string{"ProxyVia", "maybe"}, "ProxyVia must be one of: off | on | full | block"},
		{[]string{"ProxyPreserveHost", "maybe"}, "ProxyPreserveHost must be On or Off"},
	} {
		var c Config
		err := c.Set(tc.args[0], tc.args[1:])
		if err == nil {
			err = c.Resolve()
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestReverse(t *testing.T) {
	var c Config
	c.Set("ProxyPassReverseCookiePath", []string{"/back", "/front"})
	c.Set("ProxyPassReverseCookieDomain", []string{"back.test", "front.test"})
	got := c.reverseCookie("a=1; Path=/back/x; Domain=BACK.test; HttpOnly")
	if want := "a=1; Path=/front; Domain=front.test; HttpOnly"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestSocketWorkerFirstDefined: of two <Proxy> sections of unix domain
// sockets with the same URL after '|', a handler naming that URL reaches
// the section defined first, as apache2's, whatever the sockets' paths.
func TestSocketWorkerFirstDefined(t *testing.T) {
	for _, socks := range [][2]string{{"/run/z.sock", "/run/a.sock"}, {"/run/a.sock", "/run/z.sock"}} {
		var c Config
		for _, s := range socks {
			if err := c.SetProxy("ProxySet", []string{"timeout=30"}, "unix:"+s+"|fcgi://dup"); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		tg := c.ForHandler("proxy:fcgi://dup", "/srv/x.php", "")
		if tg == nil || tg.w.sock != socks[0] {
			t.Errorf("sections %v: target %+v, want the socket %s", socks, tg, socks[0])
		}
	}
}

// TestSocketWorkerFileOrder: of two <Proxy> sections of sockets named by
// the same URL, read in another order than the file's (a top-level line
// is read before the sections), a handler reaches the one first in the
// file; a ProxyPass line after them whose URL its name starts shares it,
// its own socket ignored, as apache2's add_pass (AH01145); a ProxyPass
// line before them whose URL has a path the handler's does not start is
// not taken for the handler.
func TestSocketWorkerFileOrder(t *testing.T) {
	var c Config
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.At("a.conf", 9, 9).Set("ProxyPass", []string{"/fpm-status", "unix:/run/pass.sock|fcgi://dup/fpm-status"}))
	must(c.At("a.conf", 5, 5).SetProxy("ProxySet", []string{"timeout=30"}, "unix:/run/z.sock|fcgi://dup"))
	must(c.At("a.conf", 2, 2).SetProxy("ProxySet", []string{"timeout=30"}, "unix:/run/a.sock|fcgi://dup"))
	must(c.Resolve())
	tg := c.ForHandler("proxy:fcgi://dup", "/srv/x.php", "")
	if tg == nil || tg.w.sock != "/run/a.sock" {
		t.Errorf("target %+v, want the socket /run/a.sock", tg)
	}
	tg = c.ForHandler("proxy:fcgi://dup", "/fpm-status", "")
	if tg == nil || tg.w.sock != "/run/a.sock" {
		t.Errorf("/fpm-status: target %+v, want the socket /run/a.sock", tg)
	}
	must(c.At("a.conf", 1, 1).Set("ProxyPass", []string{"/st", "unix:/run/st.sock|fcgi://dup/st"}))
	must(c.Resolve())
	if tg = c.ForHandler("proxy:fcgi://dup", "/st", ""); tg == nil || tg.w.sock != "/run/st.sock" {
		t.Errorf("/st: target %+v, want the socket /run/st.sock", tg)
	}
	if tg = c.ForHandler("proxy:fcgi://dup", "/srv/x.php", ""); tg == nil || tg.w.sock != "/run/a.sock" {
		t.Errorf("target %+v, want the socket /run/a.sock", tg)
	}
}

// TestWorkerPathCase: a handler's URL takes a worker whose URL starts it
// with the scheme and host in any case but the path in the same case, as
// apache2's ap_proxy_get_worker: a ProxyPass to fcgi://127.0.0.1:18499/WORK
// is not the worker of a file under /work, which a <Proxy> section's
// socket for the host serves.
func TestWorkerPathCase(t *testing.T) {
	var c Config
	for _, err := range []error{
		c.At("a.conf", 1, 1).Set("ProxyPass", []string{"/st", "fcgi://127.0.0.1:18499/WORK"}),
		c.At("a.conf", 2, 2).SetProxy("ProxySet", []string{"timeout=5"}, "unix:/run/php.sock|fcgi://127.0.0.1:18499"),
		c.At("a.conf", 4, 4).Set("ProxyPass", []string{"/up", "FCGI://Back.Example:9000/App/"}),
		c.Resolve(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ handler, file, sock string }{
		{"proxy:fcgi://127.0.0.1:18499", "/work/x.php", "/run/php.sock"},
		{"proxy:fcgi://127.0.0.1:18499", "/WORK/x.php", ""},
		{"proxy:unix:/run/php.sock|FCGI://127.0.0.1:18499", "/work/x.php", "/run/php.sock"},
	} {
		tg := c.ForHandler(tt.handler, tt.file, "")
		if tg == nil || tg.generic || tg.w.sock != tt.sock {
			t.Errorf("%s %s: target %+v, want the worker of socket %q", tt.handler, tt.file, tg, tt.sock)
		}
	}
	pass := c.ForHandler("proxy:fcgi://back.example:9000", "/App/x.php", "")
	for _, tt := range []struct {
		handler, file string
		same          bool
	}{
		{"proxy:fcgi://BACK.example:9000", "/App/y.php", true},
		{"proxy:fcgi://back.example:9000", "/app/x.php", false},
	} {
		tg := c.ForHandler(tt.handler, tt.file, "")
		if tg == nil || pass == nil || (tg.w == pass.w && !tg.generic) != tt.same {
			t.Errorf("%s %s: target %+v, the ProxyPass line's worker %v", tt.handler, tt.file, tg, tt.same)
		}
	}
}

// TestWorkerNames: a worker is named by the URL of the line that defines
// it, its scheme and host in lower case and its scheme's default port left
// out (apache2's ap_proxy_define_worker); a later line, in the files'
// order whatever the order it is read in, whose URL (its port as written)
// a worker's name starts shares the worker and its parameters are
// ignored; a request's URL (canonical: no default port) is served by the
// worker whose name starts it the longest way.
func TestWorkerNames(t *testing.T) {
	type line struct {
		seq       int
		loc, name string
		args      []string
	}
	build := func(lines ...line) *Config {
		t.Helper()
		var c Config
		for _, l := range lines {
			c.At("a.conf", l.seq, l.seq)
			var err error
			if l.loc != "" {
				err = c.SetLocation(l.name, l.args, l.loc, false)
			} else {
				err = c.Set(l.name, l.args)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		return &c
	}
	worker := func(c *Config, path string) (string, time.Duration) {
		t.Helper()
		tg := c.Match(path, "", false)
		if tg == nil || tg.w == nil {
			t.Fatalf("%s: no worker", path)
		}
		return tg.w.id, tg.w.settings.timeout
	}
	check := func(c *Config, path, id string, timeout int) {
		t.Helper()
		gotID, got := worker(c, path)
		if gotID != id || got != time.Duration(timeout)*time.Second {
			t.Errorf("%s: worker %q timeout %v, want %q %ds", path, gotID, got, id, timeout)
		}
	}
	c := build(line{1, "", "ProxyPass", []string{"/a/", "HTTP://H:80/", "timeout=7"}},
		line{2, "", "ProxyPass", []string{"/b/", "http://h/x/", "timeout=9"}})
	check(c, "/a/y", "http://h/", 7)
	check(c, "/b/y", "http://h/", 7)
	c = build(line{1, "", "ProxyPass", []string{"/b/", "http://h/x/", "timeout=9"}},
		line{2, "", "ProxyPass", []string{"/a/", "http://h:80/", "timeout=7"}})
	check(c, "/a/y", "http://h/", 7)
	check(c, "/a/x/y", "http://h/x/", 9)
	check(c, "/b/y", "http://h/x/", 9)
	// A <Location> line first in the file, read after the top level.
	c = build(line{5, "", "ProxyPass", []string{"/top/", "http://h:8080/a/", "timeout=2"}},
		line{6, "", "ProxySet", []string{"http://h:8080/l/", "timeout=4"}},
		line{2, "/loc/", "ProxyPass", []string{"http://h:8080/l/"}},
		line{3, "/l2/", "ProxyPass", []string{"http://h:8080/l/2/", "timeout=10"}})
	check(c, "/top/x", "http://h:8080/a/", 2)
	check(c, "/loc/x", "http://h:8080/l/", 4)
	check(c, "/l2/x", "http://h:8080/l/", 4)
	if a, b := c.Match("/loc/x", "", false), c.Match("/loc/y", "", false); a.w != b.w || a.w.settings.disableReuse {
		t.Error("a <Location> line's worker is not kept")
	}
	// ProxySet names a worker by a URL its name starts, the port as
	// written.
	for _, tc := range []struct {
		pass, set string
		ok        bool
	}{
		{"http://localhost:80/", "http://localhost/", true},
		{"http://localhost/", "http://LOCALHOST/x", true},
		{"http://localhost/", "http://localhost:80/", false},
		{"http://localhost/x/", "http://localhost/", false},
	} {
		var c Config
		c.Set("ProxyPass", []string{"/a/", tc.pass})
		c.Set("ProxySet", []string{tc.set, "timeout=5"})
		err := c.Resolve()
		if want := "ProxySet can not find '" + tc.set + "' Worker."; tc.ok && err != nil || !tc.ok && (err == nil || err.Error() != want) {
			t.Errorf("ProxyPass %s, ProxySet %s: %v", tc.pass, tc.set, err)
		}
	}
}

// TestEmatch: a match worker's name, $N standing for any text.
func TestEmatch(t *testing.T) {
	for _, tc := range []struct {
		u, name string
		want    bool
	}{
		{"http://b/img/pic", "http://b/img/$1", true},
		{"http://b/img/", "http://b/img/$1", true},
		{"http://b/im", "http://b/img/$1", false},
		{"http://b:81/x", "http://$1:81/$2", true},
		{"http://b:82/x", "http://$1:81/$2", false},
		{"http://b/a.x", "http://b/$1\\.x", true},
		{"http://b/a/x", "http://b/$1$2/x", true},
	} {
		if got := ematch(tc.u, tc.name); got != tc.want {
			t.Errorf("ematch(%q, %q) = %v", tc.u, tc.name, got)
		}
	}
}

// TestCanonName: a worker's name and a request's URL compare with their
// scheme and host in lower case and the scheme's default port left out
// (a port apache2's atoi reads as it: "080", "+80"), the rest as it is.
func TestCanonName(t *testing.T) {
	for _, tc := range []struct {
		u, want string
		drop    bool
		end     int
	}{
		{"http://h/X", "http://h/X", true, 8},
		{"HTTP://H.Test:80/X?Q", "http://h.test/X?Q", true, 13},
		{"HTTP://H.Test:80/X", "http://h.test:80/X", false, 16},
		{"http://h:080", "http://h", true, 8},
		{"http://h:+80/", "http://h/", true, 8},
		{"http://h:-80/", "http://h:-80/", true, 12},
		{"http://h:/", "http://h:/", true, 9},
		{"Fcgi://h:8000/", "fcgi://h/", true, 8},
		{"fcgi://h:80/", "fcgi://h:80/", true, 11},
		{"ws://[::1]:80/", "ws://[::1]/", true, 10},
		{"ws://[::1]/", "ws://[::1]/", true, 10},
		{"ftp://h:21/", "ftp://h:21/", true, 10},
		{"h/x", "h/x", true, -1},
	} {
		got, end := canonName(tc.u, tc.drop)
		if got != tc.want || end != tc.end {
			t.Errorf("canonName(%q, %v) = %q, %d, want %q, %d", tc.u, tc.drop, got, end, tc.want, tc.end)
		}
	}
}
