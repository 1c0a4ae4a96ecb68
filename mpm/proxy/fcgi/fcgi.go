// Package fcgi is the FastCGI record protocol as mod_proxy_fcgi speaks it to
// a responder (php-fpm and the like): one request per connection at a time,
// request ID 1, FCGI_BEGIN_REQUEST, the environment as FCGI_PARAMS, the body
// as FCGI_STDIN records, then FCGI_STDOUT and FCGI_STDERR records up to
// FCGI_END_REQUEST. It knows records, not HTTP: package proxy maps requests.
package fcgi

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Record types.
const (
	typeBeginRequest = 1
	typeEndRequest   = 3
	typeParams       = 4
	typeStdin        = 5
	typeStdout       = 6
	typeStderr       = 7
)

const (
	version    = 1
	requestID  = 1
	roleResp   = 1
	flagKeep   = 1
	maxContent = 65535
	paramsMax  = 16 * 1024 // apache2's limit per FCGI_PARAMS record
)

// header appends a record header to b.
func header(b []byte, typ byte, n int) []byte {
	return append(b, version, typ, 0, requestID, byte(n>>8), byte(n), 0, 0)
}

// WriteBegin writes FCGI_BEGIN_REQUEST for a responder; keep asks the
// application to keep the connection open after the request.
func WriteBegin(w io.Writer, keep bool) error {
	b := header(make([]byte, 0, 16), typeBeginRequest, 8)
	var flags byte
	if keep {
		flags = flagKeep
	}
	b = append(b, 0, roleResp, flags, 0, 0, 0, 0, 0)
	_, err := w.Write(b)
	return err
}

// pairLen appends a name-value pair length (one byte below 128, else four).
func pairLen(b []byte, n int) []byte {
	if n < 128 {
		return append(b, byte(n))
	}
	return binary.BigEndian.AppendUint32(b, uint32(n)|1<<31)
}

// lenSize is the size of pairLen's encoding of n.
func lenSize(n int) int {
	if n < 128 {
		return 1
	}
	return 4
}

// WriteParams writes the environment kv (name, value pairs) as FCGI_PARAMS
// records of at most 16 KB each, then the empty one that ends them. A pair
// longer than a record is left out, skip told its name, as apache2 leaves it
// out (its AH02536).
func WriteParams(w io.Writer, kv []string, skip func(name string)) error {
	buf := make([]byte, 8, 8+paramsMax)
	flush := func(last bool) error {
		n := len(buf) - 8
		if n > 0 {
			header(buf[:0], typeParams, n)
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:8]
		}
		if last {
			_, err := w.Write(header(nil, typeParams, 0))
			return err
		}
		return nil
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k, v := kv[i], kv[i+1]
		need := lenSize(len(k)) + lenSize(len(v)) + len(k) + len(v)
		if need > paramsMax {
			if skip != nil {
				skip(k)
			}
			continue
		}
		if len(buf)-8+need > paramsMax {
			if err := flush(false); err != nil {
				return err
			}
		}
		buf = pairLen(buf, len(k))
		buf = pairLen(buf, len(v))
		buf = append(buf, k...)
		buf = append(buf, v...)
	}
	return flush(true)
}

// Stdin writes the request body as FCGI_STDIN records; Close ends it with
// the empty record.
type Stdin struct{ W *bufio.Writer }

func (s Stdin) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		c := min(len(p), maxContent)
		s.W.Write(header(nil, typeStdin, c))
		if _, err := s.W.Write(p[:c]); err != nil {
			return n, err
		}
		n += c
		p = p[c:]
	}
	return n, nil
}

// Close writes the empty FCGI_STDIN record and flushes.
func (s Stdin) Close() error {
	s.W.Write(header(nil, typeStdin, 0))
	return s.W.Flush()
}

// ErrBogus is a record apache2 refuses (another version or request ID).
var ErrBogus = errors.New("bogus record")

// Reader reads an answer's records: Read gives FCGI_STDOUT's content, Stderr
// (if set) each FCGI_STDERR record's, and io.EOF comes at FCGI_END_REQUEST.
type Reader struct {
	R      *bufio.Reader
	Stderr func(p []byte)
	// Bogus (if set) is told of a record of an unknown type (skipped).
	Bogus func(typ byte)
	left  int // content left in the current FCGI_STDOUT record
	pad   int
	done  bool
	hdr   [8]byte
	errb  []byte
}

// Done says whether FCGI_END_REQUEST was read.
func (r *Reader) Done() bool { return r.done }

func (r *Reader) Read(p []byte) (int, error) {
	for r.left == 0 {
		if r.done {
			return 0, io.EOF
		}
		if err := r.skip(r.pad); err != nil {
			return 0, err
		}
		r.pad = 0
		if _, err := io.ReadFull(r.R, r.hdr[:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		h := r.hdr
		if h[0] != version {
			return 0, fmt.Errorf("%w: version %d", ErrBogus, h[0])
		}
		if rid := int(h[2])<<8 | int(h[3]); rid != requestID {
			return 0, fmt.Errorf("%w: rid %d, expected %d", ErrBogus, rid, requestID)
		}
		n, pad := int(h[4])<<8|int(h[5]), int(h[6])
		switch h[1] {
		case typeStdout:
			if n == 0 {
				r.pad = pad
				continue
			}
			r.left, r.pad = n, pad
		case typeStderr:
			if cap(r.errb) < n {
				r.errb = make([]byte, n)
			}
			b := r.errb[:n]
			if _, err := io.ReadFull(r.R, b); err != nil {
				return 0, io.ErrUnexpectedEOF
			}
			if n > 0 && r.Stderr != nil {
				r.Stderr(b)
			}
			r.pad = pad
		case typeEndRequest:
			if err := r.skip(n + pad); err != nil {
				return 0, err
			}
			r.done = true
		default:
			if r.Bogus != nil {
				r.Bogus(h[1])
			}
			r.pad = n + pad
		}
	}
	if len(p) > r.left {
		p = p[:r.left]
	}
	n, err := r.R.Read(p)
	r.left -= n
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (r *Reader) skip(n int) error {
	if n == 0 {
		return nil
	}
	if _, err := r.R.Discard(n); err != nil {
		return io.ErrUnexpectedEOF
	}
	return nil
}
