package e2e_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Event's write completion: a client that does not read the end of a
// large response holds no worker; the child's event loop writes it as the
// client takes it, counts the connection in ConnsAsyncWriting, and cuts it
// after Timeout without progress.

// smallWindowDialer makes connections with a small receive buffer, so that
// a large response stalls as soon as the client stops reading.
var smallWindowDialer = net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
	return rc.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	})
}}

// bigFile writes size random bytes under htdocs and returns them.
func bigFile(t *testing.T, root, name string, size int) []byte {
	t.Helper()
	b := make([]byte, size)
	rand.Read(b)
	write(t, filepath.Join(root, "htdocs", name), string(b))
	return b
}

// stalledGet sends a GET for path (with the extra header lines given) and
// reads only the response head.
func stalledGet(t *testing.T, in *instance, path string, extra ...string) (net.Conn, *http.Response) {
	t.Helper()
	c, err := smallWindowDialer.Dial("tcp", in.addr)
	must(t, err)
	proto := "HTTP/1.1"
	head := ""
	for _, h := range extra {
		if h == "HTTP/1.0" {
			proto = h
			continue
		}
		head += h + "\r\n"
	}
	fmt.Fprintf(c, "GET %s %s\r\nHost: x\r\n%s\r\n", path, proto, head)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 4096), nil)
	if err != nil || resp.StatusCode/100 != 2 {
		c.Close()
		t.Fatalf("GET %s: %v %v", path, resp, err)
	}
	c.SetReadDeadline(time.Time{})
	return c, resp
}

// TestEventWriteCompletion: one child of 2 workers; 4 clients download a
// 24 MiB file (plainly, a range of it, with Connection: close, as
// HTTP/1.0) and stop reading after the head. Their downloads pin no
// worker: ConnsAsyncWriting counts them, and other clients are served
// meanwhile (with the downloads on the workers, neither the status page
// nor the file would be). Then the clients read on and each gets its bytes
// exactly; a kept-alive connection answers again, the others end.
func TestEventWriteCompletion(t *testing.T) {
	const size = 24 << 20
	downloads := []struct {
		extra      []string
		start, end int // of the file
		keep       bool
	}{
		{nil, 0, size, true},
		{[]string{"Range: bytes=1000-20000000"}, 1000, 20000001, true},
		{[]string{"Connection: close"}, 0, size, false},
		{[]string{"HTTP/1.0"}, 0, size, false},
	}
	clients := len(downloads)
	root := eventSite(t, oneChild(2)+"KeepAliveTimeout 60\nAsyncRequestWorkerFactor 4\nCustomLog logs/access_log common\n")
	data := bigFile(t, root, "large.bin", size)
	in := start(t, root)
	type download struct {
		c    net.Conn
		resp *http.Response
	}
	var ds []download
	defer func() {
		for _, d := range ds {
			d.c.Close()
		}
	}()
	for _, d := range downloads {
		c, resp := stalledGet(t, in, "/large.bin", d.extra...)
		ds = append(ds, download{c, resp})
	}
	waitFor(t, "every stalled download in write completion", 20*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncWriting") == clients,
			fmt.Sprintf("ConnsAsyncWriting %s, ConnsTotal %s, BusyWorkers %s", a.values["ConnsAsyncWriting"], a.values["ConnsTotal"], a.values["BusyWorkers"])
	})
	for i := range 5 {
		if resp, body := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 || body != "hello, world\n" {
			t.Fatalf("request %d while the downloads stall: %d %q", i, resp.StatusCode, body)
		}
	}
	for i, d := range ds {
		want := data[downloads[i].start:downloads[i].end]
		d.c.SetReadDeadline(time.Now().Add(60 * time.Second))
		got, err := io.ReadAll(d.resp.Body)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("download %d (%q): %d bytes of %d, %v, same bytes: %v", i, downloads[i].extra, len(got), len(want), err, bytes.Equal(got, want))
		}
		if !downloads[i].keep {
			if d.resp.Close != true || !closedByServer(d.c, 20*time.Second) {
				t.Fatalf("download %d (%q): the connection stays open", i, downloads[i].extra)
			}
			continue
		}
		// Kept alive: the connection answers its next request.
		ic := &idleConn{Conn: d.c, br: bufio.NewReader(d.c)}
		if code, err := ic.get("/hello.txt"); err != nil || code != 200 {
			t.Fatalf("download %d's connection afterwards: %d %v", i, code, err)
		}
	}
	waitFor(t, "no write completion left", 20*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncWriting") == 0, "ConnsAsyncWriting " + a.values["ConnsAsyncWriting"]
	})
	// The access log has each download with the file's length (%b),
	// logged when the handler finished.
	b, _ := os.ReadFile(filepath.Join(in.root, "logs/access_log"))
	for _, l := range []struct {
		line string
		want int
	}{
		{`"GET /large.bin HTTP/1.1" 200 ` + strconv.Itoa(size), 2},
		{`"GET /large.bin HTTP/1.1" 206 ` + strconv.Itoa(20000001-1000), 1},
		{`"GET /large.bin HTTP/1.0" 200 ` + strconv.Itoa(size), 1},
	} {
		if n := bytes.Count(b, []byte(l.line+"\n")); n != l.want {
			t.Errorf("access log has %d lines %s, want %d:\n%s", n, l.line, l.want, b)
		}
	}
}

