package e2e_test

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// The <VirtualHost> tests run the real apache2 beside ours (apache_test.go)
// on one configuration and compare status, Location, Content-Type and body
// of every answer, and the access logs. Each request also names a word of
// the page Apache serves, so that the test says which virtual host Apache
// picks, and a server answering every request from its main configuration
// fails even where a page happens to be the same.

// vhostNamesConf: name-based vhosts on one address (one named by the
// address text "localhost" only, one with a capitalised ServerName), and
// one "*:*" vhost, alone on its chain, for the second port. c.test logs
// with TransferLog in its own unnamed LogFormat. Keep-alive is on, for
// requests pipelined on one connection. The main server and b.test log
// the vhost's name, the path served and the request line.
const vhostNamesConf = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
KeepAlive On
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
LogFormat "%v %U %>s \"%r\"" vhost
CustomLog logs/main_log vhost
<VirtualHost 127.0.0.1:@P0@>
    ServerName a.test
    DocumentRoot @DOCS@/a
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName b.test
    ServerAlias www.b.test *.wild.test Mixed.Case.Test b?.test
    DocumentRoot @DOCS@/b
    CustomLog logs/b_log vhost
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName c.test
    DocumentRoot @DOCS@/c
    LogFormat "c: %>s %r"
    TransferLog logs/c_log
</VirtualHost>
<VirtualHost localhost:@P0@>
    ServerName d.test
    DocumentRoot @DOCS@/d
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName E.Test
    DocumentRoot @DOCS@/e
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName https://s.test
    DocumentRoot @DOCS@/s
    LogFormat "%v %p %V %>s"
    TransferLog logs/s_log
</VirtualHost>
<VirtualHost *:*>
    ServerName any.test
    DocumentRoot @DOCS@/any
