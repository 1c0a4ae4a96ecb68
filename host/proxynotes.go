package host

import (
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
)

// proxyNote is one of mod_proxy's lines about a directive, as apache2
// logs it while it reads the configuration.
type proxyNote struct {
	level errorlog.Level
	text  string
}

// proxyNotes are apache2 2.4.71's AH01145 (info) and AH01146 (warn) lines
// for the ProxyPass lines that share a worker defined before them
// (site.Config.ProxyNotes), each kept when the LogLevel lines read before
// it show it for the module proxy, as apache2 logs them with the server's
// level as it stands then: the main server's lines, then each virtual
// host's own, which share only its own workers (apache2 reads its lines
// into its own list) and are shown only after a LogLevel of its own (its
// level is unset until then). A server without ProxyPass lines has none
// (and is not compiled here).
func proxyNotes(cfg *config.Config, core *mpm.Core, root string) []proxyNote {
	out := serverNotes(core.ServerDirectives, core.Sections, cfg.Directives, true)
	for _, d := range cfg.Directives {
		if !strings.EqualFold(d.Name, "VirtualHost") || !d.IsSection() {
			continue
		}
		var own []site.Directive
		var sections []site.Section
		for _, c := range d.Children {
			switch {
			case c.IsSection():
				if ss, ok := siteSection(c, root); ok {
					sections = append(sections, ss)
				}
			case isSiteDirective(c.Name):
				own = append(own, serverDirective(c, root))
			}
		}
		out = append(out, serverNotes(own, sections, d.Children, false)...)
	}
	return out
}

// serverNotes are proxyNotes for one server's lines, whose LogLevel lines
// are among lines; main says whether it is the main server (whose level is
// warn until a LogLevel line sets it).
func serverNotes(directives []site.Directive, sections []site.Section, lines []*config.Directive, main bool) []proxyNote {
	n := 0
	count := func(ds []site.Directive) {
		for _, d := range ds {
			if strings.EqualFold(d.Name, "ProxyPass") || strings.EqualFold(d.Name, "ProxyPassMatch") {
				n++
			}
		}
	}
	count(directives)
	for _, s := range sections {
		count(s.Directives)
	}
	if n == 0 { // one line may share a <Proxy url> section's worker
		return nil
	}
	c, _ := site.Compile(directives, sections) // its errors are the MPM's to report
	var levelLines []*config.Directive
	for _, d := range lines {
		if strings.EqualFold(d.Name, "LogLevel") {
			levelLines = append(levelLines, d)
		}
	}
	var out []proxyNote
	for _, note := range c.ProxyNotes() {
		levels, set := loglevel.Server(), main
		for _, d := range levelLines {
			if d.Seq < note.Seq {
				_ = levels.Apply(d.Args)
				set = true
			}
		}
		shown := levels.Level
		if m, ok := levels.Modules["proxy"]; ok {
			shown = m
		}
		if set && int(note.Level) <= shown {
			out = append(out, proxyNote{level: errorlog.Level(note.Level), text: note.Text})
		}
	}
	return out
}
