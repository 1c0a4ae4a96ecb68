//go:build !linux

package mpm

import (
	"errors"
	"os"
	"os/exec"

	"github.com/hashicorp/go-hclog"
)

// Early children are Linux-only (see early_linux.go).
const earlyMarker = "early"

type earlyChild struct{ cmd *exec.Cmd }

func (*earlyChild) drop() {}

func startEarlyChildren(MPM, hclog.Logger) {}

func takeEarly(*Credential) *earlyChild { return nil }

func discardEarly() {}

func (c *earlyChild) handOver([]byte, []*os.File) error { return errors.ErrUnsupported }

var errNoSpec = errors.New("no child spec")

func receiveSpec() (string, func(int) int, error) { return "", nil, errors.ErrUnsupported }
