package host

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

func TestBanner(t *testing.T) {
	old := Version
	Version = "2.4.71"
	defer func() { Version = old }()
	for tokens, want := range map[string]string{
		"productonly": "httpd-mpm", "major": "httpd-mpm/2", "minor": "httpd-mpm/2.4", "minimal": "httpd-mpm/2.4.71",
		"os": "httpd-mpm/2.4.71 (Unix)", "full": "httpd-mpm/2.4.71 (Unix)",
	} {
		if got := banner(tokens); got != want {
			t.Errorf("ServerTokens %s: %q, want %q", tokens, got, want)
		}
	}
}

func TestEngineSettings(t *testing.T) {
	var c mpm.Core
	engineSettings(&c, &config.Server{
		ServerAdmin: "a@b", ServerTokens: "productonly", PerServer: config.PerServer{ServerSignature: "email", TraceEnable: "extended", LimitRequestBody: 0,
			LimitRequestLine: 0, LimitRequestFieldSize: 100, LimitRequestFields: 0},
		FileETag: []string{"INode", "+Size"},
	})
	want := mpm.Core{
		ServerAdmin: "a@b", Banner: "httpd-mpm", ServerSignature: http1.SignatureEMail, TraceEnable: http1.TraceExtended,
		FileETag: static.ETagINode | static.ETagSize, LimitRequestLine: 1, LimitRequestFieldSize: 100,
		LimitRequestFields: -1, LimitRequestBody: -1,
	}
	if c.ServerAdmin != want.ServerAdmin || c.Banner != want.Banner || c.ServerSignature != want.ServerSignature ||
		c.TraceEnable != want.TraceEnable || c.FileETag != want.FileETag || c.LimitRequestLine != want.LimitRequestLine ||
		c.LimitRequestFieldSize != want.LimitRequestFieldSize || c.LimitRequestFields != want.LimitRequestFields ||
		c.LimitRequestBody != want.LimitRequestBody {
		t.Errorf("engineSettings:\n got %+v\nwant %+v", c, want)
	}
	var d mpm.Core
	engineSettings(&d, &config.Server{ServerTokens: "full", PerServer: config.PerServer{ServerSignature: "off", TraceEnable: "off", LimitRequestBody: 1 << 30,
		LimitRequestLine: 8190, LimitRequestFieldSize: 8190, LimitRequestFields: 100}})
	if d.TraceEnable != http1.TraceOff || d.ServerSignature != http1.SignatureOff || d.FileETag != 0 || d.LimitRequestBody != 1<<30 || d.LimitRequestFields != 100 {
		t.Errorf("defaults: %+v", d)
	}
}

