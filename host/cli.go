// Package host is the httpd host: it reads the configuration, loads the
// one MPM plugin named by LoadModule, binds the listeners, hands them to
// the plugin and supervises it. Main is the whole command line.
package host

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/host/launch"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// Compile-time settings, shown by -V. Built is set by the Makefile with
// -ldflags "-X github.com/httpd-mpm/httpd-mpm/host.Built=...".
var (
	Version          = "0.1.0"
	Built            = "unknown"
	DefaultRoot      = "/etc/httpd-mpm"
	DefaultConfig    = "conf/httpd.conf"
	DefaultPidFile   = "logs/httpd.pid"
	DefaultErrorLog  = "logs/error_log"
	DefaultTypesFile = "conf/mime.types"
)

// Software is the server's name and version, as in the Server header.
func Software() string { return "httpd-mpm/" + Version + " (Unix)" }

// options are the parsed command-line flags.
type options struct {
	name       string // argv0 base name for messages
	file       string // -f
	root       string // -d
	defines    []string
	pre, post  []string       // -C, -c
	startLevel errorlog.Level // -e: the level of startup messages on stderr
	startLog   string         // -E: startup errors to this file (redirectStderr)
	signal     string         // -k
	test       bool           // -t
	noDocCheck bool           // -T
	args       []string       // the command line, for AH00094
	mode       mode
}

type mode int

const (
	modeRun mode = iota
	modeVersion
	modeSettings // -V
	modeCompiled // -l
	modeDirectives
	modeHelp
)

// Main runs httpd with args (without argv[0]) and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if StaticMPM != nil {
		// A child of the MPM linked in: this binary re-executed by
		// mpm.StartChild.
		if status, ok := mpm.RunChild(StaticMPM()); ok {
			return status
		}
	}
	launch.ScrubInherited()
	o, err := parseArgs(args)
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "%s: %v\n", o.name, err)
		}
		usage(stderr, o.name)
		return 1
	}
	switch o.mode {
	case modeHelp:
		usage(stderr, o.name)
		return 1
	case modeVersion:
		fmt.Fprintf(stdout, "Server version: %s\nServer built:   %s\n", Software(), Built)
		return 0
	case modeSettings:
		// As Apache's -V with a built-in MPM: at once, without the config.
		if d := staticMPM(); d != nil {
			printSettings(stdout, d)
			return 0
		}
	case modeDirectives:
		// As Apache's -L: the compiled-in modules' directives, without
		// the config. Only a plugin MPM needs the config to be found.
		if d := staticMPM(); d != nil {
			printDirectives(stdout, *d)
			return 0
		}
	case modeCompiled:
		fmt.Fprintln(stdout, "Compiled in modules:")
		for _, m := range compiledIn() {
			fmt.Fprintf(stdout, "  %s\n", m.Source)
		}
		return 0
	}
	if o.startLog != "" {
		stderr = redirectStderr(o, stderr)
	}
	return run(o, stdout, stderr)
}

// errUsage is a bad option value that Apache answers with the usage text
// alone (an invalid -e level).
var errUsage = errors.New("usage")

// parseArgs reads Apache's options (getopt "C:c:D:d:E:e:f:k:vVlLtTSMhX").
func parseArgs(args []string) (*options, error) {
	o := &options{name: "httpd", args: append([]string{"httpd"}, args...), startLevel: errorlog.Warn}
	if len(os.Args) > 0 && os.Args[0] != "" {
		o.name = filepath.Base(os.Args[0])
		o.args[0] = os.Args[0]
	}
	withArg := "CcDdEefk"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' {
			return o, fmt.Errorf("illegal option -- %s", strings.TrimPrefix(a, "-"))
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			if strings.IndexByte(withArg, c) >= 0 {
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return o, fmt.Errorf("option requires an argument -- %c", c)
					}
					i++
					val = args[i]
				}
				if err := o.setValue(c, val); err != nil {
					return o, err
				}
				break
			}
			switch c {
			case 'v':
				o.mode = modeVersion
			case 'V':
				o.mode = modeSettings
			case 'l':
				o.mode = modeCompiled
			case 'L':
				o.mode = modeDirectives
			case 't':
				o.test = true
			case 'T':
				o.noDocCheck = true
			case 'S':
				o.test = true
				o.defines = append(o.defines, "DUMP_VHOSTS", "DUMP_RUN_CFG")
			case 'M':
				o.test = true
				o.defines = append(o.defines, "DUMP_MODULES")
			case 'X':
				// Apache's -X is Define DEBUG, which its MPMs read as
				// ONE_PROCESS and FOREGROUND together (oneProcess).
				o.defines = append(o.defines, "DEBUG")
			case 'h', '?':
				o.mode = modeHelp
			default:
				return o, fmt.Errorf("illegal option -- %c", c)
			}
		}
	}
	return o, nil
}

