//go:build linux

package mpm

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
)

// Early children. Starting a child is an exec of the plugin binary whose
// runtime and package initialisation take milliseconds; Serve starts the
// first ones before it even answers the host's handshake, when the host
// asks for it (wire.EarlyChildEnv) and the MPM allows it
// (EarlyChildServer), so that they initialise while the host describes,
// configures and runs the MPM. Such a child starts as the credential the
// host resolved for children, never as the plugin's user (unless that is
// the children's too), and waits on a socket for what StartChild would
// have put in its environment and descriptors: StartChild hands the spec
// and the descriptors (SCM_RIGHTS) to a waiting early child of the spec's
// credential instead of executing a new one. Early children nobody took
// by the end of Run are told to exit.

// earlyMarker is wire.ChildEnv's value in an early child, socketMarker in
// one StartChild executes for its spec: both take the spec on a socket,
// whose end is earlySocketFD in the child.
const (
	earlyMarker   = prestart.EarlyMarker
	socketMarker  = "socket"
	earlySocketFD = prestart.SocketFD
	maxEarly      = 4
)

// earlyChild is a started child waiting for its spec on Conn.
type earlyChild struct {
	*prestart.Child
	cred *Credential // what it runs as; nil: the plugin's user
}

var early struct {
	mu       sync.Mutex
	spare    []*earlyChild
	dropping sync.WaitGroup // dropAll of children nobody wanted
}

// startEarlyChildren starts as many early children as impl allows
// (EarlyChildServer) if the host asked for them: wire.EarlyChildEnv holds
// the children's credential. pre, if not nil, is the child package
// earlystart's init started from the child program it expected (see
// spawn.First): it
// counts as the first when impl wants early children and StartChild would
// run that program (childProgram, which Serve set before); otherwise it is
// ended in the background, and discardEarly waits for it. Serve has made
// the plugin's inherited descriptors close-on-exec: an early child gets
// only the ones StartChild hands it.
func startEarlyChildren(impl MPM, log hclog.Logger, pre *prestart.Child) {
	n := 0
	sysCred, asked, err := prestart.EarlyCredential()
	if err != nil {
		log.Warn("no early child", "error", err)
	}
	if ec, ok := impl.(EarlyChildServer); ok && asked && err == nil {
		n = min(ec.EarlyChildren(), maxEarly)
	}
	cred := credentialOf(sysCred)
	if pre != nil {
		c := &earlyChild{pre, credentialOf(pre.Cred)}
		if n > 0 && childProgram != nil && c.Path == childProgram.path {
			offerEarlyChild(c)
			log.Info(fmt.Sprintf("child %d, started before the plugin's packages were initialised, is its first early child", c.Process.Pid))
			n--
		} else {
			early.dropping.Go(func() { dropAll([]*earlyChild{c}) })
		}
	}
	for range n {
		c, err := startEarlyChild(cred)
		if err != nil {
			log.Warn("cannot start a child ahead of need", "error", err)
			return
		}
		offerEarlyChild(c)
	}
}

// offerEarlyChild puts c in early.spare, for StartChild.
func offerEarlyChild(c *earlyChild) {
	early.mu.Lock()
	early.spare = append(early.spare, c)
	early.mu.Unlock()
}

func startEarlyChild(cred *Credential) (*earlyChild, error) {
	exe, name, err := childExecutable(childProgram, nil)
	if err != nil {
		return nil, err
	}
	return startSocketChild(exe, name, earlyMarker, hostLifelineFile(), originalStderr(), cred)
}

// startSocketChild executes a child that waits for its spec on a socket,
// marked (wire.ChildEnv) as marker (prestart.Socket).
func startSocketChild(exe, name, marker string, lifeline, stderr *os.File, cred *Credential) (*earlyChild, error) {
	c, err := prestart.Socket(exe, name, marker, lifeline, stderr, cred.sys())
	if err != nil {
		return nil, err
	}
	return &earlyChild{c, cred}, nil
}

// execChild executes a child for the spec blob and its descriptors files
// (the lifeline first). The spec goes on a socket, never in the
// environment, whose copy in /proc/PID/environ the child's user could read
// were the child dumpable; a socket cannot be opened through /proc/PID/fd.
// A child of another credential is executed as this process (root) and
// drops to it in its first package init (package spawn), which leaves it
// not dumpable: its user never reaches the socket (pidfd_getfd) as it
// would from the execve of a child executed as the user until guardSpec.
func execChild(exe, name string, blob []byte, stderr *os.File, files []*os.File, cred *Credential) (*os.Process, error) {
	c, err := startSocketChild(exe, name, socketMarker, files[0], stderr, cred)
	if err != nil {
		return nil, err
	}
	if err := c.handOver(blob, files[1:]); err != nil {
		return nil, err
	}
	return c.Process, nil
}

