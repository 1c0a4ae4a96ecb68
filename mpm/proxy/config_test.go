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
	if m := c.Match("/m/xyzw.gif", ""); !m.w.settings.disableReuse {
		t.Error("a substitution's worker reuses connections")
	}
	// A URL shorter than the substitution's worker's name is served by
	// the worker whose name matches it best (apache2's ap_proxy_get_worker):
	// here the one of "/plain"'s line.
	if m, plain := c.Match("/m/x.gif", ""), c.Match("/plain/x", ""); m.w != plain.w {
		t.Errorf("/m/x.gif's worker %s, not /plain's", m.w.name)
	}
	// A <Location>'s ProxyPass has a worker of its own, which reuses.
	if l := c.Match("/loc/x", ""); l.w.settings.disableReuse {
		t.Error("a <Location>'s worker does not reuse connections")
	}
}

// TestSubstitutionReuse: a ProxyPassMatch substitution's workers reuse
// their connections only with enablereuse=on, and never when it is in the
// host or port, as apache2's.
func TestSubstitutionReuse(t *testing.T) {
	for _, tc := range []struct {
		url, param string
		reuse      bool
	}{
		{"http://b.test/$1", "", false},
		{"http://b.test/$1", "enablereuse=on", true},
		{"http://b.test/$1", "disablereuse=off", true},
		{"http://b.test:8080/$1", "enablereuse=on", true},
		{"http://$1/x", "enablereuse=on", false},
		{"http://b$1.test/x", "enablereuse=on", false},
		{"http://b.test:$1", "enablereuse=on", false},
	} {
		var c Config
		args := []string{`^/(\w+)$`, tc.url}
		if tc.param != "" {
			args = append(args, tc.param)
		}
		if err := c.Set("ProxyPassMatch", args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		m := c.Match("/1234", "")
		if m == nil || m.w == nil {
			t.Fatalf("%v: no worker for /1234", args)
		}
		if got := !m.w.settings.disableReuse; got != tc.reuse {
			t.Errorf("%v: reuse %v, want %v", args, got, tc.reuse)
		}
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

// TestNameFits: a substitution's URL is served by its line's worker as
// apache2's ap_proxy_get_worker finds it: the worker's name no longer
// than the URL, matching its start with $N for any text.
func TestNameFits(t *testing.T) {
	for _, tc := range []struct {
		line, url string
		want      bool
	}{
		{"http://b.test:8080/$1", "http://b.test:8080/xyz", true},
		{"http://b.test:8080/$1", "http://b.test:8080/xy", true},
		{"http://b.test:8080/$1", "http://b.test:8080/x", false}, // shorter than the name
		{"http://B.test/img/$1.gif", "http://b.test/img/abcd.gif", true},
		{"http://b.test/img/$1.gif", "http://b.test/img/abcd.png", false},
		{"http://b.test/$1/x", "http://b.test/abc/x?q=1", true},
		{"http://b.test/$1$2", "http://B.TEST/abcd", true},
		{"http://$1:8080/$2", "http://127.0.0.1:8080/xyz", false}, // shorter than the URL's host:port
		{"http://$1:8080/$2", "http://b:8080/xyz", true},
		{"http://b.test/a\\$1", "http://b.test/a$1x", true},
	} {
		u, hostEnd := lowerHost(tc.url)
		if got := nameFits(u, hostEnd, workerName(tc.line)); got != tc.want {
			t.Errorf("%s for %s: %v, want %v", tc.line, tc.url, got, tc.want)
		}
	}
}
