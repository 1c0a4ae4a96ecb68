package host

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
)

// asUser runs f on a thread whose file system identity is uid:gid (without
// root's file capabilities), as a process of that user would.
func asUser(t *testing.T, uid, gid int, f func() error) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		unix.Setfsgid(gid)
		unix.Setfsuid(uid)
		if got, _ := unix.SetfsuidRetUid(-1); got != uid {
			errc <- fmt.Errorf("setfsuid(%d): fsuid is %d", uid, got)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// TestMapProgramSocketOwners: as root with children running as another
// user, the sockets' directory stays root's (the children's group may
// only enter it), so that the user can neither put a symbolic link where
// root would make and chown a socket (review42's escalation) nor take a
// name in advance; each socket stays root's, the children's group may
// connect (0660), so that a process of the children's user (a CGI script)
// cannot chmod it and shut the children out (review48); another user
// cannot ask.
func TestMapProgramSocketOwners(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	const uid, gid = 65534, 65534
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prog.sh"), []byte("#!/bin/sh\nwhile read -r k; do echo \"v-$k\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var log testbin.SyncBuffer
	m := newMapPrograms(dir, errorlog.New(&log, errorlog.Info))
	m.serveFor(os.Getpid(), nil) // asUser's thread is the test process's
	t.Cleanup(m.close)
	c := &mpm.Core{Credential: &mpm.Credential{Uid: uid, Gid: gid, Groups: []uint32{gid}}, ServerDirectives: []site.Directive{
		{Name: "RewriteEngine", Args: []string{"on"}, Seq: 1},
		{Name: "RewriteMap", Args: []string{"a", "prg:prog.sh"}, Seq: 2},
		{Name: "RewriteMap", Args: []string{"b", "prg:prog.sh"}, Seq: 3},
	}}
	if err := m.assign(c); err != nil {
		t.Fatal(err)
	}
	sock := c.ServerDirectives[1].Args[2]
	sdir := filepath.Dir(sock)
	var st unix.Stat_t
	if err := unix.Lstat(sdir, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 0 || st.Gid != gid || st.Mode&0o7777 != 0o710 {
		t.Errorf("%s: owner %d:%d mode %#o, want 0:%d 0710", sdir, st.Uid, st.Gid, st.Mode&0o7777, gid)
	}
	for _, d := range c.ServerDirectives[1:] {
		if err := unix.Lstat(d.Args[2], &st); err != nil {
			t.Fatal(err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFSOCK || st.Uid != 0 || st.Gid != gid || st.Mode&0o777 != 0o660 {
			t.Errorf("%s: mode %#o owner %d:%d, want a socket 0660 0:%d", d.Args[2], st.Mode, st.Uid, st.Gid, gid)
		}
	}
	// The children's user asks, but cannot add a name, nor change the
	// socket's mode or owner.
	err := asUser(t, uid, gid, func() error {
		if err := os.Symlink("/etc/shadow", filepath.Join(sdir, "2")); !errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("symlink in the directory: %v, want permission denied", err)
		}
		if err := os.Remove(sock); !errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("remove the socket: %v, want permission denied", err)
		}
		if err := unix.Chmod(sock, 0); err != unix.EPERM {
			return fmt.Errorf("chmod 000 the socket: %v, want EPERM", err)
		}
		if err := unix.Chown(sock, uid, gid); err != unix.EPERM {
			return fmt.Errorf("chown the socket: %v, want EPERM", err)
		}
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return err
		}
		defer conn.Close()
		fmt.Fprintf(conn, "k\n")
		line, err := bufio.NewReader(conn).ReadString('\n')
		if line != "+v-k\n" {
			return fmt.Errorf("answer %q, %v", line, err)
		}
		return nil
	})
	if err != nil {
		t.Errorf("as the children's user: %v", err)
	}
	// Another user cannot even reach it.
	err = asUser(t, 12345, 12345, func() error {
		if conn, err := net.Dial("unix", sock); !errors.Is(err, os.ErrPermission) {
			if conn != nil {
				conn.Close()
			}
			return fmt.Errorf("dial: %v, want permission denied", err)
		}
		return nil
	})
	if err != nil {
		t.Errorf("as another user: %v", err)
	}
	m.close()
	if _, err := os.Lstat(sdir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after close: %s: %v, want it removed", sdir, err)
	}
}

// prgPeerEnv makes the test binary a peer of a map's socket
// (TestMapProgramPeerHelper): "ask N SOCKET" opens N connections, asks
// key k on each and prints how many were answered and closed; "via N
// SOCKET" has its own child do that (a child's child, as a CGI script);
// "wait N SOCKET" asks once it has read a line from its stdin.
const prgPeerEnv = "HTTPD_TEST_PRG_PEER"

func TestMapProgramPeerHelper(t *testing.T) {
	f := strings.Fields(os.Getenv(prgPeerEnv))
	if len(f) != 3 {
		return // not a helper
	}
	if f[0] == "via" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMapProgramPeerHelper$")
		cmd.Env = append(os.Environ(), prgPeerEnv+"=ask "+f[1]+" "+f[2])
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		return
	}
	if f[0] == "wait" {
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	n, _ := strconv.Atoi(f[1])
	answered, closed := 0, 0
	for range n {
		c, err := net.Dial("unix", f[2])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close() // held until all are asked
		fmt.Fprintf(c, "k\n")
		line, err := bufio.NewReader(c).ReadString('\n')
		switch {
		case line == "+v-k\n":
			answered++
		case errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET):
			closed++
		default:
			t.Fatalf("answer %q, %v", line, err)
		}
	}
	fmt.Printf("peer: answered=%d closed=%d\n", answered, closed)
}

