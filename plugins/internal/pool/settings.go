package pool

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// Kind is which of Apache's MPMs the pool behaves as.
type Kind int

// The MPMs.
const (
	Prefork Kind = iota
	Worker
	Event
)

func (k Kind) String() string { return [...]string{"prefork", "worker", "event"}[k] }

// Threaded reports whether children run a thread pool (worker, event).
func (k Kind) Threaded() bool { return k != Prefork }

// Compile-time limits of Apache 2.4 (MAX_SERVER_LIMIT, MAX_THREAD_LIMIT).
const (
	preforkMaxServerLimit  = 200000
	threadedMaxServerLimit = 20000
	workerMaxThreadLimit   = 20000
	eventMaxThreadLimit    = 100000
	maxSpawnRate           = 32 // MAX_SPAWN_RATE
)

// Settings are an MPM's directives after Apache's checks and clamping:
// what the parent maintains and what each child serves with.
type Settings struct {
	Kind              Kind
	StartServers      int
	MinSpare          int // MinSpareServers (prefork) or MinSpareThreads
	MaxSpare          int // MaxSpareServers (prefork) or MaxSpareThreads
	MaxRequestWorkers int
	ServerLimit       int // child slots in the scoreboard
	ThreadLimit       int // worker records per slot (1 for prefork)
	ThreadsPerChild   int // 1 for prefork
	// DaemonsLimit is how many children may be active (not stopping) at
	// once: MaxRequestWorkers for prefork, MaxRequestWorkers /
	// ThreadsPerChild for worker and event.
	DaemonsLimit int
	// AsyncRequestWorkerFactor (event) bounds the connections a child
	// accepts: ThreadsPerChild + idle workers × factor.
	AsyncRequestWorkerFactor float64
	// ListenCoresBucketsRatio as configured (0 = off). The host binds the
	// buckets' SO_REUSEPORT sockets (it owns the listeners); the pool gives
	// each child its bucket's (see bucketOf).
	ListenCoresBucketsRatio int
	// ChildMemoryLimit is our extension (Apache has no such directive): a
	// child whose resident memory exceeds it, in bytes, is recycled
	// gracefully. 0 is no limit.
	ChildMemoryLimit int64
}

// minChildMemoryLimit is the least ChildMemoryLimit (MiB) taken: below it
// a child would be over the limit as soon as it starts, and be recycled
// again and again.
const minChildMemoryLimit = 32

// Directives returns the directive table of an MPM, with Apache 2.4's
// defaults. Numbers are read as Apache reads them (atoi), so a value out
// of range is clamped with Apache's warning rather than refused.
func Directives(k Kind) []mpm.Directive {
	num := func(name, def, help string) mpm.Directive {
		return mpm.Directive{Name: name, Kind: mpm.KindString, Default: def, Help: help}
	}
	common := []mpm.Directive{
		num("StartServers", map[Kind]string{Prefork: "5", Worker: "3", Event: "3"}[k], "Number of child processes launched at server startup"),
		num("MaxRequestWorkers", map[Kind]string{Prefork: "256", Worker: "400", Event: "400"}[k], "Maximum number of threads alive at the same time"),
		num("MaxClients", "", "Deprecated name of MaxRequestWorkers"),
		num("ServerLimit", map[Kind]string{Prefork: "256", Worker: "16", Event: "16"}[k], "Maximum number of child processes for this run of Apache"),
		num("ListenCoresBucketsRatio", "", "Ratio between the number of CPU cores (online) and the number of listeners buckets"),
		num("ChildMemoryLimit", "0", "Resident memory in MiB above which a child process is recycled gracefully; 0 for no limit (httpd-mpm extension)"),
	}
	if k == Prefork {
		common[1].Help = "Maximum number of children alive at the same time"
		common[3].Help = "Maximum value of MaxRequestWorkers for this run of Apache"
		return append(common,
			num("MinSpareServers", "5", "Minimum number of idle children, to handle request spikes"),
			num("MaxSpareServers", "10", "Maximum number of idle children"),
		)
	}
	d := append(common,
		num("MinSpareThreads", "75", "Minimum number of idle threads, to handle request spikes"),
		num("MaxSpareThreads", "250", "Maximum number of idle threads"),
		num("ThreadsPerChild", "25", "Number of threads each child creates"),
		num("ThreadLimit", "64", "Maximum number of worker threads per child process for this run of Apache - Upper limit for ThreadsPerChild"),
	)
	if k == Event {
		d = append(d, num("AsyncRequestWorkerFactor", "2", "How many additional connects will be accepted per idle worker thread"))
	}
	return d
}

// normalize maps the deprecated MaxClients onto MaxRequestWorkers (they
// are one setting in Apache: the later line wins) and reports its use.
func normalize(settings []mpm.Setting) (out []mpm.Setting, deprecated *mpm.Setting) {
	out = make([]mpm.Setting, len(settings))
	copy(out, settings)
	for i := range out {
		if strings.EqualFold(out[i].Name, "MaxClients") {
			deprecated = &settings[i]
			out[i].Name = "MaxRequestWorkers"
		}
	}
	return out, deprecated
}

