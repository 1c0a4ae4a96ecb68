package rewrite

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A prg map's program (RewriteMap NAME prg:/path [user:group]) is started
// by the host, once per generation, as apache2's parent starts it; the
// children of a generation ask it through a Unix socket the host listens on
// and names in the line it sends them (the third argument: ProgramSocket),
// with the server's Timeout (the fourth), which bounds a lookup.
// The host writes one key at a time to the program, so that one request's
// key and answer are never mixed with another's (apache2's rewrite-map
// mutex).
//
// The protocol on the socket is a line per key, the key then "\n"; the host
// answers a line per key: "+" and the value, or "-" for no value (the
// program's NULL, a program not answering in time). The host closes a
// connection that has sent no key for a while (a minute), and any that is
// not from the generation's MPM process or one of its children; a client
// that finds a kept connection closed asks again on a new one.

// MaxProgramKey bounds a key asked of a program (apache2 sends any
// length): the longest a request can make is well below, its line and
// fields being bounded (LimitRequestLine, LimitRequestFieldSize); a longer
// key has no value without asking, and the host closes a connection that
// sends one.
const MaxProgramKey = 1 << 20

// ProgramKey is the key sent for key: the part before a NUL byte, as
// apache2 writes the key as a C string (strlen).
func ProgramKey(key string) string {
	if i := strings.IndexByte(key, 0); i >= 0 {
		return key[:i]
	}
	return key
}

// ProgramSocket is the RewriteMap line the host gives the children for a
// prg map whose program it started and serves at socket (an absolute
// path), timeout being the server's Timeout, which bounds a lookup on the
// host's side.
func ProgramSocket(args []string, socket string, timeout time.Duration) []string {
	return []string{args[0], args[1], socket, strconv.FormatInt(timeout.Milliseconds(), 10)}
}

// programLine is the socket and timeout of a line ProgramSocket made
// (args after the map's name and source); ok false for another line.
func programLine(args []string) (socket string, timeout time.Duration, ok bool) {
	if len(args) < 1 || len(args) > 2 || !filepath.IsAbs(args[0]) {
		return "", 0, false
	}
	timeout = 60 * time.Second // a host that sent none: apache2's default Timeout
	if len(args) == 2 {
		ms, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil || ms <= 0 {
			return "", 0, false
		}
		timeout = time.Duration(ms) * time.Millisecond
	}
	return args[0], timeout, true
}

// prgClient asks a map program through its socket; idle connections are
// kept for the next lookups. A lookup waits for its answer twice the
// server's Timeout at most: the host's own bound on writing the key to
// the program and on reading its answer, each Timeout.
type prgClient struct {
	socket string
	wait   time.Duration
	mu     sync.Mutex
	idle   []*prgConn
}

type prgConn struct {
	c net.Conn
	r *bufio.Reader
}

// maxIdlePrg bounds the idle connections a process keeps to a program.
const maxIdlePrg = 16

// prgClients are the process's clients by socket.
var prgClients sync.Map

func prgClientOf(socket string, timeout time.Duration) *prgClient {
	if c, ok := prgClients.Load(socket); ok {
		return c.(*prgClient)
	}
	c, _ := prgClients.LoadOrStore(socket, &prgClient{socket: socket, wait: 2 * timeout})
	return c.(*prgClient)
}

// lookup is lookup_map_program: the program's answer for key. A key with a
// newline has no value without asking (it would put the program out of
// step, as apache2 refuses it); so has any key when the program was not
// started or cannot be reached (the host has ended it: a generation that
// retires), or does not answer in time. A kept connection the host has
// closed (idle too long) is dropped with the others kept, which are as
// old, and the key asked again on a new one. A connection refused (the
// socket's backlog full: a stranger's flood of connections, which the host
// closes, fills it) is tried again until the lookup's deadline.
func (p *prgClient) lookup(key string) (string, bool) {
	key = ProgramKey(key)
	if p == nil || strings.IndexByte(key, '\n') >= 0 || len(key) > MaxProgramKey {
		return "", false
	}
	var deadline time.Time
	if p.wait > 0 {
		deadline = time.Now().Add(p.wait)
	}
	fresh := false
	for range 2 { // once more on a new connection if a kept one has gone
		c, reused, err := p.get(fresh, deadline)
		if err != nil {
			return "", false
		}
		line, err := c.ask(key, deadline)
		if err != nil {
			c.c.Close()
			if reused && !errors.Is(err, os.ErrDeadlineExceeded) {
				p.dropIdle()
				fresh = true
				continue
			}
			return "", false
		}
		p.put(c)
		if v, ok := strings.CutPrefix(line, "+"); ok {
			return v, true
		}
		return "", false
	}
	return "", false
}

func (c *prgConn) ask(key string, deadline time.Time) (string, error) {
	if !deadline.IsZero() {
		c.c.SetDeadline(deadline)
	}
	if _, err := c.c.Write([]byte(key + "\n")); err != nil {
		return "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return line[:len(line)-1], nil
}

// get is a kept connection, or unless fresh is false a new one, whose
// connect is tried again while it is refused (EAGAIN on Linux, where the
// listening socket's backlog is full; ECONNREFUSED elsewhere, where that
// is how a full backlog is told too), after a pause of 1 ms doubling to
// 50 ms, until the deadline (none: once).
func (p *prgClient) get(fresh bool, deadline time.Time) (*prgConn, bool, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 && !fresh {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, true, nil
	}
	p.mu.Unlock()
	pause := time.Millisecond
	for {
		nc, err := net.Dial("unix", p.socket)
		if err == nil {
			return &prgConn{c: nc, r: bufio.NewReader(nc)}, false, nil
		}
		if !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.ECONNREFUSED) ||
			deadline.IsZero() || time.Until(deadline) < pause {
			return nil, false, err
		}
		time.Sleep(pause)
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// dropIdle closes the kept connections.
func (p *prgClient) dropIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		c.c.Close()
	}
}

func (p *prgClient) put(c *prgConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) < maxIdlePrg {
		p.idle = append(p.idle, c)
		return
	}
	c.c.Close()
}
