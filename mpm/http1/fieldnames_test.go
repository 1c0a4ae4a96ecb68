package http1

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestRequestFieldNames: the request's field names in the order their
// first lines came, each once, canonical; nil for a request from elsewhere.
func TestRequestFieldNames(t *testing.T) {
	srv := newTestServer()
	got := make(chan string, 1)
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- strings.Join(RequestFieldNames(r), ",")
	})
	addr := serve(t, srv)
	exchangeRaw(t, addr, "GET / HTTP/1.1\r\nx-zed: 1\r\nHost: h\r\nB: 2\r\n folded\r\nX-Zed: 3\r\nAlpha: 4\r\nConnection: close\r\n\r\n", 1)
	if g, want := <-got, "X-Zed,Host,B,Alpha,Connection"; g != want {
		t.Errorf("RequestFieldNames = %s, want %s", g, want)
	}
	if n := RequestFieldNames(&http.Request{Header: http.Header{"A": {"1"}}}); n != nil {
		t.Errorf("a request from elsewhere: %q", n)
	}
}

// TestSentFieldNames: beside RequestFieldNames, each name as the client
// spelled its first line, a folded value and the header map untouched by
// the spellings kept.
func TestSentFieldNames(t *testing.T) {
	srv := newTestServer()
	got := make(chan string, 1)
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		names, sent := SentFieldNames(r)
		got <- strings.Join(names, ",") + " " + strings.Join(sent, ",") + " " + strings.Join(r.Header["X-Zed"], "|") + " " + r.Header.Get("B")
	})
	addr := serve(t, srv)
	exchangeRaw(t, addr, "GET / HTTP/1.1\r\nx-zed: 1\r\nHost: h\r\nb: 2\r\n folded\r\nX-Zed: 3\r\nALPHA-beta: 4\r\nConnection: close\r\n\r\n", 1)
	if g, want := <-got, "X-Zed,Host,B,Alpha-Beta,Connection x-zed,Host,b,ALPHA-beta,Connection 1|3 2 folded"; g != want {
		t.Errorf("got %q, want %q", g, want)
	}
}

// TestRemovedField: a field removed after the request was read, in any
// spelling, is no longer among the client's names; the others keep their
// places and spellings.
func TestRemovedField(t *testing.T) {
	srv := newTestServer()
	got := make(chan string, 1)
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		RemovedField(r, "x-ZED")
		RemovedField(r, "Absent")
		names, sent := SentFieldNames(r)
		got <- strings.Join(names, ",") + " " + strings.Join(sent, ",")
	})
	addr := serve(t, srv)
	exchangeRaw(t, addr, "GET / HTTP/1.1\r\nx-zed: 1\r\nHost: h\r\nb: 2\r\nX-Zed: 3\r\nConnection: close\r\n\r\n", 1)
	if g, want := <-got, "Host,B,Connection Host,b,Connection"; g != want {
		t.Errorf("got %q, want %q", g, want)
	}
	RemovedField(&http.Request{Header: http.Header{"A": {"1"}}}, "A") // a request from elsewhere: nothing to do
}

// TestRemovedFieldsRestored: SetRemovedFields gives back the removed marks
// RemovedFields saved: a field removed since is the client's again, in its
// place and spelling, and one removed before stays removed.
func TestRemovedFieldsRestored(t *testing.T) {
	srv := newTestServer()
	got := make(chan string, 1)
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		none := RemovedFields(r)
		RemovedField(r, "b")
		saved := RemovedFields(r)
		RemovedField(r, "x-zed")
		all := RemovedFields(r)
		SetRemovedFields(r, saved)
		names, sent := SentFieldNames(r)
		got <- fmt.Sprint(none == nil, saved, all) + " " + strings.Join(names, ",") + " " + strings.Join(sent, ",")
	})
	addr := serve(t, srv)
	exchangeRaw(t, addr, "GET / HTTP/1.1\r\nx-zed: 1\r\nHost: h\r\nb: 2\r\nX-Zed: 3\r\nConnection: close\r\n\r\n", 1)
	if g, want := <-got, "true [B] [X-Zed B] X-Zed,Host,Connection x-zed,Host,Connection"; g != want {
		t.Errorf("got %q, want %q", g, want)
	}
	if RemovedFields(&http.Request{Header: http.Header{"A": {"1"}}}) != nil { // a request from elsewhere
		t.Error("a request from elsewhere has removed fields")
	}
}

