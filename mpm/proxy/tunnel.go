package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// canUpgrade is ap_proxy_worker_can_upgrade: whether a ProxyPass line whose
// upgrade= list is list ("*": any; "" none, which for a ws:// URL is
// "WebSocket") lets a connection switch to the protocol proto.
func canUpgrade(list, scheme, proto string) bool {
	if list == "" {
		return scheme == "ws" && strings.EqualFold(proto, "WebSocket")
	}
	if list == "*" || strings.EqualFold(list, proto) {
		return true
	}
	for _, tok := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(tok), proto) {
			return true
		}
	}
	return false
}

// switchProtocols answers a backend's 101 as mod_proxy_http does: refused
// with a 502 unless it switches to the protocol the request asked for
// (upgrade, "" when none was forwarded); else relayed, and the client and
// backend connections joined in a tunnel until both sides are done.
func (c *Config) switchProtocols(w http.ResponseWriter, r *http.Request, t *Target, resp *http.Response, names []string, bc *bconn, upgrade string, timeout time.Duration, logf logFunc) {
	defer bc.Close() // never reused
	got := resp.Header.Get("Upgrade")
	if upgrade == "" || !strings.EqualFold(got, upgrade) {
		t.proxyError(w, r, logf, nil, http.StatusBadGateway, "Unexpected Upgrade: "+orNA(got)+" (expecting "+orNA(upgrade)+")")
		return
	}
	tun, err := http1.SwitchProtocols(w, switchFields(resp, names, got))
	if err != nil {
		if !errors.Is(err, http1.ErrCannotSwitch) {
			panic(http.ErrAbortHandler) // the client is gone
		}
		logf("proxy_http", err, "AH10240: can't create tunnel for %s", got)
		t.fail(w, r, http.StatusInternalServerError)
		return
	}
	// The larger of the client's and the backend's timeouts bounds the
	// time without a byte either way (apache2's tunnel poll).
	if conn := http1.ConnFromRequest(r); conn != nil {
		timeout = max(timeout, conn.Timeout())
	}
	e := http1.Env(r)
	halfClose := e == nil || !e.Has("proxy-nohalfclose")
	runTunnel(tun, bc, timeout, timeout, halfClose)
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

// switchFields are the field lines of a 101 relayed to the client: the
// backend's in its order but the hop-by-hop ones, then "Connection: Upgrade"
// and the protocol, as ap_send_interim_response sends them.
func switchFields(resp *http.Response, names []string, proto string) []byte {
	hop := map[string]bool{}
	for _, k := range responseHop {
		hop[k] = true
	}
	for _, v := range resp.Header["Connection"] {
		for _, tok := range strings.Split(v, ",") {
			hop[http.CanonicalHeaderKey(strings.TrimSpace(tok))] = true
		}
	}
	if names == nil {
		for k := range resp.Header {
			names = append(names, k)
		}
	}
	var b []byte
	used := map[string]int{}
	for _, n := range names {
		k := http.CanonicalHeaderKey(n)
		vs := resp.Header[k]
		if hop[k] || used[k] >= len(vs) {
			continue
		}
		b = append(b, n+": "+vs[used[k]]+"\r\n"...)
		used[k]++
	}
	return append(b, "Connection: Upgrade\r\nUpgrade: "+proto+"\r\n"...)
}

// tunnelBuf is the size of a tunnel's reads, and tunnelWake how long a
// tunnel's wait on the network goes at most without it showing that it is
// alive (Tunnel.Touch): a tunnel may wait longer than the server's Timeout
// (ProxyTimeout, timeout=), past which a worker that shows nothing is
// taken for hung (mpm.HangTimeout, at least Timeout and 5 s).
const (
	tunnelBuf  = 16 << 10
	tunnelWake = 4 * time.Second
)

// tunnel is the state runTunnel's two pumps share.
type tunnel struct {
	client *http1.Tunnel
	bc     *bconn
	// idle bounds the time without a byte either way, write each write.
	idle, write time.Duration
	last        atomic.Int64 // when a byte last went through, Unix nanoseconds
	ended       atomic.Bool
	failed      atomic.Bool  // ended by a failure of the client connection
	replied     atomic.Bool  // the backend sent a byte
	writing     atomic.Int32 // writes under way
}

// end ends the tunnel at once: the waits under way fail, and so do those
// about to start (deadline).
func (t *tunnel) end() {
	if t.ended.CompareAndSwap(false, true) {
		t.client.Close()
		t.bc.Conn.SetDeadline(time.Now())
	}
}

// deadline sets d with set, unless the tunnel has ended: checked after
// setting it, so an end() between a wait's start and its deadline is not
// undone by a later deadline.
func (t *tunnel) deadline(set func(time.Time) error, d time.Time) error {
	set(d)
	if t.ended.Load() {
		set(time.Now())
		return net.ErrClosed
	}
	return nil
}

// until is when a read gives up waiting: at the idle timeout, or after
// tunnelWake to show the tunnel alive.
func (t *tunnel) until() time.Time {
	d, wake := time.Unix(0, t.last.Load()).Add(t.idle), time.Now().Add(tunnelWake)
	if wake.Before(d) {
		return wake
	}
	return d
}

func (t *tunnel) isIdle() bool { return time.Since(time.Unix(0, t.last.Load())) >= t.idle }

// writeTo writes p with write, bounded by the tunnel's write timeout; while
// it waits the tunnel keeps its worker shown alive (keepAlive), since the
// other pump may be waiting on a write too, or be done.
func (t *tunnel) writeTo(set func(time.Time) error, write func([]byte) (int, error), p []byte) (int, error) {
	if err := t.deadline(set, time.Now().Add(t.write)); err != nil {
		return 0, err
	}
	t.writing.Add(1)
	defer t.writing.Add(-1)
	return write(p)
}

// keepAlive shows the tunnel alive every tunnelWake while a write waits,
// until stop closes. A write is bounded by its deadline, so a tunnel stuck
// for good still ends, and its worker shows no more progress.
func (t *tunnel) keepAlive(stop <-chan struct{}) {
	tick := time.NewTicker(tunnelWake)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			if t.writing.Load() > 0 {
				t.client.Touch()
			}
		}
	}
}