// ahCodes are the AH numbers of each MPM's check_config warnings, in
// Apache's order of checks.
type ahCodes struct {
	serverLimitHigh, serverLimitLow, threadLimitHigh, threadLimitLow,
	threadsHigh, threadsLow, workersLow, workersMultiple, workersHigh,
	startLow, minSpareLow string
}

var threadedCodes = map[Kind]ahCodes{
	Worker: {"AH00300", "AH00302", "AH00305", "AH00307", "AH00310", "AH00312", "AH00314", "AH00316", "AH00318", "AH00320", "AH00322"},
	Event:  {"AH00497", "AH00499", "AH00502", "AH00504", "AH00507", "AH00509", "AH00511", "AH00513", "AH00515", "AH00517", "AH00519"},
}

// Resolve reads the decoded directives the way the MPM's check_config and
// run hooks do: clamping with Apache's startup warnings, refusing what
// Apache refuses, then the silent run-time adjustments.
func Resolve(k Kind, v mpm.Values) (Settings, []mpm.Diagnostic) {
	var diags []mpm.Diagnostic
	warn := func(code, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if code != "" {
			msg = code + ": " + msg
		}
		diags = append(diags, mpm.Diagnostic{Severity: mpm.SeverityWarning, Message: msg})
	}
	fail := func(name, msg string) {
		d := mpm.Diagnostic{Severity: mpm.SeverityError, Message: msg}
		if s := v.Setting(name); s != nil {
			d.File, d.Line = s.File, s.Line
		}
		diags = append(diags, d)
	}
	// limit clamps *n into 1..hi with Apache's two warnings.
	limit := func(n *int, name, unit string, hi int, hiCode, loCode string) {
		switch {
		case *n > hi:
			warn(hiCode, "WARNING: %s of %d exceeds compile-time limit of %d %s, decreasing to %d.", name, *n, hi, unit, hi)
			*n = hi
		case *n < 1:
			warn(loCode, "WARNING: %s of %d not allowed, increasing to 1.", name, *n)
			*n = 1
		}
	}
	s := Settings{Kind: k, ThreadsPerChild: 1, ThreadLimit: 1}
	if r := v.String("ListenCoresBucketsRatio"); r != "" {
		if s.ListenCoresBucketsRatio = mpm.Atoi(r); s.ListenCoresBucketsRatio <= 0 {
			fail("ListenCoresBucketsRatio", "ListenCoresBucketsRatio must be > 0")
		}
	}
	s.ChildMemoryLimit = childMemoryLimit(v, warn, fail)
	s.ServerLimit = v.Atoi("ServerLimit")
	s.MaxRequestWorkers = v.Atoi("MaxRequestWorkers")
	s.StartServers = v.Atoi("StartServers")

	if k == Prefork {
		limit(&s.ServerLimit, "ServerLimit", "servers", preforkMaxServerLimit, "AH00175", "AH00177")
		switch {
		case s.MaxRequestWorkers > s.ServerLimit:
			warn("AH00180", "WARNING: MaxRequestWorkers of %d exceeds ServerLimit value of %d servers, decreasing MaxRequestWorkers to %d. To increase, please see the ServerLimit directive.", s.MaxRequestWorkers, s.ServerLimit, s.ServerLimit)
			s.MaxRequestWorkers = s.ServerLimit
		case s.MaxRequestWorkers < 1:
			warn("AH00182", "WARNING: MaxRequestWorkers of %d not allowed, increasing to 1.", s.MaxRequestWorkers)
			s.MaxRequestWorkers = 1
		}
		if s.StartServers < 1 {
			warn("AH00184", "WARNING: StartServers of %d not allowed, increasing to 1.", s.StartServers)
			s.StartServers = 1
		}
		s.MinSpare = v.Atoi("MinSpareServers")
		if s.MinSpare < 1 {
			warn("AH00186", "WARNING: MinSpareServers of %d not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.", s.MinSpare)
			s.MinSpare = 1
		}
		// prefork_run, with one listeners bucket.
		s.MaxSpare = max(v.Atoi("MaxSpareServers"), s.MinSpare+1)
		s.DaemonsLimit = s.MaxRequestWorkers
		s.StartServers = min(s.StartServers, s.DaemonsLimit)
		return s, diags
	}

	c := threadedCodes[k]
	maxThreadLimit := workerMaxThreadLimit
	if k == Event {
		maxThreadLimit = eventMaxThreadLimit
		s.AsyncRequestWorkerFactor = asyncFactor(v, fail)
	}
	limit(&s.ServerLimit, "ServerLimit", "servers", threadedMaxServerLimit, c.serverLimitHigh, c.serverLimitLow)
	s.ThreadLimit = v.Atoi("ThreadLimit")
	limit(&s.ThreadLimit, "ThreadLimit", "threads", maxThreadLimit, c.threadLimitHigh, c.threadLimitLow)
	s.ThreadsPerChild = v.Atoi("ThreadsPerChild")
	switch {
	case s.ThreadsPerChild > s.ThreadLimit:
		warn(c.threadsHigh, "WARNING: ThreadsPerChild of %d exceeds ThreadLimit of %d threads, decreasing to %d. To increase, please see the ThreadLimit directive.", s.ThreadsPerChild, s.ThreadLimit, s.ThreadLimit)
		s.ThreadsPerChild = s.ThreadLimit
	case s.ThreadsPerChild < 1:
		warn(c.threadsLow, "WARNING: ThreadsPerChild of %d not allowed, increasing to 1.", s.ThreadsPerChild)
		s.ThreadsPerChild = 1
	}
	tpc := s.ThreadsPerChild
	if s.MaxRequestWorkers < tpc {
		warn(c.workersLow, "WARNING: MaxRequestWorkers of %d is less than ThreadsPerChild of %d, increasing to %d. MaxRequestWorkers must be at least as large as the number of threads in a single server.", s.MaxRequestWorkers, tpc, tpc)
		s.MaxRequestWorkers = tpc
	}
	s.DaemonsLimit = s.MaxRequestWorkers / tpc
	if s.MaxRequestWorkers%tpc != 0 {
		was := s.MaxRequestWorkers
		s.MaxRequestWorkers = s.DaemonsLimit * tpc
		warn(c.workersMultiple, "WARNING: MaxRequestWorkers of %d is not an integer multiple of ThreadsPerChild of %d, decreasing to nearest multiple %d, for a maximum of %d servers.", was, tpc, s.MaxRequestWorkers, s.DaemonsLimit)
	}
	if s.DaemonsLimit > s.ServerLimit {
		warn(c.workersHigh, "WARNING: MaxRequestWorkers of %d would require %d servers and would exceed ServerLimit of %d, decreasing to %d. To increase, please see the ServerLimit directive.", s.MaxRequestWorkers, s.DaemonsLimit, s.ServerLimit, s.ServerLimit*tpc)
		s.DaemonsLimit = s.ServerLimit
		s.MaxRequestWorkers = s.ServerLimit * tpc
	}
	if s.StartServers < 1 {
		warn(c.startLow, "WARNING: StartServers of %d not allowed, increasing to 1.", s.StartServers)
		s.StartServers = 1
	}
	s.MinSpare = v.Atoi("MinSpareThreads")
	if s.MinSpare < 1 {
		warn(c.minSpareLow, "WARNING: MinSpareThreads of %d not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.", s.MinSpare)
		s.MinSpare = 1
	}
	// worker_run / event_run, with one listeners bucket.
	s.MaxSpare = max(v.Atoi("MaxSpareThreads"), s.MinSpare+tpc+1)
	s.StartServers = min(s.StartServers, s.DaemonsLimit)
	return s, diags
}

