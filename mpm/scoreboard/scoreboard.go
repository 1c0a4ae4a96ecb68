// Package scoreboard is the shared scoreboard of an MPM: one block of
// shared memory (a memfd mapped MAP_SHARED by every process) holding a
// global record, one process record per child slot and one worker record
// per (child slot × ThreadLimit), as Apache's scoreboard does, then the
// module slots (see [Board.Slot]).
//
// # Who writes what
//
//   - The MPM parent creates the board ([Create]), sets the global record
//     ([Global]) before the first child starts, and writes the process
//     record of a slot when it starts or reaps the child there (pid,
//     generation, quiescing). It reads everything to decide maintenance.
//   - A child opens the board from the inherited descriptor ([Open]) and
//     writes only its own slot: the worker records of its threads, the
//     per-process counters of its process record (connections, keep-alive,
//     not-accepting) and its heartbeat ([Process.Beat]). Any child may
//     claim a module slot and write its words ([Board.Slot]).
//   - Anyone (the parent's Status, a child's server-status handler) may read
//     any record at any time.
//
// # Concurrency
//
// Every numeric field is read and written with atomic operations, so no
// lock is ever taken and a reader never blocks a writer. The text fields of
// a worker (client, request line, virtual host, protocol) are guarded by a
// per-worker sequence counter: the writer makes it odd, copies the bytes,
// makes it even; a reader retries while it is odd or changed. Only one
// goroutine writes a given worker record at a time (the worker that owns
// it). Writes on the request path neither allocate nor lock.
//
// The layout is fixed and versioned (see [Layout]); processes of one MPM
// run the same binary, so the layout is never negotiated.
package scoreboard

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"
)

// State is a worker's status, with Apache's numeric values.
type State uint32

// Worker states, as in Apache's include/scoreboard.h.
const (
	Dead          State = 0  // '.' open slot with no current process
	Starting      State = 1  // 'S' starting up
	Ready         State = 2  // '_' waiting for a connection
	BusyRead      State = 3  // 'R' reading a request
	BusyWrite     State = 4  // 'W' sending a reply
	BusyKeepalive State = 5  // 'K' keep-alive (read)
	BusyLog       State = 6  // 'L' logging
	BusyDNS       State = 7  // 'D' DNS lookup
	Closing       State = 8  // 'C' closing the connection
	Graceful      State = 9  // 'G' gracefully finishing
	IdleKill      State = 10 // 'I' idle cleanup of a worker
)

const stateChars = ".S_RWKLDCGI"

// Char is the state's character in the server-status scoreboard string.
func (s State) Char() byte {
	if int(s) < len(stateChars) {
		return stateChars[s]
	}
	return '?'
}

// Busy reports whether the state counts as busy in server-status: anything
// but Dead, Starting, Ready, Graceful and IdleKill.
func (s State) Busy() bool {
	switch s {
	case Dead, Starting, Ready, Graceful, IdleKill:
		return false
	}
	return true
}

// Sizes of the fixed layout.
const (
	headerSize  = 4096
	processSize = 128
	workerSize  = 256

	// Text field sizes of a worker record (bytes, truncated to fit).
	ClientLen   = 48
	VHostLen    = 32
	RequestLen  = 64
	ProtocolLen = 16
)

const (
	magic   = 0x48545450_53423031 // "HTTPSB01"
	version = 4                   // 2: heartbeat in the process record; 3: module slots; 4: 31-word slots
)

// header is the global record at offset 0.
type header struct {
	magic       atomic.Uint64
	version     atomic.Uint32
	serverLimit atomic.Uint32
	threadLimit atomic.Uint32
	generation  atomic.Uint32 // running generation
	restartTime atomic.Int64  // unix nanoseconds
	maxWorkers  atomic.Uint32 // MaxRequestWorkers, the length of the status string
	threads     atomic.Uint32 // ThreadsPerChild in force
	maxDaemons  atomic.Uint32 // active daemon limit (MaxRequestWorkers / ThreadsPerChild)
	async       atomic.Uint32 // 1 for an async MPM (event)
	configGen   atomic.Uint32
	_           uint32
	_           [headerSize - 56]byte
}

// processRec is one child slot.
type processRec struct {
	pid             atomic.Int32
	generation      atomic.Uint32
	quiescing       atomic.Uint32
	notAccepting    atomic.Uint32
	bucket          atomic.Uint32
	_               uint32
	connections     atomic.Uint32
	keepAlive       atomic.Uint32
	writeCompletion atomic.Uint32
	lingering       atomic.Uint32
	suspended       atomic.Uint32
	waitIO          atomic.Uint32
	startTime       atomic.Int64
	heartbeat       atomic.Int64 // monotonic nanoseconds (see Now) of the child's last sign of progress
	_               [processSize - 64]byte
}

