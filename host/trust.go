package host

import (
	"errors"
	"fmt"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/launch"
)

// pin is a LoadModuleChecksum line: the checksum a module's file must have.
type pin struct {
	sum  string // "sha256:HEX"
	file string
	line int
}

// modulePin finds the LoadModuleChecksum of mod (the last one wins, as for
// any directive). A pin that is malformed or names a module no LoadModule
// loads is an error: the plugin is not executed before its pin is known
// to be good.
func modulePin(cfg *config.Config, mod config.Module) (*pin, config.Errors) {
	loaded := map[string]bool{}
	for _, m := range cfg.Modules {
		if !isProvided(m.Name) {
			loaded[m.Name] = true
		}
	}
	var p *pin
	var errs config.Errors
	for _, d := range cfg.Directives {
		if !strings.EqualFold(d.Name, "LoadModuleChecksum") || d.IsSection() || len(d.Args) != 2 {
			continue // Validate reports the argument count
		}
		if bad := config.Validate(&config.Config{Directives: []*config.Directive{d}}, config.Core); len(bad) > 0 {
			errs = append(errs, bad...)
			continue
		}
		name := d.Args[0]
		if !loaded[name] {
			errs = append(errs, cfg.Locate(d.File, d.Line, fmt.Sprintf("LoadModuleChecksum: no LoadModule line loads a plugin named %s", name)))
			continue
		}
		if name == mod.Name {
			p = &pin{sum: strings.ToLower(d.Args[1]), file: d.File, line: d.Line}
		}
	}
	return p, errs
}

// loadError explains why a plugin could not be loaded, after Apache's
// "Cannot load X into server:", naming the pin's line for a checksum
// mismatch.
func loadError(err error, p *pin) string {
	var ce *launch.ChecksumError
	if errors.As(err, &ce) && p != nil {
		return fmt.Sprintf("checksum mismatch: the file has %s, but LoadModuleChecksum on line %d of %s pins %s; refusing to run it", ce.Got, p.line, p.file, ce.Want)
	}
	return err.Error()
}
