package fcgi

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestParamsSplit: an environment past 16 KB goes in several FCGI_PARAMS
// records, each pair whole, long lengths in four bytes, then the empty one.
func TestParamsSplit(t *testing.T) {
	long := strings.Repeat("v", 9000)
	var b bytes.Buffer
	if err := WriteParams(&b, []string{"A", long, "B", long, "C", "c"}, nil); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	raw := b.Bytes()
	for len(raw) > 0 {
		n := int(raw[4])<<8 | int(raw[5])
		if raw[1] != typeParams {
			t.Fatalf("record type %d", raw[1])
		}
		sizes = append(sizes, n)
		raw = raw[8+n:]
	}
	if want := []int{1 + 4 + 1 + 9000, 1 + 4 + 1 + 9000 + 1 + 1 + 1 + 1, 0}; !equal(sizes, want) {
		t.Errorf("records %v, want %v", sizes, want)
	}
	// A pair past 16 KB is left out, the others sent; one that just fits
	// (16384 bytes with its lengths) is sent.
	b.Reset()
	var skipped []string
	fits := strings.Repeat("v", paramsMax-1-4-1)
	err := WriteParams(&b, []string{"X", strings.Repeat("v", 17000), "Y", "y", "Z", fits}, func(name string) { skipped = append(skipped, name) })
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0] != "X" {
		t.Errorf("skipped %q, want [X]", skipped)
	}
	if want := 8 + 4 + 8 + paramsMax + 8; b.Len() != want || !bytes.Contains(b.Bytes(), []byte{1, 1, 'Y', 'y'}) {
		t.Errorf("%d bytes written, want %d with Y", b.Len(), want)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReader: FCGI_STDOUT's content across records (padding skipped),
// FCGI_STDERR to its callback, an unknown type reported and skipped, EOF
// at FCGI_END_REQUEST; another request ID is refused.
func TestReader(t *testing.T) {
	var in []byte
	rec := func(typ byte, id int, p string, pad int) {
		in = append(in, 1, typ, byte(id>>8), byte(id), byte(len(p)>>8), byte(len(p)), byte(pad), 0)
		in = append(in, p...)
		in = append(in, make([]byte, pad)...)
	}
	rec(typeStdout, 1, "Status: 200\r\n", 3)
	rec(typeStderr, 1, "oops", 4)
	rec(11, 1, "??", 0)
	rec(typeStdout, 1, "\r\nbody", 0)
	rec(typeStdout, 1, "", 0)
	rec(typeEndRequest, 1, "\x00\x00\x00\x00\x00\x00\x00\x00", 0)
	var errs []string
	var bogus []byte
	r := &Reader{R: bufio.NewReader(bytes.NewReader(in)), Stderr: func(p []byte) { errs = append(errs, string(p)) },
		Bogus: func(typ byte) { bogus = append(bogus, typ) }}
	out, err := io.ReadAll(r)
	if err != nil || string(out) != "Status: 200\r\n\r\nbody" || !r.Done() {
		t.Errorf("read %q, %v, done %v", out, err, r.Done())
	}
	if len(errs) != 1 || errs[0] != "oops" || len(bogus) != 1 || bogus[0] != 11 {
		t.Errorf("stderr %q, bogus %v", errs, bogus)
	}
	in = nil
	rec(typeStdout, 2, "x", 0)
	r = &Reader{R: bufio.NewReader(bytes.NewReader(in))}
	if _, err := io.ReadAll(r); err == nil {
		t.Error("a record of request 2 was read")
	}
}
