package http1

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// chunkedBody reads raw as a chunked body the way ServeRequest sets it up.
func chunkedBody(t *testing.T, raw string, limit int64) (*body, *bufio.Reader) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	srv := &Server{}
	srv.init()
	c := &Conn{srv: srv, rwc: a, base: &srv.cfg.host}
	c.br = bufio.NewReader(strings.NewReader(raw))
	return &body{c: c, chunked: true, limit: limit}, c.br
}

func TestChunkedBody(t *testing.T) {
	cases := []struct {
		name, raw, want, rest string
		limit                 int64
		err                   error
	}{
		{name: "simple", raw: "3\r\nabc\r\n0\r\n\r\nNEXT", want: "abc", rest: "NEXT", limit: -1},
		{name: "hex sizes, extensions, BWS", raw: "A;x=y\r\n0123456789\r\nf \t;q\r\n" + strings.Repeat("z", 15) + "\r\n0\r\n\r\n", want: "0123456789" + strings.Repeat("z", 15), limit: -1},
		{name: "trailers are skipped", raw: "1\r\nx\r\n0\r\nA: b\r\nC: d\r\n\r\nNEXT", want: "x", rest: "NEXT", limit: -1},
		{name: "bare LF after a chunk size", raw: "1\nx\r\n0\r\n\r\n", err: errBadChunk, limit: -1},
		{name: "bare LF after chunk data", raw: "1\r\nx\n0\r\n\r\n", want: "x", err: errBadChunk, limit: -1},
		{name: "bare LF after the last chunk", raw: "1\r\nx\r\n0\n\r\n", want: "x", err: errBadChunk, limit: -1},
		{name: "bad size", raw: "g\r\n", err: errBadChunk, limit: -1},
		{name: "missing size", raw: ";ext\r\n", err: errBadChunk, limit: -1},
		{name: "huge size", raw: "1000000000000000\r\n", err: errBadChunk, limit: -1},
		{name: "data longer than its size", raw: "1\r\nxy\r\n0\r\n\r\n", want: "x", err: errBadChunk, limit: -1},
		{name: "truncated", raw: "5\r\nab", want: "ab", err: io.ErrUnexpectedEOF, limit: -1},
		{name: "over the limit", raw: "8\r\n12345678\r\n0\r\n\r\n", limit: 4, err: &http.MaxBytesError{Limit: 4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, br := chunkedBody(t, tc.raw, tc.limit)
			got, err := io.ReadAll(b)
			if string(got) != tc.want {
				t.Errorf("body %q, want %q", got, tc.want)
			}
			var mbe *http.MaxBytesError
			switch {
			case tc.err == nil && err != nil:
				t.Errorf("error %v", err)
			case errors.As(tc.err, &mbe):
				if !errors.As(err, &mbe) || !b.tooLarge {
					t.Errorf("error %v, want MaxBytesError", err)
				}
			case tc.err != nil && !errors.Is(err, tc.err):
				t.Errorf("error %v, want %v", err, tc.err)
			}
			if tc.err == nil {
				rest, _ := io.ReadAll(br)
				if string(rest) != tc.rest {
					t.Errorf("left %q for the next request, want %q", rest, tc.rest)
				}
			}
		})
	}
}

func TestBodyDrainAndClose(t *testing.T) {
	b, br := chunkedBody(t, "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nNEXT", -1)
	p := make([]byte, 2)
	if n, err := b.Read(p); n != 2 || err != nil {
		t.Fatalf("Read %d %v", n, err)
	}
	if !b.drain() {
		t.Fatal("drain failed")
	}
	if rest, _ := io.ReadAll(br); string(rest) != "NEXT" {
		t.Errorf("after drain %q", rest)
	}
	b.Close()
	if _, err := b.Read(p); err != http.ErrBodyReadAfterClose {
		t.Errorf("Read after Close: %v", err)
	}
}

// TestValidTrailer: trailer lines are checked as header field lines, as
// apache2 reads the trailer section (review9).
func TestValidTrailer(t *testing.T) {
	for _, tc := range []struct {
		line  string
		first bool
		ok    bool
	}{
		{"X-T: t", true, true},
		{"X-T:", true, true},
		{" u", false, true},
		{" u", true, false},
		{"X", true, false},
		{": t", true, false},
		{"X Y: t", true, false},
		{"X: a\x01b", true, false},
		{"X: a\x7f", true, false},
		{"\tu\x00", false, false},
	} {
		if got := validTrailer([]byte(tc.line), tc.first); got != tc.ok {
			t.Errorf("validTrailer(%q, first=%v) = %v, want %v", tc.line, tc.first, got, tc.ok)
		}
	}
}
