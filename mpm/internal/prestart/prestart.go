// Package prestart starts a plugin's first child before the plugin's own
// packages are initialised, and holds what starting any child of an MPM
// needs (the command, its environment, descriptors and credential), which
// package mpm uses for every child.
//
// Go initialises a program's packages in the order of their import paths,
// each once its imports are: this package imports only the standard
// library, golang.org/x/sys/unix and small packages of this module, so its
// init runs before the packages of go-plugin, gRPC and protobuf, whose
// initialisation takes milliseconds. In a plugin the host started to serve
// (go-plugin's cookie and wire.EarlyChildEnv set, not a child) the init
// limits the plugin's capabilities (re-executing it, see
// LimitCapabilities), marks its inherited descriptors close-on-exec, and
// starts one child from the child program the plugin most likely names
// (wire.ChildProgramOf: mod_mpm_X.child beside mod_mpm_X.so) if that file
// passes Check. The child waits on a socket for its spec, as mpm's early
// children do; mpm.Serve adopts it as one of them or ends it (see Plugin).
package prestart

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// Child is a started child that waits for its spec on Conn.
type Child struct {
	Cmd  *exec.Cmd
	Conn *os.File
	Cred *syscall.Credential // what it runs as; nil: the plugin's user
}

// EarlyCredential is the credential the host asks early children to run as
// (wire.EarlyChildEnv, nil for the plugin's user), and whether it asks for
// early children at all.
func EarlyCredential() (cred *syscall.Credential, asked bool, err error) {
	v, asked := os.LookupEnv(wire.EarlyChildEnv)
	if !asked {
		return nil, false, nil
	}
	if err := json.Unmarshal([]byte(v), &cred); err != nil {
		return nil, true, fmt.Errorf("bad early child credential from the host: %w", err)
	}
	return cred, true, nil
}

// LifelineFD is the descriptor on which the host hands the plugin the read
// end of its lifeline pipe.
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

// Command is the command that starts a child: exe, under the name
// name (argv[0]), with this process's environment but for go-plugin's
// variables, wire.ChildEnv=spec (and GOMAXPROCS=1 with wire.OnePEnv when
// the environment sets no GOMAXPROCS), stderr, the descriptors files from fd 3
// on, the parent-death signal and, if set, the credential cred.
func Command(exe, name, spec string, stderr *os.File, files []*os.File, cred *syscall.Credential) (*exec.Cmd, error) {
	cmd := exec.Command(exe)
	cmd.Args[0] = name
	cmd.Env = append(Environ(), wire.ChildEnv+"="+spec)
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		cmd.Env = append(cmd.Env, "GOMAXPROCS=1", wire.OnePEnv+"=1") // see wire.OnePEnv
	}
	cmd.Stderr = stderr
	cmd.ExtraFiles = files
	cmd.SysProcAttr = sysProcAttr()
	if cred != nil {
		if err := setCredential(cmd, cred); err != nil {
			return nil, fmt.Errorf("as uid %d: %w", cred.Uid, err)
		}
	}
	return cmd, nil
}

// Environ is this process's environment without go-plugin's variables
// and the host's messages to the plugin.
func Environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PLUGIN_") || name == wire.CookieKey || slices.Contains(wire.Roles[:], name) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// ErrPinned is why a plugin whose file the host pinned (LoadModuleChecksum)
// runs no child program.
var ErrPinned = errors.New("LoadModuleChecksum pins the plugin file")
