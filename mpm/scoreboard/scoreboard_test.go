package scoreboard

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestStateChars(t *testing.T) {
	want := map[State]byte{Dead: '.', Starting: 'S', Ready: '_', BusyRead: 'R', BusyWrite: 'W', BusyKeepalive: 'K',
		BusyLog: 'L', BusyDNS: 'D', Closing: 'C', Graceful: 'G', IdleKill: 'I'}
	for s, c := range want {
		if s.Char() != c {
			t.Errorf("State(%d).Char() = %c, want %c", s, s.Char(), c)
		}
	}
}

// TestSharedMapping: a second mapping of the descriptor (what a child
// gets) sees the first one's writes and the other way round.
func TestSharedMapping(t *testing.T) {
	b, c := createShared(t, 4, 3)
	if c.ServerLimit() != 4 || c.ThreadLimit() != 3 {
		t.Fatalf("opened limits %d×%d", c.ServerLimit(), c.ThreadLimit())
	}
	b.Global().SetLimits(Limits{MaxRequestWorkers: 6, ThreadsPerChild: 3, MaxDaemons: 2})
	b.Process(1).Prepare(0)
	b.Process(1).SetPid(4242)
	for j := 0; j < 3; j++ {
		b.Worker(1, j).Reset(0)
	}
	w := c.Worker(1, 2)
	w.SetStatus(Ready)
	w.NewConnection()
	w.BeginRequest(time.Now(), "127.0.0.1", "localhost", 80, "GET", "/index.html", "HTTP/1.1")
	w.EndRequest(time.Now().Add(time.Millisecond), 1234)
	w.SetStatus(BusyKeepalive)
	c.Worker(1, 0).SetStatus(Ready)

	info := b.Worker(1, 2).Info()
	if info.Request != "GET /index.html HTTP/1.1" || info.Client != "127.0.0.1" || info.Prot != "http/1.1" || info.VHost != "localhost:80" {
		t.Errorf("texts %+v", info)
	}
	if info.Accesses != 1 || info.Bytes != 1234 || info.MyAccesses != 1 || info.ConnAccesses != 1 || info.Duration <= 0 {
		t.Errorf("counters %+v", info)
	}
	s := b.Summary()
	// Slots 0 and 1 are within MaxDaemons (2×3 = 6 characters); slots 2
	// and 3 are dead and beyond it, so they are left out.
	if s.Scoreboard != "..._SK" {
		t.Errorf("scoreboard %q", s.Scoreboard)
	}
	if s.Processes != 1 || s.IdleWorkers != 1 || s.BusyWorkers != 1 || s.Accesses != 1 || s.Bytes != 1234 || len(s.Pids) != 1 || s.Pids[0] != 4242 {
		t.Errorf("summary %+v", s)
	}
	b.Process(1).SetQuiescing()
	if s := c.Summary(); s.Stopping != 1 || s.IdleWorkers != 0 || s.BusyWorkers != 0 {
		t.Errorf("quiescing child still counted: %+v", s)
	}
}

func TestTruncation(t *testing.T) {
	b, err := Create(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	w := b.Worker(0, 0)
	long := strings.Repeat("x", 200)
	w.BeginRequest(time.Now(), long, long, 8080, "GET", long, "HTTP/1.1")
	i := w.Info()
	if len(i.Request) != RequestLen-1 || !strings.HasPrefix(i.Request, "GET x") || len(i.Client) != ClientLen-1 || len(i.VHost) != VHostLen-1 {
		t.Errorf("truncation: %q (%d) client %d vhost %d", i.Request, len(i.Request), len(i.Client), len(i.VHost))
	}
	// Apache's "%s:%d" into its 32 bytes: the port is cut as the host would be.
	w.BeginRequest(time.Now(), "c", strings.Repeat("v", 28), 8080, "GET", "/", "HTTP/1.1")
	if i := w.Info(); i.VHost != strings.Repeat("v", 28)+":80" {
		t.Errorf("vhost %q, want the host and the port's start", i.VHost)
	}
}

// TestConcurrentReaders: texts read while a worker rewrites them are
// always one whole request line, never a mix (run with -race).
func TestConcurrentReaders(t *testing.T) {
	b, err := Create(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	w := b.Worker(0, 0)
	lines := []string{"GET /aaaaaaaa HTTP/1.1", "POST /bb HTTP/1.0"}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				w.BeginRequest(time.Now(), "c", "v", 0, "GET", "/aaaaaaaa", "HTTP/1.1")
			} else {
				w.BeginRequest(time.Now(), "c", "v", 0, "POST", "/bb", "HTTP/1.0")
			}
			w.EndRequest(time.Now(), 1)
		}
	}()
	for i := 0; i < 20000; i++ {
		r := w.Info().Request
		if r != "" && r != lines[0] && r != lines[1] {
			close(stop)
			wg.Wait()
			t.Fatalf("torn read %q", r)
		}
	}
	close(stop)
	wg.Wait()
}

func TestOpenRejectsOtherMemory(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 8192))
	if _, err := Open(f); !errors.Is(err, ErrLayout) {
		t.Errorf("Open(zeros) = %v, want ErrLayout", err)
	}
}

