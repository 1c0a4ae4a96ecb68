// Command warner is a test plugin on the public SDK whose Configure warns
// about its one directive, at the file and line of the setting, and about
// nothing in particular, with no position. It serves nothing.
package main

import (
	"context"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

var directives = []mpm.Directive{{Name: "WarnMe", Kind: mpm.KindInt, Default: "0", Help: "a number warned about"}}

type warner struct{}

func (warner) Describe() mpm.Description {
	return mpm.Description{Module: "mpm_warner_module", Name: "warner", Source: "warner.c", Threaded: "no", Forked: "no", Directives: directives}
}

func (warner) Configure(cfg *mpm.Config) []mpm.Diagnostic {
	vals, diags := mpm.Decode(directives, cfg.Settings)
	if st := vals.Setting("WarnMe"); st != nil {
		diags = append(diags, mpm.Diagnostic{Severity: mpm.SeverityWarning, Message: "WarnMe " + st.Args[0] + " is warned about", File: st.File, Line: st.Line})
	}
	return append(diags, mpm.Diagnostic{Severity: mpm.SeverityWarning, Message: "a warning about no directive"})
}

func (warner) Run(context.Context, []mpm.Listener) error { return nil }

func (warner) Status() mpm.Status { return mpm.Status{} }

func (warner) Stop(context.Context, bool) error { return nil }

func main() { mpm.Serve(warner{}) }
