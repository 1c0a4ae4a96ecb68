//go:build linux || freebsd || darwin

package threads

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// loop is the event child's listener thread (Apache's listener_thread).
// One poller (epoll, or kqueue on the BSDs) holds the listening sockets
// and every parked keep-alive connection, and workers and the stop wake
// it through it.
//
// As Apache's, when a listening socket is readable it accepts while a
// worker is idle and the child's connections (lingering ones aside) stay
// below ThreadsPerChild + idle workers × AsyncRequestWorkerFactor; when
// they do not, it takes the listening sockets out of the set (not
// accepting), and puts them back once the connections are below the limit
// counted with one idle worker less. It hands a parked connection that
// became readable to a worker; it closes parked connections idle for
// KeepAliveTimeout, and all of them when a connection found every worker
// busy, so that the clients reconnect, maybe to a child with an idle
// worker. Differences, all so that no request a client has sent is left
// unanswered (Apache's closes race with the client's next request):
//   - a readable keep-alive connection that finds no idle worker waits for
//     the next one (Apache closes it, its request unanswered);
//   - when every worker is busy, only the parked connections idle for
//     hotHold or longer are closed, not those that just got a response
//     (their client is the likeliest to be sending its next request);
//   - a stopping child does not close its parked connections at once: each
//     may still send one request (answered with Connection: close) for
//     http1.DrainIdle (or KeepAliveTimeout, if shorter) from the stop, as
//     the idle connections of worker and prefork children do, even when
//     every worker is busy (Apache's graceful stop closes them all);
//   - a parked connection is closed only after a last look that nothing
//     has arrived on it (if something has, it is served instead), and by
//     a lingering close (see closeParkedLocked).
//
// A parked connection has no goroutine and no buffer. It keeps its whole
// http1.Conn only for a moment (hotHold), so that a client sending its
// next request at once (a load generator, a browser fetching a page's
// parts) finds it ready; after that the Conn is detached and the
// connection is a descriptor plus a few bytes (a conn and a slot) until it
// is readable again, when a worker resumes it on a new Conn.
//
// It also finishes responses for the workers (Apache's write completion):
// a worker whose client does not take the end of a response at once (a
// file sent with sendfile, or the last buffered bytes) hands the
// connection with that rest (http1.Conn.Unsent) to the loop, which writes
// it whenever the socket is writable, closes the connection when the
// client takes nothing for Timeout, and then treats it as at the end of
// any request: parked if it is kept alive, otherwise lingering close.
//
// KeepAliveTimeout and Timeout may differ between virtual hosts
// (http1.Conn.WaitTimeouts): as Apache's timeout queues, the parked and
// writing connections are kept in one set of lists per distinct pair of
// values (a waitClass; a config has few), each list in the order its
// connections joined it, so that the next to expire is always at a head.
type loop struct {
	ch       *child
	poll     poller
	start    time.Time
	hotHold  int64 // ns a parked connection keeps its http1.Conn
	lns      []listenFD
	onAccept func()

	// wantWake asks workers (a worker freed, a connection closed) to wake
	// the loop: it has readable connections waiting for a worker, stopped
	// accepting, or is stopping.
	wantWake atomic.Bool
	// turnSince is when the current turn began (loop clock + 1), 0 while
	// the loop waits for events: see progressing.
	turnSince atomic.Int64

	mu        sync.Mutex
	slots     []slot      // by descriptor
	classes   []waitClass // parked and writing connections, by their timeouts
	parked    int         // connections on the hot and cold lists
	pending   fdList      // readable, waiting for a worker, oldest first
	lingering fdList      // closing: the rest of what the client sends is discarded
	nwriting  int         // connections on the writing lists
	scratch   []byte      // what lingering connections send goes here
	listening bool        // listening sockets are in the set
	stopping  bool
	stopAt    int64 // when stopping began, ns since start
	backoff   int64 // no accept before this (ns), after EMFILE and friends
	logged    time.Time
}

// Slot states.
const (
	free      uint8 = iota
	hot             // parked with its http1.Conn
	cold            // parked as a descriptor: the Conn was detached
	pending         // readable, waiting for a worker
	lingering       // in lingering close
	writing         // write completion: the rest of a response is being written
)

