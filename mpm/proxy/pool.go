package proxy

import (
	"bufio"
	"errors"
	"net"
	"sync"
	"time"
)

// maxIdle bounds the idle connections a worker keeps in one process.
const maxIdle = 64

// worker is mod_proxy's worker: its backend (scheme, host and port, or a
// socket), its parameters, its idle connections in this process, and its
// error state.
type worker struct {
	name       string // its backend: "http://host:port", "unix:/path|fcgi://host:port"
	url        string // the URL of the line that made it
	scheme     string // "http" or "fcgi"
	host, port string
	sock       string // a unix domain socket's path, "" for TCP
	path       string // a BalancerMember's URL path, without its last '/'
	settings   workerSettings
	// id is the name apache2 gives the worker (ap_proxy_define_worker):
	// the URL that defined it without its socket, its scheme and host in
	// lower case, the scheme's default port left out; "" for a worker
	// no line names (a balancer member's, a generic one).
	id string
	// match: a ProxyPassMatch line's worker, whose id is compared with
	// a URL, $N standing for any text (ematch); template: one with a $N
	// in its host or port, no backend of its own (Config.instance).
	match, template bool
	// generic: the default reverse proxy worker's (Config.workerFor).
	generic bool
	// traffic, for a balancer member, counts the bytes of its
	// connections (mod_lbmethod_bytraffic's transferred and read).
	traffic *memberState

	mu   sync.Mutex
	idle []*bconn
}

// bconn is a connection to a backend.
type bconn struct {
	net.Conn
	br      *bufio.Reader
	bw      *bufio.Writer
	timeout time.Duration
	reused  bool
	// headLeft, while positive, is what may still be read of an answer's
	// head (see send): a backend cannot make a child buffer without end.
	headLeft int64
	traffic  *memberState // the worker's
}

// errHeadTooLarge is a backend answer's head past maxHead.
var errHeadTooLarge = errors.New("response head too large")

// Read and Write bound each read and write by the worker's timeout, as
// apache2's socket timeout does.
func (c *bconn) Read(p []byte) (int, error) {
	if c.headLeft > 0 {
		if c.headLeft == 1 {
			return 0, errHeadTooLarge
		}
		if int64(len(p)) >= c.headLeft {
			p = p[:c.headLeft-1]
		}
	}
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Read(p)
	if c.headLeft > 0 {
		c.headLeft -= int64(n)
	}
	if c.traffic != nil {
		c.traffic[shRead].Add(int64(n))
	}
	return n, err
}

func (c *bconn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Write(p)
	if c.traffic != nil {
		c.traffic[shTransferred].Add(int64(n))
	}
	return n, err
}

// get returns an idle connection still open, or nil.
func (w *worker) get() *bconn {
	for {
		w.mu.Lock()
		n := len(w.idle)
		if n == 0 {
			w.mu.Unlock()
			return nil
		}
		c := w.idle[n-1]
		w.idle = w.idle[:n-1]
		w.mu.Unlock()
		if c.br.Buffered() == 0 && alive(c.Conn) {
			c.reused = true
			return c
		}
		c.Close()
	}
}

// put keeps c for a later request, or closes it.
func (w *worker) put(c *bconn) {
	if w.settings.disableReuse {
		c.Close()
		return
	}
	w.mu.Lock()
	if len(w.idle) < maxIdle {
		w.idle = append(w.idle, c)
		c = nil
	}
	w.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// dial opens a new connection to the backend.
func (w *worker) dial(connectTimeout, timeout time.Duration) (*bconn, error) {
	d := net.Dialer{Timeout: connectTimeout, KeepAlive: -1}
	if w.settings.keepalive {
		d.KeepAlive = 0
	}
	network, addr := "tcp", net.JoinHostPort(w.host, w.port)
	if w.sock != "" {
		network, addr = "unix", w.sock
	}
	nc, err := d.Dial(network, addr)
	if err != nil {
		return nil, err
	}
	c := &bconn{Conn: nc, timeout: timeout, traffic: w.traffic}
	c.br = bufio.NewReaderSize(c, 8192)
	c.bw = bufio.NewWriterSize(c, 8192)
	return c, nil
}
