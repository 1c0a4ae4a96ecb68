package proxy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// TestSharedString: a route stored while others read it is never seen
// torn: each read is the configured value or one of the stored ones,
// whole (63 bytes at most), as balancer-manager's writes in one child and
// the picks of the others do.
func TestSharedString(t *testing.T) {
	var sh memberState
	values := []string{"", "a", strings.Repeat("b", 63), strings.Repeat("c", 17), strings.Repeat("d", 64)}
	valid := map[string]bool{"conf": true, "": true, "a": true, values[2]: true, values[3]: true, strings.Repeat("d", 63): true}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var stores atomic.Int64
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				storeString(&sh, shRoute, values[(n+i)%len(values)])
				stores.Add(1)
			}
		}()
	}
	for n := 0; n < 20000 || stores.Load() < 20000; n++ {
		if got := loadString(&sh, shRoute, "conf"); !valid[got] {
			close(stop)
			wg.Wait()
			t.Fatalf("read %q", got)
		}
	}
	close(stop)
	wg.Wait()
	if got := loadString(&sh, shRoute, "conf"); got == "conf" {
		t.Errorf("the configured value after stores")
	}
	var fresh memberState
	if got := loadString(&fresh, shRoute, "conf"); got != "conf" {
		t.Errorf("never stored: %q, want the configured value", got)
	}
}

// TestSharedStringTorn: a writer killed between its two increments leaves
// the sequence word odd. The first read waits for it once; later reads in
// the process do not wait again, a store takes the word over, completes it
// and is read back, and a store on a word nobody read yet takes it over
// after the wait instead of spinning for ever.
func TestSharedStringTorn(t *testing.T) {
	var sh memberState
	storeString(&sh, shRoute, "one")
	sh[shRoute].Add(1) // the killed writer's first increment
	if got := loadString(&sh, shRoute, "conf"); got != "one" {
		t.Fatalf("torn word read as %q, want %q", got, "one")
	}
	spins := stringSpins.Load()
	for range 100 {
		if got := loadString(&sh, shRoute, "conf"); got != "one" {
			t.Fatalf("torn word read again as %q, want %q", got, "one")
		}
	}
	if n := stringSpins.Load() - spins; n != 0 {
		t.Errorf("reads of a word known stuck waited %d turns, want 0", n)
	}
	storeString(&sh, shRoute, "two")
	if s := sh[shRoute].Load(); s&1 != 0 {
		t.Errorf("sequence word %d after a store, want even", s)
	}
	if got := loadString(&sh, shRoute, "conf"); got != "two" {
		t.Errorf("after the store: %q, want %q", got, "two")
	}
	if n := stringSpins.Load() - spins; n != 0 {
		t.Errorf("store and read of a word known stuck waited %d turns, want 0", n)
	}

	var fresh memberState
	storeString(&fresh, shRedirect, "a")
	fresh[shRedirect].Add(1)
	storeString(&fresh, shRedirect, "b") // no read found it stuck: waits, then takes over
	if got := loadString(&fresh, shRedirect, "conf"); got != "b" {
		t.Errorf("store over a torn word nobody read: %q, want %q", got, "b")
	}
}

