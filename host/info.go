package host

import (
	"fmt"
	"io"
	"os"
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
		fmt.Fprintf(w, " %s (static)\n", m.Name)
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
		module := s.Module
		if module == "" {
			module = "core.c"
		}
		fmt.Fprintf(w, "%s (%s)\n\t%s\n\t%s\n", name, module, s.Help, placement)
	}
	for _, dir := range d.Directives {
		fmt.Fprintf(w, "%s (%s)\n\t%s\n\tAllowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>\n", dir.Name, d.Source, dir.Help)
	}
}

// printRunConfig is -D DUMP_RUN_CFG (the second part of -S), in the
// format of Apache's core_dump_config and unixd_dump_config. Left out, as
// this server has none of them: "ScoreBoardFile:" (the scoreboard is an
// anonymous memfd), the "Mutex NAME: ..." lines (no MPM here takes a
// mutex; the Mutex directive is accepted and has no effect), "ChrootDir:".
// User and Group are printed only when set: without them Apache shows its
// compiled-in "#-1", while this server's children keep the server's own
// user and group.
func printRunConfig(w io.Writer, cfg *config.Config, s *config.Server) {
	fmt.Fprintf(w, "ServerRoot: \"%s\"\n", s.ServerRoot)
	fmt.Fprintf(w, "Main DocumentRoot: \"%s\"\n", s.DocumentRoot)
	fmt.Fprintf(w, "Main ErrorLog: \"%s\"\n", s.ErrorLog)
	fmt.Fprintf(w, "PidFile: \"%s\"\n", s.PidFile)
	for _, name := range cfg.DefineOrder {
		if v := cfg.Defines[name]; v != "" {
			fmt.Fprintf(w, "Define: %s=%s\n", name, v)
		} else {
			fmt.Fprintf(w, "Define: %s\n", name)
		}
	}
	notUsed := ""
	if os.Geteuid() != 0 {
		notUsed = " not_used"
	}
	if s.User != "" {
		if id, err := mpm.LookupUser(s.User); err == nil {
			fmt.Fprintf(w, "User: name=\"%s\" id=%d%s\n", s.User, id, notUsed)
		}
	}
	if s.Group != "" {
		if id, err := mpm.LookupGroup(s.Group); err == nil {
			fmt.Fprintf(w, "Group: name=\"%s\" id=%d%s\n", s.Group, id, notUsed)
		}
	}
}
