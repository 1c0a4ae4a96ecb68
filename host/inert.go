package host

import (
	"fmt"
	"slices"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
)

// inertDirectives warns of each line this server accepts, as Debian's tree
// and others have them, but that cannot act here: AddHandler of a handler
// other than type-map and cgi-script (cgi-script runs with mod_cgi or mod_cgid
// loaded; no other handler runs by extension: the files are served as they
// are, as apache2 serves them when the handler's module is not loaded).
func inertDirectives(cfg *config.Config) []string {
	var out []string
	scripts := slices.ContainsFunc(cfg.Modules, func(m config.Module) bool { return m.Name == "cgi_module" || m.Name == "cgid_module" })
	var walk func([]*config.Directive)
	walk = func(ds []*config.Directive) {
		for _, d := range ds {
			if d.IsSection() {
				walk(d.Children)
				continue
			}
			if why := inert(d, scripts); why != "" {
				out = append(out, fmt.Sprintf("Warning: %s on line %d of %s has no effect: %s", d.Name, d.Line, d.File, why))
			}
		}
	}
	walk(cfg.Directives)
	return out
}

// inert says why d has no effect here, "" when it has; scripts says that a
// CGI module is loaded.
func inert(d *config.Directive, scripts bool) string {
	switch strings.ToLower(d.Name) {
	case "addhandler":
		switch {
		case len(d.Args) == 0, strings.EqualFold(d.Args[0], "type-map"):
		case strings.EqualFold(d.Args[0], "cgi-script") && !scripts:
			return "no CGI module is loaded (LoadModule cgi_module or cgid_module; on Debian: a2enmod cgi): those files are served as they are"
		case !strings.EqualFold(d.Args[0], "cgi-script"):
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
