//go:build !mpmchild

package prestart

import "sync"

// Result is what Plugin did in a plugin process.
type Result struct {
	// Plugin is set in a plugin the host started: its capabilities were
	// limited (CapErr if that failed) and its inherited descriptors
	// made close-on-exec.
	Plugin bool
	CapErr error
	// Path is the child program of the child package mpm/earlystart
	// started (spawn.First), "" if it started none; Program is the result
	// of its checks (Check), or ProgramErr why it is refused.
	Path       string
	Program    *Program
	ProgramErr error
	// Child is that child, nil if none; Err is why starting it failed.
	Child *Child
	Err   error
	// build is the comparison of Program's build with this binary's
	// (BuiltWith), begun when the child was started.
	build func() error
}

var (
	once   sync.Once
	mu     sync.Mutex
	result Result
)

// Plugin does, once and only in a plugin the host started (go-plugin's
// cookie set, not a child), what Serve does first (see start), and
// returns what it did. The first call gets the Child and owns it; later
// ones get none.
func Plugin() Result {
	once.Do(func() { result = start() })
	mu.Lock()
	defer mu.Unlock()
	r := result
	result.Child = nil
	return r
}