// slot is a parked connection, indexed by its descriptor.
type slot struct {
	c          *conn
	hc         *http1.Conn // hot, writing, or pending from either
	idle       http1.Idle  // cold, or pending from cold
	since      int64       // park time (writing: last progress), ns since loop.start
	prev, next int32       // in its list
	seq        int32       // poller tag (≥ 0), so a stale event is ignored
	lingerEnd  uint32      // lingering: when it ends at the latest, ms since loop.start (mod 2³²)
	state      uint8
	keep       bool   // writing: the connection is kept alive after the response
	early      bool   // free: its edge-triggered park reported bytes (see armLocked)
	class      uint32 // hot, cold, writing: its waitClass
}

// waitClass is the connections whose waits have the same bounds (see
// http1.Conn.WaitTimeouts): parked ones KeepAliveTimeout (ka), writing
// ones Timeout without progress (wt).
type waitClass struct {
	ka, wt    int64 // ns
	hot, cold fdList
	writing   fdList // least recent progress first
}

// fdList is a list of slots in the order they joined it.
type fdList struct {
	head, tail int32
	n          int
}

const defaultHotHold = 200 * time.Millisecond

func newLoop(ch *child, lns []listenFD, onAccept func()) (*loop, error) {
	p, err := newPoller()
	if err != nil {
		return nil, err
	}
	l := &loop{ch: ch, poll: p, start: time.Now(), hotHold: int64(defaultHotHold), onAccept: onAccept}
	l.pending, l.lingering = newList(), newList()
	l.turnSince.Store(1) // not waiting yet: its first turn began at start
	fail := func(err error) (*loop, error) {
		p.close()
		return nil, err
	}
	l.lns = lns
	if err := l.listen(true); err != nil {
		return fail(err)
	}
	return l, nil
}

func newList() fdList { return fdList{head: -1, tail: -1} }

// classLocked is the index of the waitClass of a connection whose waits
// are bounded by idle (KeepAliveTimeout) and write (Timeout), made on
// first use: there are as many as distinct pairs in the config.
func (l *loop) classLocked(idle, write time.Duration) uint32 {
	for i := range l.classes {
		if c := &l.classes[i]; c.ka == int64(idle) && c.wt == int64(write) {
			return uint32(i)
		}
	}
	l.classes = append(l.classes, waitClass{ka: int64(idle), wt: int64(write), hot: newList(), cold: newList(), writing: newList()})
	return uint32(len(l.classes) - 1)
}

// now is the loop's clock: monotonic ns since start.
func (l *loop) now() int64 { return int64(time.Since(l.start)) }

// wake ends the loop's wait.
func (l *loop) wake() { l.poll.wake() }

// maybeWake wakes the loop if it asked for it (a worker became idle, a
// connection closed).
func (l *loop) maybeWake() {
	if l.wantWake.Load() && l.wantWake.CompareAndSwap(true, false) {
		l.wake()
	}
}

// listen puts the listening sockets in the set or takes them out.
//
// Not with EPOLLEXCLUSIVE, unlike the Acceptor's: the kernel honours it
// only for a thread blocked in epoll_wait on the set itself, and the
// loop's set waits in Go's netpoller (see epoller), so every child's set
// would still be woken (measured: no fewer failed accepts). A child woken
// for a connection another took loses little: its poll re-checks the
// level-triggered listener and reports nothing.
func (l *loop) listen(on bool) error {
	if on == l.listening {
		return nil
	}
	for _, lf := range l.lns {
		var err error
		if on {
			err = l.poll.arm(lf.fd, wantRead, padListener, false)
		} else {
			err = l.poll.disarm(lf.fd)
		}
		if err != nil {
			return fmt.Errorf("listener %s: %w", lf.name, err)
		}
	}
	l.listening = on
	if l.ch.board != nil {
		l.ch.board.Process(l.ch.slot).SetNotAccepting(!on)
	}
	return nil
}

// grow makes slots hold fd.
func (l *loop) grow(fd int32) {
	if int(fd) < len(l.slots) {
		return
	}
	n := max(1024, 2*len(l.slots))
	for n <= int(fd) {
		n *= 2
	}
	s := make([]slot, n)
	copy(s, l.slots)
	l.slots = s
}

// list is the list of a slot in state (of its class for hot, cold and
// writing).
func (l *loop) list(state uint8, class uint32) *fdList {
	switch state {
	case hot:
		return &l.classes[class].hot
	case cold:
		return &l.classes[class].cold
	case pending:
		return &l.pending
	case lingering:
		return &l.lingering
	case writing:
		return &l.classes[class].writing
	}
	return nil
}