// TestOrigNotes: an internal redirect (InternalRedirect) starts the
// request's notes anew and keeps the first request's for OrigNotes, and its
// status for OrigStatus, also across a second redirect; the next request
// starts without either.
func TestOrigNotes(t *testing.T) {
	srv := newTestServer()
	got := make(chan string, 2)
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := ConnFromRequest(r)
		o0, _ := c.OrigNotes().Get("a")
		if r.URL.Path == "/1" {
			SetNote(r, "a", "first")
			InternalRedirect(r, 404, r)
			SetNote(r, "a", "second")
			InternalRedirect(r, 200, r)
			SetNote(r, "b", "third")
		}
		cur, _ := c.Notes().Get("a")
		b, _ := c.Notes().Get("b")
		orig, _ := c.OrigNotes().Get("a")
		got <- o0 + "|" + cur + "|" + b + "|" + orig + "|" + strconv.Itoa(c.OrigStatus())
	})
	addr := serve(t, srv)
	exchangeRaw(t, addr, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 2)
	for _, want := range []string{"||third|first|404", "||||0"} {
		if g := <-got; g != want {
			t.Errorf("got %q, want %q", g, want)
		}
	}
}

// TestSentFieldNamesAllocs: SentFieldNames costs two allocations (the two
// slices; the names are substrings of the string the Header's keys come
// from) whatever the number of fields, up to 32, and a map above, the
// names compared without a copy each.
func TestSentFieldNamesAllocs(t *testing.T) {
	srv := newTestServer()
	got := make(chan string, 2)
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := testing.AllocsPerRun(10, func() { SentFieldNames(r) })
		names, _ := SentFieldNames(r)
		got <- strconv.Itoa(len(names)) + " " + strconv.FormatFloat(n, 'f', -1, 64)
	})
	addr := serve(t, srv)
	var many strings.Builder
	for i := range 40 {
		many.WriteString("x-f" + strconv.Itoa(i) + ": v\r\nX-Rep: " + strconv.Itoa(i) + "\r\n")
	}
	exchangeRaw(t, addr, "GET / HTTP/1.1\r\nx-a: 1\r\nHost: h\r\nB: 2\r\nx-a: 3\r\nAlpha: 4\r\nx-c: 5\r\nx-d: 6\r\n\r\n"+
		"GET / HTTP/1.1\r\nHost: h\r\n"+many.String()+"Connection: close\r\n\r\n", 2)
	if g, want := <-got, "6 2"; g != want {
		t.Errorf("a few fields: names, allocations %s, want %s", g, want)
	}
	if g := <-got; !strings.HasPrefix(g, "43 ") {
		t.Errorf("many fields: names, allocations %s, want 43 names", g)
	}
}

// TestSentFieldNamesOutliveRequest: the names of a request, kept by the
// handler, are the same once the next request on the connection, of the
// same shape, has been read over the parser's buffer where they were.
func TestSentFieldNamesOutliveRequest(t *testing.T) {
	srv := newTestServer()
	got := make(chan string, 2)
	var names, sent []string
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if names == nil {
			names, sent = SentFieldNames(r)
		}
		got <- strings.Join(names, ",") + " " + strings.Join(sent, ",")
	})
	addr := serve(t, srv)
	exchangeRaw(t, addr, "GET /a HTTP/1.1\r\nHost: h\r\nx-aaa: 1\r\nBbb: 2\r\n\r\n"+
		"GET /b HTTP/1.1\r\nHost: h\r\nx-ccc: 1\r\nDdd: 2\r\nConnection: close\r\n\r\n", 2)
	for i := range 2 {
		if g, want := <-got, "Host,X-Aaa,Bbb Host,x-aaa,Bbb"; g != want {
			t.Errorf("request %d: the first request's names %q, want %q", i+1, g, want)
		}
	}
}
