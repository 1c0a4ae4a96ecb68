package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
)

// run is everything after the flags: the config-reading modes, -k, and
// serving.
func run(o *options, stdout, stderr io.Writer) int {
	switch o.signal {
	case "stop", "graceful-stop", "restart", "graceful":
		return signalServer(o, stdout, stderr)
	}
	cfg, srv, mod, err := readConfig(o, stdout, stderr)
	if err != nil {
		if o.mode == modeSettings {
			printSettings(stdout, nil)
		}
		return exitCode(err)
	}
	if o.mode != modeSettings && o.mode != modeDirectives && !isDetachedChild() {
		for _, w := range configWarnings(cfg) {
			fmt.Fprintln(stderr, w)
		}
	}
	if o.test || o.mode == modeSettings || o.mode == modeDirectives {
		ctx, cancel := context.WithTimeout(context.Background(), pluginStartTimeout)
		defer cancel()
		// The plugin's own log lines at startup go to stderr, as Apache's
		// startup messages do, at the -e level.
		startupLog := errorlog.New(stderr, o.startLevel)
		l, err := startPlugin(ctx, o, cfg, srv, mod, nil, nil, startupLog.PluginOutput(nil), stderr, false)
		if err != nil {
			if o.mode == modeSettings {
				printSettings(stdout, nil)
			}
			return exitCode(err)
		}
		defer l.gen.Kill()
		logLoaded(startupLog, mod)
		if o.mode != modeSettings && !checkConfig(startupLog, o.test && o.defined("DUMP_VHOSTS"), stdout, stderr, cfg, srv) {
			return 1
		}
		switch {
		case o.mode == modeSettings:
			d := l.gen.Describe()
			printSettings(stdout, &d)
		case o.mode == modeDirectives:
			printDirectives(stdout, l.gen.Describe())
		default:
			if o.defined("DUMP_RUN_CFG") {
				printRunConfig(stdout, cfg, srv)
			}
			if o.defined("DUMP_MODULES") {
				printModules(stdout, cfg)
			}
			if err := printConfig(stdout, o, l); err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", o.name, err)
				return 1
			}
			if !o.dumping() {
				fmt.Fprintln(stderr, "Syntax OK")
			}
		}
		return 0
	}
	if pid, ok := runningPid(srv.PidFile); ok {
		fmt.Fprintf(stdout, "httpd (pid %d) already running\n", pid)
		return 0
	}
	if !o.defined("FOREGROUND") && !o.oneProcess() && !o.defined("NO_DETACH") && !isDetachedChild() {
		return detach(o, stderr)
	}
	return serve(o, cfg, srv, mod, stderr)
}

// checkConfig is what Apache does between reading a config and acting on it, in
// every mode that reads one (-t, -S, -M, -L, -k) but -V: ap_fini_vhost_config's
// AH00549 errors for the virtual hosts it cannot name, on stderr through log (with
// dumpVhosts, -S's "VirtualHost configuration:" goes to stdout then), and core's
// check_config (checkErrorLogDirs), whose failure it writes to stderr. It reports
// whether the config passed. A start checks at serve, a restart in server.restart.
func checkConfig(log *errorlog.Log, dumpVhosts bool, stdout, stderr io.Writer, cfg *config.Config, srv *config.Server) bool {
	var msgs []string
	if dumpVhosts {
		msgs = printVhosts(stdout, cfg, srv)
	} else {
		_, msgs = readVhosts(cfg.Directives, sync.OnceValue(func() string { return mainHostname(srv.ServerName) }))
	}
	for _, msg := range msgs {
		log.Printf("core", errorlog.Error, "%s", msg)
	}
	if err := checkErrorLogDirs(srv); err != nil {
		fmt.Fprintln(stderr, err)
		return false
	}
	return true
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(os.Stderr, err)
	return 1
}