func (o *options) setValue(c byte, v string) error {
	switch c {
	case 'C':
		o.pre = append(o.pre, v)
	case 'c':
		o.post = append(o.post, v)
	case 'D':
		o.defines = append(o.defines, v)
		switch v {
		case "DUMP_VHOSTS", "DUMP_RUN_CFG", "DUMP_MODULES", "DUMP_INCLUDES":
			// Apache checks the config and exits after these dumps, -t or not.
			o.test = true
		}
	case 'd':
		o.root = v
	case 'f':
		o.file = v
	case 'e':
		level, ok := errorlog.ParseLevel(v)
		if !ok {
			return errUsage
		}
		o.startLevel = level
	case 'E':
		o.startLog = v
	case 'k':
		switch v {
		case "start", "stop", "restart", "graceful", "graceful-stop":
			o.signal = v
		default:
			return fmt.Errorf("illegal option -- k")
		}
	}
	return nil
}

// oneProcess is Apache's ONE_PROCESS mode (-X, -D DEBUG or
// -D ONE_PROCESS): the MPM serves with a single process and the server
// ends with it; nothing restarts (mpm.Core.OneProcess).
func (o *options) oneProcess() bool {
	return o.defined("ONE_PROCESS") || o.defined("DEBUG")
}

func (o *options) defined(name string) bool {
	for _, d := range o.defines {
		if d == name {
			return true
		}
	}
	return false
}

// dumping reports whether -t is combined with a DUMP_* define, in which
// case Apache prints the dump instead of "Syntax OK".
func (o *options) dumping() bool {
	for _, d := range o.defines {
		if strings.HasPrefix(d, "DUMP_") {
			return true
		}
	}
	return false
}

func (o *options) serverRoot() string {
	root := o.root
	if root == "" {
		root = DefaultRoot
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return root
}

func (o *options) configFile() string {
	f := o.file
	if f == "" {
		f = DefaultConfig
	}
	return f
}

func usage(w io.Writer, name string) {
	pad := strings.Repeat(" ", len(name))
	fmt.Fprintf(w, `Usage: %[1]s [-D name] [-d directory] [-f file]
       %[2]s [-C "directive"] [-c "directive"]
       %[2]s [-k start|restart|graceful|graceful-stop|stop]
       %[2]s [-v] [-V] [-h] [-l] [-L] [-t] [-T] [-S] [-X]
Options:
  -D name            : define a name for use in <IfDefine name> directives
  -d directory       : specify an alternate initial ServerRoot
  -f file            : specify an alternate ServerConfigFile
  -C "directive"     : process directive before reading config files
  -c "directive"     : process directive after reading config files
  -e level           : show startup errors of level (see LogLevel)
  -E file            : log startup errors to file
  -v                 : show version number
  -V                 : show compile settings
  -h                 : list available command line options (this page)
  -l                 : list compiled in modules
  -L                 : list available configuration directives
  -t -D DUMP_VHOSTS  : show parsed vhost settings
  -t -D DUMP_RUN_CFG : show parsed run settings
  -S                 : a synonym for -t -D DUMP_VHOSTS -D DUMP_RUN_CFG
  -t -D DUMP_MODULES : show all loaded modules 
  -M                 : a synonym for -t -D DUMP_MODULES
  -t -D DUMP_INCLUDES: show all included configuration files
  -t -D DUMP_CONFIG  : show the effective configuration (Apache syntax)
  -t -D DUMP_CONFIG_HCL: show the effective configuration as HCL
  -t                 : run syntax check for config files
  -T                 : start without DocumentRoot(s) check
  -X                 : debug mode (only one worker, do not detach)
`, name, pad)
}