// count adds d to the count of connections in state kept beside the lists.
func (l *loop) count(state uint8, d int) {
	switch state {
	case hot, cold:
		l.parked += d
	case writing:
		l.nwriting += d
	}
}

// link appends fd to the list of state (of the slot's class).
func (l *loop) link(fd int32, state uint8) {
	s := &l.slots[fd]
	lst := l.list(state, s.class)
	l.count(state, 1)
	s.state, s.prev, s.next = state, lst.tail, -1
	if lst.tail >= 0 {
		l.slots[lst.tail].next = fd
	} else {
		lst.head = fd
	}
	lst.tail = fd
	lst.n++
}

// unlink takes fd off its list.
func (l *loop) unlink(fd int32) {
	s := &l.slots[fd]
	lst := l.list(s.state, s.class)
	l.count(s.state, -1)
	if s.prev >= 0 {
		l.slots[s.prev].next = s.next
	} else {
		lst.head = s.next
	}
	if s.next >= 0 {
		l.slots[s.next].prev = s.prev
	} else {
		lst.tail = s.prev
	}
	lst.n--
	s.state, s.prev, s.next = free, -1, -1
}

// showParked puts the keep-alive, lingering and writing counts on the
// scoreboard (ConnsAsyncKeepAlive, ConnsAsyncClosing, ConnsAsyncWriting).
func (l *loop) showParked() {
	if l.ch.board != nil {
		p := l.ch.board.Process(l.ch.slot)
		p.SetKeepAlive(l.parked)
		p.SetLingering(l.lingering.n)
		p.SetWriting(l.nwriting)
	}
}

// What the loop waits for: a parked connection waits once for its next
// request, a lingering one for what the client still sends, a writing one
// for room in the socket (level-triggered: the loop may stop before the
// socket is full, to be fair to the others).
const (
	evPark   = wantRead | parkMode
	evLinger = wantRead
	evWrite  = wantWrite
	// evQuiet: a connection a worker has, edge-triggered parked before,
	// after bytes came (see turnLocked). Not nothing: the kernel reports a
	// hang-up or error whatever is asked, and level-triggered (no edge) it
	// did on every turn, so that a client's reset while the worker was
	// busy elsewhere (a CGI, a backend) spun the loop until it closed.
	evQuiet = parkMode
)

// armLocked puts c's descriptor in the set for events and makes its free
// slot c's, with a new sequence number so that events of its earlier
// registration are ignored. Armed under the lock: the loop cannot close
// (and the kernel reuse) the descriptor before the slot says what it is.
//
// A park of a connection parked edge-triggered before (parkMode edge), and
// served since, may change nothing in the set (a system call less per
// keep-alive request): it is still armed, under the same sequence number.
// Edge-triggered, the set reports bytes that arrive while the arm stands
// (epoll queues the descriptor at each arrival until the loop takes the
// event), not bytes that were there before, which only an arm (epoll_ctl)
// looks at. So the park skips the arm only when every byte now in the
// socket arrived after the worker's last read of it, and that read was
// short or found nothing (conn.full false; a TLS connection's reads of its
// records are such reads too): the socket was empty then, and each later
// arrival queued an event that the loop takes either now, after the park
// (the connection is served), or took while the worker had it (early:
// quieted, see turnLocked; this park arms it again, which looks at what
// came). A read that filled its buffer (a request of exactly the buffer's
// size, a body read to its Content-Length, a TLS record read to its end)
// may have left bytes that came with the ones it read: the park arms again.
// An event for bytes the worker read itself, taken only after the park,
// wakes the connection for nothing: its worker parks it again at once
// (http1.Conn.SkipIdleWait) after a read that found nothing.
//
// Bytes the worker read into its buffers (a pipelined request, TLS records
// read ahead) are not in the socket: it serves them before it parks
// (http1.Conn.Quiet). Not covered: TCP urgent data ends a read short at
// its mark with bytes behind it; a client that sends it between requests
// waits for its next bytes or KeepAliveTimeout's last look
// (closeParkedLocked), which serves them.
func (l *loop) armLocked(c *conn, events interest) (*slot, error) {
	fd := int32(c.fd)
	l.grow(fd)
	s := &l.slots[fd]
	if s.state != free {
		return nil, fmt.Errorf("descriptor %d parked twice", fd)
	}
	if c.armedAs != events || events&edge == 0 || s.early || c.full {
		s.seq = (s.seq + 1) & 0x7fffffff // never a pad value
		if err := l.poll.arm(c.fd, events, s.seq, c.armed); err != nil {
			c.armedAs = 0 // maybe left as it was: arm again next time
			return nil, err
		}
		c.armed, c.armedAs, s.early = true, events, false
	}
	s.c, s.since = c, l.now()
	return s, nil
}

