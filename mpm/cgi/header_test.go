package cgi

import (
	"bufio"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// TestHeaderMergesLinearly: a script's repeated fields are merged with ", "
// in their order, names compared without case, in memory proportional to
// the header (each field appended to the growing value anew would allocate
// some 2 GB here).
func TestHeaderMergesLinearly(t *testing.T) {
	const n = 2000
	v := strings.Repeat("a", 1000)
	var in strings.Builder
	in.WriteString("Content-Type: text/plain\nX-B: 1\n")
	for i := range n {
		if i%2 == 0 {
			in.WriteString("X-A: " + v + "\n")
		} else {
			in.WriteString("x-a: " + v + "\n")
		}
	}
	in.WriteString("X-B: 2\n\nbody")
	s := &script{h: &Handler{}, file: "/x.cgi", out: bufio.NewReaderSize(strings.NewReader(in.String()), 8192)}
	r := httptest.NewRequest("GET", "/x.cgi", nil)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	hd, status, ret := s.header(r)
	runtime.ReadMemStats(&after)
	if status != 0 || ret != 0 {
		t.Fatalf("status %d, ret %d", status, ret)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("reading a %d-byte header allocated %d bytes", in.Len(), got)
	}
	want := strings.TrimSuffix(strings.Repeat(v+", ", n), ", ")
	if len(hd.errFields) != 4 || hd.errFields[0] != "X-B" || hd.errFields[1] != "1, 2" || hd.errFields[2] != "X-A" || hd.errFields[3] != want {
		short := make([]string, len(hd.errFields))
		for i, f := range hd.errFields {
			short[i] = cut(f, 20)
		}
		t.Errorf("merged fields %q (cut), want X-B \"1, 2\" and X-A's %d values", short, n)
	}
}
