package http1

import (
	"bufio"
	"io"
	"testing"
	"time"
)

// TestEndIdleWait: a ServeRequest waiting for a keep-alive request when the
// Server starts draining ends (no request, no response) once EndIdleWait
// has bounded its wait by DrainIdle, long before KeepAliveTimeout; a wait
// that starts while draining is bounded by itself.
func TestEndIdleWait(t *testing.T) {
	for _, already := range []bool{false, true} {
		srv := newTestServer()
		srv.KeepAliveTimeout = 10 * time.Minute
		c, client := pipeConn(t, srv)
		go func() {
			io.WriteString(client, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
			readRawResponse(bufio.NewReader(client), "GET")
		}()
		if keep, err := c.ServeRequest(); !keep || err != nil {
			t.Fatalf("first request: keep %v, %v", keep, err)
		}
		type result struct {
			keep bool
			err  error
		}
		done := make(chan result, 1)
		if already {
			srv.StartDraining()
		}
		go func() {
			keep, err := c.ServeRequest()
			done <- result{keep, err}
		}()
		if !already {
			// Let the wait begin, so that EndIdleWait has one to end (if
			// it has not begun, it bounds itself: the test passes either way).
			time.Sleep(50 * time.Millisecond)
			srv.StartDraining()
			c.EndIdleWait()
		}
		select {
		case r := <-done:
			if r.keep || r.err != nil {
				t.Errorf("draining (already %v): keep %v, %v; want the idle connection ended", already, r.keep, r.err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("draining (already %v): the wait for a keep-alive request was not bounded", already)
		}
	}
}
