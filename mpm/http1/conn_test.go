package http1

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// pipeConn gives a Conn over net.Pipe and the client end.
func pipeConn(t *testing.T, srv *Server) (*Conn, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	c := srv.NewConn(a)
	t.Cleanup(func() { b.Close(); c.Close() })
	return c, b
}

type stateLog struct {
	mu     sync.Mutex
	states []State
}

func (l *stateLog) hook(_ *Conn, s State) {
	l.mu.Lock()
	l.states = append(l.states, s)
	l.mu.Unlock()
}

func (l *stateLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var s []string
	for _, st := range l.states {
		s = append(s, st.String())
	}
	return strings.Join(s, ",")
}

func TestIdleCloseAndStates(t *testing.T) {
	var log stateLog
	srv := newTestServer()
	srv.ConnState = log.hook
	c, client := pipeConn(t, srv)

	go func() {
		io.WriteString(client, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
		br := bufio.NewReader(client)
		if _, err := readRawResponse(br, "GET"); err != nil {
			t.Error(err)
		}
		client.Close() // idle: no byte of a second request
	}()
	keep, err := c.ServeRequest()
	if !keep || err != nil {
		t.Fatalf("first request: keep=%v err=%v", keep, err)
	}
	keep, err = c.ServeRequest()
	if keep || err != nil {
		t.Fatalf("idle close: keep=%v err=%v, want false, nil", keep, err)
	}
	if c.Requests() != 1 {
		t.Errorf("Requests() = %d", c.Requests())
	}
	c.Close()
	c.Close() // idempotent
	if got := log.String(); got != "new,active,idle,closed" {
		t.Errorf("states %s", got)
	}
	if keep, err := c.ServeRequest(); keep || !errors.Is(err, net.ErrClosed) {
		t.Errorf("after Close: %v %v", keep, err)
	}
}

func TestKeepAliveTimeout(t *testing.T) {
	srv := newTestServer()
	srv.KeepAliveTimeout = 50 * time.Millisecond
	c, client := pipeConn(t, srv)
	go func() {
		io.WriteString(client, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
		readRawResponse(bufio.NewReader(client), "GET")
		// then stay silent
	}()
	if keep, err := c.ServeRequest(); !keep || err != nil {
		t.Fatalf("keep=%v err=%v", keep, err)
	}
	if keep, err := c.ServeRequest(); keep || err != nil {
		t.Fatalf("idle timeout: keep=%v err=%v, want false, nil", keep, err)
	}
}

func TestTimeoutMidHeadersIs408(t *testing.T) {
	srv := newTestServer()
	srv.Timeout = 100 * time.Millisecond
	addr := serve(t, srv)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: h\r\n")
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	r, err := readRawResponse(bufio.NewReader(nc), "GET")
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusLine != "HTTP/1.1 408 Request Timeout" || !strings.Contains(r.Body, "Server timeout waiting for the HTTP request from the client.") {
		t.Errorf("got %q %q", r.StatusLine, r.Body)
	}
}

func TestTimeoutInRequestLineIsSilent(t *testing.T) {
	srv := newTestServer()
	srv.Timeout = 100 * time.Millisecond
	c, client := pipeConn(t, srv)
	go io.WriteString(client, "GET /partial")
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(client)
		got <- b
	}()
	keep, err := c.ServeRequest()
	if keep || err == nil {
		t.Errorf("keep=%v err=%v, want false and the timeout", keep, err)
	}
	c.Close()
	if b := <-got; len(b) != 0 {
		t.Errorf("wrote %q, want nothing", b)
	}
}

func TestBufferedAndRelease(t *testing.T) {
	srv := newTestServer()
	c, client := pipeConn(t, srv)
	responses := make(chan string, 3)
	go func() {
		// Both requests in one write: the first read takes them together.
		io.WriteString(client, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n")
		br := bufio.NewReader(client)
		for i := 0; i < 3; i++ {
			r, err := readRawResponse(br, "GET")
			if err != nil {
				responses <- err.Error()
				return
			}
			responses <- r.Body
		}
	}()
	if keep, _ := c.ServeRequest(); !keep {
		t.Fatal("first request closed")
	}
	if <-responses != "GET /1" {
		t.Fatal("first response")
	}
	if c.Buffered() == 0 {
		t.Fatal("second request not buffered")
	}
	c.Release() // must keep the buffered request
	if c.Buffered() == 0 {
		t.Fatal("Release dropped a buffered request")
	}
	if keep, _ := c.ServeRequest(); !keep {
		t.Fatal("second request closed")
	}
	if got := <-responses; got != "GET /2" {
		t.Fatalf("second response %q", got)
	}
	if c.Buffered() != 0 {
		t.Fatalf("Buffered() = %d", c.Buffered())
	}
	c.Release()
	// Nothing per request stays with an idle connection: not the buffers, the
	// response header map or the parser's scratch (the next request, or
	// another connection, takes them from the pool).
	if c.br != nil || c.bw != nil || c.pend != nil || c.hdr != nil || c.parser.head != nil || c.parser.fields != nil {
		t.Fatalf("Release kept buffers: br %v, bw %v, pend %v, hdr %v, head %q, fields %v",
			c.br != nil, c.bw != nil, c.pend != nil, c.hdr, c.parser.head, c.parser.fields)
	}
	if line := c.RequestLine(); len(line) != 0 {
		t.Errorf("RequestLine after Release: %q, want none", line)
	}
	go io.WriteString(client, "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n")
	if keep, _ := c.ServeRequest(); !keep {
		t.Fatal("third request closed")
	}
	if got := <-responses; got != "GET /3" {
		t.Fatalf("third response after Release %q", got)
	}
	if line := string(c.RequestLine()); line != "GET /3 HTTP/1.1" {
		t.Errorf("RequestLine after the third request: %q", line)
	}
}

func TestDrainingMidConnection(t *testing.T) {
	srv := newTestServer()
	c, client := pipeConn(t, srv)
	resps := make(chan *rawResponse, 2)
	go func() {
		br := bufio.NewReader(client)
		for i := 0; i < 2; i++ {
			io.WriteString(client, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
			r, err := readRawResponse(br, "GET")
			if err != nil {
				t.Error(err)
				close(resps)
				return
			}
			resps <- r
		}
	}()
	if keep, _ := c.ServeRequest(); !keep {
		t.Fatal("closed before draining")
	}
	if r := <-resps; r.Header.Get("Connection") != "" {
		t.Fatalf("Connection %q before draining", r.Header.Get("Connection"))
	}
	srv.StartDraining()
	if !srv.Draining() {
		t.Fatal("Draining() false")
	}
	if keep, _ := c.ServeRequest(); keep {
		t.Fatal("kept alive while draining")
	}
	if r := <-resps; r == nil || r.Header.Get("Connection") != "close" {
		t.Fatal("no Connection: close while draining")
	}
}

func TestCloseAbortsServeRequest(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	srv := newTestServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done() // canceled by Close
		<-release
		io.WriteString(w, "late")
	})
	c, client := pipeConn(t, srv)
	go io.WriteString(client, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	done := make(chan error, 1)
	go func() {
		_, err := c.ServeRequest()
		done <- err
	}()
	<-started
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	close(release)
	if err := <-done; err == nil {
		t.Error("ServeRequest after Close: no error")
	}
}

// TestReadFromFile covers the io.ReaderFrom paths: small file behind the headers,
// large file through sendfile, declared length shorter than the file, no length.
func TestReadFromFile(t *testing.T) {
	dir := t.TempDir()
	small := strings.Repeat("s", 1000)
	large := strings.Repeat("0123456789", 100_000)
	os.WriteFile(filepath.Join(dir, "small"), []byte(small), 0o644)
	os.WriteFile(filepath.Join(dir, "large"), []byte(large), 0o644)
	copyErr := make(chan error, 1)
	srv := newTestServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(filepath.Join(dir, r.URL.Query().Get("f")))
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		fi, _ := f.Stat()
		switch r.URL.Path {
		case "/sized":
			w.Header().Set("Content-Length", itoa(fi.Size()))
		case "/truncated":
			w.Header().Set("Content-Length", "10")
		}
		_, err = io.Copy(w, f)
		copyErr <- err
	})
	addr := serve(t, srv)
	for _, tc := range []struct {
		target, want string
		chunked      bool
		err          error
	}{
		{"/sized?f=small", small, false, nil},
		{"/sized?f=large", large, false, nil},
		{"/unsized?f=small", small, false, nil},
		{"/unsized?f=large", large, true, nil},
		{"/truncated?f=large", large[:10], false, http.ErrContentLength},
	} {
		resps, _ := exchangeRaw(t, addr, "GET "+tc.target+" HTTP/1.1\r\nHost: h\r\n\r\n", 1)
		if got := resps[0].Body; got != tc.want {
			t.Errorf("%s: %d bytes, want %d", tc.target, len(got), len(tc.want))
		}
		if resps[0].Chunked != tc.chunked {
			t.Errorf("%s: chunked=%v", tc.target, resps[0].Chunked)
		}
		if err := <-copyErr; !errors.Is(err, tc.err) && err != tc.err {
			t.Errorf("%s: io.Copy error %v, want %v", tc.target, err, tc.err)
		}
	}
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestHeldWritePastLength: while the client waits for "100 Continue" a
// response of a declared length is held uncommitted, but a write past that
// length still fails with http.ErrContentLength, as committed.
func TestHeldWritePastLength(t *testing.T) {
	errc := make(chan error, 1)
	srv := newTestServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		_, err := io.WriteString(w, "0123456789")
		errc <- err
	})
	addr := serve(t, srv)
	resps, _ := exchangeRaw(t, addr, "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc", 1)
	if err := <-errc; err != http.ErrContentLength {
		t.Errorf("Write of 10 bytes under Content-Length 5: %v, want http.ErrContentLength", err)
	}
	// The failed write commits the answer: no 100 can precede it.
	if r := resps[0]; r.StatusLine != "HTTP/1.1 200 OK" || r.Body != "01234" {
		t.Errorf("answer %q %q, want 200 with the 5 bytes declared", r.StatusLine, r.Body)
	}
}