// TestVirtualHostsMerge: a virtual host's per-path configuration is the main
// server's with its own merged over it as Apache merges them: its Alias and
// Redirect lines before the main server's (mod_alias tries them first), its
// other directives after (the later wins), its sections after the main
// server's. Without ServerName, a wildcard vhost takes the main server's name.
// Without logs of its own it logs into the main server's.
func TestVirtualHostsMerge(t *testing.T) {
	src := `ServerName main.test:8080
Options None
Alias /m /srv/m
<Directory /srv>
Require all denied
</Directory>
CustomLog logs/main_log common
<VirtualHost *:80 localhost:81>
ServerName a.test
Options Indexes
Alias /a /srv/a
<Location /x>
Require all denied
</Location>
<Location /vstatus>
SetHandler server-status
</Location>
</VirtualHost>
<Location /status>
SetHandler server-status
</Location>
<VirtualHost *>
CustomLog logs/b_log common
</VirtualHost>
<VirtualHost *:82>
</VirtualHost>
`
	c, s := testCore(t, "/srv", "/srv/httpd.conf", src)
	if len(c.VirtualHosts) != 3 {
		t.Fatalf("%d virtual hosts, want 3", len(c.VirtualHosts))
	}
	a := c.VirtualHosts[0]
	var names []string
	for _, d := range a.ServerDirectives {
		names = append(names, d.Name+" "+strings.Join(d.Args, " "))
	}
	if want := []string{"Alias /a /srv/a", "Options None", "Alias /m /srv/m", "Options Indexes"}; !slices.Equal(names, want) {
		t.Errorf("directives %q, want %q", names, want)
	}
	var sections []string
	for _, sec := range a.Sections {
		sections = append(sections, sec.Kind+" "+sec.Pattern)
	}
	if want := []string{"Directory /srv", "Location /status", "Location /x", "Location /vstatus"}; !slices.Equal(sections, want) {
		t.Errorf("sections %q, want %q", sections, want)
	}
	// mod_status: the main server's <Location> handlers apply in every vhost, a
	// vhost's only in it.
	if want := []mpm.Handler{{Path: "/status", Name: "server-status"}, {Path: "/vstatus", Name: "server-status"}}; !slices.Equal(a.Handlers, want) {
		t.Errorf("handlers %+v, want %+v", a.Handlers, want)
	}
	if want := []mpm.Handler{{Path: "/status", Name: "server-status"}}; !slices.Equal(c.VirtualHosts[1].Handlers, want) {
		t.Errorf("second vhost's handlers %+v, want %+v", c.VirtualHosts[1].Handlers, want)
	}
	// A name is resolved; the name as written is kept for the fallback match.
	if len(a.Addrs) < 2 || a.Addrs[0] != (mpm.VirtualHostAddr{Port: 80, Name: "*"}) ||
		!slices.Contains(a.Addrs[1:], mpm.VirtualHostAddr{IP: "127.0.0.1", Port: 81, Name: "localhost"}) {
		t.Errorf("addrs %+v, want *:80 then localhost:81 as 127.0.0.1", a.Addrs)
	}
	// Without ServerName: the main server's name, and the port of the first
	// address, else (here "*", any port) the main server's.
	if a.ServerName != "a.test" || c.VirtualHosts[1].ServerName != "main.test:8080" || c.VirtualHosts[2].ServerName != "main.test:82" {
		t.Errorf("names %q, %q and %q, want a.test, main.test:8080 and main.test:82", a.ServerName, c.VirtualHosts[1].ServerName, c.VirtualHosts[2].ServerName)
	}
	// A lone "*" is any port (get_addresses reads its '*' as a wildcard port).
	if got := c.VirtualHosts[1].Addrs; len(got) != 1 || got[0].Port != 0 || got[0].IP != "" {
		t.Errorf("<VirtualHost *> addrs %+v, want the wildcard on any port", got)
	}

	opened := []mpm.AccessLog{{Target: "/srv/logs/main_log", FD: 5}, {Target: "/srv/logs/b_log", FD: 6}}
	assignAccessLogs(&c, s, opened)
	if len(c.AccessLogs) != 1 || c.AccessLogs[0].FD != 5 {
		t.Errorf("main logs %+v", c.AccessLogs)
	}
	for i, want := range []int{5, 6, 5} {
		if l := c.VirtualHosts[i].AccessLogs; len(l) != 1 || l[0].FD != want {
			t.Errorf("vhost %d logs %+v, want descriptor %d", i, l, want)
		}
	}
}

