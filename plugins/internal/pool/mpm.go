package pool

import (
	"context"
	"fmt"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// MPM is the plugin-process side shared by prefork, worker and event: it
// checks the directives, starts the children and stops them. What differs
// between them is how many children to start and how a child serves.
type MPM struct {
	Desc mpm.Description
	// Check validates decoded values beyond the directive table (clamping
	// warnings, cross-directive rules). Optional.
	Check func(v mpm.Values) []mpm.Diagnostic
	// Servers is the number of child processes to start.
	Servers func(v mpm.Values) int
	// Serve runs in each child process.
	Serve func(c *mpm.Child, v mpm.Values) error

	mu     sync.Mutex
	cfg    *mpm.Config
	values mpm.Values
	pool   *Pool
}

var (
	_ mpm.MPM         = (*MPM)(nil)
	_ mpm.ChildServer = (*MPM)(nil)
)

// Describe implements mpm.MPM.
func (m *MPM) Describe() mpm.Description { return m.Desc }

// Configure implements mpm.MPM.
func (m *MPM) Configure(cfg *mpm.Config) []mpm.Diagnostic {
	v, diags := mpm.Decode(m.Desc.Directives, cfg.Settings)
	if m.Check != nil && len(diags) == 0 {
		diags = append(diags, m.Check(v)...)
	}
	m.mu.Lock()
	m.cfg, m.values = cfg, v
	m.mu.Unlock()
	return diags
}

// Run implements mpm.MPM: it starts the children.
func (m *MPM) Run(_ context.Context, ls []mpm.Listener) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cfg == nil {
		return fmt.Errorf("run before configure")
	}
	m.pool = &Pool{Config: m.cfg, Listeners: ls, Log: m.cfg.Log}
	if err := m.pool.Start(m.Servers(m.values)); err != nil {
		return err
	}
	m.cfg.Log.Info(fmt.Sprintf("%s: %s configured -- resuming normal operations", apacheCodes[m.Desc.Name].resuming, m.cfg.Core.Software))
	return nil
}

// Status implements mpm.MPM.
func (m *MPM) Status() mpm.Status {
	m.mu.Lock()
	p := m.pool
	m.mu.Unlock()
	if p == nil {
		return mpm.Status{}
	}
	pids := p.Pids()
	return mpm.Status{Processes: len(pids), Pids: pids}
}

// Stop implements mpm.MPM.
func (m *MPM) Stop(ctx context.Context, graceful bool) error {
	m.mu.Lock()
	p := m.pool
	m.mu.Unlock()
	if p == nil {
		return nil
	}
	if graceful {
		m.cfg.Log.Info(apacheCodes[m.Desc.Name].gracefulStop + ": caught SIGWINCH, shutting down gracefully")
	} else {
		m.cfg.Log.Info(apacheCodes[m.Desc.Name].stop + ": caught SIGTERM, shutting down")
	}
	err := p.Stop(ctx, graceful)
	for _, l := range p.Listeners {
		l.File.Close()
	}
	return err
}

// apacheCodes are the AH numbers Apache's MPMs log their lifecycle with,
// so that log watchers written for Apache keep working.
var apacheCodes = map[string]struct{ resuming, stop, gracefulStop string }{
	"prefork": {"AH00163", "AH00169", "AH00170"},
	"worker":  {"AH00292", "AH00295", "AH00296"},
	"event":   {"AH00489", "AH00491", "AH00492"},
}

// ServeChild implements mpm.ChildServer.
func (m *MPM) ServeChild(c *mpm.Child) error {
	v, diags := mpm.Decode(m.Desc.Directives, c.Config.Settings)
	if len(diags) > 0 {
		return fmt.Errorf("child config: %s", diags[0].Message)
	}
	return m.Serve(c, v)
}