// TestEventWriteCompletionTimeout: a client that never reads its large
// response is cut after Timeout, its connection counted out and the
// descriptors of the connection and the file released.
func TestEventWriteCompletionTimeout(t *testing.T) {
	root := eventSite(t, oneChild(2)+"Timeout 2\n")
	bigFile(t, root, "large.bin", 16<<20)
	in := start(t, root)
	if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
		t.Fatalf("GET /hello.txt: %d", resp.StatusCode)
	}
	var kid int
	eventually(10*time.Second, func() bool {
		if k := children(in.pluginPid()); len(k) == 1 {
			kid = k[0]
		}
		return kid != 0
	})
	if kid == 0 {
		t.Fatal("no child")
	}
	// openFile counts the child's descriptors of the file.
	file := filepath.Join(root, "htdocs/large.bin")
	openFile := func() int {
		n := 0
		for _, target := range fdTable(kid) {
			if target == file {
				n++
			}
		}
		return n
	}
	c, _ := stalledGet(t, in, "/large.bin")
	defer c.Close()
	waitFor(t, "the download in write completion", 10*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncWriting") == 1, "ConnsAsyncWriting " + a.values["ConnsAsyncWriting"]
	})
	// The connection's own descriptor, and the static handler's open-file
	// cache's while it keeps the file (a second after its open).
	if n := openFile(); n != 1 && n != 2 {
		t.Errorf("the child holds %d descriptors of the file during write completion, want 1 or 2", n)
	}
	waitFor(t, "the stalled connection cut", 30*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncWriting") == 0 && a.int("ConnsTotal") == 1,
			fmt.Sprintf("ConnsAsyncWriting %s, ConnsTotal %s", a.values["ConnsAsyncWriting"], a.values["ConnsTotal"])
	})
	// The open-file cache closes its descriptor within two seconds of its
	// expiry.
	waitFor(t, "the file's descriptors closed", 10*time.Second, func() (bool, string) {
		n := openFile()
		return n == 0, fmt.Sprintf("the child still holds %d descriptors of the file", n)
	})
	// The socket may still hold some of the file; the end follows it.
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the stalled connection was not closed (%d bytes read)", n)
	}
	if n >= 16<<20 {
		t.Fatalf("the client got the whole file (%d bytes) without reading", n)
	}
}

// stalledDownload starts an event server of one child (with extra
// config) and a download of size random bytes whose client does not read,
// and returns once the child holds it in write completion.
func stalledDownload(t *testing.T, extra string, size int) (*instance, net.Conn, *http.Response, []byte) {
	t.Helper()
	root := eventSite(t, oneChild(2)+extra)
	data := bigFile(t, root, "large.bin", size)
	in := start(t, root)
	c, resp := stalledGet(t, in, "/large.bin")
	t.Cleanup(func() { c.Close() })
	waitFor(t, "the download in write completion", 10*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncWriting") == 1, "ConnsAsyncWriting " + a.values["ConnsAsyncWriting"]
	})
	return in, c, resp, data
}

// TestEventWriteCompletionStop: a graceful stop (WINCH) lets a download in
// write completion finish, whole, before the server exits; a stop (TERM)
// cuts it.
func TestEventWriteCompletionStop(t *testing.T) {
	const size = 16 << 20
	for name, sig := range map[string]syscall.Signal{"graceful-stop": syscall.SIGWINCH, "stop": syscall.SIGTERM} {
		t.Run(name, func(t *testing.T) {
			in, c, resp, data := stalledDownload(t, "GracefulShutdownTimeout 60\n", size)
			in.signal(sig)
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			got, err := io.ReadAll(resp.Body)
			if sig == syscall.SIGWINCH && (err != nil || !bytes.Equal(got, data)) {
				t.Errorf("graceful stop: %d bytes of %d, %v, same bytes: %v", len(got), size, err, bytes.Equal(got, data))
			}
			if sig == syscall.SIGTERM && len(got) == size {
				t.Errorf("stop: the stalled download got all %d bytes", size)
			}
			if code := in.wait(); code != 0 {
				t.Errorf("exit code %d", code)
			}
		})
	}
}
