package proxy

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// TestBalancerErrors: BalancerMember, ProxySet and <Proxy URL key=value>
// refused in apache2 2.4.71's words (compared with apache2 -t).
func TestBalancerErrors(t *testing.T) {
	for _, tc := range []struct {
		section string // the enclosing <Proxy>'s URL, or ""
		args    []string
		want    string
	}{
		{"", []string{"BalancerMember", "http://127.0.0.1:1"}, "BalancerMember must define remote proxy server"},
		{"", []string{"BalancerMember", "balancer://x", "http://b", "loadfactor=0"}, "BalancerMember LoadFactor must be a number between 1..100"},
		{"", []string{"BalancerMember", "balancer://x", "http://b", "status=+Q"}, "BalancerMember Unknown status parameter option"},
		{"", []string{"BalancerMember", "balancer://x", "http://b", "foo"}, "Invalid BalancerMember parameter. Parameter must be in the form 'key=value'"},
		{"", []string{"BalancerMember", "balancer://x", "http://b", "bogus=1"}, "BalancerMember unknown Worker parameter"},
		{"", []string{"ProxySet", "balancer://nope", "lbmethod=byrequests"}, "ProxySet can not find 'balancer://nope' Balancer."},
		{"", []string{"ProxySet", "http://b", "timeout=0"}, "ProxySet can not find 'http://b' Worker."},
		{"", []string{"ProxyPass", "/", "balancer://x/", "nofailover=x"}, "ProxyPass failover must be On|Off"},
		{"", []string{"ProxyPass", "/", "balancer://x/", "lbmethod=heartbeat"}, "ProxyPass unknown lbmethod"},
		{"balancer://x", []string{"BalancerMember", "http://b", "extra"}, "BalancerMember can not have a balancer name when defined in a location"},
		{"balancer://x", []string{"ProxySet", "lbmethod=ByTraffic"}, "ProxySet: unknown lbmethod lbmethod=ByTraffic; balancer://x"},
		{"balancer://x", []string{"ProxySet", "bogus=1"}, "ProxySet: unknown Balancer parameter bogus=1; balancer://x"},
		{"balancer://x", []string{"<Proxy", "bogus=1"}, "<Proxy unknown Balancer parameter bogus=1; balancer://x"},
		{"balancer://x", []string{"<Proxy", "foo"}, "Invalid Proxy parameter. Parameter must be in the form 'key=value'"},
		{"http://b", []string{"<Proxy", "timeout=0"}, "<Proxy Timeout must be at least one second timeout=0; http://b"},
		{"/x", []string{"<Proxy", "timeout=1"}, "<Proxy> arguments are not supported for non url."},
		{"http://x/*", []string{"<Proxy", "timeout=1"}, "<Proxy> arguments are not supported for wildchar url."},
		{"http://x", []string{"<ProxyMatch", "timeout=1"}, "Multiple <ProxyMatch> arguments not (yet) supported."},
	} {
		var c Config
		var err error
		if tc.section == "" {
			err = c.Set(tc.args[0], tc.args[1:])
		} else {
			err = c.SetProxy(tc.args[0], tc.args[1:], tc.section)
		}
		if err == nil {
			err = c.Resolve() // the workers' errors
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q %v: %v, want %q", tc.section, tc.args, err, tc.want)
		}
	}
}

