package listen

import (
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// deferAccept reads TCP_DEFER_ACCEPT back from the socket.
func deferAccept(t *testing.T, s *Socket) int {
	t.Helper()
	raw, err := s.File.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		v, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT)
	}); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}

func TestSetDeferAccept(t *testing.T) {
	s, err := Bind("127.0.0.1:0", 16)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := deferAccept(t, s); v != 0 {
		t.Fatalf("a new socket has TCP_DEFER_ACCEPT %d, want 0", v)
	}
	if on, err := unix.GetsockoptInt(int(s.File.Fd()), unix.IPPROTO_TCP, unix.TCP_NODELAY); err != nil || on != 1 {
		t.Fatalf("TCP_NODELAY of a bound socket: %d, %v; want 1 (for its connections to inherit)", on, err)
	}
	if err := s.SetDeferAccept(30); err != nil {
		t.Fatal(err)
	}
	// The kernel keeps a count of SYN-ACK retransmissions and reports
	// their total time: 30 s reads back as at least 30.
	if v := deferAccept(t, s); v < 30 {
		t.Fatalf("TCP_DEFER_ACCEPT = %d after setting 30", v)
	}
	if err := s.SetDeferAccept(0); err != nil {
		t.Fatal(err)
	}
	if v := deferAccept(t, s); v != 0 {
		t.Fatalf("TCP_DEFER_ACCEPT = %d after setting 0 on our own socket", v)
	}
}

// TestSetDeferAcceptInherited: "none" leaves an inherited socket's option
// as its owner (systemd) set it; a filter still sets it.
func TestSetDeferAcceptInherited(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(int(f.Fd()), unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 5); err != nil {
		t.Fatal(err)
	}
	s, err := Adopt(f)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Inherited {
		t.Fatal("an adopted socket is not marked Inherited")
	}
	if err := s.SetDeferAccept(0); err != nil {
		t.Fatal(err)
	}
	if v := deferAccept(t, s); v < 5 {
		t.Fatalf("TCP_DEFER_ACCEPT = %d: SetDeferAccept(0) changed an inherited socket", v)
	}
	if err := s.SetDeferAccept(30); err != nil {
		t.Fatal(err)
	}
	if v := deferAccept(t, s); v < 30 {
		t.Fatalf("TCP_DEFER_ACCEPT = %d after setting 30 on an inherited socket", v)
	}
}

// TestDeferAcceptHoldsSilentConnections: with the option on, a connection
// whose client has sent nothing is not accepted; once it sends, it is.
func TestDeferAcceptHoldsSilentConnections(t *testing.T) {
	s, err := Bind("127.0.0.1:0", 16)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetDeferAccept(30); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lfd := int(s.File.Fd()) // blocking from here on; poll bounds every wait
	ready := func(ms int) bool {
		fds := []unix.PollFd{{Fd: int32(lfd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, ms)
		if err != nil && err != unix.EINTR {
			t.Fatal(err)
		}
		return n > 0
	}
	if ready(300) {
		t.Fatal("a connection that sent nothing is ready to accept")
	}
	if _, err := c.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if !ready(int((10 * time.Second).Milliseconds())) {
		t.Fatal("a connection that sent its request is not ready to accept")
	}
	nfd, _, err := unix.Accept(lfd)
	if err != nil {
		t.Fatal(err)
	}
	os.NewFile(uintptr(nfd), "conn").Close()
}
