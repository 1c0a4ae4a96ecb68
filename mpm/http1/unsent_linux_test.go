package http1

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// tryConn is a TCP connection with NonblockingWriter, done with single non-blocking
// system calls on its descriptor (what an MPM with its own poller offers).
type tryConn struct{ *net.TCPConn }

func (c tryConn) raw(f func(fd int)) {
	rc, err := c.SyscallConn()
	if err != nil {
		panic(err)
	}
	rc.Write(func(fd uintptr) bool { f(int(fd)); return true })
}

func (c tryConn) TryWrite(p []byte) (n int, err error) {
	c.raw(func(fd int) {
		for n < len(p) {
			k, e := syscall.Write(fd, p[n:])
			if k > 0 {
				n += k
			}
			if e == syscall.EAGAIN {
				return
			}
			if e != nil {
				err = e
				return
			}
		}
	})
	return n, err
}

func (c tryConn) TrySendFile(f *os.File, off, n int64) (done int64, err error) {
	c.raw(func(fd int) {
		for done < n {
			k, e := syscall.Sendfile(fd, int(f.Fd()), &off, int(n-done))
			if k > 0 {
				done += int64(k)
			}
			switch {
			case e == syscall.EAGAIN:
				return
			case e != nil:
				err = e
				return
			case k == 0:
				err = io.EOF
				return
			}
		}
	})
	return done, err
}

// stalledPair is a connected pair whose client side reads nothing unless told and
// has small buffers, so that the server's writes soon would block. server is wrapped
// as tryConn.
func stalledPair(t *testing.T) (server tryConn, client *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	cc, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	sc.(*net.TCPConn).SetWriteBuffer(4096)
	t.Cleanup(func() { sc.Close(); cc.Close() })
	return tryConn{sc.(*net.TCPConn)}, cc.(*net.TCPConn)
}

// fileServer serves one temporary file of size random bytes with Content-Length, an
// *io.LimitedReader over an *os.File opened per request and closed when the handler
// returns, logging each answer's body bytes; it returns the file's bytes.
func fileServer(t *testing.T, size int, completion bool) (*Server, []byte, *[]int64) {
	return fileServerShared(t, size, completion, nil)
}

// fileServerShared is fileServer; with shared set, it serves every request from one
// descriptor (opened here, kept in *shared) through an *io.SectionReader, as the
// static handler's open-file cache does.
func fileServerShared(t *testing.T, size int, completion bool, shared **os.File) (*Server, []byte, *[]int64) {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	path := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	logged := new([]int64)
	srv := newTestServer()
	srv.WriteCompletion = completion
	if shared != nil {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		*shared = f
		srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := int64(0)
			if r.URL.Path == "/range" {
				start = int64(size / 2)
			}
			w.Header().Set("Content-Length", strconv.Itoa(size-int(start)))
			io.Copy(w, io.NewSectionReader(f, start, int64(size)-start))
		})
		srv.RequestDone = func(_ *Conn, _ *http.Request, _ int, n int64) { *logged = append(*logged, n) }
		return srv, data, logged
	}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Length", strconv.Itoa(size))
		if r.URL.Path == "/range" { // the last half, as a single range
			f.Seek(int64(size/2), io.SeekStart)
			w.Header().Set("Content-Length", strconv.Itoa(size-size/2))
			io.Copy(w, &io.LimitedReader{R: f, N: int64(size - size/2)})
			return
		}
		io.Copy(w, &io.LimitedReader{R: f, N: int64(size)})
	})
	srv.RequestDone = func(_ *Conn, _ *http.Request, _ int, n int64) { *logged = append(*logged, n) }
	return srv, data, logged
}

// readBody reads one response from br and returns its status and body.
func readBody(t *testing.T, br *bufio.Reader) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestWriteCompletionFileRest: with WriteCompletion, a client that does not read
// leaves the file's rest to the MPM: ServeRequest returns at once, the handler's file
// is closed, the access-log hook has the whole length, and the rest (a descriptor of
// the Conn's own) is exactly what the client still needs; written by the MPM, the
// client gets the file, and the connection goes on.
func TestWriteCompletionFileRest(t *testing.T) { testFileRest(t, false) }

// TestWriteCompletionFileSection is TestWriteCompletionFileRest with the handler's
// file shared and read through an *io.SectionReader: sent at explicit offsets, the
// shared descriptor's own offset never moves.
func TestWriteCompletionFileSection(t *testing.T) { testFileRest(t, true) }