// childMemoryLimit reads ChildMemoryLimit, in MiB, into bytes. Being
// ours, it takes a whole number only; a negative one means no limit and a
// small one is raised to minChildMemoryLimit, each with a warning.
func childMemoryLimit(v mpm.Values, warn func(code, format string, args ...any), fail func(name, msg string)) int64 {
	arg := strings.TrimSpace(v.String("ChildMemoryLimit"))
	if arg == "" {
		return 0
	}
	mib, err := strconv.ParseInt(arg, 10, 64)
	switch {
	case err != nil || mib > 1<<30:
		fail("ChildMemoryLimit", fmt.Sprintf("ChildMemoryLimit takes a whole number of MiB (0 for no limit), not %q", arg))
		return 0
	case mib < 0:
		warn("", "WARNING: ChildMemoryLimit of %d not allowed, setting to 0 (no limit).", mib)
		return 0
	case mib > 0 && mib < minChildMemoryLimit:
		warn("", "WARNING: ChildMemoryLimit of %d MiB is less than a child needs to start, increasing to %d.", mib, minChildMemoryLimit)
		mib = minChildMemoryLimit
	}
	return mib << 20
}

// asyncFactor reads AsyncRequestWorkerFactor as event's strtod-based
// handler does; values below 1 become 1.
func asyncFactor(v mpm.Values, fail func(name, msg string)) float64 {
	arg := v.String("AsyncRequestWorkerFactor")
	f, err := strconv.ParseFloat(arg, 64)
	if err != nil {
		fail("AsyncRequestWorkerFactor", "error parsing value")
		return 2
	}
	if f <= 0 {
		fail("AsyncRequestWorkerFactor", "AsyncRequestWorkerFactor argument must be a positive number")
		return 2
	}
	return max(f, 1)
}
