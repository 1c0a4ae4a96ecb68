package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

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
		for _, w := range unappliedInVhosts(cfg) {
			fmt.Fprintln(stderr, w)
		}
	}
	if o.test || o.mode == modeSettings || o.mode == modeDirectives {
		ctx := context.Background()
		// The plugin's own log lines at startup go to stderr, as Apache's
		// startup messages do, at the -e level.
		startupLog := errorlog.New(stderr, o.startLevel)
		l, err := startPlugin(ctx, o, cfg, srv, mod, nil, nil, startupLog.PluginWriter(0, nil), stderr)
		if err != nil {
			if o.mode == modeSettings {
				printSettings(stdout, nil)
			}
			return exitCode(err)
		}
		defer l.gen.Kill()
		logLoaded(startupLog, mod)
		switch {
		case o.mode == modeSettings:
			d := l.gen.Describe()
			printSettings(stdout, &d)
		case o.mode == modeDirectives:
			printDirectives(stdout, l.gen.Describe())
		default:
			if o.defined("DUMP_VHOSTS") {
				for _, msg := range printVhosts(stdout, cfg, srv) {
					startupLog.Printf("core", errorlog.Error, "%s", msg)
				}
			}
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

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(os.Stderr, err)
	return 1
}