// backendSide is a tunnel's backend connection: the bytes read with the
// 101's head first, then the socket, each read waiting until t.until(),
// each write up to t.write; counted for the worker's traffic as bconn's.
type backendSide struct{ t *tunnel }

func (b backendSide) Read(p []byte) (int, error) {
	bc := b.t.bc
	if bc.br.Buffered() > 0 {
		return bc.br.Read(p)
	}
	if err := b.t.deadline(bc.Conn.SetReadDeadline, b.t.until()); err != nil {
		return 0, err
	}
	n, err := bc.Conn.Read(p)
	if bc.traffic != nil {
		bc.traffic[shRead].Add(int64(n))
	}
	return n, err
}

func (b backendSide) Write(p []byte) (int, error) {
	bc := b.t.bc
	n, err := b.t.writeTo(bc.Conn.SetWriteDeadline, bc.Conn.Write, p)
	if bc.traffic != nil {
		bc.traffic[shTransferred].Add(int64(n))
	}
	return n, err
}

// clientSide is a tunnel's client connection, its reads and writes bounded
// as backendSide's.
type clientSide struct{ t *tunnel }

func (c clientSide) Read(p []byte) (int, error) {
	if err := c.t.deadline(c.t.client.SetReadDeadline, c.t.until()); err != nil {
		return 0, err
	}
	return c.t.client.Read(p)
}

func (c clientSide) Write(p []byte) (int, error) {
	return c.t.writeTo(c.t.client.SetWriteDeadline, c.t.client.Write, p)
}

// runTunnel passes bytes both ways between the client and the backend
// until each side has ended its stream, as apache2's ap_proxy_tunnel_run:
// a side's end of stream shuts the other's sending side down once what
// it sent is through (half-close), or, without halfClose
// (proxy-nohalfclose), ends the tunnel; idle without a byte either way, a
// write waiting longer than write, or a failure, ends it at once. The
// client connection then closes as any other, lingering, unless it is the
// client connection that failed (a write to it failing or timing out:
// apache2's aborted connection), which closes at once. It reports whether
// the backend sent a byte.
func runTunnel(client *http1.Tunnel, bc *bconn, idle, write time.Duration, halfClose bool) (replied bool) {
	t := &tunnel{client: client, bc: bc, idle: idle, write: write}
	t.last.Store(time.Now().UnixNano())
	// fail ends the tunnel; a failure of the client connection, unless it
	// comes of the tunnel's end, has it closed without lingering.
	fail := func(toClient bool) {
		if toClient && !t.ended.Load() {
			t.failed.Store(true)
		}
		t.end()
	}
	pump := func(dst io.Writer, src io.Reader, toClient bool, shutDst func() error) {
		buf := make([]byte, tunnelBuf)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if toClient {
					t.replied.Store(true)
				}
				t.last.Store(time.Now().UnixNano())
				if _, werr := dst.Write(buf[:n]); werr != nil {
					fail(toClient)
					return
				}
				t.last.Store(time.Now().UnixNano())
			}
			switch {
			case err == nil:
			case t.ended.Load():
				return
			case isTimeout(err) && !t.isIdle():
				// Not idle for long enough, or the other way is busy:
				// wait on, alive.
				client.Touch()
			case errors.Is(err, io.EOF) && halfClose:
				if shutDst() != nil {
					fail(toClient)
				}
				return
			default:
				// An end of stream, a timeout, or a failure to read.
				t.end()
				return
			}
		}
	}
	stop := make(chan struct{})
	defer close(stop)
	go t.keepAlive(stop)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pump(clientSide{t}, backendSide{t}, true, client.CloseWrite)
	}()
	pump(backendSide{t}, clientSide{t}, false, func() error {
		if cw, ok := bc.Conn.(interface{ CloseWrite() error }); ok {
			return cw.CloseWrite()
		}
		return errors.ErrUnsupported
	})
	wg.Wait()
	if t.failed.Load() {
		client.Abort()
	}
	return t.replied.Load()
}

