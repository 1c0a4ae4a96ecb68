package config

import (
	"strings"
	"testing"
	"time"
)

func resolveString(t *testing.T, src string) (*Server, Errors) {
	t.Helper()
	cfg, errs := parseString(t, src, Options{ServerRoot: "/srv"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return Resolve(cfg)
}

func TestResolveDefaults(t *testing.T) {
	s, errs := resolveString(t, "")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := &Server{
		ServerRoot:           "/srv",
		DocumentRoot:         "/srv/htdocs",
		PidFile:              "/srv/logs/httpd.pid",
		ErrorLog:             "/srv/logs/error_log",
		TypesConfig:          "/srv/conf/mime.types",
		LogLevel:             "warn",
		ListenBacklog:        511,
		AcceptFilters:        map[string]string{"http": "data", "https": "data"},
		ListenTCPDeferAccept: 30,
		DirectoryIndex:       []string{"index.html"},
		PerServer: PerServer{
			AddTypes: map[string]string{}, KeepAlive: true, MaxKeepAliveRequests: 100,
			ServerSignature: "off", TraceEnable: "on", LimitRequestBody: 1 << 30,
			LimitRequestLine: 8190, LimitRequestFieldSize: 8190, LimitRequestFields: 100,
			KeepAliveTimeout: 5 * time.Second, Timeout: 60 * time.Second,
		},
		ServerTokens: "full",
	}
	equal(t, "server", s, want)
}

// The outcomes were checked against apache2 2.4.71 on Linux, which sets
// TCP_DEFER_ACCEPT (strace) for every filter but "none" or "".
func TestResolveAcceptFilter(t *testing.T) {
	s, errs := resolveString(t, "AcceptFilter HTTP None\nAcceptFilter foo connectready\nAcceptFilter bar data\nAcceptFilter bar NONE\nAcceptFilter baz \"\"\nListenTCPDeferAccept 7\nListenTCPDeferAccept 0")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "AcceptFilters", s.AcceptFilters, map[string]string{"http": "none", "https": "data", "foo": "connectready", "bar": "none", "baz": ""})
	equal(t, "ListenTCPDeferAccept", s.ListenTCPDeferAccept, 7)
	for proto, want := range map[string]int{"http": 0, "https": 7, "foo": 7, "bar": 0, "baz": 0, "ftp": 0} {
		equal(t, "DeferAccept("+proto+")", s.DeferAccept(proto), want)
	}
	d, _ := resolveString(t, "")
	equal(t, "default DeferAccept(http)", d.DeferAccept("http"), 30)
	equal(t, "default DeferAccept(https)", d.DeferAccept("https"), 30)
}

func TestResolveSettings(t *testing.T) {
	src := `ServerName www.example.com:80
DocumentRoot htdocs/site/
PidFile /run/httpd.pid
ErrorLog "|/usr/bin/rotatelogs x 86400"
TypesConfig /etc/mime.types
ListenAddrFile run/addrs
LogLevel info core:debug
User www-data
Group www-data
ListenBacklog 1024
ListenBacklog 0
DirectoryIndex index.php
DirectoryIndex index.html default.htm
AddType "Text/X-Foo; Charset=UTF-8" .X y
AddType text/plain .TXT
KeepAlive Off
KeepAliveTimeout 300ms
MaxKeepAliveRequests 0
Timeout 30x
Listen 127.0.0.1:8080
Listen [::1]:443
Listen *:80 HTTP
<Directory />
DocumentRoot /ignored
</Directory>
<VirtualHost *:80>
ServerName ignored
</VirtualHost>
`
	s, errs := resolveString(t, src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "ServerName", s.ServerName, "www.example.com:80")
	equal(t, "DocumentRoot", s.DocumentRoot, "/srv/htdocs/site")
	equal(t, "PidFile", s.PidFile, "/run/httpd.pid")
	equal(t, "ErrorLog", s.ErrorLog, "|/usr/bin/rotatelogs x 86400")
	equal(t, "TypesConfig", s.TypesConfig, "/etc/mime.types")
	equal(t, "ListenAddrFile", s.ListenAddrFile, "/srv/run/addrs")
	equal(t, "LogLevel", s.LogLevel, "info core:debug")
	equal(t, "User", s.User, "www-data")
	equal(t, "Group", s.Group, "www-data")
	equal(t, "ListenBacklog", s.ListenBacklog, 1024)
	equal(t, "DirectoryIndex", s.DirectoryIndex, []string{"index.php", "index.html", "default.htm"})
	// Checked with a running apache2: both the extension and the type are
	// lowercased ("Content-Type: text/x-foo; charset=utf-8" for a.x).
	equal(t, "AddTypes", s.AddTypes, map[string]string{"x": "text/x-foo; charset=utf-8", "y": "text/x-foo; charset=utf-8", "txt": "text/plain"})
	equal(t, "KeepAlive", s.KeepAlive, false)
	equal(t, "KeepAliveTimeout", s.KeepAliveTimeout, 300*time.Millisecond)
	equal(t, "MaxKeepAliveRequests", s.MaxKeepAliveRequests, 0)
	equal(t, "Timeout", s.Timeout, 30*time.Second)
	equal(t, "Listeners", s.Listeners, []Listener{
		{Addr: "127.0.0.1:8080", Proto: "http", File: "/srv/httpd.conf", Line: 20},
		{Addr: "[::1]:443", Proto: "https", File: "/srv/httpd.conf", Line: 21},
		{Addr: ":80", Proto: "http", File: "/srv/httpd.conf", Line: 22},
	})
	equal(t, "Sections", dump(s.Sections), "Directory[/]{DocumentRoot[/ignored]}; VirtualHost[*:80]{ServerName[ignored]}")
}

func TestResolveEngineSettings(t *testing.T) {
	src := `ServerAdmin webmaster@example.com
ServerTokens Prod
ServerSignature EMail
TraceEnable Extended
FileETag INode +Size
LimitRequestLine 1000
LimitRequestFieldSize 2000
LimitRequestFields 0
LimitRequestBody 0
<Directory />
ServerSignature On
LimitRequestBody 5
</Directory>
`
	s, errs := resolveString(t, src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "ServerAdmin", s.ServerAdmin, "webmaster@example.com")
	equal(t, "ServerTokens", s.ServerTokens, "productonly")
	equal(t, "ServerSignature", s.ServerSignature, "email")
	equal(t, "TraceEnable", s.TraceEnable, "extended")
	equal(t, "FileETag", s.FileETag, []string{"INode", "+Size"})
	equal(t, "LimitRequestLine", s.LimitRequestLine, 1000)
	equal(t, "LimitRequestFieldSize", s.LimitRequestFieldSize, 2000)
	equal(t, "LimitRequestFields", s.LimitRequestFields, 0)
	equal(t, "LimitRequestBody", s.LimitRequestBody, int64(0))
	for arg, want := range map[string]string{"Min": "minimal", "minimal": "minimal", "Major": "major", "MINOR": "minor", "OS": "os", "Full": "full", "ProductOnly": "productonly"} {
		s, _ := resolveString(t, "ServerTokens "+arg)
		equal(t, arg, s.ServerTokens, want)
	}
}

func TestResolveErrorLog(t *testing.T) {
	for src, want := range map[string]string{
		"ErrorLog syslog":        "syslog",
		"ErrorLog syslog:local7": "syslog:local7",
		"ErrorLog SYSLOG":        "SYSLOG",
		"ErrorLog |cat":          "|cat",
		"ErrorLog logs/err":      "/srv/logs/err",
		"ErrorLog /var/log/err":  "/var/log/err",
	} {
		s, _ := resolveString(t, src)
		equal(t, src, s.ErrorLog, want)
	}
}

func TestResolveDirectoryIndexDisabled(t *testing.T) {
	s, _ := resolveString(t, "DirectoryIndex a.html\nDirectoryIndex disabled")
	equal(t, "DirectoryIndex", s.DirectoryIndex, []string{})
}

func TestResolveKeepAliveTimeouts(t *testing.T) {
	for arg, want := range map[string]time.Duration{
		"7": 7 * time.Second, "7s": 7 * time.Second, "250ms": 250 * time.Millisecond,
		"2mi": 2 * time.Minute, "1h": time.Hour, "0": 0, "bad": 5 * time.Second,
	} {
		s, _ := resolveString(t, "KeepAliveTimeout "+arg)
		equal(t, arg, s.KeepAliveTimeout, want)
	}
}

// "Cannot define multiple Listeners on the same IP:port" was captured from
// apache2 -t; like Apache we report it at the repeating line.
func TestResolveDuplicateListeners(t *testing.T) {
	tests := []struct {
		name, src string
		lines     []int
	}{
		{"same", "Listen 80\nServerName y\nListen 80", []int{3}},
		{"star is all", "Listen 80\nListen *:80", []int{2}},
		{"leading zeros", "Listen 80\nListen 0080", []int{2}},
		{"protocol does not matter", "Listen 127.0.0.1:80\nListen 127.0.0.1:80 https", []int{2}},
		{"ipv6", "Listen [::1]:80\nListen [::1]:80", []int{2}},
		{"three times", "Listen 80\nListen 80\nListen 80", []int{2, 3}},
		{"different addresses", "Listen 80\nListen 0.0.0.0:80\nListen 127.0.0.1:80", nil},
		{"port 0 is never a duplicate", "Listen 127.0.0.1:0\nListen 127.0.0.1:0\nListen 0", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := resolveString(t, tt.src)
			var lines []int
			for _, e := range errs {
				lines = append(lines, e.Line)
				equal(t, "message", e.Error(), "AH00526: Syntax error on line "+itoa(e.Line)+" of /srv/httpd.conf:\nCannot define multiple Listeners on the same IP:port")
			}
			equal(t, "lines", lines, tt.lines)
		})
	}
}

