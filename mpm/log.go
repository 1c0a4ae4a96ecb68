package mpm

import (
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/hashicorp/go-hclog"
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

// setLevel maps an Apache LogLevel onto the logger.
func setLevel(log hclog.Logger, apache string) {
	log.SetLevel(LevelFromApache(apache))
}

// LevelFromApache maps an Apache LogLevel name to an hclog level: notice
// and info become Info, trace1-8 become Trace.
func LevelFromApache(apache string) hclog.Level {
	switch strings.ToLower(apache) {
	case "emerg", "alert", "crit", "error":
		return hclog.Error
	case "warn", "":
		return hclog.Warn
	case "notice", "info":
		return hclog.Info
	case "debug":
		return hclog.Debug
	default:
		if strings.HasPrefix(strings.ToLower(apache), "trace") {
			return hclog.Trace
		}
		return hclog.Warn
	}
}