// peerAsk runs the helper (mode "ask" or "via") on socket and returns
// what it printed.
func peerAsk(t *testing.T, mode string, n int, socket string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMapProgramPeerHelper$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %s", prgPeerEnv, mode, n, socket))
	out, err := cmd.CombinedOutput()
	return peerResult(t, mode, string(out), err)
}

// peerResult is what the helper printed in out, err being how it ended.
func peerResult(t *testing.T, mode, out string, err error) string {
	t.Helper()
	if err != nil {
		t.Fatalf("helper %s: %v\n%s", mode, err, out)
	}
	for line := range strings.Lines(out) {
		if s, ok := strings.CutPrefix(line, "peer: "); ok {
			return strings.TrimSpace(s)
		}
	}
	t.Fatalf("helper %s printed no answer:\n%s", mode, out)
	return ""
}

const echoProgram = "#!/bin/sh\nwhile read -r k; do echo \"v-$k\"; done\n"

// TestMapProgramPeers: the MPM process's children are answered; a child's
// child (a CGI script, which runs as the children's User) is not: each of
// its connections is closed at once, the first refusal logged (once a
// minute at most), so that it cannot hold the connections the children
// need (review47).
func TestMapProgramPeers(t *testing.T) {
	c, log, _ := startTestMapsFor(t, echoProgram, time.Minute, os.Getpid(), programIdle)
	sock := c.ServerDirectives[1].Args[2]
	if got := peerAsk(t, "ask", 3, sock); got != "answered=3 closed=0" {
		t.Errorf("a child: %s, want every key answered", got)
	}
	if got := peerAsk(t, "via", 50, sock); got != "answered=0 closed=50" {
		t.Errorf("a child's child: %s, want every connection closed", got)
	}
	peerAsk(t, "via", 5, sock)
	if n := strings.Count(log.String(), "closed a connection from pid"); n != 1 {
		t.Errorf("%d refusals logged, want 1:\n%s", n, log)
	}
	if got := ask(t, sock, "k"); got != "+v-k" {
		t.Errorf("the MPM process: %q", got)
	}
}

// TestMapProgramLinkedPeers: where the MPM is linked into the host, a
// child of the host the MPM did not start (an orphan reparented to a host
// that is PID 1, a CGI script's background process: review48) is refused;
// one it started is answered.
func TestMapProgramLinkedPeers(t *testing.T) {
	var mine atomic.Int64
	started := func(pid int) bool { return int64(pid) == mine.Load() }
	c, log, _ := startTestMapsLinked(t, echoProgram, time.Minute, os.Getpid(), started, programIdle)
	sock := c.ServerDirectives[1].Args[2]
	run := func(registered bool) string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMapProgramPeerHelper$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=wait 2 %s", prgPeerEnv, sock))
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if registered {
			mine.Store(int64(cmd.Process.Pid))
		}
		in.Write([]byte("\n"))
		in.Close()
		err = cmd.Wait()
		return peerResult(t, "wait", out.String(), err)
	}
	if got := run(false); got != "answered=0 closed=2" {
		t.Errorf("a child of the host the MPM did not start: %s, want every connection closed", got)
	}
	if got := run(true); got != "answered=2 closed=0" {
		t.Errorf("a child the MPM started: %s, want every key answered", got)
	}
	if !strings.Contains(log.String(), "closed a connection from pid") {
		t.Errorf("the refusal is not logged:\n%s", log)
	}
}

// TestMapProgramStranger: a process that is neither the MPM process nor
// its child (the test, for an MPM that is its sleeping child) is closed
// without an answer, logged with its pid and uid.
func TestMapProgramStranger(t *testing.T) {
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	c, log, _ := startTestMapsFor(t, echoProgram, time.Minute, sleep.Process.Pid, programIdle)
	conn, err := net.Dial("unix", c.ServerDirectives[1].Args[2])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "k\n")
	if line, err := bufio.NewReader(conn).ReadString('\n'); line != "" || err == nil {
		t.Errorf("answer %q, %v: want the connection closed", line, err)
	}
	want := fmt.Sprintf("closed a connection from pid %d (uid %d): not the MPM process %d", os.Getpid(), os.Getuid(), sleep.Process.Pid)
	if !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log)
	}
}