</VirtualHost>
`

// vhostSection is a <VirtualHost addr> section named name.test, serving
// @DOCS@/name (vhostDocs), with lines inside it.
func vhostSection(addr, name string, lines ...string) string {
	s := "<VirtualHost " + addr + ">\n    ServerName " + name + ".test\n    DocumentRoot @DOCS@/" + name + "\n"
	for _, l := range lines {
		s += "    " + l + "\n"
	}
	return s + "</VirtualHost>\n"
}

// vhostDocs gives each named directory an index page and a file saying
// its name.
func vhostDocs(names ...string) map[string]string {
	docs := map[string]string{}
	for _, n := range names {
		docs[n+"/index.html"] = "<p>docs-" + n + "</p>\n"
		docs[n+"/who.txt"] = "docs-" + n + "\n"
	}
	return docs
}

// TestVhostNames: the name-based choice among the vhosts of one address
// (Host case and port ignored, ServerAlias exact and wild, the absolute
// URI's host before Host, a trailing dot, the address text, the first
// vhost by default and for HTTP/1.0 without Host), the vhost alone on its
// address for any Host, and which access log each request goes to.
func TestVhostNames(t *testing.T) {
	docs := vhostDocs("main", "a", "b", "c", "d", "e", "s", "any", "a/sub", "b/sub", "e/sub")
	docs["b/only-b.txt"] = "only in b\n"
	p := startPair(t, 2, vhostNamesConf, docs)
	p.checkDump()
	p.check([]diffRequest{
		{Raw: get("/", "a.test"), Want: "docs-a"},
		{Raw: get("/who.txt", "A.TEST:1234"), Want: "docs-a"},
		{Raw: get("/", "b.test"), Want: "docs-b"},
		{Raw: get("/", "www.b.test"), Want: "docs-b"},
		{Raw: get("/", "WWW.B.Test"), Want: "docs-b"},
		{Raw: get("/only-b.txt", "x.wild.test"), Want: "only in b"},
		{Raw: get("/who.txt", "deep.x.wild.test"), Want: "docs-b"},
		{Raw: get("/who.txt", "wild.test"), Want: "docs-a"},
		{Raw: get("/who.txt", "mixed.CASE.test"), Want: "docs-b"},
		{Raw: get("/who.txt", "B7.test"), Want: "docs-b"},
		{Raw: get("/who.txt", "b77.test"), Want: "docs-a"},
		{Raw: get("/", "c.test"), Want: "docs-c"},
		{Raw: get("/who.txt", "c.test:@P0@"), Want: "docs-c"},
		{Raw: get("/", "unknown.test"), Want: "docs-a"},
		{Raw: get("/", "main.test"), Want: "docs-a"},
		{Raw: get("/", "127.0.0.1:@P0@"), Want: "docs-a"},
		{Raw: get("/", "b.test."), Want: "docs-b"},
		{Raw: get("/", "a.test."), Want: "docs-a"},
		{Raw: get("/who.txt", "B.TEST.:80"), Want: "docs-b"},
		{Raw: get("/who.txt", ""), Want: "Bad Request"},
		{Raw: get("/who.txt", "[::1]:80"), Want: "docs-a"},
		// Redirects name the request's host as Apache keeps it.
		{Raw: get("/sub", "a.test."), Want: "/sub/"},
		{Raw: get("/sub", "B.TEST.:80"), Want: "/sub/"},
		{Raw: get("/sub", "[::1]:80"), Want: "/sub/"},
		{Raw: get("/sub", "[::1]"), Want: "/sub/"},
		{Raw: get("/", "localhost"), Want: "docs-d"},
		{Raw: get("/", "d.test"), Want: "docs-d"},
		{Raw: get("/who.txt", "e.test"), Want: "docs-e"},
		{Raw: get("/sub", "E.TEST"), Want: "/sub/"},
		{Raw: "GET / HTTP/1.0\r\n\r\n", Want: "docs-a"},
		{Raw: "GET /who.txt HTTP/1.0\r\nHost: c.test\r\n\r\n", Want: "docs-c"},
		{Raw: "GET http://c.test/ HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", Want: "docs-c"},
		{Raw: "GET http://WWW.B.TEST:99/who.txt HTTP/1.1\r\nHost: c.test\r\nConnection: close\r\n\r\n", Want: "docs-b"},
		// Only an absolute URI of the server's own scheme names the host.
		{Raw: "GET https://c.test/who.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", Want: "docs-a"},
		{Raw: "GET http://c.test/who.txt HTTP/1.0\r\n\r\n", Want: "docs-c"},
		{Raw: get("/only-b.txt", "a.test"), Want: "Not Found"},
		// The vhost is chosen per request, not per connection.
		{Raw: "GET /who.txt HTTP/1.1\r\nHost: b.test\r\n\r\nGET /who.txt HTTP/1.1\r\nHost: c.test\r\n\r\n" +
			"GET /who.txt HTTP/1.1\r\nHost: unknown.test\r\n\r\n" + get("/who.txt", "www.b.test"), Want: "docs-b\ndocs-c\ndocs-a\ndocs-b\n"},
		{Raw: get("/missing", "b.test"), Want: "Not Found"},
		{Raw: "GET /who.txt HTTP/1.1\r\nConnection: close\r\n\r\n", Want: "Bad Request"},
		// HTTP/1.1 wants Host even when the target names the host.
		{Raw: "GET http://c.test/who.txt HTTP/1.1\r\n\r\n", Want: "Bad Request"},
		// A ServerName with a scheme and no port: %p is that scheme's port.
		{Raw: get("/who.txt", "S.Test.:8443"), Want: "docs-s"},
		{Port: 1, Raw: get("/", "a.test"), Want: "docs-any"},
		{Port: 1, Raw: get("/who.txt", "unknown.test"), Want: "docs-any"},
		{Port: 1, Raw: "GET /who.txt HTTP/1.0\r\n\r\n", Want: "docs-any"},
		{Port: 1, Raw: "GET /who.txt HTTP/1.1\r\nHost: a.test\r\n\r\n" + get("/", "b.test"), Want: "docs-any\n<p>docs-any"},
	})
	p.checkLogs("main_log", "b_log", "c_log", "s_log")
}

// vhostAddrsConf: on port 0 an IP-based vhost for 127.0.0.2 and
// name-based ones for every address; port 1 has no vhost on 127.0.0.1
// (the main server) and an any-port one on 127.0.0.2; port 2 a _default_
// vhost, and on 127.0.0.2 the one that is also among the name-based ones
// of port 0.
const vhostAddrsConf = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.2:@P0@
Listen 127.0.0.1:@P1@
Listen 127.0.0.2:@P1@
Listen 127.0.0.1:@P2@
Listen 127.0.0.2:@P2@
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
<VirtualHost 127.0.0.2:@P0@>
    ServerName ip.test
    DocumentRoot @DOCS@/ip
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName w1.test
    DocumentRoot @DOCS@/w1
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName w2.test
    DocumentRoot @DOCS@/w2
</VirtualHost>
<VirtualHost _default_:@P2@>
    ServerName dflt.test
    DocumentRoot @DOCS@/dflt
</VirtualHost>
<VirtualHost 127.0.0.2:*>
    ServerName ipany.test
    DocumentRoot @DOCS@/ipany
</VirtualHost>
<VirtualHost 127.0.0.2:@P2@ *:@P0@>
    ServerName w3.test
    DocumentRoot @DOCS@/w3
</VirtualHost>
`

