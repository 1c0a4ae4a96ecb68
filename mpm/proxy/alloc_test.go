package proxy

import "testing"

// TestForURLAllocs: a RewriteRule [P] URL's worker lookup allocates only
// its Target when the URL is canonical already (lower-case scheme and
// host, no default port, a path with nothing to escape), and one string
// more when it is not (the canonical name lookup compares, or the URL
// with its path escaped).
func TestForURLAllocs(t *testing.T) {
	var c Config
	for _, d := range [][]string{
		{"ProxyPass", "/app/", "http://b.test:8080/x/"},
		{"ProxyPass", "/d/", "http://D.test/x/"},
	} {
		if err := c.Set(d[0], d[1:]); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url, worker string
		allocs      float64
		canon       string // the Target's URL, when not url
	}{
		{"http://b.test:8080/x/a", "http://b.test:8080/x/", 1, ""},
		{"http://b.test:8080/x/a b?q=a b", "http://b.test:8080/x/", 2, "http://b.test:8080/x/a%20b?q=a b"},
		{"http://d.test/x/a?q=1", "http://d.test/x/", 1, ""},
		{"http://B.test:8080/x/a", "http://b.test:8080/x/", 2, ""},
		{"http://d.test:80/x/a", "http://d.test/x/", 2, ""},
		{"HTTP://D.TEST:080/x/a", "http://d.test/x/", 2, ""},
	} {
		if tc.canon == "" {
			tc.canon = tc.url
		}
		tg := c.ForURL(tc.url)
		if tg == nil || tg.URL != tc.canon || tg.w == nil || tg.w.id != tc.worker {
			t.Errorf("%s: target %+v, want worker %s", tc.url, tg, tc.worker)
			continue
		}
		if n := testing.AllocsPerRun(100, func() { c.ForURL(tc.url) }); n != tc.allocs {
			t.Errorf("%s: %v allocations, want %v", tc.url, n, tc.allocs)
		}
	}
}

// TestGenericWorkerOnce: a URL no configured worker serves has the
// generic worker of its backend, made once and found again without a new
// one (its Target the only allocation; one more for a name to
// canonicalize); a worker that reuses no connection, as apache2's generic
// worker. A URL url.Parse refuses after an authority seen before is
// refused still.
func TestGenericWorkerOnce(t *testing.T) {
	var c Config
	if err := c.Set("ProxyPass", []string{"/app/", "http://b.test:8080/x/"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	first := c.ForURL("http://g.test/y")
	if first == nil || !first.generic || !first.w.settings.disableReuse || first.w.name != "http://g.test:80" {
		t.Fatalf("target %+v, want the generic worker of http://g.test:80, reusing no connection", first)
	}
	for _, tc := range []struct {
		url    string
		allocs float64
	}{
		{"http://g.test/y", 1},
		{"http://g.test/z?q=%zz", 1},
		{"http://G.test:80/y", 2},
		{"http://b.test:8081/y", 1},
		{"unix:/run/g.sock|fcgi://g.test/y", 1},
		{"unix:/run/g.sock|http://g.test/y", 1},
	} {
		tg := c.ForURL(tc.url)
		if tg == nil || !tg.generic {
			t.Errorf("%s: target %+v, want the generic worker", tc.url, tg)
			continue
		}
		if tc.url[0] == 'h' && tg.w.host == "g.test" && tg.w != first.w {
			t.Errorf("%s: worker %p, want %p (one per backend)", tc.url, tg.w, first.w)
		}
		if n := testing.AllocsPerRun(100, func() { c.ForURL(tc.url) }); n != tc.allocs {
			t.Errorf("%s: %v allocations, want %v", tc.url, n, tc.allocs)
		}
	}
	for _, u := range []string{"http://g.test/y?q#%zz", "http://g.test/y?\x01"} {
		if tg := c.ForURL(u); tg != nil {
			t.Errorf("%q: target %+v, want none", u, tg)
		}
	}
}

// TestURLAuthority: the authority instance finds a worker by, and whether
// nothing after it could make url.Parse refuse the URL.
func TestURLAuthority(t *testing.T) {
	for _, tc := range []struct {
		u, auth string
		plain   bool
	}{
		{"http://h:81/a%41b?q=%zz", "http://h:81", true},
		{"http://h", "http://h", true},
		{"unix:/run/a.sock|fcgi://h/x", "unix:/run/a.sock|fcgi://h", true},
		{"http://h/a%4", "", false},
		{"http://h/a%zz?q", "", false},
		{"http://h/a#f", "", false},
		{"http://h/a?q\x7f", "", false},
		{"http://h?q/a", "", false},
		{"h/x", "", false},
	} {
		auth, plain := urlAuthority(tc.u)
		if auth != tc.auth || plain != tc.plain {
			t.Errorf("urlAuthority(%q) = %q, %v, want %q, %v", tc.u, auth, plain, tc.auth, tc.plain)
		}
	}
}
