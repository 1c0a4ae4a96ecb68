package errline

import "bytes"

// MaxLine is the longest line a Splitter hands on: a longer one is cut
// into pieces of MaxLine bytes, so that a process writing without a
// newline cannot make its reader's memory grow (a plugin's or a child's
// stderr, read by root).
const MaxLine = 64 << 10

// Splitter is an io.Writer that cuts what is written into lines of at
// most MaxLine bytes and passes each, without its '\n', to Line; the
// slice is valid only during the call (Line may append to it). It holds
// at most MaxLine bytes between writes. Not safe for concurrent use.
type Splitter struct {
	Line func([]byte)
	buf  []byte
}

// Write passes on the lines b completes and keeps the rest; it never
// fails.
func (s *Splitter) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		end := bytes.IndexByte(b, '\n')
		nl := end >= 0
		if !nl {
			end = len(b)
		}
		if len(s.buf) == MaxLine && end > 0 {
			s.emit() // the line goes on beyond MaxLine: cut it here
		}
		take := min(end, MaxLine-len(s.buf))
		s.buf = append(s.buf, b[:take]...)
		b = b[take:]
		if nl && take == end {
			s.emit()
			b = b[1:]
		}
	}
	return n, nil
}

// Flush passes on what is left of an unfinished last line, if anything:
// call it at the end of the stream.
func (s *Splitter) Flush() {
	if len(s.buf) > 0 {
		s.emit()
	}
}

func (s *Splitter) emit() {
	s.Line(s.buf)
	s.buf = s.buf[:0]
}