// park hands an idle keep-alive connection (nothing buffered, buffers
// released) to the loop. On error the caller still owns it.
func (l *loop) park(hc *http1.Conn, c *conn) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.parkLocked(hc, c); err != nil {
		return err
	}
	l.showParked()
	return nil
}

func (l *loop) parkLocked(hc *http1.Conn, c *conn) error {
	s, err := l.armLocked(c, evPark)
	if err != nil {
		return err
	}
	s.hc, s.class = hc, l.classLocked(hc.WaitTimeouts())
	l.link(int32(c.fd), hot)
	return nil
}

// linger takes over the lingering close of a connection whose sending
// side is shut down (http1.Conn.Finish): the loop discards what the client still
// sends and closes it at the client's end, after http1.LingerTimeout
// without a byte or http1.LingerLimit in all (Apache's lingering close,
// without a worker).
// On error the caller still owns c.
func (l *loop) linger(c *conn) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.lingerLocked(c); err != nil {
		return err
	}
	l.showParked()
	return nil
}

func (l *loop) lingerLocked(c *conn) error {
	s, err := l.armLocked(c, evLinger)
	if err != nil {
		return err
	}
	s.lingerEnd = uint32((s.since + int64(http1.LingerLimit)) / int64(time.Millisecond))
	l.link(int32(c.fd), lingering)
	l.ch.lingering.Add(1)
	return nil
}

// complete takes over the end of hc's last response (hc.Unsent), which
// the client did not take at once (write completion): the loop writes it
// as the socket drains, then parks the connection if keep says it is kept
// alive, or closes it (lingering close) otherwise. A client that takes
// nothing for Timeout is cut. The worker gives up hc (buffers released
// unless a next request is buffered); on error it still owns it.
func (l *loop) complete(hc *http1.Conn, c *conn, keep bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, err := l.armLocked(c, evWrite)
	if err != nil {
		return err
	}
	s.hc, s.keep, s.class = hc, keep, l.classLocked(hc.WaitTimeouts())
	l.link(int32(c.fd), writing)
	l.showParked()
	return nil
}

// writeBudget bounds what the loop writes to one connection per event, so
// that a fast client does not hold up the others.
const writeBudget = 1 << 20

// writeLocked writes what the socket of a writing connection takes of its
// response's rest; when all is written the connection goes on as at the
// end of a request.
func (l *loop) writeLocked(fd int32) {
	s := &l.slots[fd]
	u := s.hc.Unsent()
	budget := int64(writeBudget)
	progress := false
	for budget > 0 && u != nil && !u.Done() {
		var n int64
		var err error
		if len(u.Bytes) > 0 {
			var k int
			k, err = s.c.TryWrite(u.Bytes[:min(int64(len(u.Bytes)), budget)])
			u.Bytes, n = u.Bytes[k:], int64(k)
		} else {
			n, err = s.c.TrySendFile(u.File, u.Offset, min(u.Length, budget))
			u.Offset += n
			u.Length -= n
		}
		if err != nil { // reset by the client, or the file shrank
			l.closeLocked(fd)
			return
		}
		if n == 0 {
			break // the socket is full again
		}
		budget -= n
		progress = true
	}
	if u != nil && !u.Done() {
		if progress { // Timeout counts from the last progress
			l.unlink(fd)
			s.since = l.now()
			l.link(fd, writing)
		}
		return
	}
	l.completedLocked(fd)
}

// completedLocked moves a connection whose response is all written on:
// parked when kept alive (or straight to a worker when its next request
// is already buffered), otherwise lingering close or close.
func (l *loop) completedLocked(fd int32) {
	s := &l.slots[fd]
	c, hc, keep := s.c, s.hc, s.keep
	hc.UnsentWritten()
	l.unlink(fd)
	s.c, s.hc, s.keep = nil, nil, false
	var err error
	switch {
	case keep && hc.Buffered() > 0:
		if s, err = l.armLocked(c, evPark); err == nil {
			s.hc = hc
			l.link(fd, pending)
		}
	case keep:
		hc.Release()
		err = l.parkLocked(hc, c)
	default:
		if hc.Finish() { // its sending side is shut down
			err = l.lingerLocked(c)
		} else {
			c.Close()
			l.ch.closed()
			return
		}
	}
	if err != nil {
		l.ch.log("cannot park a connection after its response", "error", err)
		hc.Finish()
		c.Close()
		l.ch.closed()
	}
}

