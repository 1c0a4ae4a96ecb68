package proxy

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
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
func (c *Config) switchProtocols(w http.ResponseWriter, r *http.Request, resp *http.Response, names []string, bc *bconn, upgrade string, timeout time.Duration, logf logFunc) {
	defer bc.Close() // never reused
	got := resp.Header.Get("Upgrade")
	if upgrade == "" || !strings.EqualFold(got, upgrade) {
		msg := "Unexpected Upgrade: " + orNA(got) + " (expecting " + orNA(upgrade) + ")"
		logf("proxy", nil, "AH00898: %s returned by %s", msg, r.URL.Path)
		http1.WriteProxyError(w, r, http.StatusBadGateway, msg)
		return
	}
	tun, err := http1.SwitchProtocols(w, switchFields(resp, names, got))
	if err != nil {
		logf("proxy_http", err, "AH10240: can't create tunnel for %s", got)
		return
	}
	// The larger of the client's and the backend's timeouts bounds the
	// time without a byte either way (apache2's tunnel poll).
	if conn := http1.ConnFromRequest(r); conn != nil {
		timeout = max(timeout, conn.Timeout())
	}
	e := http1.Env(r)
	halfClose := e == nil || !e.Has("proxy-nohalfclose")
	bc.timeout = timeout
	runTunnel(tun, bc, timeout, halfClose)
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

// tunnelBuf is the size of a tunnel's reads.
const tunnelBuf = 16 << 10

// runTunnel passes bytes both ways between the client and the backend
// until each side has ended its stream, as apache2's ap_proxy_tunnel_run:
// a side's end of stream shuts the other's sending side down once what
// it sent is through (half-close), or, without halfClose
// (proxy-nohalfclose), ends the tunnel; timeout without a byte either way,
// or a failure, ends it at once.
func runTunnel(client *http1.Tunnel, bc *bconn, timeout time.Duration, halfClose bool) {
	var last atomic.Int64 // when a byte last went through, Unix nanoseconds
	var ended atomic.Bool
	last.Store(time.Now().UnixNano())
	end := func() {
		if ended.CompareAndSwap(false, true) {
			client.Close()
			bc.Conn.SetDeadline(time.Now())
		}
	}
	idle := func() bool { return time.Since(time.Unix(0, last.Load())) >= timeout }
	pump := func(dst io.Writer, src io.Reader, before func(), shutDst func() error) {
		buf := make([]byte, tunnelBuf)
		for {
			if before != nil {
				before()
			}
			n, err := src.Read(buf)
			if n > 0 {
				last.Store(time.Now().UnixNano())
				if _, werr := dst.Write(buf[:n]); werr != nil {
					end()
					return
				}
				last.Store(time.Now().UnixNano())
			}
			switch {
			case err == nil:
			case ended.Load():
				return
			case isTimeout(err) && !idle():
				// The other way is busy: wait on.
			case errors.Is(err, io.EOF) && halfClose:
				if shutDst() != nil {
					end()
				}
				return
			default:
				end()
				return
			}
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// The backend's bytes (those read with the 101's head first).
		pump(writerFunc(func(p []byte) (int, error) {
			client.SetWriteDeadline(time.Now().Add(timeout))
			return client.Write(p)
		}), bc.br, nil, client.CloseWrite)
	}()
	pump(bc, client, func() { client.SetReadDeadline(time.Now().Add(timeout)) }, func() error {
		if cw, ok := bc.Conn.(interface{ CloseWrite() error }); ok {
			return cw.CloseWrite()
		}
		return errors.ErrUnsupported
	})
	wg.Wait()
}

// writerFunc is a func as an io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