func TestBodyNotAllowed(t *testing.T) {
	errc := make(chan error, 1)
	srv := newTestServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		_, err := io.WriteString(w, "x")
		errc <- err
	})
	addr := serve(t, srv)
	resps, closed := exchangeRaw(t, addr, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1)
	if resps[0].StatusLine != "HTTP/1.1 204 No Content" || closed {
		t.Errorf("%q closed=%v", resps[0].StatusLine, closed)
	}
	if err := <-errc; err != http.ErrBodyNotAllowed {
		t.Errorf("Write after 204: %v", err)
	}
}

func TestLargeUnreadBodyCloses(t *testing.T) {
	srv := newTestServer()
	addr := serve(t, srv)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	io.WriteString(nc, "POST /ignore HTTP/1.1\r\nHost: h\r\nContent-Length: 10000000\r\n\r\n")
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	r, err := readRawResponse(br, "POST")
	if err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("Connection") != "close" {
		t.Errorf("Connection %q, want close for a body over the drain limit", r.Header.Get("Connection"))
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{StateNew: "new", StateActive: "active", StateIdle: "idle", StateClosed: "closed", State(9): "State(9)"} {
		if s.String() != want {
			t.Errorf("%d: %q", s, s.String())
		}
	}
}

// TestSkipBlankLines: the blank lines skipped before a pipelined request
// and the bytes mod_logio counts for them, as apache2's ap_check_pipeline
// reads them: a CR without an LF is data, seen with a 2-byte read.
func TestSkipBlankLines(t *testing.T) {
	for _, tc := range []struct {
		in    string
		n     int
		bytes int64
		rest  string
	}{
		{"GET", 0, 0, "GET"}, {"\nGET", 1, 2, "GET"}, {"\r\nGET", 1, 5, "GET"}, {"\n\r\nG", 2, 7, "G"},
		{"\r\r\n", 0, 2, "\r\r\n"}, {"\r\n\rG", 1, 7, "\rG"}, {"\r", 0, 0, "\r"},
	} {
		br := bufio.NewReader(strings.NewReader(tc.in))
		br.Peek(len(tc.in))
		n, in := skipBlankLines(br)
		rest, _ := io.ReadAll(br)
		if n != tc.n || in != tc.bytes || string(rest) != tc.rest {
			t.Errorf("skipBlankLines(%q) = %d, %d, rest %q; want %d, %d, %q", tc.in, n, in, rest, tc.n, tc.bytes, tc.rest)
		}
	}
}
