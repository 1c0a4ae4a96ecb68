package http1

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"
	"unsafe"
)

// TestConnSizeClass: a Conn with the allocator's 8-byte header fits in the
// 1280-byte size class (a field more had made it 1312 bytes: a 1408-byte
// allocation per connection).
func TestConnSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(Conn{}); n+8 > 1280 {
		t.Errorf("a Conn is %d bytes; with the allocator's header it no longer fits in 1280 (see addrBuf's comment)", n)
	}
}

// TestNewConnAllocations: a Conn costs one allocation of its own beside its
// client's address string (the request template and the context are fields of
// it; they were three more: a copied http.Request and context.WithCancel's two).
func TestNewConnAllocations(t *testing.T) {
	srv := newTestServer()
	srv.init()
	mc := &memConn{addr: net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}}
	var buf [len("255.255.255.255:65535")]byte
	addrAllocs := testing.AllocsPerRun(100, func() { sinkString = remoteAddr(mc, &buf) })
	if n := testing.AllocsPerRun(100, func() {
		sinkConn = srv.NewConn(mc)
		sinkConn.Close()
	}); n != 1+addrAllocs {
		t.Errorf("NewConn and Close allocated %v times; want %v (the Conn and %v for its address)", n, 1+addrAllocs, addrAllocs)
	}
	// An IPv4 peer known as a netip.AddrPort (the threads MPMs' conns) is
	// written in the Conn itself: the Conn is the one allocation.
	ac := &addrPortMemConn{mc, netip.MustParseAddrPort("192.0.2.10:50123")}
	if n := testing.AllocsPerRun(100, func() {
		sinkConn = srv.NewConn(ac)
		sinkConn.Close()
	}); n != 1 {
		t.Errorf("NewConn and Close with an IPv4 AddrPortConn allocated %v times; want 1 (the Conn)", n)
	}
	// Each Conn's address is its own and stays as written.
	a := srv.NewConn(ac)
	b := srv.NewConn(&addrPortMemConn{mc, netip.MustParseAddrPort("10.0.0.1:1")})
	if a.RemoteAddr() != "192.0.2.10:50123" || b.RemoteAddr() != "10.0.0.1:1" {
		t.Errorf("RemoteAddr: got %q and %q, want 192.0.2.10:50123 and 10.0.0.1:1", a.RemoteAddr(), b.RemoteAddr())
	}
}

// addrPortMemConn is a memConn that knows its peer as an AddrPort.
type addrPortMemConn struct {
	*memConn
	ap netip.AddrPort
}

func (c *addrPortMemConn) RemoteAddrPort() netip.AddrPort { return c.ap }

var sinkString string

// TestRequestContext: a request's context, over a real connection, is live
// while the request is served and ends, context.Canceled, when the connection
// is done; contexts derived from it (WithCancel, AfterFunc), and its Done
// asked only after the end, end with it.
func TestRequestContext(t *testing.T) {
	type seen struct {
		r               *http.Request
		derived         context.Context
		cancel          context.CancelFunc
		after           chan struct{}
		errBefore       error
		hasDeadline     bool
		conn, localAddr any
	}
	got := make(chan seen, 2)
	srv := newTestServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		s := seen{r: r, after: make(chan struct{}), errBefore: ctx.Err()}
		_, s.hasDeadline = ctx.Deadline()
		s.conn, s.localAddr = ctx.Value(connKey{}), ctx.Value(http.LocalAddrContextKey)
		if r.URL.Path == "/derived" {
			s.derived, s.cancel = context.WithCancel(ctx)
			context.AfterFunc(ctx, func() { close(s.after) })
			stop := context.AfterFunc(ctx, func() { t.Error("a stopped AfterFunc ran") })
			if !stop() {
				t.Error("stop of a pending AfterFunc reported false")
			}
		}
		select {
		case <-ctx.Done():
			t.Error("a request's context done while it is served")
		default:
		}
		io.WriteString(w, "ok")
		got <- s
	})
	addr := serve(t, srv)
	for _, path := range []string{"/derived", "/late"} {
		exchangeRaw(t, addr, "GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 1)
		s := <-got
		ctx := s.r.Context()
		if s.errBefore != nil || s.hasDeadline {
			t.Errorf("%s: while served Err %v, a deadline %v; want nil, none", path, s.errBefore, s.hasDeadline)
		}
		if c, _ := s.conn.(*Conn); c == nil || s.localAddr == nil || s.localAddr.(net.Addr).String() != addr {
			t.Errorf("%s: context values conn %v, local address %v; want the Conn, %s", path, s.conn, s.localAddr, addr)
		}
		if ctx.Value("other") != nil {
			t.Errorf("%s: a value for a key never set", path)
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: context not done after the connection ended", path)
		}
		if !errors.Is(ctx.Err(), context.Canceled) || context.Cause(ctx) != context.Canceled {
			t.Errorf("%s: Err %v, Cause %v; want context.Canceled", path, ctx.Err(), context.Cause(ctx))
		}
		if s.derived != nil {
			<-s.derived.Done()
			if s.derived.Err() != context.Canceled {
				t.Errorf("derived context's Err %v", s.derived.Err())
			}
			s.cancel()
			<-s.after
			late := make(chan struct{})
			context.AfterFunc(ctx, func() { close(late) })
			<-late
		}
	}
}

// TestDateIsRequestTime: a response's Date is when its request arrived, as
// apache2's r->request_time, also when the handler answers in a later second.
func TestDateIsRequestTime(t *testing.T) {
	arrived := make(chan time.Time, 1)
	srv := newTestServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := ConnFromRequest(r).RequestStart()
		arrived <- start
		time.Sleep(time.Until(start.Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
		io.WriteString(w, "ok")
	})
	resps, _ := exchangeRaw(t, serve(t, srv), "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 1)
	resp := resps[0]
	start := <-arrived
	if got, want := resp.Header.Get("Date"), start.UTC().Format(http.TimeFormat); got != want {
		t.Errorf("Date %q; want %q, when the request arrived", got, want)
	}
}