// wstunnel serves a ws:// URL as mod_proxy_wstunnel does with
// ProxyWebsocketFallbackToProxyHttp Off: a request whose Upgrade field the
// line does not allow is a 426 offering the line's protocol (AH02900);
// otherwise the request goes on a connection of its own, with the line's
// protocol ("WebSocket" by default, the request's for ANY), and from then on
// the bytes of both sides pass unread, the backend's answer too, until
// either side ends its stream (no half-close) or fails; a backend that sent
// nothing by then gets the client a 502, its body alone. False when the
// backend cannot be reached (as forward).
func (c *Config) wstunnel(w http.ResponseWriter, r *http.Request, t *Target, wk *worker, pu *url.URL, pre []byte, bodyDone, chunked, force10 bool, timeout, connectTimeout time.Duration, logf logFunc, connectFailed func()) bool {
	list := t.upgrade
	if list == "" {
		list = wk.settings.upgrade
	}
	proto := r.Header.Get("Upgrade")
	if proto == "" || !canUpgrade(list, "ws", proto) {
		offer := list
		if offer == "" {
			offer = "WebSocket"
		}
		if t.log != nil {
			t.log(r, static.LevelInfo, "proxy_wstunnel", nil, fmt.Sprintf(
				"AH02900: require upgrade for URL %s (Upgrade header is %s, expecting %s)", t.URL, orNA(proto), offer))
		}
		http1.SetFieldOrder(r, &http1.FieldOrder{First: []string{"Connection"}})
		w.Header()["Connection"], w.Header()["Upgrade"] = []string{"Upgrade"}, []string{offer}
		t.fail(w, r, http.StatusUpgradeRequired)
		return true
	}
	bc, err := wk.dial(connectTimeout, timeout)
	if err != nil {
		wk.connectFailed(err, "WS", logf, connectFailed)
		logf("proxy_wstunnel", nil, "AH02452: failed to make connection to backend: %s", wk.host)
		return false
	}
	defer bc.Close()
	switch {
	case strings.EqualFold(list, "NONE") || list == "":
		list = "WebSocket"
	case list == "*":
		list = proto
	}
	c.warnNoHost(r, t)
	head := c.requestHead(r, pu, pre, bodyDone, chunked, force10, false, proto)
	head = append(bytes.TrimSuffix(head, []byte("Connection: Upgrade\r\nUpgrade: "+proto+"\r\n\r\n")),
		"Upgrade: "+list+"\r\nConnection: Upgrade\r\n\r\n"...)
	// The body whole before the tunnel: the head's framing (a chunked
	// body chunked again) holds for all of it, not only what prefetch read.
	if err := writeRequest(bc.bw, head, pre, r.Body, bodyDone, chunked); err != nil {
		t.proxyError(w, r, logf, err, http.StatusBadGateway, "Error writing to remote server")
		return true
	}
	tun, err := http1.TakeOver(w)
	if err != nil {
		t.fail(w, r, http.StatusInternalServerError)
		return true
	}
	// apache2's older tunnel waits without a bound, but its writes are
	// bounded by the client's and the backend's timeouts.
	write := timeout
	if conn := http1.ConnFromRequest(r); conn != nil {
		write = max(write, conn.Timeout())
	}
	if !runTunnel(tun, bc, 1<<62, write, false) {
		// The backend sent nothing (it closed, say): apache2's handler
		// returns a 502, which goes out through the connection's filters
		// alone (the tunnel's): the page or ErrorDocument without head.
		tun.SetWriteDeadline(time.Now().Add(write))
		t.fail(tun.Headless(http.StatusBadGateway), r, http.StatusBadGateway)
	}
	return true
}
