// Package prestart is what a plugin does first (Plugin: limit its
// capabilities, mark its inherited descriptors close-on-exec, take the
// child package mpm/earlystart started, see package spawn) and what
// starting any child of an MPM needs (the command, its environment,
// descriptors and credential, the checks of a child program), which
// package mpm uses for every child.
package prestart

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/spawn"
)

// Child is a started child that waits for its spec on Conn.
type Child = spawn.Child

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
const LifelineFD = spawn.LifelineFD

// Lifeline is the plugin's descriptor LifelineFD as a file (spawn.Lifeline).
func Lifeline() *os.File { return spawn.Lifeline() }

// Command is the command that starts a child: exe, under the name
// name (argv[0]), with this process's environment but for go-plugin's
// variables, wire.ChildEnv=spec (and GOMAXPROCS=1 with wire.OnePEnv when
// the environment sets no GOMAXPROCS), stderr, the descriptors files from fd 3
// on, the parent-death signal and, if set, the credential cred, which the
// child drops to first thing (spawn.ChildEnviron).
func Command(exe, name, spec string, stderr *os.File, files []*os.File, cred *syscall.Credential) (*exec.Cmd, error) {
	cmd := exec.Command(exe)
	cmd.Args[0] = name
	cmd.Env = spawn.ChildEnviron(spec, cred)
	cmd.Stderr = stderr
	cmd.ExtraFiles = files
	attr, err := sysProcAttr(cred)
	if err != nil {
		return nil, fmt.Errorf("as uid %d: %w", cred.Uid, err)
	}
	cmd.SysProcAttr = attr
	return cmd, nil
}

// ErrPinned is why a plugin whose file the host pinned (LoadModuleChecksum)
// runs no child program.
var ErrPinned = errors.New("LoadModuleChecksum pins the plugin file")