// BenchmarkRequest is the per-request cost a worker pays.
func BenchmarkRequest(b *testing.B) {
	sb, err := Create(1, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	w := sb.Worker(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		now := time.Now()
		w.SetStatus(BusyRead)
		w.BeginRequest(now, "127.0.0.1", "localhost", 0, "GET", "/index.html", "HTTP/1.1")
		w.EndRequest(now, 512)
		w.SetStatus(BusyKeepalive)
	}
}

// TestHeartbeat: a beat through one mapping (the child's) is what the
// other (the parent's) reads; Prepare starts the clock for a new child.
func TestHeartbeat(t *testing.T) {
	b, c := createShared(t, 2, 1)
	p := b.Process(1)
	p.r.heartbeat.Store(Now() - int64(time.Hour))
	if p.SinceBeat() < time.Hour {
		t.Fatalf("SinceBeat %s after a beat an hour ago", p.SinceBeat())
	}
	c.Process(1).Beat()
	if d := p.SinceBeat(); d >= time.Hour || d < 0 {
		t.Fatalf("SinceBeat %s after the child beat", d)
	}
	p.r.heartbeat.Store(Now() - int64(time.Hour))
	p.Prepare(0)
	if d := p.SinceBeat(); d >= time.Hour {
		t.Fatalf("SinceBeat %s after Prepare", d)
	}
}

// TestProgressing: a child is wedged only when every worker in use is
// busy and untouched for longer than the bound.
func TestProgressing(t *testing.T) {
	b, err := Create(1, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	now := time.Now()
	if !b.Progressing(0, now, time.Second) {
		t.Error("no ThreadsPerChild recorded: want progressing")
	}
	b.Global().SetLimits(Limits{MaxRequestWorkers: 3, ThreadsPerChild: 3, MaxDaemons: 1})
	for j := 0; j < 3; j++ {
		b.Worker(0, j).SetStatus(BusyWrite)
		b.Worker(0, j).Touch(now.Add(-time.Minute))
	}
	b.Worker(0, 3).SetStatus(Ready) // beyond ThreadsPerChild: not counted
	if b.Progressing(0, now, 10*time.Second) {
		t.Error("every worker busy for a minute without progress: want wedged")
	}
	if !b.Progressing(0, now, 2*time.Minute) {
		t.Error("a minute within a bound of two: want progressing")
	}
	b.Worker(0, 1).Touch(now)
	if !b.Progressing(0, now, 10*time.Second) {
		t.Error("a worker touched now: want progressing")
	}
	b.Worker(0, 1).Touch(now.Add(-time.Minute))
	b.Worker(0, 2).SetStatus(Ready)
	if !b.Progressing(0, now, 10*time.Second) {
		t.Error("an idle worker: want progressing")
	}
}

// createShared creates a board and opens it a second time from a
// duplicate of its descriptor, as a child does; both close with the test.
func createShared(t *testing.T, serverLimit, threadLimit int) (parent, child *Board) {
	t.Helper()
	b, err := Create(serverLimit, threadLimit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	fd, err := unix.Dup(int(b.File().Fd()))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Open(os.NewFile(uintptr(fd), "dup"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return b, c
}

// TestSummaryCorruptHeader: a child that writes nonsense into the global
// record (it can write the whole board) does not make the parent's
// Summary allocate by it: the scoreboard string stays within the
// ServerLimit × ThreadLimit the parent created, and the counts stay
// right.
func TestSummaryCorruptHeader(t *testing.T) {
	const servers, threads = 3, 4
	b, c := createShared(t, servers, threads)
	b.Global().SetLimits(Limits{MaxRequestWorkers: 8, ThreadsPerChild: 4, MaxDaemons: 2})
	b.Process(0).Prepare(0)
	b.Process(0).SetPid(4242)
	for j := range threads {
		b.Worker(0, j).Reset(0)
		c.Worker(0, j).SetStatus(Ready)
	}
	c.Worker(0, 1).SetStatus(BusyWrite)
	if s := b.Summary(); s.Scoreboard != "_W__...." {
		t.Fatalf("before: scoreboard %q", s.Scoreboard)
	}

	// The "child" writes the largest values into every header word.
	h := c.header()
	h.maxWorkers.Store(0xFFFFFFFF)
	h.threads.Store(0xFFFFFFFF)
	h.maxDaemons.Store(0xFFFFFFFF)
	h.serverLimit.Store(0xFFFFFFFF)
	h.threadLimit.Store(0xFFFFFFFF)
	h.generation.Store(0xFFFFFFFF)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := b.Summary()
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("Summary allocated %d bytes over a corrupt header", n)
	}
	if len(s.Scoreboard) != servers*threads {
		t.Errorf("scoreboard %q (%d), want one character per record (%d)", s.Scoreboard, len(s.Scoreboard), servers*threads)
	}
	if s.Processes != 1 || len(s.Pids) != 1 || s.Pids[0] != 4242 || s.BusyWorkers != 1 {
		t.Errorf("summary %+v", s)
	}
	if b.ServerLimit() != servers || b.ThreadLimit() != threads {
		t.Errorf("parent's limits now %d×%d", b.ServerLimit(), b.ThreadLimit())
	}
}