// TestVhostAddresses: the connection's local address chooses first: the
// exact IP's vhost whatever the Host (of the exact port, else of any
// port), else the name-based wildcard ones, else (no vhost for the
// address) the main server.
func TestVhostAddresses(t *testing.T) {
	p := startPair(t, 3, vhostAddrsConf, vhostDocs("main", "ip", "w1", "w2", "w3", "dflt", "ipany"))
	p.checkDump()
	p.check([]diffRequest{
		{IP: "127.0.0.2", Raw: get("/", "ip.test"), Want: "docs-ip"},
		{IP: "127.0.0.2", Raw: get("/", "w2.test"), Want: "docs-ip"},
		{IP: "127.0.0.2", Raw: get("/who.txt", "unknown.test"), Want: "docs-ip"},
		{IP: "127.0.0.2", Raw: "GET /who.txt HTTP/1.0\r\n\r\n", Want: "docs-ip"},
		{Raw: get("/", "w1.test"), Want: "docs-w1"},
		{Raw: get("/", "w2.test"), Want: "docs-w2"},
		{Raw: get("/", "w3.test"), Want: "docs-w3"},
		{Raw: get("/", "ip.test"), Want: "docs-w1"},
		{Raw: get("/who.txt", "main.test"), Want: "docs-w1"},
		{Raw: "GET /who.txt HTTP/1.0\r\n\r\n", Want: "docs-w1"},
		{Port: 1, Raw: get("/", "w2.test"), Want: "docs-main"},
		{Port: 1, Raw: get("/who.txt", "ip.test"), Want: "docs-main"},
		{Port: 1, Raw: "GET /who.txt HTTP/1.0\r\n\r\n", Want: "docs-main"},
		{IP: "127.0.0.2", Port: 1, Raw: get("/who.txt", "ip.test"), Want: "docs-ipany"},
		{IP: "127.0.0.2", Port: 1, Raw: get("/who.txt", "main.test"), Want: "docs-ipany"},
		{Port: 2, Raw: get("/", "w2.test"), Want: "docs-dflt"},
		{Port: 2, Raw: get("/who.txt", "dflt.test"), Want: "docs-dflt"},
		{Port: 2, Raw: get("/who.txt", "w3.test"), Want: "docs-dflt"},
		{IP: "127.0.0.2", Port: 2, Raw: get("/who.txt", "dflt.test"), Want: "docs-w3"},
	})
}

// vhostPortConf: "<VirtualHost *>" has no port: Apache 2.4 makes it
// "*:*", every port, even when the main ServerName, read before, has one
// (port 1). A vhost without ServerName there is named after the main
// server, and one has a ServerName with a scheme. Redirects (a
// directory without its slash) show the name and port each uses.
const vhostPortConf = `ServerName main.test:@P1@
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
LogFormat "%v %U %>s \"%r\"" vhost
CustomLog logs/main_log vhost
<VirtualHost *>
    DocumentRoot @DOCS@/noname
</VirtualHost>
<VirtualHost *>
    ServerName star.test
    DocumentRoot @DOCS@/star
</VirtualHost>
<VirtualHost *>
    ServerName https://sec.test
    DocumentRoot @DOCS@/sec
</VirtualHost>
<VirtualHost *>
    ServerName portv.test:8080
    DocumentRoot @DOCS@/portv
</VirtualHost>
`

