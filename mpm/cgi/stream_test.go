package cgi

import (
	"bufio"
	"bytes"
	"os"
	"testing"
	"time"
)

// TestStreamFlushes: the script's output is flushed when it has nothing
// more at once, not at its end, so that an output that ended before any
// wait keeps its Content-Length (apache2's content-length filter sets one
// when no flush went before the end of stream).
func TestStreamFlushes(t *testing.T) {
	for _, c := range []struct {
		name  string
		ended bool // the whole output and its end are there before stream
		want  int  // flushes
	}{
		{"output ended", true, 0},
		{"output waited for", false, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			w.WriteString("a")
			if c.ended {
				w.Close()
			} else {
				defer w.Close()
			}
			s := &script{stdout: r, timeout: 10 * time.Second}
			s.out = bufio.NewReader(&deadlineReader{f: r, d: s.timeout})
			var dst bytes.Buffer
			flushes := 0
			flush := func() error {
				// The pipe was empty: the rest comes, then the end.
				flushes++
				w.WriteString("b")
				w.Close()
				return nil
			}
			if err := s.stream(&dst, flush); err != nil {
				t.Fatal(err)
			}
			want := "ab"
			if c.ended {
				want = "a"
			}
			if dst.String() != want || flushes != c.want {
				t.Errorf("stream wrote %q with %d flushes, want %q with %d", dst.String(), flushes, want, c.want)
			}
		})
	}
}
