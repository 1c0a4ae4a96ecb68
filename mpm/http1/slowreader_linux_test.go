package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"testing"
	"time"
)

// TestSlowReaderNotCut: Timeout bounds a stall, not a whole sendfile chunk. A client
// that keeps taking the file, only so slowly that the response lasts longer than
// Timeout, gets all of it, through both ways the engine sends a file (an
// *io.SectionReader at explicit offsets, and ReadFrom of an *io.LimitedReader).
func TestSlowReaderNotCut(t *testing.T) {
	for _, section := range []bool{false, true} {
		var shared *os.File
		sharedp := &shared
		if !section {
			sharedp = nil
		}
		const size = 512 << 10
		srv, data, _ := fileServerShared(t, size, false, sharedp)
		// Progress every 50 ms, against a Timeout 40 times longer: only a
		// machine that stalls the reader for 2 s cuts it.
		srv.Timeout = 2 * time.Second
		sc, cc := stalledPair(t)
		c := srv.NewConn(sc)
		type result struct {
			keep bool
			err  error
		}
		done := make(chan result, 1)
		go func() {
			keep, err := c.ServeRequest()
			if !keep {
				c.Close() // as an MPM does: a cut response ends with end-of-stream
			}
			done <- result{keep, err}
		}()
		cc.SetReadDeadline(time.Now().Add(60 * time.Second))
		io.WriteString(cc, "GET /f HTTP/1.1\r\nHost: h\r\n\r\n")
		// At most 320 KiB/s: the response takes seconds, longer than Timeout, with
		// progress all along.
		resp, err := http.ReadResponse(bufio.NewReader(cc), nil)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		buf := make([]byte, 16<<10)
		start := time.Now()
		for {
			n, err := resp.Body.Read(buf)
			body.Write(buf[:n])
			if err != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		took := time.Since(start)
		r := <-done
		if !bytes.Equal(body.Bytes(), data) {
			t.Fatalf("section %v: got %d of %d bytes (after %v; ServeRequest: %v %v)", section, body.Len(), size, took, r.keep, r.err)
		}
		if r.err != nil || !r.keep {
			t.Errorf("section %v: ServeRequest: keep %v, %v", section, r.keep, r.err)
		}
		c.Close()
	}
}

// TestStalledReaderCut: a client that takes nothing more is still cut (ServeRequest
// gives up on the connection), within twice Timeout of its last byte.
func TestStalledReaderCut(t *testing.T) {
	srv, _, _ := fileServerShared(t, 8<<20, false, nil)
	srv.Timeout = time.Second
	sc, cc := stalledPair(t)
	c := srv.NewConn(sc)
	defer c.Close()
	done := make(chan bool, 1)
	go func() {
		keep, _ := c.ServeRequest()
		done <- keep
	}()
	io.WriteString(cc, "GET /f HTTP/1.1\r\nHost: h\r\n\r\n")
	select {
	case keep := <-done:
		if keep {
			t.Error("ServeRequest would keep a connection whose client reads nothing")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ServeRequest still writing to a client that reads nothing after 30 s")
	}
}