// TestVhostDefaultPort: "<VirtualHost *>" without a port, vhost names
// inherited and with a scheme.
func TestVhostDefaultPort(t *testing.T) {
	docs := vhostDocs("main", "noname", "star", "sec", "portv", "main/sub", "noname/sub", "star/sub", "sec/sub", "portv/sub")
	p := startPair(t, 2, vhostPortConf, docs)
	p.checkDump()
	p.check([]diffRequest{
		{Raw: get("/", "star.test"), Want: "docs-star"},
		{Raw: get("/who.txt", "main.test"), Want: "docs-noname"},
		{Raw: get("/sub", "star.test"), Want: "/sub/"},
		{Raw: "GET /sub HTTP/1.0\r\n\r\n", Want: "/sub/"},
		{Port: 1, Raw: get("/", "star.test"), Want: "docs-star"},
		{Port: 1, Raw: get("/who.txt", "main.test"), Want: "docs-noname"},
		{Port: 1, Raw: get("/who.txt", "unknown.test"), Want: "docs-noname"},
		{Port: 1, Raw: get("/who.txt", "sec.test"), Want: "docs-sec"},
		{Port: 1, Raw: get("/sub", "star.test"), Want: "/sub/"},
		{Port: 1, Raw: get("/sub", "sec.test"), Want: "/sub/"},
		{Port: 1, Raw: get("/sub", "sec.test:8443"), Want: "/sub/"},
		{Port: 1, Raw: "GET /sub HTTP/1.0\r\n\r\n", Want: "/sub/"},
		{Port: 1, Raw: get("/sub", "portv.test"), Want: "/sub/"},
		{Port: 1, Raw: get("/sub", "portv.test:9090"), Want: "/sub/"},
		{Port: 1, Raw: get("/nothere", "portv.test"), Want: "Not Found"},
	})
	p.checkLogs("main_log")
}

// vhostInheritConf: what a vhost takes from the main server and what it
// overrides. The main server's <Directory>, <Location>, Alias, Redirect
// and ErrorDocument apply in the vhosts, the vhosts' own after them; v1
// has its own DocumentRoot, ServerAdmin, Options, Alias (one of the
// main's prefix), AliasMatch, <Location> (one reopening a main one),
// <LocationMatch>, <Files>, <Directory>, Redirect and its kin, and
// ErrorDocument (one of them back to Apache's page); v2 only a
// DirectoryIndex, a FileETag, an ErrorDocument and a <Directory> that opens one the
// main server closes, and the main's DocumentRoot. Port 1 has no vhost.
// Error pages carry a signature with the admin address.
const vhostInheritConf = `ServerName main.test
ServerAdmin root@main.test
ServerSignature EMail
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@/main
<Directory />
    Require all denied
</Directory>
<Directory @DOCS@>
    Require all granted
</Directory>
<Directory @DOCS@/main/closed>
    Require all denied
</Directory>
<Location /mainloc>
    Require all denied
</Location>
Alias /shared @DOCS@/shared
Alias /both @DOCS@/both-main
Redirect /mainredir http://main-elsewhere.test
Redirect gone /maingone
ErrorDocument 403 "main forbids"
<VirtualHost *:@P0@>
    ServerName v1.test
    ServerAdmin admin@v1.test
    DocumentRoot @DOCS@/v1
    Options None
    Alias /both @DOCS@/both-v1
    Alias /mainclosed @DOCS@/main/closed
    AliasMatch ^/am/(.*)$ @DOCS@/both-v1/$1
    <Location /nope>
        Require all denied
    </Location>
    <Location /mainloc/open>
        Require all granted
    </Location>
    <LocationMatch "^/re-?deny">
        Require all denied
    </LocationMatch>
    <Files "*.secret">
        Require all denied
    </Files>
    <Directory @DOCS@/v1/sub>
        DirectoryIndex start.html
    </Directory>
    <Directory @DOCS@/v1/forced>
        ForceType text/x-forced
        FileETag None
    </Directory>
    Redirect /old http://elsewhere.test/new
    Redirect 301 /moved /who.txt
    Redirect gone /gone
    RedirectMatch ^/rm/(.*)\.htm$ http://elsewhere.test/$1.html
    RedirectPermanent /perm http://elsewhere.test/perm
    RedirectTemp /temp /who.txt
    ErrorDocument 404 /missing.html
    ErrorDocument 403 default
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName v2.test
    DirectoryIndex home.html index.html
    FileETag None
    ErrorDocument 404 "v2 has no such page"
    <Directory @DOCS@/main/closed>
        Require all granted
    </Directory>
</VirtualHost>
`