// TestByrequests: mod_lbmethod_byrequests' weighted round robin (loadfactor
// 1, 2 and 3 give A one request in six), a disabled member skipped, a hot
// standby used only when no other member is usable, and a sticky route.
func TestByrequests(t *testing.T) {
	var c Config
	for _, args := range [][]string{
		{"balancer://w", "http://a", "loadfactor=1", "route=a"},
		{"balancer://w", "http://b", "loadfactor=2", "route=b"},
		{"balancer://w", "http://c", "loadfactor=3", "route=c"},
		{"balancer://w", "http://d", "status=+D"},
		{"balancer://w", "http://h", "status=+H", "route=h"},
	} {
		if err := c.Set("BalancerMember", args); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Set("ProxySet", []string{"balancer://w", "stickysession=ROUTEID"}); err != nil {
		t.Fatal(err)
	}
	b := c.balancers["balancer://w"]
	r := &http.Request{Header: http.Header{}}
	var got []string
	for range 12 {
		m, _ := b.pick(r, "balancer://w/x")
		got = append(got, m.w.host)
	}
	// apache2 2.4.71 answers C B A C B C, twice (TestBalancer compares).
	if s := strings.Join(got, ""); s != "cbacbccbacbc" {
		t.Errorf("byrequests: %s", s)
	}
	r.Header.Set("Cookie", "x=1; ROUTEID=s.h")
	if m, _ := b.pick(r, "balancer://w/x"); m.w.host != "h" {
		t.Errorf("route h: %s", m.w.host)
	}
	if m, _ := b.pick(&http.Request{Header: http.Header{}}, "balancer://w/x;ROUTEID=.b"); m.w.host != "b" {
		t.Errorf("path route b: %s", m.w.host)
	}
	for _, m := range b.members[:3] {
		b.fail(m)
	}
	if m, _ := b.pick(&http.Request{Header: http.Header{}}, "balancer://w/x"); m == nil || m.w.host != "h" {
		t.Errorf("members in error: not the hot standby")
	}
	b.fail(b.members[4])
	if m, why := b.pick(&http.Request{Header: http.Header{}}, "balancer://w/x"); m != nil || !strings.HasPrefix(why, "AH01170") {
		t.Errorf("all in error: %v %q", m, why)
	}
}

// balancerOf builds the balancer balancer://w of members (BalancerMember's
// arguments after the balancer's name) and ProxySet's params.
func balancerOf(t *testing.T, members [][]string, params ...string) (*Config, *balancer) {
	t.Helper()
	c := new(Config)
	for _, args := range members {
		if err := c.Set("BalancerMember", append([]string{"balancer://w"}, args...)); err != nil {
			t.Fatal(err)
		}
	}
	if len(params) > 0 {
		if err := c.Set("ProxySet", append([]string{"balancer://w"}, params...)); err != nil {
			t.Fatal(err)
		}
	}
	return c, c.balancers["balancer://w"]
}

// pickHost picks a member for a request without a route and ends its
// request at once unless keep; "" when none.
func pickHost(b *balancer, keep bool) string {
	m, _ := b.pick(&http.Request{Header: http.Header{}}, "balancer://w/x")
	if m == nil {
		return ""
	}
	if !keep {
		b.done(m)
	}
	return m.w.host
}

// TestBybusyness: mod_lbmethod_bybusyness sends a request to the member
// with the fewest requests in progress, byrequests' order between equals.
func TestBybusyness(t *testing.T) {
	_, b := balancerOf(t, [][]string{{"http://a"}, {"http://b"}, {"http://c"}}, "lbmethod=bybusyness")
	// Each request ends at once: all are equally idle, round robin.
	var got []string
	for range 6 {
		got = append(got, pickHost(b, false))
	}
	if s := strings.Join(got, ""); s != "abcabc" {
		t.Errorf("idle members: %s", s)
	}
	// Requests kept in progress: a, b, c busy once each, then a again.
	got = got[:0]
	for range 4 {
		got = append(got, pickHost(b, true))
	}
	if s := strings.Join(got, ""); s != "abca" {
		t.Errorf("busy members: %s", s)
	}
	// b's request ends: b is the least busy.
	b.done(b.members[1])
	if h := pickHost(b, true); h != "b" {
		t.Errorf("after b's request ended: %s", h)
	}
}

// TestBytraffic: mod_lbmethod_bytraffic sends a request to the member
// that moved the fewest bytes, divided by its loadfactor; the first
// among equals.
func TestBytraffic(t *testing.T) {
	_, b := balancerOf(t, [][]string{{"http://a"}, {"http://b", "loadfactor=2"}, {"http://c"}}, "lbmethod=bytraffic")
	if h := pickHost(b, false); h != "a" {
		t.Errorf("no traffic: %s, want the first", h)
	}
	a, bm, c := b.members[0], b.members[1], b.members[2]
	a.sh[shRead].Add(1000)
	bm.sh[shTransferred].Add(1000) // 1000 / 2
	c.sh[shRead].Add(700)
	if h := pickHost(b, false); h != "b" {
		t.Errorf("a 1000, b 1000/2, c 700: %s", h)
	}
	bm.sh[shRead].Add(600) // (1000+600) / 2
	if h := pickHost(b, false); h != "c" {
		t.Errorf("a 1000, b 1600/2, c 700: %s", h)
	}
}

// TestShare: two configurations of one balancer (two children) sharing a
// board: byrequests alternates over the picks of both, a member put in
// error by one is skipped by the other, and another server's balancer of
// the same name keeps its own state.
func TestShare(t *testing.T) {
	board, err := scoreboard.Create(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer board.Close()
	fd, err := unix.Dup(int(board.File().Fd()))
	if err != nil {
		t.Fatal(err)
	}
	other, err := scoreboard.Open(os.NewFile(uintptr(fd), "dup"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	members := [][]string{{"http://a"}, {"http://b"}}
	c1, b1 := balancerOf(t, members)
	c2, b2 := balancerOf(t, members)
	c3, b3 := balancerOf(t, members)
	if n := c1.Share(board, 0) + c2.Share(other, 0) + c3.Share(other, 1); n != 0 {
		t.Fatalf("%d members not shared", n)
	}
	var got []string
	for i := range 6 {
		b := b1
		if i%3 != 0 {
			b = b2
		}
		got = append(got, pickHost(b, false))
	}
	if s := strings.Join(got, ""); s != "ababab" {
		t.Errorf("byrequests over two children: %s", s)
	}
	if !b1.fail(b1.members[0]) {
		t.Fatal("a not put in error")
	}
	if b2.fail(b2.members[0]) {
		t.Errorf("a put in error twice")
	}
	for range 3 {
		if h := pickHost(b2, false); h != "b" {
			t.Errorf("the other child picks %s, a member in error", h)
		}
	}
	if h := pickHost(b3, false) + pickHost(b3, false); h != "ab" {
		t.Errorf("another server's balancer: %s", h)
	}
}

// TestInherit: as apache2 2.4.71, virtual hosts that inherit the main
// server's balancer (3000 of them, past the board's 4096 slots were each
// to take its own) share its members' state: byrequests goes on from one
// server to the next, a member put in error through one is skipped by the
// others, and only the main server's two members and its balancer take
// slots. A virtual
// host's own BalancerMember for the inherited balancer is ignored; with
// BalancerInherit and ProxyPassInherit Off its balancer of the same name
// is its own.
func TestInherit(t *testing.T) {
	board, err := scoreboard.Create(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer board.Close()
	mainLines := [][]string{
		{"BalancerMember", "balancer://w", "http://a"},
		{"BalancerMember", "balancer://w", "http://b"},
		{"ProxyPass", "/w/", "balancer://w/"},
	}
	compile := func(lines ...[]string) *Config {
		t.Helper()
		c := new(Config)
		for _, l := range lines {
			if err := c.Set(l[0], l[1:]); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	main := compile(mainLines...)
	unshared := main.Share(board, 0)
	var vhosts []*Config
	for i := range 3000 {
		v := compile(mainLines...)
		v.Inherit(main)
		unshared += v.Share(board, i+1)
		vhosts = append(vhosts, v)
	}
	if unshared != 0 {
		t.Errorf("%d members found no slot", unshared)
	}
	free := 0
	for i := range uint64(scoreboard.SlotCount) {
		if board.Slot(1<<40+i) != nil {
			free++
		}
	}
	if free != scoreboard.SlotCount-3 {
		t.Errorf("%d slots taken, want 3", scoreboard.SlotCount-free)
	}
	var got []string
	for i := range 6 {
		got = append(got, pickHost(vhosts[i].balancers["balancer://w"], false))
	}
	if s := strings.Join(got, ""); s != "ababab" {
		t.Errorf("byrequests over six virtual hosts: %s", s)
	}
	if mb := main.balancers["balancer://w"]; !mb.fail(mb.members[0]) {
		t.Fatal("a not put in error")
	}
	for _, v := range vhosts[:3] {
		if h := pickHost(v.balancers["balancer://w"], false); h != "b" {
			t.Errorf("a virtual host picks %s, a member in error", h)
		}
	}

	own := compile(append(mainLines, []string{"BalancerMember", "balancer://w", "http://c"}, []string{"ProxySet", "balancer://w", "lbmethod=bytraffic"})...)
	own.Inherit(main)
	if b := own.balancers["balancer://w"]; len(b.members) != 2 || b.method != byTraffic {
		t.Errorf("a virtual host's own member of an inherited balancer: %d members, lbmethod %d", len(b.members), b.method)
	}
	for _, off := range [][][]string{
		{{"BalancerInherit", "Off"}, {"ProxyPassInherit", "Off"}},
		{{"BalancerInherit", "Off"}, {"ProxyPassInherit", "off"}, {"BalancerMember", "balancer://w", "http://c"}},
	} {
		v := compile(append(mainLines, off...)...)
		v.Inherit(main)
		b := v.balancers["balancer://w"]
		if got := pickHost(b, false) + pickHost(b, false); got != "ab" {
			t.Errorf("%v: a balancer not inherited picks %s, want its own state", off, got)
		}
	}
	for _, on := range [][]string{{"BalancerInherit", "Off"}, {"ProxyPassInherit", "Off"}} {
		v := compile(append(mainLines, on)...)
		v.Inherit(main)
		if !v.balancers["balancer://w"].inherited {
			t.Errorf("%v alone: the balancer not inherited", on)
		}
	}
}