func testFileRest(t *testing.T, section bool) {
	const size = 8 << 20
	var shared *os.File
	sharedp := &shared
	if !section {
		sharedp = nil
	}
	srv, data, logged := fileServerShared(t, size, true, sharedp)
	defer func() {
		if shared == nil {
			return
		}
		if off, err := shared.Seek(0, io.SeekCurrent); err != nil || off != 0 {
			t.Errorf("shared descriptor's offset %d (%v), want 0", off, err)
		}
	}()
	sc, cc := stalledPair(t)
	c := srv.NewConn(sc)
	defer c.Close()
	io.WriteString(cc, "GET /f HTTP/1.1\r\nHost: h\r\n\r\nGET /range HTTP/1.1\r\nHost: h\r\n\r\n")
	keep, err := c.ServeRequest() // returns although the client reads nothing
	if !keep || err != nil {
		t.Fatalf("ServeRequest: %v %v", keep, err)
	}
	u := c.Unsent()
	if u == nil || u.File == nil || u.Length <= 0 || u.Offset+u.Length != size {
		t.Fatalf("Unsent %+v, want the end of the %d-byte file", u, size)
	}
	if len(*logged) != 1 || (*logged)[0] != size {
		t.Errorf("RequestDone body bytes %v, want [%d]", *logged, size)
	}
	if _, ok := c.Detach(); ok {
		t.Error("Detach succeeded with the response unsent")
	}
	file := u.File
	br := bufio.NewReader(cc)
	got := make(chan []byte, 2)
	go func() {
		for range 2 {
			_, b := readBody(t, br)
			got <- b
		}
	}()
	// The MPM's part, here with one goroutine polling through the descriptor.
	for !u.Done() {
		if len(u.Bytes) > 0 {
			k, err := sc.TryWrite(u.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			u.Bytes = u.Bytes[k:]
			continue
		}
		k, err := sc.TrySendFile(u.File, u.Offset, u.Length)
		if err != nil {
			t.Fatal(err)
		}
		u.Offset += k
		u.Length -= k
	}
	c.UnsentWritten()
	if c.Unsent() != nil {
		t.Fatal("Unsent after UnsentWritten")
	}
	if _, err := file.Stat(); err == nil {
		t.Error("the rest's file is still open after UnsentWritten")
	}
	if b := <-got; !bytes.Equal(b, data) {
		t.Fatalf("first body: %d bytes, differs from the file", len(b))
	}
	// The pipelined range request: ServeRequest is called although its Unsent is
	// left to it: it writes the rest itself, in order.
	if keep, err := c.ServeRequest(); !keep || err != nil {
		t.Fatalf("second ServeRequest: %v %v", keep, err)
	}
	if err := c.WriteUnsent(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, data[size/2:]) {
		t.Fatalf("range body: %d bytes, differs from the file's last half", len(b))
	}
	if len(*logged) != 2 || (*logged)[1] != size-size/2 {
		t.Errorf("RequestDone body bytes %v, want [%d %d]", *logged, size, size-size/2)
	}
}

// TestWriteCompletionBufferedEnd: the end of a response still in the write buffer
// becomes Unsent.Bytes when the socket is full, whatever the framing: here a chunked
// response, written in order after what filled the socket. A second ServeRequest
// writes the rest itself before reading the next request.
func TestWriteCompletionBufferedEnd(t *testing.T) {
	srv := newTestServer()
	srv.WriteCompletion = true
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 5000)) // more than pendSize: chunked
	})
	sc, cc := stalledPair(t)
	var filler []byte
	for { // fill the socket
		k, err := sc.TryWrite(make([]byte, 64<<10))
		if err != nil {
			t.Fatal(err)
		}
		filler = append(filler, make([]byte, k)...)
		if k < 64<<10 {
			break
		}
	}
	c := srv.NewConn(sc)
	defer c.Close()
	io.WriteString(cc, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
	if keep, err := c.ServeRequest(); !keep || err != nil {
		t.Fatalf("ServeRequest: %v %v", keep, err)
	}
	u := c.Unsent()
	if u == nil || u.File != nil || len(u.Bytes) == 0 {
		t.Fatalf("Unsent %+v, want the response's bytes", u)
	}
	done := make(chan error, 1)
	go func() { done <- c.WriteUnsent() }()
	br := bufio.NewReader(cc)
	if _, err := io.ReadFull(br, make([]byte, len(filler))); err != nil {
		t.Fatal(err)
	}
	resp, b := readBody(t, br)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || len(resp.TransferEncoding) != 1 || string(b) != string(bytes.Repeat([]byte("x"), 5000)) {
		t.Fatalf("response %d %v, %d bytes", resp.StatusCode, resp.TransferEncoding, len(b))
	}
}