// TestVhostInheritance: per-path configuration of vhosts merged over the
// main server's.
func TestVhostInheritance(t *testing.T) {
	docs := vhostDocs("main", "v1", "shared", "both-main", "both-v1", "main/closed", "main/sub")
	for name, body := range map[string]string{
		"main/home.html":     "<p>main home</p>\n",
		"v1/missing.html":    "<p>v1 custom 404</p>\n",
		"v1/sub/start.html":  "<p>v1 sub start</p>\n",
		"v1/forced/data.txt": "forced type\n",
		"v1/key.secret":      "v1 secret\n",
		"main/key.secret":    "main secret\n",
		"v1/link.txt":        symlinkTo + "who.txt",
		"v1/mainloc/open/x":  "v1 open\n",
		"v1/redeny.txt":      "v1 redeny\n",
		"main/link.txt":      symlinkTo + "who.txt",
	} {
		docs[name] = body
	}
	p := startPair(t, 2, vhostInheritConf, docs)
	p.checkDump()
	p.check([]diffRequest{
		{Raw: get("/", "v1.test"), Want: "docs-v1"},
		{Raw: get("/sub/", "v1.test"), Want: "v1 sub start"},
		{Raw: get("/sub", "v1.test"), Want: "Moved Permanently"},
		{Raw: get("/forced/data.txt", "v1.test"), Want: "forced type"},
		{Raw: get("/both/who.txt", "v1.test"), Want: "docs-both-v1"},
		{Raw: get("/am/who.txt", "v1.test"), Want: "docs-both-v1"},
		{Raw: get("/shared/who.txt", "v1.test"), Want: "docs-shared"},
		{Raw: get("/mainclosed/who.txt", "v1.test"), Want: "Forbidden"},
		{Raw: get("/mainloc", "v1.test"), Want: "Forbidden"},
		{Raw: get("/nope", "v1.test"), Want: "Forbidden"},
		{Raw: get("/mainloc/open/x", "v1.test"), Want: "v1 open"},
		{Raw: get("/redeny.txt", "v1.test"), Want: "Forbidden"},
		{Raw: get("/rm/a/b.htm", "v1.test"), Want: "elsewhere.test/a/b.html"},
		{Raw: get("/perm/x", "v1.test"), Want: "elsewhere.test/perm/x"},
		{Raw: get("/temp", "v1.test:8000"), Want: "who.txt"},
		{Raw: get("/key.secret", "v1.test"), Want: "Forbidden"},
		{Raw: get("/old/x", "v1.test"), Want: "elsewhere.test/new/x"},
		{Raw: get("/moved", "v1.test:8000"), Want: "who.txt"},
		{Raw: get("/moved", "v1.test"), Want: "who.txt"},
		{Raw: get("/gone", "v1.test"), Want: "Gone"},
		{Raw: get("/link.txt", "v1.test"), Want: "Forbidden"},
		{Raw: get("/mainredir", "v1.test"), Want: "main-elsewhere.test"},
		{Raw: get("/nothere", "v1.test"), Want: "v1 custom 404"},
		{Raw: get("/", "v2.test"), Want: "main home"},
		{Raw: get("/who.txt", "v2.test"), Want: "docs-main"},
		{Raw: get("/closed/who.txt", "v2.test"), Want: "docs-main/closed"},
		{Raw: get("/link.txt", "v2.test"), Want: "docs-main"},
		{Raw: get("/mainredir/x", "v2.test"), Want: "main-elsewhere.test/x"},
		{Raw: get("/maingone", "v2.test"), Want: "Gone"},
		{Raw: get("/sub", "v2.test"), Want: "/sub/"},
		{Raw: get("/both/who.txt", "v2.test"), Want: "docs-both-main"},
		{Raw: get("/key.secret", "v2.test"), Want: "main secret"},
		{Raw: get("/nope", "v2.test"), Want: "v2 has no such page"},
		{Raw: get("/old", "v2.test"), Want: "v2 has no such page"},
		{Raw: get("/rm/a/b.htm", "v2.test"), Want: "v2 has no such page"},
		{Raw: get("/mainloc", "v2.test:81"), Want: "main forbids"},
		{Raw: "GET /nope HTTP/1.0\r\n\r\n", Want: "Forbidden"},
		// Errors before a Host is known come from the address's first vhost.
		{Raw: "GET /who.txt HTTP/1.1\r\nConnection: close\r\n\r\n", Want: "admin@v1.test"},
		{Raw: "BLAH\r\n\r\n", Want: "admin@v1.test"},
		{Port: 1, Raw: "BLAH\r\n\r\n", Want: "root@main.test"},
		{Port: 1, Raw: get("/", "v1.test"), Want: "docs-main"},
		{Port: 1, Raw: get("/both/who.txt", "v1.test"), Want: "docs-both-main"},
		{Port: 1, Raw: get("/nope", "v1.test"), Want: "Not Found"},
		{Port: 1, Raw: get("/closed/who.txt", "main.test"), Want: "main forbids"},
		{Port: 1, Raw: get("/link.txt", "main.test"), Want: "docs-main"},
		{Port: 1, Raw: get("/maingone", "main.test"), Want: "Gone"},
		{Port: 1, Raw: "GET /nothere HTTP/1.0\r\n\r\n", Want: "Not Found"},
	})
}

