package proxy

import "testing"

func TestMatch(t *testing.T) {
	var c Config
	for _, d := range [][]string{
		{"ProxyPass", "/app/skip", "!"},
		{"ProxyPass", "/app/", "http://b.test:8080/x/"},
		{"ProxyPass", "/plain", "http://B.test/", "noquery"},
		{"ProxyPassMatch", `^/m/(\w+)\.gif$`, "http://b.test/img/$1"},
		{"ProxyPassMatch", `\.png$`, "http://b.test"},
	} {
		if err := c.Set(d[0], d[1:]); err != nil {
			t.Fatalf("%v: %v", d, err)
		}
	}
	if err := c.SetLocation("ProxyPass", []string{"http://l.test/loc"}, "/loc", false); err != nil {
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
		if tg := c.Match(tc.path, tc.query); tg != nil {
			got = tg.URL
		}
		if got != tc.want {
			t.Errorf("%s?%s: %q, want %q", tc.path, tc.query, got, tc.want)
		}
	}
	// The ProxyPass lines of one backend share its worker (and its pool).
	a, b := c.Match("/app/x", ""), c.Match("/app/y", "")
	if a.w != b.w || a.w.settings.disableReuse {
		t.Errorf("workers %p %p (disablereuse %v)", a.w, b.w, a.w.settings.disableReuse)
	}
	if m := c.Match("/m/x.gif", ""); !m.w.settings.disableReuse {
		t.Error("a substitution's worker reuses connections")
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
		{[]string{"ProxyTimeout", "0"}, "Proxy Timeout must be at least 1 second."},
		{[]string{"ProxyVia", "maybe"}, "ProxyVia must be one of: off | on | full | block"},
		{[]string{"ProxyPreserveHost", "maybe"}, "ProxyPreserveHost must be On or Off"},
	} {
		var c Config
		err := c.Set(tc.args[0], tc.args[1:])
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
		tg := c.ForHandler("proxy:fcgi://dup", "/srv/x.php", "")
		if tg == nil || tg.w.sock != socks[0] {
			t.Errorf("sections %v: target %+v, want the socket %s", socks, tg, socks[0])
		}
	}
}

// TestSocketWorkerFileOrder: of two <Proxy> sections of sockets named by
// the same URL, read in another order than the file's (a top-level line
// is read before the sections), a handler reaches the one first in the
// file; and a ProxyPass line's worker whose URL has a path the handler's
// does not start is not taken for it.
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
	tg := c.ForHandler("proxy:fcgi://dup", "/srv/x.php", "")
	if tg == nil || tg.w.sock != "/run/a.sock" {
		t.Errorf("target %+v, want the socket /run/a.sock", tg)
	}
	tg = c.ForHandler("proxy:fcgi://dup", "/fpm-status", "")
	if tg == nil || tg.w.sock != "/run/pass.sock" {
		t.Errorf("/fpm-status: target %+v, want the socket /run/pass.sock", tg)
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
