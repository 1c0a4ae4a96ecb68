package proxy

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestBusyEndsOnAbort: a request whose answer breaks off part way (the
// backend sends 5 bytes of a 100000-byte body) still ends its member's
// busy count, or bybusyness would send that member nothing more.
func TestBusyEndsOnAbort(t *testing.T) {
	addr := answering(t, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nshort")
	c, b := balancerOf(t, [][]string{{"http://" + addr}}, "lbmethod=bybusyness")
	tg := &Target{URL: "balancer://w/x", b: b}
	r := httptest.NewRequest("GET", "/x", nil)
	func() {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				panic(v)
			}
		}()
		c.Serve(httptest.NewRecorder(), r, tg, nil)
	}()
	if n := b.members[0].sh[shBusy].Load(); n != 0 {
		t.Errorf("busy count after an aborted answer: %d, want 0", n)
	}
}

// TestBusyEndsBeforeLastFlush: the last bytes of an answer of known length
// are not flushed before its member's busy count is down (they go when the
// handler returns), as apache2 holds a small last write until the end of
// the request: a client that had the whole answer and asked the
// balancer-manager page next saw the member still busy with it
// (TestBalancerManager's Busy column, now and then).
func TestBusyEndsBeforeLastFlush(t *testing.T) {
	addr := answering(t, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhelloworld")
	c, b := balancerOf(t, [][]string{{"http://" + addr}})
	tg := &Target{URL: "balancer://w/x", b: b}
	w := &flushSpy{ResponseRecorder: httptest.NewRecorder(), busy: func() int64 { return b.members[0].sh[shBusy].Load() }}
	c.Serve(w, httptest.NewRequest("GET", "/x", nil), tg, nil)
	if got := w.Body.String(); got != "helloworld" {
		t.Fatalf("body %q, want helloworld", got)
	}
	if w.wholeWhileBusy {
		t.Error("the whole answer was flushed while its member was still busy with it")
	}
}

// flushSpy notes a Flush of the whole 10-byte answer while busy() > 0.
type flushSpy struct {
	*httptest.ResponseRecorder
	busy           func() int64
	wholeWhileBusy bool
}

func (f *flushSpy) Flush() {
	if f.Body.Len() == 10 && f.busy() > 0 {
		f.wholeWhileBusy = true
	}
	f.ResponseRecorder.Flush()
}

// answering is the address of a backend on 127.0.0.1 that reads a request
// and answers every connection with answer, then closes it; it stops with
// the test.
func answering(t *testing.T, answer string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			c.Read(buf)
			c.Write([]byte(answer))
			c.Close()
		}
	}()
	return ln.Addr().String()
}
