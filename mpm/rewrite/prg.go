package rewrite

import (
	"bufio"
	"net"
	"strings"
	"sync"
)

// A prg map's program (RewriteMap NAME prg:/path [user:group]) is started
// by the host, once per generation, as apache2's parent starts it; the
// children of a generation ask it through a Unix socket the host listens on
// and names in the line it sends them (the third argument: ProgramSocket).
// The host writes one key at a time to the program, so that one request's
// key and answer are never mixed with another's (apache2's rewrite-map
// mutex).
//
// The protocol on the socket is a line per key, the key then "\n"; the host
// answers a line per key: "+" and the value, or "-" for no value (the
// program's NULL, a program not answering in time).

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
// prg map whose program it started and serves at socket (an absolute path).
func ProgramSocket(args []string, socket string) []string {
	return []string{args[0], args[1], socket}
}

// prgClient asks a map program through its socket; idle connections are
// kept for the next lookups.
type prgClient struct {
	socket string
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

func prgClientOf(socket string) *prgClient {
	if c, ok := prgClients.Load(socket); ok {
		return c.(*prgClient)
	}
	c, _ := prgClients.LoadOrStore(socket, &prgClient{socket: socket})
	return c.(*prgClient)
}

// lookup is lookup_map_program: the program's answer for key. A key with a
// newline has no value without asking (it would put the program out of
// step, as apache2 refuses it); so has any key when the program was not
// started or cannot be reached (the host has ended it: a generation that
// retires).
func (p *prgClient) lookup(key string) (string, bool) {
	key = ProgramKey(key)
	if p == nil || strings.IndexByte(key, '\n') >= 0 || len(key) > MaxProgramKey {
		return "", false
	}
	for range 2 { // once more on a new connection if an idle one has gone
		c, reused, err := p.get()
		if err != nil {
			return "", false
		}
		line, err := c.ask(key)
		if err != nil {
			c.c.Close()
			if reused {
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

func (c *prgConn) ask(key string) (string, error) {
	if _, err := c.c.Write([]byte(key + "\n")); err != nil {
		return "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return line[:len(line)-1], nil
}

func (p *prgClient) get() (*prgConn, bool, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, true, nil
	}
	p.mu.Unlock()
	nc, err := net.Dial("unix", p.socket)
	if err != nil {
		return nil, false, err
	}
	return &prgConn{c: nc, r: bufio.NewReader(nc)}, false, nil
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