// workerRec is one worker (thread) of one slot.
type workerRec struct {
	status        atomic.Uint32
	generation    atomic.Uint32
	seq           atomic.Uint32
	_             uint32
	accessCount   atomic.Uint64 // requests served by this slot, all children
	bytesServed   atomic.Uint64
	myAccessCount atomic.Uint64 // requests served by the current child in this slot
	myBytesServed atomic.Uint64
	connCount     atomic.Uint64 // requests on the current connection
	connBytes     atomic.Uint64
	startTime     atomic.Int64  // unix µs: start of the current or last request
	stopTime      atomic.Int64  // unix µs: end of the last request
	duration      atomic.Uint64 // µs: sum over the requests of this slot
	lastUsed      atomic.Int64  // unix µs: last status change or wait on the network (Touch)
	client        [ClientLen]byte
	vhost         [VHostLen]byte
	request       [RequestLen]byte
	protocol      [ProtocolLen]byte
}

func init() {
	if unsafe.Sizeof(header{}) != headerSize || unsafe.Sizeof(processRec{}) != processSize || unsafe.Sizeof(workerRec{}) != workerSize {
		panic(fmt.Sprintf("scoreboard: layout sizes %d/%d/%d", unsafe.Sizeof(header{}), unsafe.Sizeof(processRec{}), unsafe.Sizeof(workerRec{})))
	}
}

// Size returns the bytes a board of serverLimit × threadLimit takes.
func Size(serverLimit, threadLimit int) int {
	return slotsOffset(serverLimit, threadLimit) + SlotCount*slotSize
}

// Board is a mapped scoreboard. Its methods are safe for concurrent use by
// any number of goroutines and processes, within the writer rules of the
// package documentation.
type Board struct {
	mem         []byte
	file        *os.File
	serverLimit int
	threadLimit int
	unmap       func([]byte) error
}

// ErrLayout is returned by Open for memory that is not a scoreboard of
// this version.
var ErrLayout = errors.New("scoreboard: not a scoreboard of this layout version")

// limits of a board, generous enough for Apache's hard limits yet small
// enough that a typo cannot ask for terabytes.
const maxBytes = 1 << 34

func checkLimits(serverLimit, threadLimit int) error {
	if serverLimit < 1 || threadLimit < 1 {
		return fmt.Errorf("scoreboard: bad limits %d × %d", serverLimit, threadLimit)
	}
	if int64(serverLimit)*int64(threadLimit)*workerSize > maxBytes {
		return fmt.Errorf("scoreboard: %d × %d workers is too large", serverLimit, threadLimit)
	}
	return nil
}

// init writes a fresh header into mem.
func (b *Board) init() {
	h := b.header()
	h.version.Store(version)
	h.serverLimit.Store(uint32(b.serverLimit))
	h.threadLimit.Store(uint32(b.threadLimit))
	h.restartTime.Store(time.Now().UnixNano())
	h.configGen.Store(1)
	h.magic.Store(magic)
}

// adopt checks the header of mapped memory and fills b's limits.
func (b *Board) adopt() error {
	if len(b.mem) < headerSize {
		return ErrLayout
	}
	h := b.header()
	if h.magic.Load() != magic || h.version.Load() != version {
		return ErrLayout
	}
	b.serverLimit, b.threadLimit = int(h.serverLimit.Load()), int(h.threadLimit.Load())
	if checkLimits(b.serverLimit, b.threadLimit) != nil || len(b.mem) < Size(b.serverLimit, b.threadLimit) {
		return ErrLayout
	}
	return nil
}

// File is the descriptor to hand to a child (nil for a board that lives
// only in this process). The Board owns it.
func (b *Board) File() *os.File { return b.file }

// Close unmaps the board and closes its descriptor. No record obtained
// from it may be used afterwards.
func (b *Board) Close() error {
	var err error
	if b.unmap != nil && b.mem != nil {
		err = b.unmap(b.mem)
	}
	b.mem = nil
	if b.file != nil {
		err = errors.Join(err, b.file.Close())
	}
	return err
}

// ServerLimit is the number of child slots.
func (b *Board) ServerLimit() int { return b.serverLimit }

// ThreadLimit is the number of worker records per slot.
func (b *Board) ThreadLimit() int { return b.threadLimit }

func (b *Board) header() *header { return (*header)(unsafe.Pointer(&b.mem[0])) }

// Global returns the global record.
func (b *Board) Global() Global { return Global{b.header()} }