// guardSpec makes a child that is about to receive its spec (and maybe
// TLS keys) non-dumpable: no process of its user may then ptrace it or
// read its memory or descriptors through /proc, as apache2's children,
// which change user without an exec, are not. A child that changed user
// (package spawn's drop) is not dumpable already; this covers one that
// runs as its parent's user.
//
// A process of the same user may have attached (ptrace) between the exec
// and this: it stays attached, so a traced child refuses to go on.
func guardSpec() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return err
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok && strings.TrimSpace(v) != "0" {
			return fmt.Errorf("traced by process %s", strings.TrimSpace(v))
		}
	}
	return nil
}

// takeEarly returns a waiting early child that runs as cred, or nil.
func takeEarly(cred *Credential) *earlyChild {
	early.mu.Lock()
	defer early.mu.Unlock()
	for i, c := range early.spare {
		if c.cred.equal(cred) {
			early.spare = slices.Delete(early.spare, i, i+1)
			return c
		}
	}
	return nil
}

// discardEarly tells the early children nobody took to exit (their
// socket closes: one that waits for its spec exits 0 at once, one still
// starting when it gets there) and reaps them (dropAll), and waits for the
// ends of the unwanted ones startEarlyChildren began. The plugin calls it
// when Run returns and before it exits, so that no early child outlives it
// unreaped (the host may be PID 1, which reaps no orphans it did not
// start).
func discardEarly() {
	early.mu.Lock()
	spare := early.spare
	early.spare = nil
	early.mu.Unlock()
	dropAll(spare)
	early.dropping.Wait()
}

// dropAll closes the sockets of cs and reaps them, waiting up to a second
// in all; those still running then are killed and reaped in the
// background.
func dropAll(cs []*earlyChild) {
	if len(cs) == 0 {
		return
	}
	done := make(chan struct{}, len(cs))
	for _, c := range cs {
		c.Conn.Close()
		go func() {
			_ = c.Wait()
			done <- struct{}{}
		}()
	}
	limit := time.NewTimer(time.Second)
	defer limit.Stop()
	for range cs {
		select {
		case <-done:
		case <-limit.C:
			for _, c := range cs {
				_ = c.Process.Kill() // reaped by its goroutine
			}
			return
		}
	}
}

// drop closes c's socket, which makes it exit, and reaps it.
func (c *earlyChild) drop() {
	c.Conn.Close()
	go func() { _ = c.Wait() }()
}

// handOver sends c its spec and the descriptors files, which an executed
// child would have as descriptors 4 and up. The descriptors go with the
// first byte; the spec follows, in the background, up to the end of the
// stream. A child that is to run as another user gets nothing before it
// does (dropped). On error c is dropped.
func (c *earlyChild) handOver(blob []byte, files []*os.File) error {
	if err := c.dropped(); err != nil {
		_ = c.Process.Kill()
		c.drop()
		return fmt.Errorf("hand the spec to child %d: %w", c.Process.Pid, err)
	}
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f.Fd())
	}
	err := unix.Sendmsg(int(c.Conn.Fd()), []byte{0}, unix.UnixRights(fds...), nil, unix.MSG_NOSIGNAL)
	runtime.KeepAlive(files)
	if err != nil {
		c.drop()
		return fmt.Errorf("hand the spec to child %d: %w", c.Process.Pid, err)
	}
	// The spec goes at once when the socket's buffer takes it all (the
	// child waits to read it to the end before it serves, and a goroutine
	// of this process, busy at start, ran ~1-3 ms later); what does not
	// fit, a goroutine writes as the child reads.
	sent, err := unix.SendmsgN(int(c.Conn.Fd()), blob, nil, nil, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL)
	if err == nil && sent == len(blob) {
		c.Conn.Close()
		return nil
	}
	sent = max(sent, 0)
	go func() {
		if _, err := c.Conn.Write(blob[sent:]); err != nil {
			_ = c.Process.Kill() // it would wait for the rest forever
		}
		c.Conn.Close()
	}()
	return nil
}

// dropDeadline bounds how long handOver waits for a child to drop to its
// credential: a child of the SDK does in its first package initialisation,
// milliseconds after its exec; one that has not by then never will.
const dropDeadline = 5 * time.Second

