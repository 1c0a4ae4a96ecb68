package threads

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// listener binds a non-blocking loopback listening socket as the host
// does, with TCP_NODELAY or not, as an mpm.Listener.
func listener(t *testing.T, nodelay bool) mpm.Listener {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if nodelay {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 16); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := (&net.TCPAddr{IP: net.IP(sa.(*unix.SockaddrInet4).Addr[:]), Port: sa.(*unix.SockaddrInet4).Port}).String()
	return mpm.Listener{Name: addr, Network: "tcp4", Address: addr, File: os.NewFile(uintptr(fd), "listener")}
}

// TestAcceptor accepts from two listeners, one with TCP_NODELAY for its
// connections to inherit and one without: every connection has Nagle off,
// its peer's address, and is served without the netpoller.
func TestAcceptor(t *testing.T) {
	ls := []mpm.Listener{listener(t, true), listener(t, false)}
	a, err := NewAcceptor(ls, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, l := range ls {
		if err := l.File.Close(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("listener %s: its File is still open", l.Name)
		}
	}
	for _, l := range ls {
		client, err := net.Dial("tcp", l.Address)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		nc, err := a.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c, ok := nc.(*conn)
		if !ok {
			t.Fatalf("Accept returned a %T", nc)
		}
		if c.raw {
			t.Error("a threaded child's connection makes raw waits")
		}
		if on, err := unix.GetsockoptInt(c.fd, unix.IPPROTO_TCP, unix.TCP_NODELAY); err != nil || on == 0 {
			t.Errorf("%s: TCP_NODELAY %d, %v; want it set", l.Name, on, err)
		}
		if got, want := c.RemoteAddr().String(), client.LocalAddr().String(); got != want {
			t.Errorf("RemoteAddr %s, want %s", got, want)
		}
		go client.Write([]byte("ping"))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 8)
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != "ping" {
			t.Errorf("read %q, %v", buf[:n], err)
		}
		c.Close()
	}
}

// TestAcceptorClose: Close ends a waiting Accept with net.ErrClosed, and
// the Acceptor lets go of the sockets (here the last copies: connecting
// is then refused).
func TestAcceptorClose(t *testing.T) {
	l := listener(t, true)
	a, err := NewAcceptor([]mpm.Listener{l}, true)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.Accept()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let it wait (it may also see Close first)
	a.Close()
	a.Close() // a second Close is harmless
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the waiting Accept")
	}
	if _, err := a.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("a later Accept: %v, want net.ErrClosed", err)
	}
	c, err := net.Dial("tcp", l.Address)
	if err == nil {
		c.Close()
		t.Fatal("the listening socket is still open after the Acceptor closed")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial: %v, want connection refused", err)
	}
}
