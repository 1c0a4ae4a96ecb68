//go:build unix

package http1

import (
	"os"

	"github.com/httpd-mpm/httpd-mpm/internal/unpolled"
)

// dupFile returns a new descriptor of f's open file, which outlives the handler's
// Close of f (the handler owns f; the Conn owns the copy).
func dupFile(f *os.File) (*os.File, error) { return unpolled.Dup(f, f.Name()) }