// dropped waits until c, executed as this process (root), runs as its
// credential in all four of its user ids and group ids, as package spawn's
// init leaves it. A child program that does not run that init (one built
// without the SDK, a script in its place) would otherwise get the spec and
// the descriptors as root, with the parent's capabilities. It reads
// /proc/PID/status, once for an early child (it dropped long ago), a few
// times for one just executed; c is not reaped, so its pid is its own.
func (c *earlyChild) dropped() error {
	if c.cred == nil {
		return nil
	}
	path := "/proc/" + strconv.Itoa(c.Process.Pid) + "/status"
	deadline := time.Now().Add(dropDeadline)
	for wait := 50 * time.Microsecond; ; wait = min(2*wait, 5*time.Millisecond) {
		status, err := os.ReadFile(path)
		if err != nil {
			if (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)) && hiddenByProc(c.Process) {
				return nil
			}
			return err
		}
		uids, gids, state := statusIDs(string(status))
		switch {
		case state == "Z" || state == "X":
			return errors.New("it exited before it took its spec")
		case uids == strings.Repeat(" "+strconv.FormatUint(uint64(c.cred.Uid), 10), 4) &&
			gids == strings.Repeat(" "+strconv.FormatUint(uint64(c.cred.Gid), 10), 4):
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("it still runs as uids%s, gids%s after %v, not as the children's user %d:%d: ended", uids, gids, dropDeadline, c.cred.Uid, c.cred.Gid)
		}
		time.Sleep(wait)
	}
}

// hiddenByProc says whether p, alive and not reaped (so its pid is its
// own), has no /proc entry this process may see while this process's own
// is there: /proc is mounted with hidepid (invisible, or noaccess) and p
// is out of this process's ptrace reach (PTRACE_MODE_READ), which a child
// executed as this process and still running as it stays until it
// changes its user ids or makes itself non-dumpable, as package spawn's
// drop does (the child reads its spec only once the drop is complete).
// A /proc with hidepid and a gid= group this process is not in is common
// hardening, where apache2's children start.
func hiddenByProc(p *os.Process) bool {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		return false // no /proc to ask (or another namespace's)
	}
	return p.Signal(unix.Signal(0)) == nil
}

// statusIDs is the Uid and Gid lines of a /proc/PID/status (each id after
// a space) and its State letter.
func statusIDs(status string) (uids, gids, state string) {
	for line := range strings.Lines(status) {
		k, v, _ := strings.Cut(line, ":")
		f := strings.Fields(v)
		switch {
		case k == "State" && len(f) > 0:
			state = f[0]
		case k == "Uid" && len(f) > 0:
			uids = " " + strings.Join(f, " ")
		case k == "Gid" && len(f) > 0:
			gids = " " + strings.Join(f, " ")
		}
	}
	return uids, gids, state
}

// errNoSpec is what an early child gets when the parent closed its socket
// without handing it a spec: it was not needed.
var errNoSpec = errors.New("no child spec")

// receiveSpec waits in an early child for its spec and descriptors.
// fdOf maps the descriptor number an executed child would have used to the
// one received, and to -1 for one it did not receive.
func receiveSpec() (blob string, fdOf func(int) int, err error) {
	first := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4*253)) // SCM_MAX_FD
	var n, oobn, flags int
	for {
		n, oobn, flags, _, err = unix.Recvmsg(earlySocketFD, first, oob, unix.MSG_CMSG_CLOEXEC)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return "", nil, fmt.Errorf("receive child spec: %w", err)
	}
	if n == 0 {
		return "", nil, errNoSpec
	}
	if flags&unix.MSG_CTRUNC != 0 {
		return "", nil, errors.New("receive child descriptors: some were lost (MSG_CTRUNC)")
	}
	var fds []int
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return "", nil, fmt.Errorf("receive child descriptors: %w", err)
	}
	for _, m := range msgs {
		rights, err := unix.ParseUnixRights(&m)
		if err != nil {
			return "", nil, fmt.Errorf("receive child descriptors: %w", err)
		}
		fds = append(fds, rights...)
	}
	conn := os.NewFile(earlySocketFD, "early-spec")
	defer conn.Close()
	rest, err := io.ReadAll(conn)
	if err != nil {
		return "", nil, fmt.Errorf("receive child spec: %w", err)
	}
	// An executed child's descriptors after the lifeline are files[1:] of
	// StartChild, as handed over: fds[0] is its childScoreboardFD.
	return string(rest), func(fd int) int {
		if i := fd - (childLifelineFD + 1); i >= 0 && i < len(fds) {
			return fds[i]
		}
		return -1
	}, nil
}