// Process returns the record of child slot slot (0 ≤ slot < ServerLimit).
func (b *Board) Process(slot int) Process {
	if slot < 0 || slot >= b.serverLimit {
		panic(fmt.Sprintf("scoreboard: slot %d out of range", slot))
	}
	return Process{(*processRec)(unsafe.Pointer(&b.mem[headerSize+slot*processSize]))}
}

// Worker returns the record of thread thread of child slot slot.
func (b *Board) Worker(slot, thread int) Worker {
	if slot < 0 || slot >= b.serverLimit || thread < 0 || thread >= b.threadLimit {
		panic(fmt.Sprintf("scoreboard: worker %d/%d out of range", slot, thread))
	}
	off := headerSize + b.serverLimit*processSize + (slot*b.threadLimit+thread)*workerSize
	return Worker{(*workerRec)(unsafe.Pointer(&b.mem[off]))}
}

// Global is the board's global record. The MPM parent sets it before
// starting children; everyone reads it.
type Global struct{ h *header }

// RestartTime is when the board was created (the server's restart time).
func (g Global) RestartTime() time.Time { return time.Unix(0, g.h.restartTime.Load()) }

// Generation is the running generation.
func (g Global) Generation() int { return int(g.h.generation.Load()) }

// SetGeneration sets the running generation.
func (g Global) SetGeneration(n int) { g.h.generation.Store(uint32(n)) }

// Limits are the MPM's settings in force that readers of the board need.
type Limits struct {
	MaxRequestWorkers int  // length of the status scoreboard string
	ThreadsPerChild   int  // worker records in use per slot
	MaxDaemons        int  // active child processes allowed (MaxRequestWorkers / ThreadsPerChild)
	Async             bool // the MPM parks connections (event)
}

// SetLimits records the settings in force.
func (g Global) SetLimits(l Limits) {
	g.h.maxWorkers.Store(uint32(l.MaxRequestWorkers))
	g.h.threads.Store(uint32(l.ThreadsPerChild))
	g.h.maxDaemons.Store(uint32(l.MaxDaemons))
	a := uint32(0)
	if l.Async {
		a = 1
	}
	g.h.async.Store(a)
}

// Limits returns what SetLimits recorded.
func (g Global) Limits() Limits {
	return Limits{
		MaxRequestWorkers: int(g.h.maxWorkers.Load()), ThreadsPerChild: int(g.h.threads.Load()),
		MaxDaemons: int(g.h.maxDaemons.Load()), Async: g.h.async.Load() == 1,
	}
}

// Process is one child slot's record. The parent writes Pid, Generation,
// Quiescing and StartTime; the child in the slot writes the counters.
type Process struct{ r *processRec }

// Pid of the child in the slot; 0 when the slot is free.
func (p Process) Pid() int { return int(p.r.pid.Load()) }

// Generation of the child in the slot.
func (p Process) Generation() int { return int(p.r.generation.Load()) }

// Quiescing reports whether the child was asked to finish and exit.
func (p Process) Quiescing() bool { return p.r.quiescing.Load() != 0 }

// NotAccepting reports whether the child stopped accepting (all workers busy).
func (p Process) NotAccepting() bool { return p.r.notAccepting.Load() != 0 }

// StartTime is when the parent started the child.
func (p Process) StartTime() time.Time { return time.Unix(0, p.r.startTime.Load()) }

// Prepare readies a free slot for a child about to start (parent): the
// counters at zero, not quiescing, the generation set. Call SetPid once
// the child runs.
func (p Process) Prepare(generation int) {
	p.r.generation.Store(uint32(generation))
	p.r.quiescing.Store(0)
	p.r.notAccepting.Store(0)
	p.r.connections.Store(0)
	p.r.keepAlive.Store(0)
	p.r.writeCompletion.Store(0)
	p.r.lingering.Store(0)
	p.r.suspended.Store(0)
	p.r.waitIO.Store(0)
	p.r.startTime.Store(time.Now().UnixNano())
	p.r.heartbeat.Store(Now()) // a starting child has HangTimeout to beat
}

// Beat records that the child in the slot makes progress (child, about
// once a second; see Progressing).
func (p Process) Beat() { p.r.heartbeat.Store(Now()) }

// SinceBeat is how long ago the child last beat, or the parent prepared
// the slot (parent).
func (p Process) SinceBeat() time.Duration { return time.Duration(Now() - p.r.heartbeat.Load()) }

// SetPid records the child running in the slot (parent).
func (p Process) SetPid(pid int) { p.r.pid.Store(int32(pid)) }

