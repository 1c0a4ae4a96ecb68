package host

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/launch"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// accessLogs are the CustomLog targets opened for one plugin generation, as Apache's
// parent opens them before it starts children: the host opens them (as root), hands the
// descriptors to the plugin after the listeners, and closes its own copies once the
// plugin has started. A graceful restart opens them again, which is how logs are rotated.
type accessLogs struct {
	files []*os.File      // one per distinct target, handed to the plugin in order
	logs  []mpm.AccessLog // one per CustomLog line; FD is the plugin's descriptor
	procs []*exec.Cmd     // piped loggers, reaped when they exit
}

// openAccessLogs opens every target of logs (each once): a file is created 0644 and
// appended to, "/dev/stderr" is the host's stderr, "|cmd" starts cmd (without a shell;
// "|$cmd" with /bin/sh -c) with a pipe as its stdin. listeners is how many listener
// descriptors the plugin gets before these. Errors are Apache's words.
func openAccessLogs(logs []config.AccessLog, listeners int) (*accessLogs, error) {
	a := &accessLogs{}
	index := map[string]int{}
	for _, l := range logs {
		i, ok := index[l.Target]
		if !ok {
			f, cmd, err := openLogTarget(l)
			if err != nil {
				a.close()
				for _, p := range a.procs {
					p.Process.Kill()
				}
				return nil, err
			}
			i = len(a.files)
			index[l.Target] = i
			a.files = append(a.files, f)
			if cmd != nil {
				a.procs = append(a.procs, cmd)
			}
		}
		a.logs = append(a.logs, mpm.AccessLog{Target: l.Target, Format: l.Format, FD: launch.FileFD(listeners, i)})
	}
	return a, nil
}

func openLogTarget(l config.AccessLog) (*os.File, *exec.Cmd, error) {
	switch {
	case l.Target == "/dev/stderr" || l.Target == "/proc/self/fd/2":
		fd, err := syscall.Dup(2)
		if err != nil {
			return nil, nil, fmt.Errorf("%sAH00649: could not open transfer log file %s.\nAH00015: Unable to open logs", errnoPrefix(err), l.Target)
		}
		syscall.CloseOnExec(fd)
		return os.NewFile(uintptr(fd), "stderr"), nil, nil
	case strings.HasPrefix(l.Target, "|"):
		return startPipedLog(l.Target)
	}
	if _, err := os.Stat(filepath.Dir(l.Target)); err != nil {
		return nil, nil, fmt.Errorf("%sAH02297: Cannot access directory '%s/' for log file '%s' defined at %s:%d\nAH00014: Configuration check failed",
			errnoPrefix(err), filepath.Dir(l.Target), l.Target, l.File, l.Line)
	}
	f, err := os.OpenFile(l.Target, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("%sAH00649: could not open transfer log file %s.\nAH00015: Unable to open logs", errnoPrefix(err), l.Target)
	}
	return f, nil, nil
}

// startPipedLog starts a piped logger: "|cmd args" and "||cmd args" run cmd directly,
// "|$cmd" runs it with /bin/sh -c, as Apache 2.4 does.
func startPipedLog(target string) (*os.File, *exec.Cmd, error) {
	spec := strings.TrimPrefix(target, "|")
	var cmd *exec.Cmd
	if shell, ok := strings.CutPrefix(spec, "$"); ok {
		cmd = exec.Command("/bin/sh", "-c", shell)
	} else {
		argv := splitArgs(strings.TrimPrefix(spec, "|"))
		if len(argv) == 0 {
			return nil, nil, fmt.Errorf("AH00104: unable to start piped log program '%s'\nAH00015: Unable to open logs", spec)
		}
		cmd = exec.Command(argv[0], argv[1:]...)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdin = r
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	// Its own process group: a terminal's Ctrl-C is the host's to handle; the logger
	// ends when the last writer (the plugin's last child) closes the pipe.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		var ee *exec.Error
		if errors.As(err, &ee) {
			err = ee.Err
		}
		return nil, nil, fmt.Errorf("%sAH00104: unable to start piped log program '%s'\nAH00015: Unable to open logs", errnoPrefix(err), spec)
	}
	go cmd.Wait()
	return w, cmd, nil
}

// splitArgs splits a command line at blanks, honouring double and single quotes (as
// apr_tokenize_to_argv does).
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// errnoPrefix is Apache's "(N)Text: " for an error carrying an errno.
func errnoPrefix(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	msg := errno.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return fmt.Sprintf("(%d)%s: ", int(errno), msg)
}

// close closes the host's copies of the descriptors (the plugin keeps its own).
func (a *accessLogs) close() {
	if a == nil {
		return
	}
	for _, f := range a.files {
		f.Close()
	}
	a.files = nil
}