// TestVirtualHostsProxyInherit: a virtual host whose BalancerInherit and
// ProxyPassInherit are both Off (its own lines over the main server's)
// gets the main server's ProxyPass lines without their parameters and
// neither its BalancerMember and ProxySet lines nor its <Proxy> sections'
// (their other lines stay), as apache2's merge_proxy_config leaves the
// main server's balancers and workers out; either one On inherits all.
func TestVirtualHostsProxyInherit(t *testing.T) {
	src := `ServerName main.test
ProxyPassInherit Off
BalancerMember balancer://rr http://127.0.0.1:1
ProxySet balancer://rr lbmethod=bytraffic
ProxyPass /rr/ balancer://rr/ stickysession=ID
ProxyPassMatch ~ ^/a=(.*) http://127.0.0.1:2/$1 timeout=5 nocanon
<Proxy balancer://rr timeout=3>
    BalancerMember http://127.0.0.1:3
    Require all granted
</Proxy>
<Location /loc>
    ProxyPass http://127.0.0.1:4/ retry=0
</Location>
<VirtualHost *:80>
    ServerName off.test
    BalancerInherit Off
</VirtualHost>
<VirtualHost *:80>
    ServerName on.test
</VirtualHost>
`
	c, _ := testCore(t, "/srv", "/srv/httpd.conf", src)
	lines := func(ds []site.Directive) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Name+" "+strings.Join(d.Args, " "))
		}
		return out
	}
	off, on := c.VirtualHosts[0], c.VirtualHosts[1]
	want := []string{"ProxyPassInherit Off", "ProxyPass /rr/ balancer://rr/", "ProxyPassMatch ~ ^/a=(.*) http://127.0.0.1:2/$1 nocanon", "BalancerInherit Off"}
	if got := lines(off.ServerDirectives); !slices.Equal(got, want) {
		t.Errorf("not inheriting: directives\n %q, want\n %q", got, want)
	}
	if len(off.Sections) != 2 || !slices.Equal(lines(off.Sections[0].Directives), []string{"Require all granted"}) ||
		!slices.Equal(lines(off.Sections[1].Directives), []string{"ProxyPass http://127.0.0.1:4/"}) {
		t.Errorf("not inheriting: sections %+v", off.Sections)
	}
	if got, want := lines(on.ServerDirectives), lines(c.ServerDirectives); !slices.Equal(got, want) {
		t.Errorf("inheriting: directives\n %q, want the main server's\n %q", got, want)
	}
	if len(on.Sections) != 2 || len(on.Sections[0].Directives) != 3 || len(on.Sections[1].Directives[0].Args) != 2 {
		t.Errorf("inheriting: sections %+v", on.Sections)
	}
	// The main server keeps its own.
	if len(c.Sections[0].Directives) != 3 || len(c.Sections[1].Directives[0].Args) != 2 {
		t.Errorf("main server's sections changed: %+v", c.Sections)
	}
}

// TestRemoteIPMergeWarnings: AH10633 only for the hosts that end up with
// proxy entries of their own when the main server has some too, as
// apache2 2.4.71: a list file without addresses (empty, or comments only)
// gives no entries, so no warning.
func TestRemoteIPMergeWarnings(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{"empty.txt": "", "comments.txt": "# none\n  # here\n", "one.txt": "127.0.0.2\n"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		main, hosts string
		want        []int // the <VirtualHost> lines warned about, last first
	}{
		{"RemoteIPInternalProxyList empty.txt", "RemoteIPTrustedProxy 127.0.0.1", nil},
		{"RemoteIPInternalProxy 127.0.0.1", "RemoteIPTrustedProxyList comments.txt", nil},
		{"RemoteIPInternalProxyList one.txt", "RemoteIPTrustedProxyList comments.txt", nil},
		{"RemoteIPInternalProxyList one.txt", "RemoteIPTrustedProxy 127.0.0.1", []int{6, 3}},
		{"RemoteIPInternalProxy 127.0.0.1", "RemoteIPTrustedProxyList one.txt", []int{6, 3}},
	} {
		src := tc.main + "\nListen 80\n<VirtualHost *:80>\n" + tc.hosts + "\n</VirtualHost>\n<VirtualHost *:80>\n" + tc.hosts + "\n</VirtualHost>\n"
		conf := filepath.Join(root, "httpd.conf")
		c, _ := testCore(t, root, conf, src)
		var want []string
		for _, line := range tc.want {
			want = append(want, fmt.Sprintf("AH10633: RemoteIP proxy entries are configured in both the main server and the virtual host defined at %s:%d, they are merged", conf, line))
		}
		if got := remoteIPMergeWarnings(&c); !slices.Equal(got, want) {
			t.Errorf("main %q, hosts %q: warnings %q, want %q", tc.main, tc.hosts, got, want)
		}
	}
}

// testCore is the core settings (and the server) of the configuration src (file conf,
// ServerRoot root), with no environment.
func testCore(t *testing.T, root, conf, src string) (mpm.Core, *config.Server) {
	t.Helper()
	cfg, err := config.Parse(conf, []byte(src), config.Options{ServerRoot: root, LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	s, errs := config.Resolve(cfg)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	c, _ := coreSettings(cfg, s, &options{})
	return c, s
}
