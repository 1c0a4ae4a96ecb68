//go:build linux

package unpolled

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// watched reports whether fd is in one of this process's epoll sets (the
// runtime's netpoller is one), from /proc/self/fdinfo.
func watched(t *testing.T, fd int) bool {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if l, _ := os.Readlink("/proc/self/fd/" + e.Name()); l != "anon_inode:[eventpoll]" {
			continue
		}
		info, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			continue
		}
		if strings.Contains(string(info), fmt.Sprintf("tfd: %8d ", fd)) {
			return true
		}
	}
	return false
}

func listener(t *testing.T) int {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 8); err != nil {
		t.Fatal(err)
	}
	return fd
}

func TestFileIsNotPolled(t *testing.T) {
	// The control: os.NewFile puts a non-blocking socket in the netpoller.
	ctl := os.NewFile(uintptr(listener(t)), "control")
	defer ctl.Close()
	if !watched(t, int(ctl.Fd())) {
		t.Fatal("os.NewFile's socket is not seen in an epoll set: the check cannot tell")
	}

	fd := listener(t)
	f, err := File(fd, "listener")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := int(f.Fd())
	if watched(t, got) {
		t.Errorf("fd %d is in an epoll set", got)
	}
	flags, err := unix.FcntlInt(uintptr(got), unix.F_GETFL, 0)
	if err != nil || flags&unix.O_NONBLOCK == 0 {
		t.Errorf("flags %#x, %v: the socket should still be non-blocking", flags, err)
	}
	if fl, err := unix.FcntlInt(uintptr(got), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("fd flags %#x, %v: want close-on-exec", fl, err)
	}
	if got != fd {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			t.Errorf("the old descriptor %d is still open", fd)
		}
	}
	if on, err := unix.GetsockoptInt(got, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err != nil || on != 1 {
		t.Errorf("fd %d is not the listening socket (%d, %v)", got, on, err)
	}
}

func TestFileBlockingAsIs(t *testing.T) {
	fd := listener(t)
	if err := unix.SetNonblock(fd, false); err != nil {
		t.Fatal(err)
	}
	f, err := File(fd, "blocking")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if int(f.Fd()) != fd || watched(t, fd) {
		t.Errorf("a blocking socket: fd %d (was %d), watched %v", f.Fd(), fd, watched(t, fd))
	}
}

// Dup: a duplicate out of the netpoller, the original left open.
func TestDup(t *testing.T) {
	orig := os.NewFile(uintptr(listener(t)), "orig") // in the netpoller
	defer orig.Close()
	d, err := Dup(orig, "dup")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Fd() == orig.Fd() || watched(t, int(d.Fd())) {
		t.Errorf("dup fd %d (orig %d) watched %v", d.Fd(), orig.Fd(), watched(t, int(d.Fd())))
	}
	if _, err := unix.FcntlInt(orig.Fd(), unix.F_GETFD, 0); err != nil {
		t.Errorf("the original is closed: %v", err)
	}
	if fl, err := unix.FcntlInt(d.Fd(), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("dup fd flags %#x, %v: want close-on-exec", fl, err)
	}
}
