package mpm

import (
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

var stderrCopy struct {
	once sync.Once
	f    *os.File
}

// saveOriginalStderr keeps a descriptor of the real stderr: go-plugin
// replaces os.Stderr once it serves, but logs and children must keep
// writing to the stream the host reads.
func saveOriginalStderr() {
	stderrCopy.once.Do(func() {
		fd, err := syscall.Dup(2)
		if err != nil {
			stderrCopy.f = os.Stderr
			return
		}
		syscall.CloseOnExec(fd)
		stderrCopy.f = os.NewFile(uintptr(fd), "stderr")
	})
}

func originalStderr() *os.File {
	saveOriginalStderr()
	return stderrCopy.f
}

// newLogger returns the JSON hclog logger the host understands; its name
// is the module's log tag, e.g. "mpm_event".
func newLogger(d Description, out io.Writer) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       strings.TrimSuffix(d.Module, "_module"),
		Output:     out,
		JSONFormat: true,
		Level:      hclog.Info,
	})
}

// setLevel maps an Apache LogLevel value onto the logger: its most verbose
// level of any module ("warn mpm_event:debug" is debug), the host dropping
// the lines a module's level does not want.
func setLevel(log hclog.Logger, apache string) {
	if l, err := loglevel.Parse(apache); err == nil {
		apache = wire.LogLevelName(l.Max())
	}
	log.SetLevel(LevelFromApache(apache))
}

// LevelFromApache maps an Apache LogLevel name to the level of an MPM's
// hclog logger: Info for every level from emerg to info, since Apache
// writes notices whatever the LogLevel (see Notice) and the host drops
// the info lines the LogLevel does not want; Debug for debug, Trace for
// trace1-8.
func LevelFromApache(apache string) hclog.Level {
	switch a := strings.ToLower(apache); {
	case a == "debug":
		return hclog.Debug
	case strings.HasPrefix(a, "trace"):
		return hclog.Trace
	}
	return hclog.Info
}

// Notice logs msg (and args, as hclog key-value pairs) as an Apache
// notice: the host writes it to the error log at level notice whatever
// the LogLevel, as Apache writes its startup and shutdown notices
// ("AH00489: ... configured -- resuming normal operations", "caught
// SIGTERM"). log.Info is Apache's info level, written only from LogLevel
// info on; since notices must reach the host at every LogLevel, the MPM's
// logger lets Info lines through and the host drops the unwanted ones, so
// an Info line still costs its encoding and a write: log nothing per
// request at Info (Debug and Trace lines stop in the MPM below their
// LogLevel). Safe for concurrent use, as log is.
//
// Those startup and shutdown notices are the MPM's to write, as in Apache
// (the built-in MPMs write Apache's, with its AH numbers); the host writes
// only its own (AH00094 "Command line", AH00493 "SIGUSR1 received"), so
// an MPM that writes none leaves no line in the error log at LogLevel
// notice when it starts serving or stops.
func Notice(log hclog.Logger, msg string, args ...any) {
	log.Info(msg, append(args[:len(args):len(args)], wire.NoticeField, true)...) // never into the caller's array
}
