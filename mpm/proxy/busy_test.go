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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			c.Read(buf)
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nshort"))
			c.Close()
		}
	}()
	c, b := balancerOf(t, [][]string{{"http://" + ln.Addr().String()}}, "lbmethod=bybusyness")
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