// SetQuiescing marks the child as finishing (parent on a graceful stop of
// the child, or the child itself when it decides to exit).
func (p Process) SetQuiescing() { p.r.quiescing.Store(1) }

// Exited frees the slot (parent, after reaping the child).
func (p Process) Exited() {
	p.r.pid.Store(0)
	p.r.quiescing.Store(0)
	p.r.notAccepting.Store(0)
	p.r.connections.Store(0)
	p.r.keepAlive.Store(0)
	p.r.lingering.Store(0)
}

// SetNotAccepting records whether the child accepts new connections (child).
func (p Process) SetNotAccepting(v bool) {
	n := uint32(0)
	if v {
		n = 1
	}
	p.r.notAccepting.Store(n)
}

// AddConnections adds d (may be negative) to the open connections (child).
func (p Process) AddConnections(d int) { p.r.connections.Add(uint32(int32(d))) }

// SetKeepAlive sets the number of idle keep-alive connections parked by
// the child (child; event).
func (p Process) SetKeepAlive(n int) { p.r.keepAlive.Store(uint32(n)) }

// SetLingering sets the number of connections the child is closing
// (lingering close) without a worker (child; event).
func (p Process) SetLingering(n int) { p.r.lingering.Store(uint32(n)) }

// SetWriting sets the number of connections whose response the child is
// finishing without a worker (write completion; child; event).
func (p Process) SetWriting(n int) { p.r.writeCompletion.Store(uint32(n)) }

// Conns are a child's connection counters (event's async columns).
type Conns struct {
	Total, WaitIO, Writing, KeepAlive, Closing, Suspended int
}

// Conns returns the child's connection counters.
func (p Process) Conns() Conns {
	return Conns{
		Total: int(int32(p.r.connections.Load())), WaitIO: int(p.r.waitIO.Load()),
		Writing: int(p.r.writeCompletion.Load()), KeepAlive: int(p.r.keepAlive.Load()),
		Closing: int(p.r.lingering.Load()), Suspended: int(p.r.suspended.Load()),
	}
}

// Worker is one worker's record. Only the worker that owns it writes it.
type Worker struct{ r *workerRec }

// Status is the worker's state.
func (w Worker) Status() State { return State(w.r.status.Load()) }

// SetStatus sets the worker's state.
func (w Worker) SetStatus(s State) { w.r.status.Store(uint32(s)) }

// Generation is the generation of the process that owns the worker.
func (w Worker) Generation() int { return int(w.r.generation.Load()) }

// Reset prepares the record for a new child in the slot: per-child
// counters to zero, state Starting, generation set. The slot's lifetime
// totals (accesses, bytes, duration) are kept, as in Apache.
func (w Worker) Reset(generation int) {
	w.r.myAccessCount.Store(0)
	w.r.myBytesServed.Store(0)
	w.r.connCount.Store(0)
	w.r.connBytes.Store(0)
	w.r.generation.Store(uint32(generation))
	w.r.status.Store(uint32(Starting))
}

// NewConnection starts a connection on the worker: state BusyRead and the
// per-connection counters at zero.
func (w Worker) NewConnection() {
	w.r.connCount.Store(0)
	w.r.connBytes.Store(0)
	w.r.lastUsed.Store(time.Now().UnixMicro())
	w.r.status.Store(uint32(BusyRead))
}

// Touch records that the worker is making progress at now: it starts a
// wait on the network, which the engine bounds by Timeout or
// KeepAliveTimeout (Instrument calls it on every such wait).
func (w Worker) Touch(now time.Time) { w.r.lastUsed.Store(now.UnixMicro()) }

// Progressing reports whether the child in slot shows progress at now:
// ThreadsPerChild is 0 (the MPM keeps no worker records), or some worker
// in use is not busy, or is busy but was touched within stuck. A child
// whose every worker has been busy without touching for longer than stuck
// is wedged: in a handler, on a disk, in a deadlock.
func (b *Board) Progressing(slot int, now time.Time, stuck time.Duration) bool {
	n := min(b.Global().Limits().ThreadsPerChild, b.threadLimit)
	if n <= 0 {
		return true
	}
	limit := now.Add(-stuck).UnixMicro()
	for j := 0; j < n; j++ {
		w := b.Worker(slot, j)
		if !w.Status().Busy() || w.r.lastUsed.Load() >= limit {
			return true
		}
	}
	return false
}

