package host

import (
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// extendedStatus is ExtendedStatus: On unless the config says Off, since
// mod_status, built into the host, turns it on in its pre_config as Apache's
// does; the last top-level ExtendedStatus line wins.
func extendedStatus(cfg *config.Config) bool {
	on := true
	for _, d := range cfg.Directives {
		if strings.EqualFold(d.Name, "ExtendedStatus") && len(d.Args) == 1 {
			on = strings.EqualFold(d.Args[0], "on")
		}
	}
	return on
}

// locationHandlers lists the <Location PATH> sections among sections that
// set a handler with SetHandler (the last SetHandler in a section wins).
func locationHandlers(sections []*config.Directive) []mpm.Handler {
	var out []mpm.Handler
	for _, sec := range sections {
		if !sec.IsSection() || !strings.EqualFold(sec.Name, "Location") || len(sec.Args) == 0 {
			continue
		}
		name := ""
		for _, d := range sec.Children {
			if strings.EqualFold(d.Name, "SetHandler") && len(d.Args) == 1 {
				name = d.Args[0]
			}
		}
		if name != "" {
			out = append(out, mpm.Handler{Path: sec.Args[0], Name: name})
		}
	}
	return out
}
