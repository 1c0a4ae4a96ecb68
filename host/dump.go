package host

import (
	"io"

	"github.com/httpd-mpm/httpd-mpm/host/config"
)

// printConfig is -t -D DUMP_CONFIG, the normalised effective configuration
// in Apache syntax (identical for equivalent .conf and .hcl files), and
// -t -D DUMP_CONFIG_HCL, the configuration converted to HCL.
func printConfig(w io.Writer, o *options, l *loaded) {
	if o.defined("DUMP_CONFIG") {
		config.Dump(w, l.cfg, mpmTable(l.gen.Describe()))
	}
	if o.defined("DUMP_CONFIG_HCL") {
		config.WriteHCL(w, l.cfg)
	}
}
