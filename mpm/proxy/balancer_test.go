package proxy

import (
	"net/http"
	"strings"
	"testing"
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
		{"", []string{"ProxyPass", "/", "balancer://x/", "lbmethod=bybusyness"}, "ProxyPass unknown lbmethod"},
		{"balancer://x", []string{"BalancerMember", "http://b", "extra"}, "BalancerMember can not have a balancer name when defined in a location"},
		{"balancer://x", []string{"ProxySet", "lbmethod=bytraffic"}, "ProxySet: unknown lbmethod lbmethod=bytraffic; balancer://x"},
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