func TestResolveSkipsInvalid(t *testing.T) {
	s, errs := resolveString(t, "Listen\nListen abc\nListen 1 2 3\nKeepAlive maybe\nListenBacklog -1\nAddType x\nListen 0")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "Listeners", len(s.Listeners), 1)
	equal(t, "KeepAlive", s.KeepAlive, true)
	equal(t, "ListenBacklog", s.ListenBacklog, 511)
}

func TestParseListen(t *testing.T) {
	tests := []struct {
		in, addr string
		err      error
	}{
		{"80", ":80", nil},
		{"0", ":0", nil},
		{"*:80", ":80", nil},
		{"127.0.0.1:8080", "127.0.0.1:8080", nil},
		{"localhost:81", "localhost:81", nil},
		{"[::1]:80", "[::1]:80", nil},
		{"fe80::1%lo:80", "[fe80::1%lo]:80", nil},
		{"[fe80::1%lo]:80", "[fe80::1%lo]:80", nil},
		{"00080", ":80", nil},
		{"abc", "", errListenPort},
		{"*", "", errListenPort},
		{"-1", "", errListenPort},
		{"80x", "", errListenPort},
		{"1.2.3.4:", "", errListenPort},
		{"1.2.3.4:abc", "", errListenPort},
		{"[::1]", "", errListenPort},
		{"", "", errListenPort},
		{":80", "", errListenAddr},
		{"65536", "", errListenAddr},
		{"99999999999999999999", "", errListenAddr},
		{"[::1", "", errListenAddr},
		{"[::1]:", "", errListenAddr},
		{"[::1]x", "", errListenAddr},
		{"[abc]:80", "", errListenAddr},
		{"::1", "", errListenAddr},
	}
	for _, tt := range tests {
		host, port, err := parseListen(tt.in)
		if err != tt.err {
			t.Errorf("parseListen(%q) error %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && listenAddr(host, port) != tt.addr {
			t.Errorf("parseListen(%q) = %q", tt.in, listenAddr(host, port))
		}
	}
}

func TestAtoi(t *testing.T) {
	for in, want := range map[string]int{"12": 12, " 7x": 7, "-3": -3, "+4": 4, "abc": 0, "": 0, "99999999999999": 2147483647, "-99999999999999": -2147483648} {
		equal(t, in, atoi(in), want)
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestResolveAccessLogs(t *testing.T) {
	src := `CustomLog logs/access_log combined
LogFormat "%h %>s" short
CustomLog "|/usr/bin/rotatelogs x 86400" short
CustomLog /dev/stderr "%h %{Referer}i"
CustomLog logs/nick undefined
TransferLog logs/transfer1
LogFormat "%h %t"
TransferLog logs/transfer2
CustomLog logs/never common env=nolog
CustomLog logs/always common env=!nolog
LogFormat "%v %h" combined
<VirtualHost *:80>
CustomLog logs/vhost common
</VirtualHost>
`
	s, errs := resolveString(t, src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	type log struct{ target, format, cond string }
	var got []log
	for _, l := range s.AccessLogs {
		got = append(got, log{l.Target, l.Format, l.Condition})
	}
	// As mod_log_config: nicknames are looked up once the whole config is read
	// (so the later "combined" wins), an unknown one is logged literally, and a
	// TransferLog takes the LogFormat without nickname in force at the end.
	equal(t, "AccessLogs", got, []log{
		{"/srv/logs/access_log", "%v %h", ""},
		{"|/usr/bin/rotatelogs x 86400", "%h %>s", ""},
		{"/dev/stderr", "%h %{Referer}i", ""},
		{"/srv/logs/nick", "undefined", ""},
		{"/srv/logs/transfer1", "%h %t", ""},
		{"/srv/logs/transfer2", "%h %t", ""},
		{"/srv/logs/never", `%h %l %u %t "%r" %>s %b`, "env=nolog"},
		{"/srv/logs/always", `%h %l %u %t "%r" %>s %b`, "env=!nolog"},
	})
	equal(t, "line", s.AccessLogs[1].Line, 3)
}

func TestRequestReadTimeoutBody(t *testing.T) {
	for _, c := range []struct {
		line     string
		timeout  time.Duration
		rate     int
		validErr string
	}{
		{"RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500", 20 * time.Second, 500, ""},
		{"RequestReadTimeout body=4", 4 * time.Second, 0, ""},
		{"RequestReadTimeout body=10-30,MinRate=100", 10 * time.Second, 100, ""},
		{"RequestReadTimeout header=20", 0, 0, ""},
		{"RequestReadTimeout body=x", 0, 0, "RequestReadTimeout: invalid value 'body=x'"},
		{"RequestReadTimeout head=20", 0, 0, "RequestReadTimeout: unknown parameter 'head=20'"},
	} {
		cfg, err := Parse("/t.conf", []byte(c.line+"\n"), Options{ServerRoot: "/srv"})
		if err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		errs := Validate(cfg, Core)
		if c.validErr != "" {
			if len(errs) != 1 || !strings.Contains(errs[0].Message, c.validErr) {
				t.Errorf("%s: %v, want %q", c.line, errs, c.validErr)
			}
			continue
		}
		if len(errs) > 0 {
			t.Fatalf("%s: %v", c.line, errs)
		}
		s, _ := Resolve(cfg)
		if s.BodyTimeout != c.timeout || s.BodyMinRate != c.rate {
			t.Errorf("%s: %v %d, want %v %d", c.line, s.BodyTimeout, s.BodyMinRate, c.timeout, c.rate)
		}
	}
}
