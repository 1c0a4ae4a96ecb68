package mpm

import (
	"net/http"

	"github.com/httpd-mpm/httpd-mpm/mpm/accesslog"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// siteHandler puts the per-path configuration in front of the static handler; without
// any, the static handler serves alone. serverRoot is ServerRoot (relative file
// names in .htaccess files).
func siteHandler(directives []site.Directive, sections []site.Section, h *static.Handler, serverRoot string) (http.Handler, error) {
	if len(directives) == 0 && len(sections) == 0 {
		return h, nil
	}
	c, err := site.Compile(directives, sections)
	if err != nil {
		return nil, err
	}
	h.SubrequestLimit, h.RedirectLimit = c.SubrequestLimit(), c.RedirectLimit()
	return &site.Handler{Static: h, Config: c, ServerRoot: serverRoot}, nil
}

// contentDiagnostics checks what NewHTTPServer would refuse (the per-path
// configuration and the access-log formats of the main server and every virtual
// host) when the MPM is configured, so that the host reports it at its line before
// any child starts. A line the virtual hosts share with the main server (their
// configuration merges the main one's) is reported once.
func contentDiagnostics(core *Core) []Diagnostic {
	var out []Diagnostic
	seen := map[Diagnostic]bool{}
	report := func(d Diagnostic) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	var main *site.Config
	check := func(directives []site.Directive, sections []site.Section, logs []AccessLog, vhost bool) {
		c, err := site.Compile(directives, sections)
		var list []error
		if !vhost {
			main = c
		} else if c != nil {
			// A virtual host's own lines resolved apart from the main server's.
			list = unjoin(c.InheritBalancers(main))
		}
		if list = append(unjoin(err), list...); len(list) > 0 {
			for _, e := range list {
				d := Diagnostic{Severity: SeverityError, Message: e.Error()}
				if se, ok := e.(*site.Error); ok {
					d.Message, d.File, d.Line = se.Message, se.File, se.Line
				}
				report(d)
			}
		}
		for _, l := range logs {
			if _, err := accesslog.Parse(l.Format); err != nil {
				report(Diagnostic{Severity: SeverityError, Message: "CustomLog " + l.Target + ": " + err.Error()})
			}
		}
	}
	check(core.ServerDirectives, core.Sections, core.AccessLogs, false)
	for _, v := range core.VirtualHosts {
		check(v.ServerDirectives, v.Sections, v.AccessLogs, true)
	}
	return out
}

// unjoin is the errors err joins, err alone if it joins none.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
