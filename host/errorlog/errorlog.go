// Package errorlog writes the host's ErrorLog in Apache's default error
// log format:
//
//	[Sat Nov 21 21:13:53.123456 2026] [mpm_event:notice] [pid 1234] AH00489: ... resuming normal operations
//
// and turns the plugins' hclog JSON lines into the same format, so that
// one log reads the same whichever process wrote a line.
package errorlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/errline"
	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"

	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
)

// Level is an Apache log level; lower is more severe.
type Level int

// Apache's levels, emerg to trace8.
const (
	Emerg Level = iota
	Alert
	Crit
	Error
	Warn
	Notice
	Info
	Debug
	Trace1
)

// ParseLevel parses an Apache level keyword (-e's). Unknown names give
// Warn and false. A LogLevel value with modules' levels is loglevel.Parse's.
func ParseLevel(s string) (Level, bool) {
	if n, ok := wire.ParseLogLevel(strings.ToLower(strings.TrimSpace(s))); ok {
		return Level(n), true
	}
	return Warn, false
}

func (l Level) String() string { return wire.LogLevelName(int(l)) }

// Log is an error log. It is safe for concurrent use; each line is written
// with one Write call so that lines from several writers never interleave.
type Log struct {
	mu sync.Mutex
	w  io.Writer
	c  io.Closer
	// levels are the log's level (SetLevel) and the modules' own
	// (SetModules).
	levels loglevel.Levels
	pid    int
	now    func() time.Time
}

// New writes to w at the given level.
func New(w io.Writer, level Level) *Log {
	return &Log{w: w, levels: loglevel.Levels{Level: int(level)}, pid: os.Getpid(), now: time.Now}
}

// Open opens an ErrorLog target: a file path (appended to, created 0640),
// "/dev/stderr", or a piped logger ("|command", "|$command" through the
// shell), which ends when the Log is closed. Syslog is refused with a clear
// error: it is not implemented yet.
func Open(path string, level Level) (*Log, error) {
	if path == "/dev/stderr" || path == "/proc/self/fd/2" {
		return New(os.Stderr, level), nil
	}
	if spec, ok := strings.CutPrefix(path, "|"); ok {
		w, err := pipedlog.Start(spec)
		if err != nil {
			return nil, fmt.Errorf("%sAH00089: Couldn't start ErrorLog process '%s'.", pipedlog.ErrnoPrefix(err), spec)
		}
		l := New(w, level)
		l.c = &shared{refs: 1, c: w}
		return l, nil
	}
	if strings.HasPrefix(path, "syslog") {
		return nil, fmt.Errorf("ErrorLog %q: syslog is not supported yet; use a file, /dev/stderr or a piped logger", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open error log: %w", err)
	}
	l := New(f, level)
	l.c = &shared{refs: 1, c: f}
	return l, nil
}

// Close closes the underlying file, if Open opened one; it may be called
// concurrently with Swap and more than once (later calls do nothing).
func (l *Log) Close() error {
	l.mu.Lock()
	c := l.c
	l.c = nil
	l.mu.Unlock()
	if c != nil {
		return c.Close()
	}
	return nil
}

// shared is the target Open opened, which a Log and its Refs write to; the
// last of them to close closes it.
type shared struct {
	mu   sync.Mutex
	refs int
	c    io.Closer
}

func (s *shared) Close() error {
	s.mu.Lock()
	s.refs--
	last := s.refs == 0
	s.mu.Unlock()
	if last {
		return s.c.Close()
	}
	return nil
}

// Ref is another Log on l's target at l's level, closed on its own: the
// target (as Open opened it) is closed once l and every Ref of it are
// closed or swapped away. A generation of MPM processes writes to its Ref
// of the main log until it retires, while l may be swapped to the next
// generation's.
func (l *Log) Ref() *Log {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.c.(*shared); ok {
		s.mu.Lock()
		s.refs++
		s.mu.Unlock()
	}
	return &Log{w: l.w, c: l.c, levels: l.levels, pid: l.pid, now: l.now}
}

// Swap makes l write where next writes, at next's level, and closes what l
// wrote to (as Open opened it; a target a Ref still holds stays open): a
// restart's error log opened anew, while the writers holding l (PluginWriter)
// go on. next must not be used afterwards.
func (l *Log) Swap(next *Log) error {
	l.mu.Lock()
	c := l.c
	l.w, l.c, l.levels = next.w, next.c, next.levels
	l.mu.Unlock()
	if c != nil {
		return c.Close()
	}
	return nil
}

// SetLevel changes the level (a reload may change LogLevel).
func (l *Log) SetLevel(level Level) {
	l.mu.Lock()
	l.levels.Level = int(level)
	l.mu.Unlock()
}

// SetModules gives some modules levels of their own, by the names their
// lines carry (apache2's "LogLevel warn core:info": modules maps "core" to
// 6): their lines are written up to that level instead of l's. It returns l.
func (l *Log) SetModules(modules map[string]int) *Log {
	l.mu.Lock()
	l.levels.Modules = modules
	l.mu.Unlock()
	return l
}

// Enabled reports whether lines at level are written (lines of a module
// with a level of its own: ModuleEnabled).
func (l *Log) Enabled(level Level) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int(level) <= l.levels.Level
}

// ModuleEnabled reports whether module's lines at level are written, as
// apache2's log.c filters them by the module's level, else the log's.
func (l *Log) ModuleEnabled(module string, level Level) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int(level) <= l.levels.For(module)
}

// Printf writes one line from the host itself.
func (l *Log) Printf(module string, level Level, format string, args ...any) {
	l.write(l.now(), module, level, l.pid, fmt.Sprintf(format, args...))
}

