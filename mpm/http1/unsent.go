package http1

import (
	"errors"
	"io"
	"net"
	"os"
)

// Write completion (Apache event's CONN_STATE_WRITE_COMPLETION). With
// Server.WriteCompletion set, and a connection that implements NonblockingWriter, a
// response does not wait for a slow client at its end: when the socket would block on
// the response's last buffered bytes, or on a body whose remaining part is a file range
// (what ReadFrom sends with sendfile), ServeRequest returns at once and leaves that rest
// to the MPM as an Unsent, which the MPM writes when the socket is writable, without a
// worker:
//
//	keep, err := c.ServeRequest()
//	if u := c.Unsent(); u != nil {
//		// poll the socket for writability; write u.Bytes, then u.Length bytes of
//		// u.File from u.Offset (advancing the fields), without blocking; close c
//		// if the client takes nothing for Timeout
//		c.UnsentWritten()
//	}
//	// then as after any response: keep ? park or ServeRequest : Finish or Close
//
// The request is complete from the engine's side when ServeRequest returns: the
// RequestDone hook (the access log) has run with the body's full length, as apache2
// logs a request before its write completion.

// NonblockingWriter is implemented by a connection whose writes can be tried without
// waiting. The engine calls it only on the goroutine serving the Conn.
type NonblockingWriter interface {
	// TryWrite writes what the socket takes of p at once and returns how much; fewer
	// than len(p) bytes with a nil error means the socket would block.
	TryWrite(p []byte) (int, error)
	// TrySendFile sends up to n bytes of f starting at offset off, as many as the
	// socket takes at once (sendfile(2)), neither using nor moving f's own offset, and
	// returns how many. Fewer than n with a nil error means the socket would block;
	// io.EOF means f ended first.
	TrySendFile(f *os.File, off, n int64) (int64, error)
}

// Unsent is the rest of a response that ServeRequest left unwritten: first Bytes, then
// Length bytes of File from Offset. It belongs to its Conn, which closes File when the
// rest is written (UnsentWritten, WriteUnsent) or dropped (Close, Finish). The MPM
// writing it advances the fields as bytes leave (Bytes = Bytes[n:], Offset += n,
// Length -= n), from one goroutine at a time, and never closes File itself.
type Unsent struct {
	Bytes  []byte
	File   *os.File // nil when only Bytes are left; a descriptor of the Conn's own
	Offset int64
	Length int64
}

// Done reports whether nothing is left to write.
func (u *Unsent) Done() bool { return len(u.Bytes) == 0 && u.Length <= 0 }

// Unsent returns the rest of the last response that ServeRequest left unwritten, or
// nil when the whole response was written. It is never nil without
// Server.WriteCompletion. While it is not nil, c waits for its MPM: the next
// ServeRequest first writes the rest, blocking (WriteUnsent); Close and Finish drop it;
// Detach fails. Only the goroutine that owns c (serving or completing it) may call it.
func (c *Conn) Unsent() *Unsent {
	if !c.unsentSet {
		return nil
	}
	return &c.unsent
}

// UnsentWritten tells c that the MPM wrote all of Unsent (or gives up on it before
// closing c): c closes the file and forgets the rest. After it, c is as it was when
// ServeRequest returned: idle if it returned true, otherwise to be finished or closed.
func (c *Conn) UnsentWritten() { c.dropUnsent() }

// WriteUnsent writes the rest of the last response as ServeRequest would have without
// Server.WriteCompletion (blocking, each write bounded by Timeout), then forgets it. It
// is the MPM's way out when it cannot poll the connection. It does nothing when
// nothing is unsent.
func (c *Conn) WriteUnsent() error {
	if !c.unsentSet {
		return nil
	}
	defer c.dropUnsent()
	u := &c.unsent
	if len(u.Bytes) > 0 {
		c.setWriteDeadline()
		if _, err := c.rwc.Write(u.Bytes); err != nil {
			return err
		}
	}
	if u.Length <= 0 {
		return nil
	}
	// At its offset: u.File shares its offset with the descriptor it was duplicated
	// from, which other goroutines may be reading from too.
	n, err := c.sendFileAt(u.File, u.Offset, u.Length)
	if err == nil && n < u.Length {
		err = io.ErrUnexpectedEOF // the file shrank: the client waits for bytes that will never come
	}
	return err
}

func (c *Conn) dropUnsent() {
	if !c.unsentSet {
		return
	}
	if c.unsent.File != nil {
		c.unsent.File.Close()
	}
	c.unsent = Unsent{}
	c.unsentSet = false
}

// asyncWrites reports whether the current response may leave its end to the MPM.
func (c *Conn) asyncWrites() bool { return c.nb != nil && c.srv.WriteCompletion }

// tryWrite is the write buffer's destination while flushing the end of a response under
// write completion: what the socket does not take now joins c.unsent.
func (c *Conn) tryWrite(p []byte) (int, error) {
	n := 0
	if !c.unsentSet {
		k, err := c.nb.TryWrite(p)
		if err != nil || k == len(p) {
			return k, err
		}
		n = k
		c.unsentSet = true
	}
	c.unsent.Bytes = append(c.unsent.Bytes, p[n:]...)
	return len(p), nil
}

// moreHolder is a connection that can ask the kernel to hold what it writes back
// until more follows or the connection is closed or shut down, which sends it with
// the FIN (Linux: MSG_MORE). The threads package's connections are.
type moreHolder interface {
	// HoldForMore(true) makes the writes that follow, until HoldForMore(false),
	// leave a partial segment for the data after them.
	HoldForMore(on bool)
}

