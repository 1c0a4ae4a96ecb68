package mpm

import (
	"net/http"

	"github.com/httpd-mpm/httpd-mpm/mpm/accesslog"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// siteHandler puts the per-path configuration in front of the static handler; without
// any, the static handler serves alone.
func siteHandler(core *Core, h *static.Handler) (http.Handler, error) {
	if len(core.ServerDirectives) == 0 && len(core.Sections) == 0 {
		return h, nil
	}
	c, err := site.Compile(core.ServerDirectives, core.Sections)
	if err != nil {
		return nil, err
	}
	return &site.Handler{Static: h, Config: c}, nil
}

// contentDiagnostics checks what NewHTTPServer would refuse (the per-path
// configuration and the access-log formats) when the MPM is configured, so that the
// host reports it at its line before any child starts.
func contentDiagnostics(core *Core) []Diagnostic {
	var out []Diagnostic
	if _, err := site.Compile(core.ServerDirectives, core.Sections); err != nil {
		var list []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			list = j.Unwrap()
		} else {
			list = []error{err}
		}
		for _, e := range list {
			d := Diagnostic{Severity: SeverityError, Message: e.Error()}
			if se, ok := e.(*site.Error); ok {
				d.Message, d.File, d.Line = se.Message, se.File, se.Line
			}
			out = append(out, d)
		}
	}
	for _, l := range core.AccessLogs {
		if _, err := accesslog.Parse(l.Format); err != nil {
			out = append(out, Diagnostic{Severity: SeverityError, Message: "CustomLog " + l.Target + ": " + err.Error()})
		}
	}
	return out
}
