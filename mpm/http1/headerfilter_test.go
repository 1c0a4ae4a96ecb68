package http1

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// recordFilter sets X-Filtered to the status and whether the response is an
// error page, and tries to change the framing.
type recordFilter struct{ name string }

func (f recordFilter) FilterHeader(r *http.Request, status int, h http.Header, errorPage bool) {
	v := f.name + " " + statusCode(status)
	if errorPage {
		v += " error page"
	}
	h["X-Filtered"] = []string{v}
	h["Content-Length"] = []string{"999"}
	h["content-length"] = []string{"998"}
	h["transfer-encoding"] = []string{"gzip"}
	h["Server"] = []string{"filtered"}
	h["date"] = []string{"Thu, 01 Jan 1970 00:00:00 GMT"}
	if r.URL.Path == "/close" {
		h["connection"] = []string{"close"}
	}
}

// TestHeaderFilter: the handler's filter sees its own answers and its error
// pages (WriteError, WriteErrorDocument) told apart; Server.HeaderFilter
// covers an error page the engine writes for a request no handler saw, not
// a handler's answer without a filter; a filter cannot change the framing,
// Date or Server, in any spelling, and its "connection: close" closes.
func TestHeaderFilter(t *testing.T) {
	srv := &Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/none":
			case "/clear":
				SetHeaderFilter(r, recordFilter{"handler"})
				SetHeaderFilter(r, nil)
				WriteError(w, r, http.StatusNotFound, "")
				return
			default:
				SetHeaderFilter(r, recordFilter{"handler"})
			}
			switch r.URL.Path {
			case "/error":
				WriteError(w, r, http.StatusForbidden, "")
			case "/doc":
				WriteErrorDocument(w, r, http.StatusGone, "gone")
			default:
				io.WriteString(w, "hello")
			}
		}),
		HeaderFilter: func(c *Conn, r *http.Request) HeaderFilter { return recordFilter{"server"} },
	}
	addr := serve(t, srv)
	for _, tc := range []struct{ raw, want, body string }{
		{"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "handler 200", "hello"},
		{"GET /error HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "handler 403 error page", ""},
		{"GET /doc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "handler 410 error page", "gone"},
		{"GET /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "", ""},
		{"GET /clear HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "", ""},
		{"GET /x HTTP/1.1\r\nHost: x\r\nBad line\r\n\r\n", "server 400 error page", ""},
	} {
		resps, _ := exchangeRaw(t, addr, tc.raw, 1)
		if len(resps) != 1 {
			t.Fatalf("%q: %d responses", tc.raw, len(resps))
		}
		r := resps[0]
		if got := r.Header.Get("X-Filtered"); got != tc.want {
			t.Errorf("%q: X-Filtered %q, want %q", tc.raw, got, tc.want)
		}
		for _, f := range r.Fields {
			switch name, v, _ := strings.Cut(f, ": "); {
			case strings.EqualFold(name, "Content-Length") && (v == "999" || v == "998"),
				strings.EqualFold(name, "Transfer-Encoding") && v == "gzip",
				strings.EqualFold(name, "Server") && v == "filtered",
				strings.EqualFold(name, "Date") && strings.HasSuffix(v, "1970 00:00:00 GMT"):
				t.Errorf("%q: the filter's %q was sent", tc.raw, f)
			}
		}
		if tc.body != "" && r.Body != tc.body {
			t.Errorf("%q: body %q, want %q", tc.raw, r.Body, tc.body)
		}
	}
	// Its "connection: close" ends a kept-alive connection, as apache2's
	// ap_set_keepalive reads the Connection field mod_headers set.
	raw := "GET /close HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n"
	if resps, closed := exchangeRaw(t, addr, raw, 1); !closed || resps[0].Header.Get("Connection") != "close" {
		t.Errorf("the filter's connection: close: closed %v, Connection %q", closed, resps[0].Header.Get("Connection"))
	}
}
