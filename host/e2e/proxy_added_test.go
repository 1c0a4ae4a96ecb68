package e2e_test

import "testing"

// proxyAddedConf's sections each change, with RequestHeader, a field the
// proxy itself adds or merges into (X-Forwarded-*, Via, Max-Forwards), or
// one the client sent on two lines (X-Rep).
const proxyAddedConf = "ProxyVia On\n" +
	"<Location /e>\nRequestHeader add X-Forwarded-For 9.9.9.9\n</Location>\n" +
	"<Location /f>\nRequestHeader add Via \"1.0 other\"\nRequestHeader add X-Forwarded-Host fh\n</Location>\n" +
	"<Location /g>\nRequestHeader append X-Forwarded-For 9.9.9.9\nRequestHeader add X-Forwarded-Server s1\nRequestHeader add x-forwarded-server s2\n</Location>\n" +
	"<Location /h>\nRequestHeader unset X-Forwarded-For\nRequestHeader add x-forwarded-for 8.8.8.8\nRequestHeader add X-Forwarded-For 9.9.9.9\n</Location>\n" +
	"<Location /i>\nRequestHeader set X-Forwarded-For 9.9.9.9\nRequestHeader merge Via v2\nRequestHeader add Max-Forwards 7\n</Location>\n" +
	"<Location /j>\nRequestHeader unset Via\nRequestHeader unset X-Forwarded-Host\nRequestHeader add Via v3\n</Location>\n" +
	"<Location /k>\nRequestHeader append X-Rep a\n</Location>\n" +
	"<Location /l>\nRequestHeader merge X-Rep 2\nRequestHeader merge X-Rep 3\n</Location>\n" +
	"<Location /m>\nRequestHeader edit X-Rep \"^1, 2$\" 12\n</Location>\n" +
	"<Location /n>\nRequestHeader add X-Rep c\nRequestHeader append X-Rep d\nRequestHeader edit* X-Rep \"[12]\" N\n</Location>\n"

// TestProxyAddedProxyFields: a field the proxy adds or merges into
// (apr_table_mergen: the first entry's value, or a new entry at the end)
// that RequestHeader also changed reaches the backend as apache2's does:
// the client's line with the proxy's value merged, then the line
// RequestHeader added (ours sent neither); a field the client sent on two
// lines is one entry for RequestHeader's append, merge and edit, as
// apache2 merges them when it reads the request. Each with and without the
// client's fields.
func TestProxyAddedProxyFields(t *testing.T) {
	compareSections(t, proxyAddedConf, []string{"/e", "/f", "/g", "/h", "/i", "/j", "/k", "/l", "/m", "/n"},
		"X-Rep: 1\r\nuser-agent: t\r\nx-rep: 2\r\nX-Forwarded-For: 10.0.0.1\r\nvia: 1.1 client\r\nX-Forwarded-Host: c.test\r\n"+
			"X-Forwarded-Server: cs\r\nMax-Forwards: 5\r\n",
		"user-agent: t\r\n")
}

// compareSections compares what a backend mod_proxy_http passes to
// receives from apache2 and ours for a request to each path with each of
// the fields given (after Host), under conf (after ProxyPass / to it).
func compareSections(t *testing.T, conf string, paths []string, fields ...string) {
	t.Helper()
	be := headEchoBackend(t)
	p := startPair(t, 1, proxyHTTPModules+mainSite+"ProxyPass / http://"+be+"/q/\n"+conf, map[string]string{"a.txt": "a\n"})
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			for _, f := range fields {
				p.compareBackendHead(t, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\n"+f+"Connection: close\r\n\r\n")
			}
		})
	}
}

// proxyLinesConf's sections change, with RequestHeader, a field the client
// sent on two lines (X-Rep), one the proxy merges into (X-Forwarded-For),
// and new ones in several spellings.
const proxyLinesConf = "<Location /a>\nRequestHeader append X-Rep a\n</Location>\n" +
	"<Location /b>\nRequestHeader merge X-Rep 2\n</Location>\n" +
	"<Location /c>\nRequestHeader edit X-Rep \"^1, 2$\" 12\n</Location>\n" +
	"<Location /d>\nRequestHeader add X-Rep c\nRequestHeader append X-Rep d\n</Location>\n" +
	"<Location /f>\nRequestHeader set x-forwarded-for 9.9.9.9\nRequestHeader set x-late l\n</Location>\n" +
	"<Location /g>\nRequestHeader unset X-Rep\nRequestHeader add x-rep z\nRequestHeader add X-REP y\n</Location>\n" +
	"<Location /h>\nRequestHeader add X-New a\nRequestHeader set X-New b\nRequestHeader add x-new c\n</Location>\n" +
	"<Location /i>\nRequestHeader add X-New a\nRequestHeader add x-new b\nRequestHeader edit X-NEW a A\n</Location>\n" +
	"<Location /j>\nRequestHeader set Via v1\nRequestHeader set x-forwarded-host fh\n</Location>\n" +
	"<Location /k>\nRequestHeader setifempty X-Rep s\nRequestHeader setifempty X-Emp s\nRequestHeader merge x-mrg m\nRequestHeader merge X-MRG m\n</Location>\n" +
	"<Location /l>\nRequestHeader edit x-rep \"^(.*)$\" \"<$1>\"\n</Location>\n"

// TestProxyAddedFieldOrder: RequestHeader's changes reach a mod_proxy_http
// backend in apache2's r->headers_in order and spelling: the client's two
// X-Rep lines are one entry for append (ours gave "1, a, 2"), merge (ours
// added a second 2) and edit (ours edited each line); an edited entry
// keeps its spelling (x-new, the client's X-Rep; ours spelled them
// canonically); a field the proxy merges into that a line set keeps the
// line's spelling (x-forwarded-host; ours: X-Forwarded-Host).
func TestProxyAddedFieldOrder(t *testing.T) {
	compareSections(t, proxyLinesConf, []string{"/a", "/b", "/c", "/d", "/f", "/g", "/h", "/i", "/j", "/k", "/l"},
		"X-Rep: 1\r\nuser-agent: t\r\nx-rep: 2\r\nX-Forwarded-For: 10.0.0.1\r\n")
}

// TestProxyAddedHost: under ProxyPreserveHost, the Host the backend gets,
// and the X-Forwarded-Host, are the first entry of the request's Host
// field, as RequestHeader left it (apache2's saved_host; ours took the
// client's Host even after RequestHeader set it).
func TestProxyAddedHost(t *testing.T) {
	compareSections(t, "ProxyPreserveHost On\n"+
		"<Location /a>\nRequestHeader set Host other.test\n</Location>\n"+
		"<Location /b>\nRequestHeader add Host other.test\n</Location>\n"+
		"<Location /c>\nRequestHeader edit Host ^main other\n</Location>\n",
		[]string{"/a", "/b", "/c"}, "user-agent: t\r\n")
}
