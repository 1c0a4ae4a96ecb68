package host

import (
	"fmt"
	"io"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
)

// printConfig is -t -D DUMP_CONFIG, the normalised effective configuration
// in Apache syntax (identical for equivalent .conf and .hcl files), and
// -t -D DUMP_CONFIG_HCL, the configuration converted to HCL, which fails
// (file:line) for a directive HCL cannot hold.
func printConfig(w io.Writer, o *options, l *loaded) error {
	if o.defined("DUMP_CONFIG") {
		config.Dump(w, l.cfg, mpmTable(l.gen.Describe()))
	}
	if o.defined("DUMP_CONFIG_HCL") {
		return config.WriteHCL(w, l.cfg)
	}
	return nil
}

// printIncludes is -D DUMP_INCLUDES, in Apache's format: every file read,
// indented by its depth, with the line of the Include that read it ("*" for
// the main file). cfg is nil when the main file could not be read.
func printIncludes(w io.Writer, cfg *config.Config) {
	fmt.Fprintln(w, "Included configuration files:")
	if cfg == nil {
		return
	}
	for _, in := range cfg.Included {
		line := "*"
		if in.Line > 0 {
			line = fmt.Sprint(in.Line)
		}
		fmt.Fprintf(w, "%s(%s) %s\n", strings.Repeat("  ", in.Depth+1), line, in.File)
	}
}
