package pool

import (
	"context"
	"fmt"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// MPM is the plugin-process side shared by prefork, worker and event: it
// checks the directives, creates the scoreboard, runs the pool and stops
// it. What differs between them is Kind and how a child serves.
type MPM struct {
	Kind Kind
	Desc mpm.Description
	// Serve runs in each child process.
	Serve func(c *mpm.Child, s Settings) error

	mu       sync.Mutex
	cfg      *mpm.Config
	settings Settings
	board    *scoreboard.Board
	pool     *Pool
	stopping bool // Stop was called
}

var (
	_ mpm.MPM              = (*MPM)(nil)
	_ mpm.ChildServer      = (*MPM)(nil)
	_ mpm.EarlyChildServer = (*MPM)(nil)
	_ mpm.OnePChildServer  = (*MPM)(nil)
)

// Describe implements mpm.MPM.
func (m *MPM) Describe() mpm.Description { return m.Desc }

// decode reads the MPM's settings from the config: the directive table,
// then Apache's checks.
func (m *MPM) decode(cfg *mpm.Config) (Settings, *mpm.Setting, []mpm.Diagnostic) {
	settings, deprecated := normalize(cfg.Settings)
	v, diags := mpm.Decode(m.Desc.Directives, settings)
	if len(diags) > 0 {
		return Settings{}, deprecated, diags
	}
	s, diags := Resolve(m.Kind, v)
	return s, deprecated, diags
}

// Configure implements mpm.MPM.
func (m *MPM) Configure(cfg *mpm.Config) []mpm.Diagnostic {
	s, deprecated, diags := m.decode(cfg)
	if deprecated != nil && cfg.Log != nil {
		cfg.Log.Info(apacheCodes[m.Kind].maxClients + ": MaxClients is deprecated, use MaxRequestWorkers instead.")
	}
	if _, err := cfg.Core.ChildCredential(); err != nil {
		diags = append(diags, mpm.Diagnostic{Severity: mpm.SeverityError, Message: err.Error()})
	}
	m.mu.Lock()
	m.cfg, m.settings = cfg, s
	m.mu.Unlock()
	return diags
}

// Run implements mpm.MPM: it creates the scoreboard and starts the pool.
func (m *MPM) Run(_ context.Context, ls []mpm.Listener) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cfg == nil {
		return fmt.Errorf("run before configure")
	}
	s := m.settings
	cred, err := m.cfg.Core.ChildCredential()
	if err != nil {
		return err
	}
	board, err := scoreboard.Create(s.ServerLimit, s.ThreadLimit)
	if err != nil {
		return err
	}
	board.Global().SetLimits(scoreboard.Limits{
		MaxRequestWorkers: s.MaxRequestWorkers, ThreadsPerChild: s.ThreadsPerChild,
		MaxDaemons: s.DaemonsLimit, Async: s.Kind == Event,
	})
	m.board = board
	m.pool = &Pool{Settings: s, Config: m.cfg, Listeners: ls, Log: m.cfg.Log, Board: board, Credential: cred}
	if err := m.pool.Start(); err != nil {
		board.Close()
		return err
	}
	// Apache's -X serves before it would log this (and its stop notices).
	if !m.cfg.Core.OneProcess {
		mpm.Notice(m.cfg.Log, fmt.Sprintf("%s: %s configured -- resuming normal operations", apacheCodes[m.Kind].resuming, m.cfg.Core.Software))
	}
	return nil
}

// Status implements mpm.MPM: the scoreboard's counts.
func (m *MPM) Status() mpm.Status {
	m.mu.Lock()
	b, p := m.board, m.pool
	m.mu.Unlock()
	if p == nil {
		return mpm.Status{}
	}
	sum := b.Summary()
	return mpm.Status{
		Processes: sum.Processes, BusyWorkers: sum.BusyWorkers, IdleWorkers: sum.IdleWorkers,
		TotalAccesses: sum.Accesses, TotalBytes: sum.Bytes, Scoreboard: sum.Scoreboard, Pids: p.Pids(),
	}
}

// Stop implements mpm.MPM.
func (m *MPM) Stop(ctx context.Context, graceful bool) error {
	m.mu.Lock()
	p, again := m.pool, m.stopping
	m.stopping = true
	m.mu.Unlock()
	if p == nil {
		return nil
	}
	if again {
		// A hard stop during a graceful one (a second SIGTERM): apache2
		// logs nothing more; the first Stop closes the listeners.
		return p.Stop(ctx, graceful)
	}
	switch {
	case m.cfg.Core.OneProcess:
	case graceful:
		mpm.Notice(m.cfg.Log, apacheCodes[m.Kind].gracefulStop+": caught SIGWINCH, shutting down gracefully")
	default:
		mpm.Notice(m.cfg.Log, apacheCodes[m.Kind].stop+": caught SIGTERM, shutting down")
	}
	err := p.Stop(ctx, graceful)
	for _, l := range p.Listeners {
		l.File.Close()
	}
	return err
}

// apacheCodes are the AH numbers Apache's MPMs log their lifecycle with,
// so that log watchers written for Apache keep working.
var apacheCodes = map[Kind]struct{ resuming, stop, gracefulStop, maxClients string }{
	Prefork: {"AH00163", "AH00169", "AH00170", "AH00188"},
	Worker:  {"AH00292", "AH00295", "AH00296", "AH00324"},
	Event:   {"AH00489", "AH00491", "AH00492", "AH00521"},
}

// EarlyChildren implements mpm.EarlyChildServer: the first child may be
// started before the MPM is configured.
func (m *MPM) EarlyChildren() int { return 1 }

// ChildOnOneP implements mpm.OnePChildServer: a prefork child serves on
// one P (prefork.ServeChild).
func (m *MPM) ChildOnOneP(*mpm.Child) bool { return m.Kind == Prefork }

// ServeChild implements mpm.ChildServer.
func (m *MPM) ServeChild(c *mpm.Child) error {
	s, _, diags := m.decode(c.Config)
	for _, d := range diags {
		if d.Severity == mpm.SeverityError {
			return fmt.Errorf("child config: %s", d.Message)
		}
	}
	return m.Serve(c, s)
}
