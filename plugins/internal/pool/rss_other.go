//go:build !linux

package pool

import "errors"

// residentBytes is not known without /proc: ChildMemoryLimit does nothing.
func residentBytes(int) (int64, error) { return 0, errors.ErrUnsupported }
