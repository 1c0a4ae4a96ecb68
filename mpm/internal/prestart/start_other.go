//go:build !linux && !mpmchild

package prestart

import (
	"github.com/httpd-mpm/httpd-mpm/internal/cloexec"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/spawn"
)

// start is what a plugin does first: children start ahead of need only on
// Linux.
func start() Result {
	if !spawn.IsPlugin() {
		return Result{}
	}
	cloexec.Inherited()
	return Result{Plugin: true, CapErr: LimitCapabilities()}
}