// vhostReloadBefore and vhostReloadAfter: a graceful restart changes a
// vhost's DocumentRoot and aliases, adds a vhost before the others (the
// new default of the address) and a listener (port 1, no vhost: the
// main server, whose DocumentRoot changes too, shows that the new
// configuration is served).
const vhostReloadBefore = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
<VirtualHost *:@P0@>
    ServerName a.test
    DocumentRoot @DOCS@/a
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName b.test
    DocumentRoot @DOCS@/b
</VirtualHost>
`

const vhostReloadAfter = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@/main2
<Directory @DOCS@>
    Require all granted
</Directory>
<VirtualHost *:@P0@>
    ServerName c.test
    DocumentRoot @DOCS@/c
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName a.test
    DocumentRoot @DOCS@/a
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName b.test
    ServerAlias b2.test
    DocumentRoot @DOCS@/b2
</VirtualHost>
`

// TestVhostReload: the vhosts of the configuration read at a graceful
// restart are served from then on.
func TestVhostReload(t *testing.T) {
	p := startPair(t, 2, vhostReloadBefore, vhostDocs("main", "main2", "a", "b", "b2", "c"))
	p.check([]diffRequest{
		{Raw: get("/", "b.test"), Want: "docs-b"},
		{Raw: get("/", "c.test"), Want: "docs-a"},
		{Raw: get("/", "b2.test"), Want: "docs-a"},
	})
	p.reload(vhostReloadAfter, func(s *diffServer) bool {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.ports[1])))
		if err != nil {
			return false
		}
		c.Close()
		as := s.ask(t, "127.0.0.1", 1, get("/who.txt", "main.test"))
		return len(as) == 1 && as[0].Body == "docs-main2\n"
	})
	p.checkDump()
	p.check([]diffRequest{
		{Raw: get("/", "b.test"), Want: "docs-b2"},
		{Raw: get("/", "b2.test"), Want: "docs-b2"},
		{Raw: get("/", "c.test"), Want: "docs-c"},
		{Raw: get("/", "a.test"), Want: "docs-a"},
		{Raw: get("/", "unknown.test"), Want: "docs-c"},
		{Port: 1, Raw: get("/", "a.test"), Want: "docs-main2"},
	})
}

// vhostStatusConf: mod_status at a main server's <Location>, which every
// vhost inherits, and at one vhost's own.
const vhostStatusConf = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
<Location /main-status>
    SetHandler server-status
</Location>
<VirtualHost *:@P0@>
    ServerName s1.test
    DocumentRoot @DOCS@/s1
    <Location /server-status>
        SetHandler server-status
    </Location>
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName s2.test
    DocumentRoot @DOCS@/s2
