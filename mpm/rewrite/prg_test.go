package rewrite

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeProgramHost answers on a Unix socket as the host does for a map
// program: "+v-KEY", or "-" for the key "none"; it counts the keys asked.
func fakeProgramHost(t *testing.T) (string, chan string) {
	sock := filepath.Join(t.TempDir(), "m")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	asked := make(chan string, 100)
	go answerKeys(ln, asked)
	return sock, asked
}

// answerKeys answers the connections of ln as fakeProgramHost says,
// passing the keys to asked (if not nil), until ln is closed.
func answerKeys(ln net.Listener, asked chan<- string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				k, err := r.ReadString('\n')
				if err != nil {
					return
				}
				k = strings.TrimSuffix(k, "\n")
				if asked != nil {
					asked <- k
				}
				if k == "none" {
					c.Write([]byte("-\n"))
				} else {
					c.Write([]byte("+v-" + k + "\n"))
				}
			}
		}()
	}
}

func TestMapProgram(t *testing.T) {
	sock, asked := fakeProgramHost(t)
	d := mapDir(t, "RewriteMap m prg:/bin/cat "+sock, "RewriteMap off prg:/bin/cat",
		"RewriteRule ^/m/(.*) /${m:$1|DEF}", "RewriteRule ^/off/(.*) /${off:$1|DEF}")
	for _, tt := range []struct{ uri, want, asked string }{
		{"/m/a", "/v-a", "a"},
		{"/m/none", "/DEF", "none"},
		{"/m/", "/v-", ""},
		{"/m/a\nb", "/DEF", "-"},      // a newline: not asked
		{"/off/a", "/DEF", "-"},       // no program started
		{"/m/b", "/v-b", "b"},         // on the connection kept
		{"/m/c\x00d\ne", "/v-c", "c"}, // the part before a NUL, as apache2's strlen; its newline after is not seen
		{"/m/" + strings.Repeat("k", MaxProgramKey+1), "/DEF", "-"}, // too long: not asked
	} {
		if got, _ := applyPath(t, d, tt.uri); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.uri, got, tt.want)
		}
		select {
		case k := <-asked:
			if k != tt.asked {
				t.Errorf("%s: asked %q, want %q", tt.uri, k, tt.asked)
			}
		default:
			if tt.asked != "-" {
				t.Errorf("%s: not asked, want %q", tt.uri, tt.asked)
			}
		}
	}
}

// TestMapProgramTimeoutArgument: the line ProgramSocket makes carries the
// server's Timeout; the client waits twice it for an answer.
func TestMapProgramTimeoutArgument(t *testing.T) {
	sock, _ := fakeProgramHost(t)
	args := ProgramSocket([]string{"m", "prg:/bin/cat"}, sock, 1500*time.Millisecond)
	d := mapDir(t, "RewriteMap "+strings.Join(args, " "), "RewriteRule ^/m/(.*) /${m:$1|DEF}")
	if got, _ := applyPath(t, d, "/m/a"); got != "/v-a" {
		t.Errorf("/m/a: %q", got)
	}
	if c := d.Maps()["m"].prg; c == nil || c.wait != 3*time.Second {
		t.Errorf("client %+v, want one waiting 3s", c)
	}
}

// closingHost is a host that answers "+v-KEY" and closes every
// connection when told to (as the host closes idle ones), or never
// answers (silent).
type closingHost struct {
	sock   string
	mu     sync.Mutex
	conns  []net.Conn
	silent bool
}

func newClosingHost(t *testing.T, silent bool) *closingHost {
	h := &closingHost{sock: filepath.Join(t.TempDir(), "m"), silent: silent}
	ln, err := net.Listen("unix", h.sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close(); h.closeAll() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
			go func() {
				r := bufio.NewReader(c)
				for {
					k, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if !h.silent {
						c.Write([]byte("+v-" + strings.TrimSuffix(k, "\n") + "\n"))
					}
				}
			}()
		}
	}()
	return h
}

func (h *closingHost) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
	h.conns = nil
}

// TestMapProgramReconnects: kept connections the host has closed (idle
// too long) are dropped, and the key asked on a new one: all three kept
// are stale, where two retries on kept ones gave no value.
func TestMapProgramReconnects(t *testing.T) {
	h := newClosingHost(t, false)
	p := &prgClient{socket: h.sock, wait: 10 * time.Second}
	var kept []*prgConn
	for range 3 {
		c, reused, err := p.get(false, time.Now().Add(p.wait))
		if err != nil || reused {
			t.Fatalf("get: reused %v, %v", reused, err)
		}
		if line, err := c.ask("a", time.Now().Add(p.wait)); line != "+v-a" {
			t.Fatalf("ask: %q, %v", line, err)
		}
		kept = append(kept, c)
	}
	for _, c := range kept {
		p.put(c)
	}
	h.closeAll()
	for _, key := range []string{"b", "c"} {
		if v, ok := p.lookup(key); !ok || v != "v-"+key {
			t.Errorf("lookup %s after the host closed the kept connections: %q, %v", key, v, ok)
		}
	}
	p.mu.Lock()
	n := len(p.idle)
	p.mu.Unlock()
	if n != 1 {
		t.Errorf("%d connections kept, want the new one", n)
	}
}

// TestMapProgramClientDeadline: a host that does not answer within the
// wait gives no value, and the connection, out of step, is not kept.
func TestMapProgramClientDeadline(t *testing.T) {
	h := newClosingHost(t, true)
	p := &prgClient{socket: h.sock, wait: 200 * time.Millisecond}
	if v, ok := p.lookup("a"); ok {
		t.Errorf("lookup without an answer: %q, want no value", v)
	}
	if len(p.idle) != 0 {
		t.Errorf("%d connections kept after a lookup that timed out", len(p.idle))
	}
}

// TestMapProgramBacklogFull: a stranger's connections fill the socket's
// backlog (a flood of connects the host closes after accepting them);
// a lookup then is refused its connect (EAGAIN, ECONNREFUSED on the
// BSDs), tries again and is answered once the host has accepted them
// (review48: it gave the default at once).
func TestMapProgramBacklogFull(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "m")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 1); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), sock)
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	// The stranger: non-blocking connects until one is refused.
	full := false
	for range 1000 {
		s, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(s) })
		syscall.SetNonblock(s, true)
		err = syscall.Connect(s, &syscall.SockaddrUnix{Name: sock})
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ECONNREFUSED) {
			full = true
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !full {
		t.Skip("the backlog never filled")
	}
	if c, err := net.Dial("unix", sock); err == nil {
		c.Close()
		t.Fatal("a connect with the backlog full succeeded")
	}
	go func() {
		time.Sleep(100 * time.Millisecond) // the lookup finds the backlog full
		answerKeys(ln, nil)
	}()
	p := &prgClient{socket: sock, wait: 20 * time.Second}
	if v, ok := p.lookup("a"); !ok || v != "v-a" {
		t.Errorf("lookup with the backlog full: %q, %v, want v-a once the host accepts", v, ok)
	}
}