// TestMapProgramIdle: a connection that sends no key for the idle time is
// closed (rewrite's client asks again on a new one).
func TestMapProgramIdle(t *testing.T) {
	c, _, _ := startTestMapsFor(t, echoProgram, time.Minute, os.Getpid(), 200*time.Millisecond)
	conn, err := net.Dial("unix", c.ServerDirectives[1].Args[2])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	fmt.Fprintf(conn, "k\n")
	if line, err := r.ReadString('\n'); line != "+v-k\n" {
		t.Fatalf("answer %q, %v", line, err)
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("an idle connection: %v, want it closed by the host", err)
	}
}

// TestMapProgramConnLimit: beyond the connections of all the maps the
// host's open files allow, a new one is closed, logged once (not once each
// time the count dips below: review47 saw 1665 lines in 5 s); once one has
// ended, a new one is answered.
func TestMapProgramConnLimit(t *testing.T) {
	deadline := time.Now().Add(10 * time.Second)
	for programConns.Load() != 0 { // the earlier tests' connections end
		if time.Now().After(deadline) {
			t.Fatalf("%d connections of earlier tests still open", programConns.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	old := programConnLimit
	programConnLimit = func() int64 { return 3 }
	t.Cleanup(func() { programConnLimit = old })
	c, log, _ := startTestMapsFor(t, echoProgram, time.Minute, os.Getpid(), programIdle)
	sock := c.ServerDirectives[1].Args[2]
	try := func() (net.Conn, string) {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "k\n")
		line, _ := bufio.NewReader(conn).ReadString('\n')
		return conn, line
	}
	var held []net.Conn
	for range 3 {
		conn, line := try()
		defer conn.Close()
		if line != "+v-k\n" {
			t.Fatalf("within the limit: %q", line)
		}
		held = append(held, conn)
	}
	for range 5 {
		conn, line := try()
		conn.Close()
		if line != "" {
			t.Errorf("beyond the limit: %q, want the connection closed", line)
		}
	}
	if n := strings.Count(log.String(), "closing new ones"); n != 1 {
		t.Errorf("%d lines, want 1:\n%s", n, log)
	}
	held[0].Close()
	for {
		conn, line := try()
		conn.Close()
		if line == "+v-k\n" {
			break
		}
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("no connection answered after one of those held ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMapProgramGroupEnds: closing the programs ends the processes a
// program started too (its process group), not only the program.
func TestMapProgramGroupEnds(t *testing.T) {
	bg := filepath.Join(t.TempDir(), "bg")
	_, _, m := startTestMapsFor(t, "#!/bin/sh\nsleep 300 &\necho $! > "+bg+"\nexec sleep 300\n", time.Minute, os.Getpid(), programIdle)
	var pid int
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(bg)
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			pid = n
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the program's background process never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	m.close()
	for proctree.Alive(pid) {
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatalf("the program's background process %d still runs after close", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// peerEMFILEEnv makes the test binary TestPeerOfPidfdError's helper.
const peerEMFILEEnv = "HTTPD_TEST_PEER_EMFILE"

// TestPeerOfPidfdError: a peer whose pidfd cannot be had for another
// reason than an old kernel's (ENOPROTOOPT) is refused: here the process
// has no descriptor left for it (EMFILE), where the peer (the process
// itself, the MPM) would otherwise pass (review48).
func TestPeerOfPidfdError(t *testing.T) {
	if os.Getenv(peerEMFILEEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPeerOfPidfdError$", "-test.v")
		cmd.Env = append(os.Environ(), peerEMFILEEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		if strings.Contains(string(out), "SKIP") {
			t.Skipf("helper skipped:\n%s", out)
		}
		return
	}
	// The helper: the process asks itself.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(t.TempDir(), "s"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, ok := peerOf(s, os.Getpid(), nil); !ok {
		t.Fatal("the process itself refused with descriptors to spare")
	}
	raw, _ := s.SyscallConn()
	var probe error
	raw.Control(func(fd uintptr) {
		var n int
		if n, probe = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PEERPIDFD); probe == nil {
			unix.Close(n)
		}
	})
	if probe == unix.ENOPROTOOPT {
		t.Skip("no SO_PEERPIDFD: an old kernel, whose peers pass")
	}
	// Every descriptor taken: the pidfd cannot be made.
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = 256
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	var held []int
	for range 300 {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			break
		}
		held = append(held, fd)
	}
	_, _, ok := peerOf(s, os.Getpid(), nil)
	for _, fd := range held {
		unix.Close(fd)
	}
	if ok {
		t.Error("passed with no descriptor left for its pidfd: want it refused")
	}
}