// flushBeforeFile flushes the headers of a response whose body is about to leave
// from a file with sendfile(2), without waiting if try (flushTry). On a connection
// that can (moreHolder) they are held for the body, so that both go out in the same
// TCP segments: written on their own with TCP_NODELAY, the headers would take a
// small segment, a packet's work on both sides and a wake-up of the client.
func (c *Conn) flushBeforeFile(try bool) error {
	if h, ok := c.rwc.(moreHolder); ok {
		h.HoldForMore(true)
		defer h.HoldForMore(false)
	}
	if try {
		return c.flushTry()
	}
	return c.flush()
}

// flushTry flushes the write buffer without waiting; what would block becomes unsent.
func (c *Conn) flushTry() error {
	c.try = true
	err := c.flush()
	c.try = false
	return err
}

// sendFileAsync sends the last n bytes of a body from f (at its current offset) without
// waiting: the headers still buffered and what the socket does not take become
// unsent, and f's offset moves past the n bytes as if they were sent. It returns
// handled=false, having done nothing, when f cannot be sent this way.
func (c *Conn) sendFileAsync(f *os.File, n int64) (sent int64, handled bool, err error) {
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false, nil
	}
	sent, err = c.sendFileAsyncAt(f, off, n)
	f.Seek(off+sent, io.SeekStart)
	return sent, true, err
}

// sendFileAsyncAt sends the last n bytes of a body, f's from off, without waiting,
// neither using nor moving f's offset: the headers still buffered and what the socket
// does not take become unsent (counted as sent). Fewer than n with a nil error means
// f ended first.
func (c *Conn) sendFileAsyncAt(f *os.File, off, n int64) (sent int64, err error) {
	if err := c.flushBeforeFile(true); err != nil {
		return 0, err
	}
	var k int64
	if !c.unsentSet {
		k, err = c.nb.TrySendFile(f, off, n)
		if errors.Is(err, io.EOF) {
			return k, nil // short body: finish closes the connection
		}
		if err != nil || k == n {
			return k, err
		}
	}
	dup, derr := dupFile(f)
	if derr != nil {
		// Keep the file's rest on this goroutine after all, in order.
		if err := c.WriteUnsent(); err != nil {
			return k, err
		}
		m, err := c.sendFileAt(f, off+k, n-k)
		return k + m, err
	}
	c.unsentSet = true
	c.unsent.File, c.unsent.Offset, c.unsent.Length = dup, off+k, n-k
	return n, nil
}

// sendFileAt writes n bytes of f from off (sendfile(2) where the connection allows),
// each chunk bounded by Timeout without progress (see stalled), neither using nor moving f's offset, so that
// goroutines may send from one descriptor at once. It returns fewer than n bytes with
// a nil error when f ends early.
func (c *Conn) sendFileAt(f *os.File, off, n int64) (int64, error) {
	return c.sendChunks(n, func(done, chunk int64) (int64, error) {
		return sendFileAt(c.rwc, f, off+done, chunk)
	})
}

// sendChunks sends n bytes with send, chunk by chunk (up to sendfileChunk, from done
// bytes on), each under a write deadline set afresh, for as long as the client takes
// them (see stalled). It returns fewer than n bytes with a nil error when a chunk came
// out short without an error (the file ended).
func (c *Conn) sendChunks(n int64, send func(done, chunk int64) (int64, error)) (int64, error) {
	var done int64
	for done < n {
		chunk := min(n-done, sendfileChunk)
		c.setWriteDeadline()
		k, err := send(done, chunk)
		done += k
		if err != nil && !stalled(k, err) {
			continue
		}
		if err != nil || k < chunk {
			return done, err
		}
	}
	return done, nil
}

// fileSenderAt is a connection that sends a file range itself (the threads package's
// connections): blocking up to its write deadline, at an explicit offset.
type fileSenderAt interface {
	SendFileAt(f *os.File, off, n int64) (int64, error)
}

// sendFileAt sends n bytes of f from off on dst, without f's offset.
func sendFileAt(dst net.Conn, f *os.File, off, n int64) (int64, error) {
	if fs, ok := dst.(fileSenderAt); ok {
		return fs.SendFileAt(f, off, n)
	}
	if k, handled, err := sendFileRaw(dst, f, off, n); handled {
		return k, err
	}
	return io.Copy(writerOnly{dst}, io.NewSectionReader(f, off, n))
}

// sendFile writes n bytes of src (a file at the offset to send from) with the
// connection's ReadFrom (sendfile), each chunk bounded by Timeout without progress
// (see stalled). It returns fewer
// than n bytes with a nil error when src ends early.
func (c *Conn) sendFile(src io.Reader, n int64) (int64, error) {
	rf, ok := c.rwc.(io.ReaderFrom)
	if !ok {
		return io.Copy(writerOnly{c.rwc}, io.LimitReader(src, n))
	}
	return c.sendChunks(n, func(_, chunk int64) (int64, error) {
		return rf.ReadFrom(&io.LimitedReader{R: src, N: chunk})
	})
}

// stalled reports whether err, from a send that took k bytes, ends the response: any
// error but a write deadline passed with progress made. The deadline is Timeout from
// when it was set for a chunk of up to sendfileChunk bytes; a client that is taking the
// chunk, only slower than that, gets a new Timeout from where it is, so that Timeout
// bounds a stall (as Apache's does: a wait for the socket), never a whole chunk. A
// stall is cut between Timeout and twice Timeout after the last byte taken.
func stalled(k int64, err error) bool {
	return k == 0 || !errors.Is(err, os.ErrDeadlineExceeded)
}

// writerOnly hides a writer's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }
