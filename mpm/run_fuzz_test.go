//go:build linux

package mpm

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"

	"google.golang.org/protobuf/proto"

	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

// runRecorder is an MPM that only records what Run hands it.
type runRecorder struct {
	calls int
	got   []Listener
}

func (r *runRecorder) Describe() Description            { return Description{Module: "fuzz_module", Name: "fuzz"} }
func (r *runRecorder) Configure(*Config) []Diagnostic   { return nil }
func (r *runRecorder) Status() Status                   { return Status{} }
func (r *runRecorder) Stop(context.Context, bool) error { return nil }
func (r *runRecorder) Run(_ context.Context, ls []Listener) error {
	r.calls++
	r.got = ls
	return nil
}

// Kinds of descriptor a Run request may name, chosen by fd number.
const (
	fdTCPListener = iota
	fdUnixListener
	fdSocket // connected, not listening
	fdPipe
	fdFile
	fdClosed
	fdKinds
)

// rawFD makes a descriptor of the kind and returns its number; the caller
// owns it (no *os.File will close it behind its back).
func rawFD(t *testing.T, kind int) int {
	t.Helper()
	dup := func(f *os.File) int {
		fd, err := syscall.Dup(int(f.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		syscall.CloseOnExec(fd)
		f.Close()
		return fd
	}
	switch kind {
	case fdTCPListener, fdUnixListener:
		network, addr := "tcp4", "127.0.0.1:0"
		if kind == fdUnixListener {
			network, addr = "unix", "" // autobind: an abstract address
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		f, err := ln.(interface{ File() (*os.File, error) }).File()
		if err != nil {
			t.Fatal(err)
		}
		return dup(f)
	case fdSocket:
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		syscall.Close(fds[1])
		return fds[0]
	case fdPipe:
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		return dup(r)
	case fdFile:
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		return dup(f)
	}
	return 1 << 20 // above any descriptor limit: never open
}

func isOpen(fd int) bool {
	_, err := fcntl(fd, syscall.F_GETFD)
	return err == nil
}

func fcntl(fd, cmd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// FuzzRunRequest decodes arbitrary bytes as the host's Run request (the fd
// table) and serves it with descriptors of every kind behind the numbers
// it names: listening sockets, a connected socket, a pipe, a file, a
// closed number. Run must hand the MPM exactly the listed listeners, in
// order and named as listed, or fail without calling the MPM and without
// keeping any descriptor it adopted; a table that names one descriptor
// twice must fail (two Files over one descriptor close it twice).
func FuzzRunRequest(f *testing.F) {
	l := func(fd uint32, name, network, addr string) *mpmv1.Listener {
		return &mpmv1.Listener{Fd: fd, Name: name, Network: network, Address: addr}
	}
	for _, req := range []*mpmv1.RunRequest{
		{},
		{Listeners: []*mpmv1.Listener{l(fdTCPListener, "127.0.0.1:8080", "tcp4", "127.0.0.1:8080")}},
		{Listeners: []*mpmv1.Listener{l(fdTCPListener, "80", "tcp6", "[::]:80"), l(fdKinds+fdUnixListener, "[::1]:443", "tcp6", "[::1]:443")}},
		{Listeners: []*mpmv1.Listener{l(fdTCPListener, "a", "tcp4", ""), l(fdTCPListener, "a", "tcp4", "")}},
		{Listeners: []*mpmv1.Listener{l(fdTCPListener, "a", "tcp4", ""), l(fdSocket, "b", "tcp4", "")}},
		{Listeners: []*mpmv1.Listener{l(fdPipe, "", "", ""), l(fdFile, "\x00", "udp", "x")}},
		{Listeners: []*mpmv1.Listener{l(fdClosed, "c", "tcp4", "127.0.0.1:1"), l(0, "", "", "")}},
	} {
		b, err := proto.Marshal(req)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req mpmv1.RunRequest
		if proto.Unmarshal(data, &req) != nil || len(req.Listeners) > 16 {
			return
		}
		// One descriptor per distinct number asked for, of the kind the
		// number selects; the request is rewritten to name it.
		made := map[uint32]int{}
		kind := map[int]int{}
		for _, ln := range req.Listeners {
			fd, ok := made[ln.Fd]
			if !ok {
				k := int(ln.Fd % fdKinds)
				fd = rawFD(t, k)
				made[ln.Fd], kind[fd] = fd, k
			}
			ln.Fd = uint32(fd)
		}
		defer func() {
			for _, fd := range made {
				if fd < 1<<20 {
					syscall.Close(fd)
				}
			}
		}()
		seen := map[uint32]bool{}
		valid, firstBad := true, len(req.Listeners)
		if req.GetPreconfigured() {
			// Acknowledges a Preconfig this server did not take: refused
			// before any listener is adopted.
			valid, firstBad = false, 0
		}
		for i, ln := range req.Listeners[:firstBad] {
			k := kind[int(ln.Fd)]
			if seen[ln.Fd] || (k != fdTCPListener && k != fdUnixListener) {
				valid, firstBad = false, i
				break
			}
			seen[ln.Fd] = true
		}

		rec := &runRecorder{}
		s := &server{impl: rec, ctx: context.Background()}
		_, err := s.Run(context.Background(), &req)
		if err != nil {
			if valid {
				t.Fatalf("a valid table was refused: %v", err)
			}
			if rec.calls != 0 {
				t.Fatal("the MPM ran although Run failed")
			}
			// What was adopted before the bad entry is closed again.
			for _, ln := range req.Listeners[:firstBad] {
				if isOpen(int(ln.Fd)) {
					t.Fatalf("fd %d adopted by a failed Run is still open", ln.Fd)
				}
				delete(made, ln.Fd) // closed: its number may be reused
			}
			return
		}
		if !valid {
			t.Fatalf("Run accepted %v", req.Listeners)
		}
		if rec.calls != 1 || len(rec.got) != len(req.Listeners) {
			t.Fatalf("MPM ran %d times with %d listeners, want once with %d", rec.calls, len(rec.got), len(req.Listeners))
		}
		for i, got := range rec.got {
			want := req.Listeners[i]
			if int(got.File.Fd()) != int(want.Fd) || got.Name != want.Name || got.Network != want.Network || got.Address != want.Address {
				t.Fatalf("listener %d: got fd %d %q %q %q, want %v", i, got.File.Fd(), got.Name, got.Network, got.Address, want)
			}
			if err := got.File.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
				t.Fatalf("closing listener %d: %v", i, err)
			}
			delete(made, want.Fd)
		}
	})
}
