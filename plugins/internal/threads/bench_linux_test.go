package threads

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// BenchmarkEventClose1K: one connection per op carrying one GET of a
// 1 KiB file with Connection: close (the bench's close row), served by an
// event child (loop, workers, http1, the content handlers, the scoreboard
// with ExtendedStatus) in this process over loopback TCP. The client makes
// its system calls itself, allocating nothing, so allocs/op is what the
// child allocates for a connection.
func BenchmarkEventClose1K(b *testing.B) {
	root := b.TempDir()
	if err := os.WriteFile(filepath.Join(root, "1k.bin"), bytes.Repeat([]byte("0123456789abcdef"), 64), 0o644); err != nil {
		b.Fatal(err)
	}
	const workers = 4
	board, err := scoreboard.Create(1, workers)
	if err != nil {
		b.Fatal(err)
	}
	defer board.Close()
	c := &mpm.Child{
		Config:     &mpm.Config{Core: mpm.Core{DocumentRoot: root, KeepAlive: true, ServerName: "127.0.0.1", ExtendedStatus: true}},
		Log:        hclog.NewNullLogger(),
		Scoreboard: board,
	}
	addr, _, stop := startChild(b, c, workers)
	defer stop()
	sa := &unix.SockaddrInet4{Port: addr.Port, Addr: [4]byte{127, 0, 0, 1}}
	req := []byte("GET /1k.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nConnection: close\r\n\r\n")
	buf := make([]byte, 4096)
	get := func() int {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer unix.Close(fd)
		if err := unix.Connect(fd, sa); err != nil {
			b.Fatal(err)
		}
		if _, err := unix.Write(fd, req); err != nil {
			b.Fatal(err)
		}
		got := 0
		for {
			n, err := unix.Read(fd, buf[got:])
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				return got
			}
			got += n
		}
	}
	if n := get(); n < 1024 || !bytes.HasPrefix(buf, []byte("HTTP/1.1 200 ")) {
		b.Fatalf("first response: %q", buf[:n])
	}
	b.ReportAllocs()
	for b.Loop() {
		get()
	}
}