</VirtualHost>
`

// TestVhostStatus: server-status where the main server or a vhost turns
// it on, and nowhere else (the pages' figures are each server's own).
func TestVhostStatus(t *testing.T) {
	p := startPair(t, 2, vhostStatusConf, vhostDocs("main", "s1", "s2"))
	p.check([]diffRequest{
		{Raw: get("/server-status?auto", "s1.test"), Want: "ServerMPM: event", NoBody: true},
		{Raw: get("/server-status?auto", "s2.test"), Want: "Not Found"},
		{Raw: get("/main-status?auto", "s1.test"), Want: "ServerMPM: event", NoBody: true},
		{Raw: get("/main-status?auto", "s2.test"), Want: "ServerMPM: event", NoBody: true},
		{Port: 1, Raw: get("/main-status?auto", "s1.test"), Want: "ServerMPM: event", NoBody: true},
		{Port: 1, Raw: get("/server-status?auto", "s1.test"), Want: "Not Found"},
	})
}

// vhostSettingsConf: name-based vhosts that each set some of the server
// settings Apache keeps per virtual host (ServerSignature, ServerAdmin,
// AddType, TraceEnable, KeepAlive, MaxKeepAliveRequests, LimitRequestBody,
// FileETag) over a main server that sets the opposite.
const vhostSettingsConf = `ServerName main.test
Listen 127.0.0.1:@P0@
KeepAlive On
MaxKeepAliveRequests 100
ServerSignature Off
TraceEnable Off
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:@P0@>
    ServerName sig.test
    DocumentRoot @DOCS@/sig
    ServerSignature EMail
    ServerAdmin admin@sig.test
    AddType text/x-foo .foo
    TraceEnable On
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName close.test
    DocumentRoot @DOCS@/close
    KeepAlive Off
    LimitRequestBody 10
    FileETag None
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName two.test
    DocumentRoot @DOCS@/two
    MaxKeepAliveRequests 2
    ServerSignature On
</VirtualHost>
`

// TestVhostSettings: the server settings a <VirtualHost> sets hold for its
// requests, the main server's for the others; a connection's keep-alive
// follows each request's virtual host.
func TestVhostSettings(t *testing.T) {
	docs := vhostDocs("main", "sig", "close", "two")
	for _, n := range []string{"sig", "close", "two"} {
		docs[n+"/x.foo"] = "foo-" + n + "\n"
	}
	p := startPair(t, 1, vhostSettingsConf, docs)
	ka := func(path, host string) string { return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n" }
	post := func(host string, n int) string {
		return "POST /who.txt HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n" + strings.Repeat("x", n)
	}
	p.check([]diffRequest{
		// ServerSignature and ServerAdmin; AddType.
		{Raw: get("/missing", "sig.test"), Want: "mailto:admin@sig.test"},
		{Raw: get("/missing", "two.test"), Want: "Server at two.test"},
		{Raw: get("/missing", "close.test"), Want: "Not Found"},
		{Raw: get("/x.foo", "sig.test"), Want: "foo-sig"},
		{Raw: get("/x.foo", "two.test"), Want: "foo-two"},
		// FileETag None: no ETag.
		{Raw: get("/who.txt", "close.test"), Want: "docs-close"},
		{Raw: get("/who.txt", "two.test"), Want: "docs-two"},
		// LimitRequestBody 10.
		{Raw: post("close.test", 11), Want: "Request Entity Too Large"},
		{Raw: post("close.test", 10)},
		{Raw: post("two.test", 11)},
		{Raw: "POST /who.txt HTTP/1.1\r\nHost: close.test\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"},
		// TraceEnable.
		{Raw: "TRACE /who.txt HTTP/1.1\r\nHost: sig.test\r\nConnection: close\r\n\r\n", Want: "TRACE /who.txt"},
		{Raw: "TRACE /who.txt HTTP/1.1\r\nHost: two.test\r\nConnection: close\r\n\r\n", Want: "Method Not Allowed"},
		{Raw: "OPTIONS /who.txt HTTP/1.1\r\nHost: sig.test\r\nConnection: close\r\n\r\n", Connection: true},
		// KeepAlive Off: the first answer closes the connection.
		{Raw: ka("/who.txt", "close.test") + get("/who.txt", "close.test"), Want: "docs-close", Connection: true},
		{Raw: ka("/who.txt", "sig.test") + ka("/who.txt", "close.test") + get("/who.txt", "sig.test"), Want: "docs-sig\ndocs-close\n", Connection: true},
		{Raw: "GET /who.txt HTTP/1.0\r\nHost: close.test\r\nConnection: keep-alive\r\n\r\n" + get("/who.txt", "close.test"), Want: "docs-close", Connection: true},
		{Raw: "GET /who.txt HTTP/1.0\r\nHost: sig.test\r\nConnection: keep-alive\r\n\r\n" + get("/who.txt", "close.test"), Want: "docs-sig\ndocs-close\n", Connection: true},
		// MaxKeepAliveRequests 2 counts the connection's kept-alive responses.
		{Raw: ka("/who.txt", "two.test") + ka("/who.txt", "two.test") + ka("/who.txt", "two.test") + get("/who.txt", "two.test"), Want: "docs-two\ndocs-two\ndocs-two\n", Connection: true},
		{Raw: ka("/who.txt", "sig.test") + ka("/who.txt", "sig.test") + ka("/who.txt", "two.test") + get("/who.txt", "sig.test"), Want: "docs-sig\ndocs-sig\ndocs-two\n", Connection: true},
		{Raw: ka("/who.txt", "two.test") + ka("/who.txt", "sig.test") + ka("/who.txt", "sig.test") + get("/who.txt", "two.test"), Want: "docs-two\ndocs-sig\ndocs-sig\n", Connection: true},
		{Raw: "GET /who.txt HTTP/1.0\r\nHost: two.test\r\nConnection: keep-alive\r\n\r\nGET /who.txt HTTP/1.0\r\nHost: two.test\r\nConnection: keep-alive\r\n\r\n" +
			"GET /who.txt HTTP/1.0\r\nHost: two.test\r\nConnection: keep-alive\r\n\r\n" + get("/who.txt", "two.test"), Want: "docs-two", Connection: true},
	})
}

// vhostLimitsConf: on port 0 the first (default) name-based vhost sets
// small request limits, on port 1 the second one does; 127.0.0.2 has an
// IP-based vhost with small limits.
var vhostLimitsConf = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
Listen 127.0.0.2:@P0@
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
` + vhostSection("127.0.0.1:@P0@", "lim", smallLimits...) +
	vhostSection("127.0.0.1:@P0@", "free") +
	vhostSection("127.0.0.1:@P1@", "free") +
	vhostSection("127.0.0.1:@P1@", "lim", smallLimits...) +
	vhostSection("127.0.0.2:@P0@", "ip", "LimitRequestFieldSize 100")

