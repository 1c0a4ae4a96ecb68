package host

import (
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// printSettings is -V. d is nil when no MPM could be loaded: Apache then
// prints the block with an empty "Server MPM:" and no threaded/forked lines.
func printSettings(w io.Writer, d *mpm.Description) {
	fmt.Fprintf(w, "Server version: %s\n", Software())
	fmt.Fprintf(w, "Server built:   %s\n", Built)
	fmt.Fprintf(w, "Server's MPM API: %s\n", "v1")
	fmt.Fprintf(w, "Server loaded:  Go %s\n", runtime.Version())
	fmt.Fprintf(w, "Compiled using: Go %s\n", runtime.Version())
	fmt.Fprintf(w, "Architecture:   %d-bit\n", strconv.IntSize)
	if d == nil {
		fmt.Fprintf(w, "Server MPM:     \n")
	} else {
		fmt.Fprintf(w, "Server MPM:     %s\n", d.Name)
		fmt.Fprintf(w, "  threaded:     %s\n", d.Threaded)
		fmt.Fprintf(w, "    forked:     %s\n", d.Forked)
	}
	fmt.Fprintf(w, "Server compiled with....\n")
	fmt.Fprintf(w, " -D HTTPD_ROOT=%q\n", DefaultRoot)
	fmt.Fprintf(w, " -D DEFAULT_PIDLOG=%q\n", DefaultPidFile)
	fmt.Fprintf(w, " -D DEFAULT_ERRORLOG=%q\n", DefaultErrorLog)
	fmt.Fprintf(w, " -D AP_TYPES_CONFIG_FILE=%q\n", DefaultTypesFile)
	fmt.Fprintf(w, " -D SERVER_CONFIG_FILE=%q\n", DefaultConfig)
}

// printModules is -M: built-in modules, then LoadModule'd ones in order.
func printModules(w io.Writer, cfg *config.Config) {
	fmt.Fprintln(w, "Loaded Modules:")
	for _, m := range compiledIn() {
		fmt.Fprintf(w, " %s (static)\n", m.name)
	}
	seen := map[string]bool{}
	for _, m := range cfg.Modules {
		if isBuiltin(m.Name) || seen[m.Name] {
			continue
		}
		seen[m.Name] = true
		fmt.Fprintf(w, " %s (shared)\n", m.Name)
	}
}

// printDirectives is -L: every directive with its module and help.
func printDirectives(w io.Writer, d mpm.Description) {
	for _, s := range config.Core {
		placement := "Allowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>"
		switch {
		case s.Context&config.InDirectory != 0 && s.Context&config.ServerConfig != 0:
			placement = "Allowed in *.conf anywhere"
		case s.Context&config.InDirectory != 0:
			placement = "Allowed in *.conf only inside <Directory>, <Files>, <Location>, or <If>"
		}
		name := s.Name
		if s.Section {
			name = "<" + name
		}
		fmt.Fprintf(w, "%s (core.c)\n\t%s\n\t%s\n", name, s.Help, placement)
	}
	for _, dir := range d.Directives {
		fmt.Fprintf(w, "%s (%s)\n\t%s\n\tAllowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>\n", dir.Name, d.Source, dir.Help)
	}
}

// printRunConfig is -S (the run-config part).
func printRunConfig(w io.Writer, s *config.Server) {
	fmt.Fprintf(w, "ServerRoot: %q\n", s.ServerRoot)
	fmt.Fprintf(w, "Main DocumentRoot: %q\n", s.DocumentRoot)
	fmt.Fprintf(w, "Main ErrorLog: %q\n", s.ErrorLog)
	fmt.Fprintf(w, "PidFile: %q\n", s.PidFile)
	for _, l := range s.Listeners {
		fmt.Fprintf(w, "Listen: %s\n", l.Addr)
	}
}