// TestWriteCompletionOptIn: without WriteCompletion, or on a connection without
// NonblockingWriter, ServeRequest writes the whole response itself (the client reads
// meanwhile) and nothing is unsent. Close drops a rest and closes its file.
func TestWriteCompletionOptIn(t *testing.T) {
	const size = 4 << 20
	for _, tc := range []struct {
		name       string
		completion bool
		plain      bool
	}{{"off", false, false}, {"plain conn", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			srv, data, _ := fileServer(t, size, tc.completion)
			sc, cc := stalledPair(t)
			var nc net.Conn = sc
			if tc.plain {
				nc = sc.TCPConn
			}
			c := srv.NewConn(nc)
			defer c.Close()
			io.WriteString(cc, "GET /f HTTP/1.1\r\nHost: h\r\n\r\n")
			got := make(chan []byte, 1)
			go func() { _, b := readBody(t, bufio.NewReader(cc)); got <- b }()
			if keep, err := c.ServeRequest(); !keep || err != nil {
				t.Fatalf("ServeRequest: %v %v", keep, err)
			}
			if u := c.Unsent(); u != nil {
				t.Fatalf("Unsent %+v without write completion", u)
			}
			if b := <-got; !bytes.Equal(b, data) {
				t.Fatalf("body: %d bytes, differs from the file", len(b))
			}
		})
	}
	t.Run("close drops", func(t *testing.T) {
		srv, _, _ := fileServer(t, size, true)
		sc, cc := stalledPair(t)
		c := srv.NewConn(sc)
		io.WriteString(cc, "GET /f HTTP/1.1\r\nHost: h\r\n\r\n")
		c.ServeRequest()
		u := c.Unsent()
		if u == nil || u.File == nil {
			t.Fatalf("Unsent %+v, want a file's rest", u)
		}
		file := u.File
		c.Close()
		if _, err := file.Stat(); err == nil {
			t.Error("the rest's file is still open after Close")
		}
	})
}

// holdConn is a tryConn that can hold writes for more (moreHolder) and logs each
// write: its first bytes and whether it was held.
type holdConn struct {
	tryConn
	held bool
	log  []string
}

func (c *holdConn) HoldForMore(on bool) { c.held = on }

func (c *holdConn) note(p []byte) {
	e := string(p[:min(len(p), 12)])
	if c.held {
		e += " (held)"
	}
	c.log = append(c.log, e)
}

func (c *holdConn) Write(p []byte) (int, error) { c.note(p); return c.tryConn.Write(p) }

func (c *holdConn) TryWrite(p []byte) (int, error) { c.note(p); return c.tryConn.TryWrite(p) }

// TestHeadersHeldForFileBody: a response whose body leaves from a file with
// sendfile has its headers written held for the body (moreHolder), with or without
// write completion and through the file's offset or explicit ones (a shared
// descriptor); the body and everything after go out unheld, and a body small enough
// to follow the headers in the buffer goes in one plain write.
func TestHeadersHeldForFileBody(t *testing.T) {
	for _, tc := range []struct {
		name               string
		size               int
		completion, shared bool
		want               []string
	}{
		{"sendfile", 256 << 10, false, false, []string{"HTTP/1.1 200 (held)"}},
		{"sendfile, shared descriptor", 256 << 10, false, true, []string{"HTTP/1.1 200 (held)"}},
		{"write completion", 256 << 10, true, false, []string{"HTTP/1.1 200 (held)"}},
		{"write completion, shared descriptor", 256 << 10, true, true, []string{"HTTP/1.1 200 (held)"}},
		{"small body", 1000, false, false, []string{"HTTP/1.1 200"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var shared *os.File
			sharedp := &shared
			if !tc.shared {
				sharedp = nil
			}
			srv, data, _ := fileServerShared(t, tc.size, tc.completion, sharedp)
			sc, cc := tcpPair(t)
			hc := &holdConn{tryConn: tryConn{sc.(*net.TCPConn)}}
			c := srv.NewConn(hc)
			defer c.Close()
			br := bufio.NewReader(cc)
			for i := range 2 {
				io.WriteString(cc, "GET /f HTTP/1.1\r\nHost: h\r\n\r\n")
				got := make(chan []byte, 1)
				go func() { _, b := readBody(t, br); got <- b }()
				hc.log = nil
				if keep, err := c.ServeRequest(); !keep || err != nil {
					t.Fatalf("response %d: ServeRequest %v, %v", i, keep, err)
				}
				if c.Unsent() != nil {
					if err := c.WriteUnsent(); err != nil {
						t.Fatal(err)
					}
				}
				if b := <-got; !bytes.Equal(b, data) {
					t.Fatalf("response %d: body of %d bytes, not the file's %d", i, len(b), len(data))
				}
				if strings.Join(hc.log, "|") != strings.Join(tc.want, "|") || hc.held {
					t.Errorf("response %d: writes %q, held after: %v; want %q", i, hc.log, hc.held, tc.want)
				}
			}
		})
	}
}
