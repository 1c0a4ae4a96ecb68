//go:build !linux

package mpm

import (
	"errors"
	"os"
)

var errNoSealing = errors.New("no sealed memory files on this system")

func sealedFile(string, []byte) (*os.File, error) { return nil, errNoSealing }

func mapSealed(int) (string, error) { return "", errNoSealing }