// inheritedManager is a main server with balancer://w (two members,
// growth=2) and a virtual host that inherits it, shared in board, and the
// virtual host's balancer-manager.
func inheritedManager(t *testing.T) (main, vhost *Config, h *Manager) {
	t.Helper()
	board, err := scoreboard.Create(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { board.Close() })
	lines := [][]string{
		{"BalancerMember", "balancer://w", "http://127.0.0.1:1"},
		{"BalancerMember", "balancer://w", "http://127.0.0.1:2"},
		{"ProxySet", "balancer://w", "growth=2"},
		{"ProxyPass", "/w/", "balancer://w/"},
	}
	compile := func() *Config {
		c := new(Config)
		for _, l := range lines {
			if err := c.Set(l[0], l[1:]); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	main, vhost = compile(), compile()
	main.Share(board, 0)
	vhost.Inherit(main)
	vhost.Share(board, 1)
	return main, vhost, vhost.Manager("test", "now", nil)
}

// managerPage is the page h answers a GET (query q) or a POST (body) with.
func managerPage(h *Manager, method, body string) (int, string) {
	r := httptest.NewRequest(method, "http://vh.test/manager", strings.NewReader(body))
	r.Header.Set("Referer", "http://vh.test/manager")
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	h.Serve(w, r, &static.Target{})
	return w.Code, w.Body.String()
}

// TestManagerPicksRace (go test -race): a virtual host's requests to the
// balancer it inherits, the main server's, and its balancer-manager page
// at the same time, and a member added, without a data race: the picks
// no longer rewrite the members the page reads (review13).
func TestManagerPicksRace(t *testing.T) {
	main, vhost, h := inheritedManager(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, c := range []*Config{main, vhost, vhost} {
		b := c.balancers["balancer://w"]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if pickHost(b, false) == "" {
					t.Error("no member picked")
					return
				}
				_ = b.attempts()
			}
		}()
	}
	for i := range 200 {
		if i == 100 {
			if msg := main.balancers["balancer://w"].addMember("http://127.0.0.1:3/"); msg != "" {
				t.Fatal(msg)
			}
		}
		want := "4 [2 Used]"
		if i >= 100 {
			want = "4 [3 Used]"
		}
		if code, page := managerPage(h, http.MethodGet, ""); code != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("page %d: %s", code, page)
			break
		}
	}
	close(stop)
	wg.Wait()
}

// TestManagerAddThroughVirtualHost: a member added through a virtual
// host's balancer-manager (the main server's balancer, inherited) is on
// the page that answers the add, as apache2 2.4.71 shows it ("4 [3
// Used]"), and a URL under an existing member's is refused as apache2
// refuses it (AH10164).
func TestManagerAddThroughVirtualHost(t *testing.T) {
	_, vhost, h := inheritedManager(t)
	nonce := vhost.balancers["balancer://w"].nonceValue()
	code, page := managerPage(h, http.MethodPost, "b=w&nonce="+nonce+"&b_wyes=1&b_nwrkr=http%3A%2F%2F127.0.0.1%3A3%2F")
	if code != http.StatusOK || !strings.Contains(page, "4 [3 Used]") || !strings.Contains(page, ">http://127.0.0.1:3/</a>") {
		t.Errorf("after the add: %d %s", code, page)
	}
}

// TestManagerAddUnderMember: as apache2 2.4.71 (ap_proxy_get_worker's
// longest prefix), an added URL that starts with a member's URL, its
// scheme and host in any case, is refused with AH10164 (before its
// length is), one that only shares the host is added; a URL of 239 bytes
// is added (apache2 takes longer ones still).
func TestManagerAddUnderMember(t *testing.T) {
	main, _, _ := inheritedManager(t)
	b := main.balancers["balancer://w"]
	b.growth = 0
	if err := main.Set("ProxySet", []string{"balancer://w", "growth=8"}); err != nil {
		t.Fatal(err)
	}
	b.grown = nil
	b.initGrowth()
	long := "http://127.0.0.1:6/" + strings.Repeat("x", 239-len("http://127.0.0.1:6/"))
	for _, tc := range []struct{ u, want string }{
		{"http://127.0.0.1:1/sub", "AH10164"},
		{"HTTP://127.0.0.1:1/", "AH10164"},
		{"http://127.0.0.1:2x", "AH10163"},
		{"http://127.0.0.1:3/a", ""},
		{"http://127.0.0.1:3/ab", "AH10164"},
		{"http://127.0.0.1:3/", ""},
		{"http://127.0.0.1:9", ""},
		{long, ""},
		{long + "/y", "AH10164"},
		{"http://127.0.0.1:7/" + strings.Repeat("y", 240-len("http://127.0.0.1:7/")), "AH10163"},
	} {
		if msg := b.addMember(tc.u); !strings.HasPrefix(msg, tc.want) || (tc.want == "") != (msg == "") {
			t.Errorf("add %s: %q, want %s", tc.u, msg, tc.want)
		}
	}
	if got := b.list()[len(b.list())-1].displayName(); got != long {
		t.Errorf("last member %q, want %q", got, long)
	}
}
