//go:build !unix

package http1

import (
	"errors"
	"os"
)

// dupFile is unsupported here: a file's rest is sent on the serving goroutine.
func dupFile(*os.File) (*os.File, error) { return nil, errors.ErrUnsupported }
