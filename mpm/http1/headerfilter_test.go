package http1

import (
	"io"
	"net/http"
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
}

// TestHeaderFilter: the handler's filter sees its own answers and its error
// pages (WriteError, WriteErrorDocument) told apart; Server.HeaderFilter
// covers an error page the engine writes for a request no handler saw, not
// a handler's answer without a filter; a filter cannot change the framing.
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
		if r.Header.Get("Content-Length") == "999" {
			t.Errorf("%q: the filter changed Content-Length", tc.raw)
		}
		if tc.body != "" && r.Body != tc.body {
			t.Errorf("%q: body %q, want %q", tc.raw, r.Body, tc.body)
		}
	}
}
