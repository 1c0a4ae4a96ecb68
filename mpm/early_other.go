//go:build !linux

package mpm

import (
	"errors"
	"os"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
)

// Early children are Linux-only (see early_linux.go).
const (
	earlyMarker  = "early"
	socketMarker = "socket"
)

// execChild executes a child with the spec blob in its environment and
// files as its descriptors from 3 on (Linux passes it on a socket).
func execChild(exe, name string, blob []byte, stderr *os.File, files []*os.File, cred *Credential) (*os.Process, error) {
	cmd, err := childCommand(exe, name, string(blob), stderr, files, cred)
	if err != nil {
		return nil, err
	}
	if err := prestart.Start(cmd); err != nil {
		return nil, err
	}
	return cmd.Process, nil
}

func guardSpec() error { return nil }

type earlyChild struct{ *prestart.Child }

func (*earlyChild) drop() {}

func startEarlyChildren(MPM, hclog.Logger, *prestart.Child) {}

func takeEarly(*Credential) *earlyChild { return nil }

func discardEarly() {}

func (c *earlyChild) handOver([]byte, []*os.File) error { return errors.ErrUnsupported }

var errNoSpec = errors.New("no child spec")

func receiveSpec() (string, func(int) int, error) { return "", nil, errors.ErrUnsupported }