// BeginRequest records a request whose head has been read: state
// BusyWrite, the start time and the texts (each truncated to its field).
// The virtual host is written as Apache's scoreboard does, "vhost:port"
// (the server's ServerName host and the port the connection came in on;
// vhost alone when port is 0); the request line as "METHOD TARGET PROTOCOL".
func (w Worker) BeginRequest(now time.Time, client, vhost string, port int, method, target, proto string) {
	w.r.startTime.Store(now.UnixMicro())
	w.r.status.Store(uint32(BusyWrite))
	w.r.seq.Add(1) // odd: texts being written
	putText(w.r.client[:], client)
	n := addText(w.r.vhost[:], 0, vhost)
	if port > 0 {
		var digits [20]byte
		n = addText(w.r.vhost[:], n, ":")
		n = addText(w.r.vhost[:], n, strconv.AppendInt(digits[:0], int64(port), 10))
	}
	w.r.vhost[n] = 0
	n = addText(w.r.request[:], 0, method)
	n = addText(w.r.request[:], n, " ")
	n = addText(w.r.request[:], n, target)
	n = addText(w.r.request[:], n, " ")
	n = addText(w.r.request[:], n, proto)
	w.r.request[n] = 0
	putText(w.r.protocol[:], protocolName(proto))
	w.r.seq.Add(1) // even: stable
}

// protocolName is Apache's lowercase protocol column ("http/1.1").
func protocolName(proto string) string {
	switch proto {
	case "HTTP/1.1":
		return "http/1.1"
	case "HTTP/1.0":
		return "http/1.0"
	}
	return proto
}

func putText(dst []byte, s string) {
	dst[addText(dst, 0, s)] = 0
}

// addText copies what fits of s to dst[n:], keeping dst's last byte for
// the terminating NUL, and returns the new length.
func addText[T string | []byte](dst []byte, n int, s T) int {
	return n + copy(dst[n:len(dst)-1], s)
}

// EndRequest counts a finished request of bytes body bytes that began at
// the last BeginRequest (or at start, if BeginRequest was not called).
func (w Worker) EndRequest(now time.Time, bytes int64) {
	us := now.UnixMicro()
	start := w.r.startTime.Load()
	if start > 0 && us > start {
		w.r.duration.Add(uint64(us - start))
	}
	b := uint64(max(bytes, 0))
	w.r.accessCount.Add(1)
	w.r.myAccessCount.Add(1)
	w.r.connCount.Add(1)
	w.r.bytesServed.Add(b)
	w.r.myBytesServed.Add(b)
	w.r.connBytes.Add(b)
	w.r.stopTime.Store(us)
	w.r.lastUsed.Store(us)
}

// WorkerInfo is a consistent copy of a worker record.
type WorkerInfo struct {
	Status                       State
	Generation                   int
	Accesses, Bytes              uint64 // this slot, all children
	MyAccesses, MyBytes          uint64 // the current child
	ConnAccesses, ConnBytes      uint64 // the current connection
	Start, Stop, LastUsed        time.Time
	Duration                     time.Duration // sum over the slot's requests
	Client, VHost, Request, Prot string
}

// Info returns a copy of the record, texts included.
func (w Worker) Info() WorkerInfo {
	r := w.r
	i := WorkerInfo{
		Status: State(r.status.Load()), Generation: int(r.generation.Load()),
		Accesses: r.accessCount.Load(), Bytes: r.bytesServed.Load(),
		MyAccesses: r.myAccessCount.Load(), MyBytes: r.myBytesServed.Load(),
		ConnAccesses: r.connCount.Load(), ConnBytes: r.connBytes.Load(),
		Start: usTime(r.startTime.Load()), Stop: usTime(r.stopTime.Load()), LastUsed: usTime(r.lastUsed.Load()),
		Duration: time.Duration(r.duration.Load()) * time.Microsecond,
	}
	// A worker rewrites its texts once per request; a reader that keeps
	// losing the race yields, and after many tries reports no texts rather
	// than a torn mix.
	for try := 0; try < 1000; try++ {
		s := r.seq.Load()
		if s&1 == 0 {
			var buf [ClientLen + VHostLen + RequestLen + ProtocolLen]byte
			n := copy(buf[:], r.client[:])
			n += copy(buf[n:], r.vhost[:])
			n += copy(buf[n:], r.request[:])
			copy(buf[n:], r.protocol[:])
			if r.seq.Load() == s {
				b := buf[:]
				i.Client, b = getText(b[:ClientLen]), b[ClientLen:]
				i.VHost, b = getText(b[:VHostLen]), b[VHostLen:]
				i.Request, b = getText(b[:RequestLen]), b[RequestLen:]
				i.Prot = getText(b)
				return i
			}
		}
		if try%16 == 15 {
			runtime.Gosched()
		}
	}
	return i
}

func usTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us)
}

func getText(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
