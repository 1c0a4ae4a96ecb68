package host

import (
	"fmt"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
)

// inertDirectives warns of each line this server accepts, as Debian's tree
// and others have them, but that cannot act here: Options MultiViews (no content
// negotiation) and AddHandler (no handler runs by extension: the files are
// served as they are, as apache2 serves them when the handler's module is
// not loaded).
func inertDirectives(cfg *config.Config) []string {
	var out []string
	var walk func([]*config.Directive)
	walk = func(ds []*config.Directive) {
		for _, d := range ds {
			if d.IsSection() {
				walk(d.Children)
				continue
			}
			if why := inert(d); why != "" {
				out = append(out, fmt.Sprintf("Warning: %s on line %d of %s has no effect: %s", d.Name, d.Line, d.File, why))
			}
		}
	}
	walk(cfg.Directives)
	return out
}

// inert says why d has no effect here, "" when it has.
func inert(d *config.Directive) string {
	switch strings.ToLower(d.Name) {
	case "options":
		for _, a := range d.Args {
			if strings.EqualFold(strings.TrimPrefix(a, "+"), "multiviews") {
				return "httpd-mpm does no content negotiation (MultiViews is mod_negotiation's)"
			}
		}
	case "addhandler":
		if len(d.Args) > 0 {
			return "httpd-mpm runs no handler " + d.Args[0] + " (those files are served as they are)"
		}
	}
	return ""
}

// configWarnings are the warnings of a configuration that loads, said on
// stderr at -t and at start: unappliedInVhosts and inertDirectives.
func configWarnings(cfg *config.Config) []string {
	return append(unappliedInVhosts(cfg), inertDirectives(cfg)...)
}

// logConfigWarnings writes configWarnings to the error log as warnings
// (each start and graceful restart).
func logConfigWarnings(log *errorlog.Log, cfg *config.Config) {
	for _, w := range configWarnings(cfg) {
		log.Printf("core", errorlog.Warn, "%s", w)
	}
}