// smallLimits are the request limits of vhostLimitsConf's lim.test.
var smallLimits = []string{"LimitRequestLine 100", "LimitRequestFieldSize 100", "LimitRequestFields 5"}

// TestVhostLimits: LimitRequestLine, LimitRequestFieldSize and
// LimitRequestFields are those of the connection's address's default
// server (Apache reads the request line and the header before it knows
// the name-based virtual host), whatever the Host.
func TestVhostLimits(t *testing.T) {
	p := startPair(t, 2, vhostLimitsConf, vhostDocs("main", "lim", "free", "ip"))
	long := "X-Long: " + strings.Repeat("a", 150) + "\r\n"
	many := strings.Repeat("X-Many: 1\r\n", 6)
	longPath := "/who.txt?" + strings.Repeat("q", 120)
	withField := func(host, field string) string {
		return "GET /who.txt HTTP/1.1\r\nHost: " + host + "\r\n" + field + "Connection: close\r\n\r\n"
	}
	p.check([]diffRequest{
		{Raw: withField("lim.test", long), Want: "Bad Request"},
		{Raw: withField("free.test", long), Want: "Bad Request"},
		{Raw: withField("free.test", many), Want: "Bad Request"},
		{Raw: get(longPath, "free.test"), Want: "Request-URI Too Long"},
		{Raw: withField("free.test", "X-Short: 1\r\n"), Want: "docs-free"},
		{Port: 1, Raw: withField("lim.test", long), Want: "docs-lim"},
		{Port: 1, Raw: withField("lim.test", many), Want: "docs-lim"},
		{Port: 1, Raw: get(longPath, "lim.test"), Want: "docs-lim"},
		{IP: "127.0.0.2", Raw: withField("anything.test", long), Want: "Bad Request"},
		{IP: "127.0.0.2", Raw: withField("anything.test", many), Want: "docs-ip"},
	})
}
