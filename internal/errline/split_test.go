package errline

import (
	"bytes"
	"strings"
	"testing"
)

// TestSplitter: lines come out whole whatever the writes' boundaries; a
// line longer than MaxLine comes out in MaxLine pieces (no empty piece
// when the newline follows a cut), and the buffer never holds more than
// MaxLine bytes, even for one write of many MiB without a newline.
func TestSplitter(t *testing.T) {
	var got []string
	s := &Splitter{Line: func(b []byte) { got = append(got, string(b)) }}
	long := strings.Repeat("x", 2*MaxLine+5)
	in := "one\n\ntwo\r\n" + long + "\n" + strings.Repeat("y", MaxLine) + "\nlast"
	for _, size := range []int{1, 7, 4096, len(in)} {
		got = nil
		for rest := in; rest != ""; {
			n := min(size, len(rest))
			if k, err := s.Write([]byte(rest[:n])); k != n || err != nil {
				t.Fatalf("Write = %d, %v", k, err)
			}
			if cap(s.buf) > 2*MaxLine { // append may round up the capacity
				t.Fatalf("writes of %d: buffer capacity %d", size, cap(s.buf))
			}
			rest = rest[n:]
		}
		s.Flush()
		want := []string{"one", "", "two\r", long[:MaxLine], long[:MaxLine], "xxxxx", strings.Repeat("y", MaxLine), "last"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("writes of %d: %d lines %q…, want %d", size, len(got), trunc(got), len(want))
		}
	}

	got = nil
	big := bytes.Repeat([]byte("z"), 16<<20)
	s.Write(big)
	if len(s.buf) > MaxLine || len(got) != 16<<20/MaxLine-1 {
		t.Errorf("16 MiB without newline: %d lines out, %d bytes held", len(got), len(s.buf))
	}
}

func trunc(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) > 12 {
			l = l[:12] + "…"
		}
		out[i] = l
	}
	return out
}