// lingerBudget bounds what the loop reads from one lingering connection
// per event, so that a client that keeps sending does not hold up the
// others (its socket stays readable: the next turn reads on).
const lingerBudget = 256 << 10

// discardLocked reads what a lingering connection sent and closes it at
// its end or on an error. While the client sends, http1.LingerTimeout
// counts from its last bytes, up to the lingering close's end.
func (l *loop) discardLocked(fd int32) {
	s := &l.slots[fd]
	if l.scratch == nil {
		l.scratch = make([]byte, 16<<10)
	}
	for read := 0; ; {
		n, err := rawRead(int(fd), l.scratch)
		switch {
		case n > 0:
			if read += n; read < lingerBudget {
				continue
			}
		case err == unix.EINTR:
			continue
		case err != unix.EAGAIN:
			l.closeLocked(fd)
			return
		}
		if read == 0 {
			return
		}
		now := l.now()
		if l.lingerOver(s, now) {
			l.closeLocked(fd)
			return
		}
		l.unlink(fd)
		s.since = now
		l.link(fd, lingering)
		return
	}
}

// run is the loop; it returns once the child stops and its last
// connection has closed.
func (l *loop) run() {
	defer l.poll.close()
	// Done is not stuck: a draining child's workers may serve on.
	defer l.turnSince.Store(0)
	events := make([]pollEvent, 256)
	for {
		l.mu.Lock()
		timeout := l.timeoutLocked()
		l.mu.Unlock()
		l.turnSince.Store(0)
		n, err := l.poll.wait(events, timeout)
		l.turnSince.Store(l.now() + 1)
		if err != nil && err != unix.EINTR {
			l.ch.log("waiting for events failed; the child stops", "error", err)
			l.ch.gracefulStop()
			n = 0
			time.Sleep(100 * time.Millisecond)
		}
		l.mu.Lock()
		if l.turnLocked(events[:max(n, 0)]) {
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
	}
}

// progressing reports whether the loop is waiting for events, or began
// its current turn less than stuck before now (for the child's heartbeat,
// mpm.Child.WatchProgress): a turn that does not end (a deadlock, a
// sendfile from a hung disk) stops the heartbeat even while every worker
// is idle, which is all the worker records would show.
func (l *loop) progressing(now time.Time, stuck time.Duration) bool {
	since := l.turnSince.Load()
	return since == 0 || now.Sub(l.start)-time.Duration(since-1) < stuck
}

// timeoutLocked is how long the poller may wait (ms): until the next
// keep-alive expiry or detach, at most a second.
func (l *loop) timeoutLocked() int {
	next := int64(time.Second)
	now := l.now()
	for i := range l.classes {
		c := &l.classes[i]
		if c.hot.head >= 0 {
			since := l.slots[c.hot.head].since
			next = min(next, min(since+l.hotHold, l.idleEnd(since, c.ka))-now)
		}
		if c.cold.head >= 0 {
			next = min(next, l.idleEnd(l.slots[c.cold.head].since, c.ka)-now)
		}
		if c.writing.head >= 0 {
			next = min(next, l.slots[c.writing.head].since+c.wt-now)
		}
	}
	if l.lingering.head >= 0 {
		next = min(next, l.slots[l.lingering.head].since+int64(http1.LingerTimeout)-now)
		if l.stopping {
			for fd := l.lingering.head; fd >= 0; fd = l.slots[fd].next {
				end := int64(int32(l.lingerEnd(&l.slots[fd]) - uint32(now/int64(time.Millisecond))))
				next = min(next, end*int64(time.Millisecond))
			}
		}
	}
	if l.backoff > 0 {
		next = min(next, l.backoff-now)
	}
	if next <= 0 {
		return 0
	}
	return int((next + int64(time.Millisecond) - 1) / int64(time.Millisecond))
}

// turnLocked handles one batch of events and the timers; it reports
// whether the loop is done.
func (l *loop) turnLocked(events []pollEvent) (done bool) {
	var ready uint64 // listeners with a connection to accept (see listenerBit)
	for _, ev := range events {
		switch ev.tag {
		case padWake, padNone:
		case padListener:
			ready |= l.listenerBit(int(ev.fd))
		default:
			fd := ev.fd
			if int(fd) >= len(l.slots) {
				continue
			}
			s := &l.slots[fd]
			switch {
			case s.seq != ev.tag:
				// stale: closed or taken since
			case s.state == free:
				// A worker has it, still armed edge-triggered (a request
				// body, a pipelined request): quiet until its next park,
				// which arms it again and so looks at what came.
				if !s.early && evPark&edge != 0 {
					s.early = true
					_ = l.poll.arm(int(fd), evQuiet, s.seq, true)
				}
			case s.state == hot || s.state == cold || s.state == pending:
				if ev.hup {
					s.early = true // a read that returns data leaves the FIN: arm again at the next park
				}
				if s.state != pending {
					l.unlink(fd)
					l.link(fd, pending)
				}
			case s.state == lingering:
				l.discardLocked(fd)
			case s.state == writing:
				l.writeLocked(fd)
			}
		}
	}
	if !l.stopping {
		select {
		case <-l.ch.stop:
			l.stopLocked()
		default:
		}
	}
	// Readable connections first (Apache's listener serves them before
	// accepting), oldest first.
	busy := !l.dispatchLocked()
	if ready != 0 && l.listening {
		// Like Apache, the limit is checked when a connection is there
		// to accept, and the listening sockets leave the set if it is hit.
		if busy {
			l.stopAccepting("All workers busy, not accepting new conns in this process")
		} else {
			busy = l.acceptLocked(ready)
		}
	}
	if busy && !l.stopping {
		// A stopping child keeps its parked connections to their idleEnd:
		// it accepts no more, and its clients were promised DrainIdle.
		l.closeColdLocked()
	}
	now := l.now()
	l.expireAllLocked(now)
	l.detachLocked(now)
	l.showParked()
	if l.stopping && l.ch.conns.Load() == 0 {
		return true
	}
	// Ask to be woken when a worker becomes idle or a connection closes,
	// then look again, so that a wake-up between the two is not lost.
	l.wantWake.Store(true)
	l.dispatchLocked()
	if !l.stopping {
		if l.backoff > 0 && now >= l.backoff {
			l.backoff = 0
		}
		l.updateAccepting(busy)
	}
	if l.pending.n == 0 && l.listening && !l.stopping {
		l.wantWake.Store(false)
	}
	return false
}

// stopAccepting takes the listening sockets out of the set, saying why
// (Apache's debug messages) unless why is empty.
func (l *loop) stopAccepting(why string) {
	if !l.listening {
		return
	}
	if err := l.listen(false); err != nil {
		l.ch.log("cannot stop accepting", "error", err)
		return
	}
	if why != "" {
		l.ch.debug(why)
	}
}

// updateAccepting puts the listening sockets back once the child may
// accept again: no worker was found busy in this turn and the connections
// are below the limit, with one idle worker less (Apache's hysteresis).
func (l *loop) updateAccepting(busy bool) {
	if l.listening || busy || l.backoff != 0 || l.aboveLimit() {
		return
	}
	if err := l.listen(true); err != nil {
		l.ch.log("cannot accept again", "error", err)
		return
	}
	l.ch.debug(fmt.Sprintf("AH00457: Accepting new connections again: %d active conns (%d lingering/0 clogged/0 suspended), %d idle workers",
		l.ch.conns.Load(), l.ch.lingering.Load(), len(l.ch.idle)))
}

// dispatchLocked hands readable connections to idle workers; it reports
// false if one found none (every worker busy).
func (l *loop) dispatchLocked() bool {
	for l.pending.n > 0 {
		select {
		case <-l.ch.idle:
		default:
			return false
		}
		fd := l.pending.head
		s := &l.slots[fd]
		j := job{c: s.c, hc: s.hc, idle: s.idle, resume: s.hc == nil}
		l.unlink(fd)
		s.c, s.hc, s.idle = nil, nil, http1.Idle{}
		l.ch.hand(j)
	}
	return true
}

// aboveLimit is Apache's connections_above_limit: with i idle workers
// the child takes connections while conns < ThreadsPerChild + (i −
// [not accepting]) × AsyncRequestWorkerFactor, the factor applied as an
// integer; with no idle worker it is full.
func (l *loop) aboveLimit() bool {
	idle := int64(len(l.ch.idle))
	if idle == 0 {
		return true
	}
	f := int64(l.ch.opt.AsyncRequestWorkerFactor)
	if f <= 0 {
		return false
	}
	if !l.listening {
		idle-- // Apache's hysteresis against flip-flopping
	}
	return l.ch.conns.Load()-l.ch.lingering.Load() >= int64(l.ch.opt.Workers)+idle*f
}

// acceptLocked accepts a connection from each ready listener (ready holds
// their listenerBit) while the child may, and stops accepting when it may
// not. A readable listener with
// no idle worker is Apache's "all workers busy": it reports true, and the
// connection stays in the backlog for another child. Having just taken the
// last idle worker is not: if more connections wait, the next turn sees
// the listener still readable.
//
// One connection per listener and turn, not all until EAGAIN: a listener
// that has more stays readable (level-triggered) and the loop's next
// non-blocking poll reports it at once. The accept that found the queue
// empty failed for a third to a half of the connections (ab -c 50 without
// keep-alive, 2 children); the extra polls cost less (5-7 % less CPU per
// request there, the same with 1 child).
func (l *loop) acceptLocked(ready uint64) (busy bool) {
	for i, lf := range l.lns {
		if i < 64 && ready&(1<<i) == 0 {
			continue // not reported readable: its accept would find nothing
		}
		if l.ch.drain.Load() {
			return false // MaxConnectionsPerChild reached: the next turn stops
		}
		if len(l.ch.idle) == 0 {
			l.stopAccepting("All workers busy, not accepting new conns in this process")
			return true
		}
		if l.aboveLimit() {
			l.stopAccepting(fmt.Sprintf("Too many open connections (%d), not accepting new conns in this process", l.ch.conns.Load()))
			return false
		}
		c := l.accept(lf)
		if c == nil {
			continue
		}
		<-l.ch.idle // only the loop takes idle workers
		l.ch.opened()
		l.ch.hand(job{c: c, fresh: true})
		l.onAccept()
	}
	return false
}

// listenerBit is the bit of acceptLocked's ready set for the listening
// socket fd: 1<<i for l.lns[i], every bit past the 64th listener (then
// all are tried).
func (l *loop) listenerBit(fd int) uint64 {
	for i, lf := range l.lns {
		if lf.fd == fd && i < 64 {
			return 1 << i
		}
	}
	return ^uint64(0)
}

// accept takes a connection from a listening socket, or returns nil.
func (l *loop) accept(lf listenFD) *conn {
	c, err := acceptConn(lf)
	if err != nil {
		// EMFILE and friends: stop accepting for a moment rather than
		// spin.
		l.backoff = l.now() + int64(100*time.Millisecond)
		l.stopAccepting("")
		if time.Since(l.logged) > time.Second {
			l.logged = time.Now()
			l.ch.log("accept failed", "error", err)
		}
	}
	return c
}

// closeColdLocked closes the connections parked for a while (cold), as
// Apache's listener does when every worker is busy ("kill'em all"): the
// clients reconnect, maybe to a child with an idle worker. Not the hot
// ones: a hot one's client is likely sending its next request right now,
// which then waits for a worker.
func (l *loop) closeColdLocked() {
	n := 0
	for i := range l.classes {
		n += l.classes[i].cold.n
	}
	if n == 0 {
		return
	}
	l.ch.debug(fmt.Sprintf("All workers are busy or dying, will shutdown %d keep-alive connections", n))
	for i := range l.classes {
		for c := &l.classes[i]; c.cold.head >= 0; {
			l.closeParkedLocked(c.cold.head)
		}
	}
}

// expireAllLocked closes the connections whose wait is over at now:
// parked ones at idleEnd, lingering ones after http1.LingerTimeout,
// writing ones after Timeout without progress.
func (l *loop) expireAllLocked(now int64) {
	for i := range l.classes {
		c := &l.classes[i]
		l.expireParkedLocked(&c.hot, now, c.ka)
		l.expireParkedLocked(&c.cold, now, c.ka)
		l.expireLocked(&c.writing, now, c.wt)
	}
	l.expireLocked(&l.lingering, now, int64(http1.LingerTimeout))
	if l.stopping {
		for fd := l.lingering.head; fd >= 0; {
			next := l.slots[fd].next
			if l.lingerOver(&l.slots[fd], now) {
				l.closeLocked(fd)
			}
			fd = next
		}
	}
}

// lingerEnd is when the lingering close of s ends at the latest (ms since
// loop.start, mod 2³²): http1.LingerLimit after it began, and in a stopping
// child http1.LingerTimeout after it began (apache2 event's "Dying, force
// short timeout"), so that a client that trickles bytes does not hold a
// graceful stop or restart up for LingerLimit.
func (l *loop) lingerEnd(s *slot) uint32 {
	if l.stopping {
		return s.lingerEnd - uint32((http1.LingerLimit-http1.LingerTimeout)/time.Millisecond)
	}
	return s.lingerEnd
}

// lingerOver reports whether the lingering close of s is over at now.
func (l *loop) lingerOver(s *slot, now int64) bool {
	return int32(l.lingerEnd(s)-uint32(now/int64(time.Millisecond))) <= 0
}

// idleEnd is when a connection parked at since has waited long enough
// for its next request: ka (its KeepAliveTimeout) after since, and in a
// stopping child no later than http1.DrainIdle after the stop.
func (l *loop) idleEnd(since, ka int64) int64 {
	end := since + ka
	if l.stopping {
		end = min(end, max(since, l.stopAt)+int64(http1.DrainIdle))
	}
	return end
}

// expireParkedLocked closes the parked connections of lst (hot or cold,
// of a class whose KeepAliveTimeout is ka) whose wait is over (idleEnd).
func (l *loop) expireParkedLocked(lst *fdList, now, ka int64) {
	for lst.head >= 0 && l.idleEnd(l.slots[lst.head].since, ka) <= now {
		l.closeParkedLocked(lst.head)
	}
}

// closeParkedLocked closes a parked connection, unless a request has
// arrived on it since the loop last looked: then it is served instead
// (its event is in the poller's next batch or was in this one after the
// connection's state was read; either way the client sent a request that
// must be answered). The close is a lingering one: the write side is shut
// down (after a TLS connection's close_notify) and what the client still
// sends is read and discarded, so that a request crossing the close meets an
// end of stream, not a reset.
func (l *loop) closeParkedLocked(fd int32) {
	s := &l.slots[fd]
	if s.c.Readable() {
		l.unlink(fd)
		l.link(fd, pending)
		return
	}
	c, hc, idle := s.c, s.hc, s.idle
	l.unlink(fd)
	s.c, s.hc, s.idle = nil, nil, http1.Idle{}
	if hc != nil {
		hc.Finish() // no lingering: it was idle, its last response kept it open
		hc.CloseNotify()
	} else {
		idle.CloseNotify()
	}
	if c.CloseWrite() == nil && l.lingerLocked(c) == nil {
		return
	}
	c.Close()
	l.ch.closed()
}

// expireLocked closes the connections of lst that have been on it for
// timeout (KeepAliveTimeout, the lingering close's bound, or Timeout
// without progress for write completion).
func (l *loop) expireLocked(lst *fdList, now, timeout int64) {
	for lst.head >= 0 && l.slots[lst.head].since+timeout <= now {
		l.closeLocked(lst.head)
	}
}

func (l *loop) closeLocked(fd int32) {
	s := &l.slots[fd]
	c, hc, state := s.c, s.hc, s.state
	l.unlink(fd)
	s.c, s.hc, s.idle, s.keep = nil, nil, http1.Idle{}, false
	if hc != nil {
		hc.Finish() // no lingering here: it would block the loop
	}
	c.Close()
	if state == lingering {
		l.ch.lingering.Add(-1)
	}
	l.ch.closed()
}

// detachLocked turns connections parked for hotHold into bare
// descriptors.
func (l *loop) detachLocked(now int64) {
	for i := range l.classes {
		for c := &l.classes[i]; c.hot.head >= 0; {
			fd := c.hot.head
			s := &l.slots[fd]
			if s.since+l.hotHold > now {
				break
			}
			l.unlink(fd)
			if idle, ok := s.hc.Detach(); ok {
				s.hc, s.idle = nil, idle
			}
			l.link(fd, cold) // keeps since and class: the keep-alive wait goes on
		}
	}
}

// stopLocked stops accepting for good: the listening sockets leave the
// set and close. Parked connections stay until their next request, which
// is answered with Connection: close, or until idleEnd.
func (l *loop) stopLocked() {
	l.stopping, l.stopAt = true, l.now()
	if err := l.listen(false); err != nil {
		l.ch.log("cannot stop accepting", "error", err)
	}
	closeListeners(l.lns)
}
