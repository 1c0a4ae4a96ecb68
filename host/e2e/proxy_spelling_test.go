package e2e_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// proxySpellingConf proxies /p to a backend that answers with the head it
// received, and replaces the value of a field the client sent.
const proxySpellingConf = proxyHTTPModules + mainSite + `ProxyPass /p http://@BE@/q
RequestHeader set x-rep replaced
`

// TestProxyFieldSpelling: the request's fields reach a mod_proxy_http
// backend as apache2 forwards them: in the client's order and spelling
// (x-my-header, ACCEPT), a repeated field's lines as one, a field the
// client sent and RequestHeader replaced or mod_proxy merged into
// (X-Forwarded-For) at its place, the proxy's X-Forwarded-* last.
func TestProxyFieldSpelling(t *testing.T) {
	be := headEchoBackend(t)
	p := startPair(t, 1, strings.ReplaceAll(proxySpellingConf, "@BE@", be), map[string]string{"a.txt": "a\n"})
	req := "GET /p/x HTTP/1.1\r\nHost: main.test\r\nx-my-header: 1\r\nACCEPT: */*\r\nX-Rep: one\r\nuser-agent: t\r\n" +
		"x-my-header: 2\r\nx-forwarded-for: 10.0.0.1\r\nConnection: close\r\n\r\n"
	p.compareBackendHead(t, req)
}

// proxyRemovedConf proxies /r; mod_remoteip takes X-Forwarded-For away,
// RequestHeader unsets or edits fields the client sent and sets some again.
const proxyRemovedConf = `LoadModule remoteip_module ` + apacheModuleDir + `/mod_remoteip.so
` + proxyHTTPModules + mainSite + `ProxyPass /r http://@BE@/q
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 127.0.0.1
RequestHeader set x-rep replaced
RequestHeader edit X-Ed one two
RequestHeader unset x-un
RequestHeader set X-Un again
RequestHeader unset x-gone
`

// TestProxyRemovedFieldSpelling: a field the client sent that mod_remoteip
// (X-Forwarded-For) or RequestHeader unset or edit removed is not the
// client's any more: set again, or merged into by mod_proxy, it reaches
// the backend after the client's fields, as apache2's table appends it
// (spfix).
func TestProxyRemovedFieldSpelling(t *testing.T) {
	be := headEchoBackend(t)
	p := startPair(t, 1, strings.ReplaceAll(proxyRemovedConf, "@BE@", be), map[string]string{"a.txt": "a\n"})
	p.compareBackendHead(t, "GET /r/x HTTP/1.1\r\nHost: main.test\r\nx-forwarded-for: 1.2.3.4\r\nX-Un: 1\r\nx-rep: one\r\n"+
		"X-Ed: one\r\nx-gone: 1\r\nuser-agent: t\r\nConnection: close\r\n\r\n")
}

// requestHeaderLines add fields the client did not send and change those
// it did (x-client-*), in each way, some names twice.
const requestHeaderLines = `RequestHeader set x-new-set a
RequestHeader append X-New-App b
RequestHeader add x-NEW-add c
RequestHeader set X-Client-Set d
RequestHeader add X-Client-Add e
RequestHeader append x-client-app f
RequestHeader setifempty a-empty g
RequestHeader add x-NEW-add c2
RequestHeader set x-new-set a2
RequestHeader merge X-MERGE m
`

// requestHeaderRequest sends the x-client-* fields requestHeaderLines
// change.
const requestHeaderRequest = " HTTP/1.1\r\nHost: main.test\r\nx-client-set: 1\r\nx-client-add: 1\r\nX-Client-App: 1\r\n" +
	"user-agent: t\r\nConnection: close\r\n\r\n"

// TestProxyAddedFieldSpelling: the fields RequestHeader adds reach a
// mod_proxy_http backend as apache2's r->headers_in holds them: after the
// client's, in the order of the actions and spelled as their lines
// (x-NEW-add), a field set again at its first place, a value add gives a
// field the client sent a line of its own at the end (ours sent them in
// name order, spelled canonically, the value joined to the client's line).
func TestProxyAddedFieldSpelling(t *testing.T) {
	be := headEchoBackend(t)
	p := startPair(t, 1, proxyHTTPModules+mainSite+"ProxyPass /p http://"+be+"/q\n"+requestHeaderLines, map[string]string{"a.txt": "a\n"})
	p.compareBackendHead(t, "GET /p/x"+requestHeaderRequest)
}

// headEchoBackend is a backend that answers each request with the head it
// received.
func headEchoBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		var head strings.Builder
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
			head.WriteString(l)
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"+head.String())
	})
}

// compareBackendHead sends req to both servers and compares what their
// backend received.
func (p *diffPair) compareBackendHead(t *testing.T, req string) {
	t.Helper()
	want := p.apache.backendHead(t, req)
	got := p.ours.backendHead(t, req)
	if got != want {
		t.Errorf("the backend received:\napache:\n%s\nours:\n%s", want, got)
	} else {
		t.Logf("the backend received, from both:\n%s", want)
	}
}

// backendHead is the body of s's answer to req: what the backend received.
func (s *diffServer) backendHead(t *testing.T, req string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
	_, body, _ := strings.Cut(raw.String(), "\r\n\r\n")
	return body
}

// proxyBlanksConf proxies /b; RequestHeader leaves blanks at the ends of
// values: an empty value appended (Host, a client's field), one set with
// spaces around it.
const proxyBlanksConf = proxyHTTPModules + mainSite + `ProxyPass /b http://@BE@/q
RequestHeader append Host ""
RequestHeader append X-App ""
RequestHeader set X-Sp "  sp  "
RequestHeader set X-Empty ""
`

// TestProxyFieldBlanks: mod_proxy_http sends the request's values as
// they are, the blanks at their ends kept (ours trimmed them): the Host
// RequestHeader appended nothing to gives X-Forwarded-Host "main.test, ",
// a value set with spaces around keeps them, an empty one is an empty
// field.
func TestProxyFieldBlanks(t *testing.T) {
	be := headEchoBackend(t)
	p := startPair(t, 1, strings.ReplaceAll(proxyBlanksConf, "@BE@", be), map[string]string{"a.txt": "a\n"})
	p.compareBackendHead(t, "GET /b/x HTTP/1.1\r\nHost: main.test\r\nX-App: a\r\nuser-agent: t\r\nConnection: close\r\n\r\n")
}