// Note writes one line from the host at level whatever the log's level:
// a line the caller has already judged against the level apache2 would
// apply (a virtual host's, for mod_proxy's AH01145 as it reads the files).
func (l *Log) Note(module string, level Level, msg string) {
	line := &errline.Line{Time: l.now(), Module: module, Pid: l.pid, Message: msg, Level: level.String()}
	b := errline.Append(make([]byte, 0, 256), line)
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(b)
}

// Startup writes msg as it is, without time, module, level or pid, as
// Apache writes its startup messages (APLOG_STARTUP), whatever the level.
func (l *Log) Startup(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, strings.TrimRight(msg, "\n")+"\n")
}

func (l *Log) write(t time.Time, module string, level Level, pid int, msg string) {
	l.writeLine(level, &errline.Line{Time: t, Module: module, Pid: pid, Message: msg})
}

// writeLine writes line at level (its Level is set here), if the log's
// level wants it.
func (l *Log) writeLine(level Level, line *errline.Line) {
	if level != Notice && !l.ModuleEnabled(line.Module, level) { // notices always, as Apache's log.c
		return
	}
	line.Level = level.String()
	b := errline.Append(make([]byte, 0, 256), line)
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(b)
}

// File is the open file l writes to (the file Open opened, the pipe to its
// piped logger, or os.Stderr), nil for a Log New made on another writer: an
// MPM's children write request-level lines to it through their own copies
// of the descriptor. The caller does not close it (l owns it). A nil Log
// has none.
func (l *Log) File() *os.File {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f, _ := l.w.(*os.File)
	return f
}

// PluginWriter returns a writer for a plugin's stderr: complete lines of
// hclog JSON become log lines under the plugin's pid; any other line (a
// panic, say) is logged as an error of module "mpm". vhosts are the
// virtual hosts' own ErrorLogs, as apache2's ap_log_rerror writes to the
// log of the server that served the request: a line whose wire.VhostField
// is N goes to vhosts[N-1] when that is not nil, any other line to l. The
// caller keeps ownership of vhosts (closes them once the plugin is gone).
func (l *Log) PluginWriter(defaultPid int, vhosts []*Log) io.Writer {
	p := &pluginWriter{log: l, pid: defaultPid, vhosts: vhosts}
	p.split.Line = p.line
	return p
}

// PluginOutput makes PluginWriters for the output streams of a plugin
// process, given its pid (launch.Options.Output).
func (l *Log) PluginOutput(vhosts []*Log) func(pid int) io.Writer {
	return func(pid int) io.Writer { return l.PluginWriter(pid, vhosts) }
}

type pluginWriter struct {
	log    *Log
	pid    int
	vhosts []*Log
	split  errline.Splitter // lines of at most errline.MaxLine bytes: no newline in sight, what we have is a line
}

func (p *pluginWriter) Write(b []byte) (int, error) { return p.split.Write(b) }

// hclogLevels maps hclog levels onto Apache's.
// An info line marked wire.NoticeField (mpm.Notice) is a notice.
var hclogLevels = map[string]Level{"trace": Trace1, "debug": Debug, "info": Info, "warn": Warn, "error": Error}

func (p *pluginWriter) line(b []byte) {
	b = bytes.TrimRight(b, "\r")
	if len(b) == 0 {
		return
	}
	var e map[string]any
	if b[0] != '{' || json.Unmarshal(b, &e) != nil {
		p.log.write(time.Now(), "mpm", Error, p.pid, string(b))
		return
	}
	module, _ := e["@module"].(string)
	if i := strings.IndexByte(module, '.'); i >= 0 {
		module = module[:i]
	}
	if module == "" {
		module = "mpm"
	}
	level, ok := hclogLevels[fmt.Sprint(e["@level"])]
	if !ok {
		level = Notice
	}
	if e[wire.NoticeField] == true {
		level = Notice
	}
	pid := p.pid
	if v, ok := e["pid"].(float64); ok {
		pid = int(v)
	}
	t := time.Now()
	if ts, ok := e["@timestamp"].(string); ok {
		if pt, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			t = pt
		}
	}
	msg, _ := e["@message"].(string)
	var extra []string
	for k, v := range e {
		if strings.HasPrefix(k, "@") || k == "pid" || requestFields[k] {
			continue
		}
		extra = append(extra, fmt.Sprintf("%s=%v", k, v))
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		msg += " (" + strings.Join(extra, ", ") + ")"
	}
	if m, ok := e[wire.ModuleField].(string); ok && m != "" {
		module = m
	}
	line := errline.Line{Time: t.Local(), Module: module, Pid: pid, Message: msg}
	line.Client, _ = e[wire.ClientField].(string)
	line.Referer, _ = e[wire.RefererField].(string)
	if errno, ok := e[wire.ErrnoField].(float64); ok {
		line.Errno = syscall.Errno(errno)
	}
	p.target(e).writeLine(level, &line)
}

// target is the log line e goes to: its virtual host's own, else the main one.
func (p *pluginWriter) target(e map[string]any) *Log {
	if n, ok := e[wire.VhostField].(float64); ok && n >= 1 && int(n) <= len(p.vhosts) && n == float64(int(n)) {
		if l := p.vhosts[int(n)-1]; l != nil {
			return l
		}
	}
	return p.log
}

// requestFields are the fields of a line that the line's shape shows, not listed
// as extras.
var requestFields = map[string]bool{
	wire.NoticeField: true, wire.ModuleField: true, wire.ClientField: true,
	wire.RefererField: true, wire.ErrnoField: true, wire.VhostField: true,
}
