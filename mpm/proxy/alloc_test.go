package proxy

import "testing"

// TestForURLAllocs: a RewriteRule [P] URL's worker lookup allocates only
// its Target when the URL is canonical already (lower-case scheme and
// host, no default port), and one string more when it is not (the
// canonical name lookup compares).
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
	}{
		{"http://b.test:8080/x/a", "http://b.test:8080/x/", 1},
		{"http://d.test/x/a?q=1", "http://d.test/x/", 1},
		{"http://B.test:8080/x/a", "http://b.test:8080/x/", 2},
		{"http://d.test:80/x/a", "http://d.test/x/", 2},
		{"HTTP://D.TEST:080/x/a", "http://d.test/x/", 2},
	} {
		tg := c.ForURL(tc.url)
		if tg == nil || tg.URL != tc.url || tg.w == nil || tg.w.id != tc.worker {
			t.Errorf("%s: target %+v, want worker %s", tc.url, tg, tc.worker)
			continue
		}
		if n := testing.AllocsPerRun(100, func() { c.ForURL(tc.url) }); n != tc.allocs {
			t.Errorf("%s: %v allocations, want %v", tc.url, n, tc.allocs)
		}
	}
}
