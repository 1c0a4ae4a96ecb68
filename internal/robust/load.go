//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The well-behaved clients that run beside every attack and fault: a few
// that open a new connection per request (new visitors; a refused
// connection shows here) and a few browsers on keep-alive connections
// (Go's http.Client, which retries an idempotent request whose reused
// connection was closed under it, as browsers do). Each paces itself, so
// the load is bounded in rate as well as in time.
const (
	freshClients     = 4
	keepAliveClients = 2
	clientPause      = 10 * time.Millisecond
	clientTimeout    = 20 * time.Second // longer than anything the server may make a client wait
	dialTimeout      = 5 * time.Second
)

// outcome is one good request.
type outcome struct {
	start, end time.Time
	code       int   // HTTP status, 0 without an answer
	fresh      bool  // on a new connection (not a keep-alive one)
	err        error // nil: answered as expected
	refused    bool
}

// load runs the good clients until stopped and keeps every outcome.
type load struct {
	addr   string
	accept func(code int, body string) bool // what counts as a good answer

	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	out    []outcome
}

// goodAnswer accepts only the document itself.
func goodAnswer(code int, body string) bool { return code == 200 && body == helloBody }

func startLoad(addr string, accept func(int, string) bool) *load {
	if accept == nil {
		accept = goodAnswer
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{addr: addr, accept: accept, cancel: cancel}
	for i := 0; i < freshClients; i++ {
		l.wg.Add(1)
		go l.run(ctx, l.fresh)
	}
	for i := 0; i < keepAliveClients; i++ {
		tr := &http.Transport{MaxIdleConnsPerHost: 1, DialContext: (&net.Dialer{Timeout: dialTimeout}).DialContext}
		c := &http.Client{Transport: tr, Timeout: clientTimeout}
		l.wg.Add(1)
		go func() {
			defer tr.CloseIdleConnections()
			l.run(ctx, func() outcome { return l.browser(c) })
		}()
	}
	return l
}

func (l *load) run(ctx context.Context, one func() outcome) {
	defer l.wg.Done()
	for ctx.Err() == nil {
		o := one()
		l.mu.Lock()
		l.out = append(l.out, o)
		l.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(clientPause):
		}
	}
}

// fresh is one request on a new connection.
func (l *load) fresh() outcome {
	o := outcome{start: time.Now(), fresh: true}
	defer func() { o.end = time.Now() }()
	c, err := net.DialTimeout("tcp", l.addr, dialTimeout)
	if err != nil {
		o.err, o.refused = err, errors.Is(err, syscall.ECONNREFUSED)
		o.end = time.Now()
		return o
	}
	defer c.Close()
	c.SetDeadline(o.start.Add(clientTimeout))
	if _, err := fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", l.addr); err != nil {
		o.err = err
		return o
	}
	o.code, o.err = l.check(http.ReadResponse(bufio.NewReader(c), nil))
	o.end = time.Now()
	return o
}

// browser is one request on the client's keep-alive connection.
func (l *load) browser(c *http.Client) outcome {
	o := outcome{start: time.Now()}
	resp, err := c.Get("http://" + l.addr + "/hello.txt")
	if err != nil {
		o.err, o.refused = err, errors.Is(err, syscall.ECONNREFUSED)
	} else {
		o.code, o.err = l.check(resp, nil)
	}
	o.end = time.Now()
	return o
}

func (l *load) check(resp *http.Response, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if !l.accept(resp.StatusCode, string(body)) {
		return resp.StatusCode, fmt.Errorf("status %d, %d bytes", resp.StatusCode, len(body))
	}
	return resp.StatusCode, nil
}

// stop ends the load and waits for the requests in flight.
func (l *load) stop() []outcome {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.out
}

// tally sums outcomes.
type tally struct {
	ok, failed, refused int
	worst               time.Duration // slowest good request
	errs                map[string]int
}

func count(out []outcome) tally {
	t := tally{errs: map[string]int{}}
	for _, o := range out {
		switch {
		case o.err == nil:
			t.ok++
			t.worst = max(t.worst, o.end.Sub(o.start))
		case o.refused:
			t.refused++
		default:
			t.failed++
			t.errs[errClass(o.err)]++
		}
	}
	return t
}

// errClass shortens an error to its kind, for the notes.
func errClass(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed"
	case strings.HasPrefix(err.Error(), "status "):
		return strings.SplitN(err.Error(), ",", 2)[0]
	}
	return err.Error()
}

func (t tally) errSummary() string {
	var parts []string
	for k, n := range t.errs {
		parts = append(parts, fmt.Sprintf("%s×%d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// recovery is the time from at until the first good request that started
// after at succeeded: how long new visitors were not served.
func recovery(out []outcome, at time.Time) (time.Duration, bool) {
	var best time.Time
	for _, o := range out {
		if o.err == nil && !o.start.Before(at) && (best.IsZero() || o.end.Before(best)) {
			best = o.end
		}
	}
	if best.IsZero() {
		return 0, false
	}
	return best.Sub(at), true
}

// between keeps the outcomes of requests that started in [from, to).
func between(out []outcome, from, to time.Time) []outcome {
	var in []outcome
	for _, o := range out {
		if !o.start.Before(from) && o.start.Before(to) {
			in = append(in, o)
		}
	}
	return in
}
