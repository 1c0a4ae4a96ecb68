// Package spawn is what starting an MPM's child process needs, written on
// package os and syscall alone, and the plugin's first child started from
// a package init (First, through package mpm/earlystart).
//
// Go initialises a program's packages one at a time, each time the one
// with the smallest import path among those whose imports are done. This
// package imports nothing that package os does not already need but
// strconv, internal/wire (which imports nothing) and internal/cloexec (os,
// strconv, syscall): a package init that calls First (mpm/earlystart's) is
// ready right after os and runs before the plugin's gRPC, protobuf,
// go-plugin and net/http packages are initialised, nearly two milliseconds
// of CPU here, which the child's own start then overlaps.
// TestEarlystartInitialisedEarly (internal/testbin) keeps it so.
package spawn

import (
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// Child is a started child that waits for its spec on Conn.
type Child struct {
	Process *os.Process
	Path    string // the program it runs
	Conn    *os.File
	Cred    *syscall.Credential // what it runs as; nil: the plugin's user

	mu    sync.Mutex
	state *os.ProcessState
}

// Wait waits for the child to exit and reaps it; one call may wait (see
// os.Process.Wait). State then holds its exit state.
func (c *Child) Wait() error {
	st, err := c.Process.Wait()
	if st != nil {
		c.mu.Lock()
		c.state = st
		c.mu.Unlock()
	}
	return err
}

// State is the child's exit state once Wait has reaped it, else nil.
func (c *Child) State() *os.ProcessState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// IsPlugin reports whether this process is a plugin the host started
// (go-plugin's cookie set), not a child of one.
func IsPlugin() bool {
	return os.Getenv(wire.ChildEnv) == "" && os.Getenv(wire.CookieKey) == wire.CookieValue
}

// Environ is this process's environment without go-plugin's variables
// and the host's messages to the plugin.
func Environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		name := kv
		for i := range len(kv) {
			if kv[i] == '=' {
				name = kv[:i]
				break
			}
		}
		if hasPrefix(name, "PLUGIN_") || name == wire.CookieKey || slices.Contains(wire.Roles[:], name) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// ChildEnviron is a child's environment: Environ, wire.ChildEnv=spec,
// when the environment sets no GOMAXPROCS, GOMAXPROCS=1 with wire.OnePEnv
// (see wire.OnePEnv), and, if cred is not nil, wire.CredentialEnv: the
// child is executed as this process and drops to cred itself (see drop).
func ChildEnviron(spec string, cred *syscall.Credential) []string {
	env := append(Environ(), wire.ChildEnv+"="+spec)
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		env = append(env, "GOMAXPROCS=1", wire.OnePEnv+"=1")
	}
	if cred != nil {
		env = append(env, wire.CredentialEnv+"="+formatCredential(cred))
	}
	return env
}

// formatCredential is c in the JSON form of an mpm.Credential, which
// parseCredential reads: {"Uid":N,"Gid":N,"Groups":[N,...]}, null for no
// groups.
func formatCredential(c *syscall.Credential) string {
	b := []byte(`{"Uid":`)
	b = strconv.AppendUint(b, uint64(c.Uid), 10)
	b = append(b, `,"Gid":`...)
	b = strconv.AppendUint(b, uint64(c.Gid), 10)
	b = append(b, `,"Groups":`...)
	if c.Groups == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, g := range c.Groups {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(g), 10)
		}
		b = append(b, ']')
	}
	return string(append(b, '}'))
}

// hasPrefix is strings.HasPrefix: package strings, which os does not
// import, would be initialised late (slices is one of os's).
func hasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

// LifelineFD is the descriptor on which the host hands the plugin the read
// end of its lifeline pipe, and on which a child has it.
const LifelineFD = 3

var lifeline struct {
	once sync.Once
	f    *os.File
}

// Lifeline is the plugin's descriptor LifelineFD as a file, made once: a
// second *os.File of it would close the descriptor when collected.
func Lifeline() *os.File {
	lifeline.once.Do(func() { lifeline.f = os.NewFile(LifelineFD, "lifeline") })
	return lifeline.f
}

// SocketFD is the descriptor of an early child's end of the socket on
// which it waits for its spec.
const SocketFD = 4

// EarlyMarker is wire.ChildEnv's value in a child that waits for its spec
// on SocketFD before any StartChild wanted it.
const EarlyMarker = "early"
