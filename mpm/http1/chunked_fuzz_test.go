package http1

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"strings"
	"testing"
)

// FuzzChunkedBody feeds arbitrary bytes to the chunked decoder, read in
// full and drained, under a limit taken from the input. Neither may panic
// or read past the input; both must agree on where the body ends; a body
// that decodes must be what net/http's decoder reads where it accepts the
// same bytes, and must respect the limit.
func FuzzChunkedBody(f *testing.F) {
	seeds := []string{
		"3\r\nabc\r\n0\r\n\r\nNEXT",
		"A;x=y\r\n0123456789\r\nf \t;q\r\n" + strings.Repeat("z", 15) + "\r\n0\r\n\r\n",
		"1\r\nx\r\n0\r\nA: b\r\nC: d\r\n\r\nGET / HTTP/1.1\r\n",
		"1\nx\n0\n\n",
		"g\r\n", ";ext\r\n", "1000000000000000\r\n", "ffffffffffffffff\r\n",
		"1\r\nxy\r\n0\r\n\r\n", "5\r\nab", "0\r\n", "0\r\n\r", "0\r\n" + strings.Repeat("T: v\r\n", 1400) + "\r\n",
		strings.Repeat("0", 20) + "1\r\nx\r\n0\r\n\r\n",
		"4\r\nab\r\n\r\n0\r\n\r\n", "2\r\n\r\n\r\n0\r\n\r\n", "1 ;\r\nx\r\n0 \r\n\r\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint16(i*7))
	}
	f.Fuzz(func(t *testing.T, raw []byte, lim uint16) {
		limit := int64(-1)
		if lim&1 == 1 {
			limit = int64(lim >> 1) // up to 32 KiB
		}
		b, br := chunkedBody(t, string(raw), limit)
		got, err := io.ReadAll(b)
		rest, _ := io.ReadAll(br)
		if len(got)+len(rest) > len(raw) {
			t.Fatalf("decoded %d bytes and left %d of %d", len(got), len(rest), len(raw))
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) != b.tooLarge {
			t.Fatalf("error %v but tooLarge=%v", err, b.tooLarge)
		}
		if limit >= 0 && int64(len(got)) > limit {
			t.Fatalf("read %d bytes past LimitRequestBody %d", len(got), limit)
		}
		if err != nil {
			return
		}
		if !b.eof {
			t.Fatal("ReadAll ended without eof")
		}
		// The body's bytes are the data of the chunks, in order: the framing
		// around them is exactly what was consumed.
		consumed := raw[:len(raw)-len(rest)]
		if !bytes.HasSuffix(consumed, []byte("\n")) {
			t.Fatalf("body ended inside a line: %q", consumed)
		}
		// Where net/http also decodes the chunks, it reads the same data.
		if want, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(raw))); err == nil && !bytes.Equal(want, got) {
			t.Fatalf("decoded %q, net/http decodes %q", got, want)
		}
		// drain after a partial read ends in the same place, when the body
		// fits in its budget.
		if len(got) > maxDrain {
			return
		}
		d, dbr := chunkedBody(t, string(raw), limit)
		p := make([]byte, len(got)/2)
		if _, err := io.ReadFull(d, p); err != nil {
			t.Fatalf("re-reading the first %d bytes: %v", len(p), err)
		}
		if !bytes.Equal(p, got[:len(p)]) {
			t.Fatalf("re-read %q, first read %q", p, got[:len(p)])
		}
		if !d.drain() {
			t.Fatalf("drain failed (%v) on a body that reads whole", d.err)
		}
		if drest, _ := io.ReadAll(dbr); !bytes.Equal(drest, rest) {
			t.Fatalf("drain left %q, reading left %q", drest, rest)
		}
	})
}
