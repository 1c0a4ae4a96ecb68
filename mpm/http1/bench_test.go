package http1

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var body1K = bytes.Repeat([]byte("0123456789abcdef"), 64)

const benchRequest = "GET /index.html HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Connection: keep-alive\r\n" +
	"\r\n"

func bench1KHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"text/html"}
		w.Write(body1K)
	})
}

func benchServer() *Server {
	return &Server{
		Handler:              bench1KHandler(),
		KeepAlive:            true,
		MaxKeepAliveRequests: 0,
		Software:             "Apache/2.4.71 (Unix) httpd-mpm",
	}
}

// runKeepAlive drives b.N keep-alive requests over client, served by a Conn on server.
func runKeepAlive(b *testing.B, srv *Server, server, client net.Conn) {
	c := srv.NewConn(server)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if keep, _ := c.ServeRequest(); !keep {
				break
			}
		}
		c.Close()
	}()
	req := []byte(benchRequest)
	// Learn the response size once (it is constant: the Date has a fixed width).
	client.Write(req)
	br := bufio.NewReader(client)
	first, err := readRawResponse(br, "GET")
	if err != nil || first.Body != string(body1K) {
		b.Fatalf("first response: %v", err)
	}
	size := len(first.StatusLine) + 2 + 2 + len(first.Body)
	for _, f := range first.Fields {
		size += len(f) + 2
	}
	buf := make([]byte, size)
	b.SetBytes(int64(len(body1K)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := client.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(br, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	client.Close()
	<-done
}

// BenchmarkKeepAlive1KPipe: one 1 KiB keep-alive GET per op over net.Pipe (no kernel).
func BenchmarkKeepAlive1KPipe(b *testing.B) {
	s, c := net.Pipe()
	runKeepAlive(b, benchServer(), s, c)
}

// BenchmarkKeepAlive1KTCP: the same over a loopback TCP socket.
func BenchmarkKeepAlive1KTCP(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		nc, _ := ln.Accept()
		accepted <- nc
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	runKeepAlive(b, benchServer(), <-accepted, client)
}

// BenchmarkParseRequest: the request-head parser alone on a browser-like request.
func BenchmarkParseRequest(b *testing.B) {
	s := &Server{}
	s.init()
	var p parser
	rd := strings.NewReader(benchRequest)
	br := bufio.NewReaderSize(rd, readBufSize)
	b.SetBytes(int64(len(benchRequest)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rd.Reset(benchRequest)
		br.Reset(rd)
		ex := new(exchange)
		ex.req.URL = &ex.url
		if _, perr := p.readRequest(nil, br, &s.cfg.host.limits, &ex.req, ex.vals[:]); perr != nil {
			b.Fatal(perr)
		}
	}
}

// memConn is a net.Conn that reads one request from memory and discards
// what is written: the engine's per-connection work without the kernel's.
type memConn struct {
	req  []byte
	off  int
	addr net.TCPAddr
}

func (m *memConn) Read(p []byte) (int, error) {
	if m.off >= len(m.req) {
		return 0, net.ErrClosed
	}
	n := copy(p, m.req[m.off:])
	m.off += n
	return n, nil
}
func (m *memConn) Write(p []byte) (int, error)      { return len(p), nil }
func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return &m.addr }
func (m *memConn) RemoteAddr() net.Addr             { return &m.addr }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

// BenchmarkConnClose1K: one connection per op carrying one 1 KiB GET with
// Connection: close (the bench's close row, without the kernel).
func BenchmarkConnClose1K(b *testing.B) {
	srv := benchServer()
	req := []byte("GET /index.html HTTP/1.0\r\nHost: www.example.com\r\nUser-Agent: wrk\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		mc := &memConn{req: req, addr: net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}}
		c := srv.NewConn(mc)
		if keep, err := c.ServeRequest(); keep || err != nil {
			b.Fatal(keep, err)
		}
		c.Close()
	}
}

// BenchmarkSentFieldNames: SentFieldNames on a browser-like request with a
// 4 KiB Cookie and two names spelled in lower case (its allocations: the two
// slices, whatever the head's size).
func BenchmarkSentFieldNames(b *testing.B) {
	srv := benchServer()
	req := strings.Replace(benchRequest, "Connection: keep-alive\r\n",
		"cookie: "+strings.Repeat("k=v; ", 800)+"k=v\r\nx-requested-with: XMLHttpRequest\r\nConnection: close\r\n", 1)
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.ReportAllocs()
		for b.Loop() {
			if names, sent := SentFieldNames(r); len(names) != 8 || sent[5] != "cookie" {
				b.Fatalf("names %q, sent %q", names, sent)
			}
		}
	})
	mc := &memConn{req: []byte(req), addr: net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}}
	c := srv.NewConn(mc)
	if keep, err := c.ServeRequest(); keep || err != nil {
		b.Fatal(keep, err)
	}
	c.Close()
}

func (m *memConn) RemoteAddrPort() netip.AddrPort { return m.addr.AddrPort() }
