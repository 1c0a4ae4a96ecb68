// Package pipedlog starts Apache's piped loggers: ErrorLog and CustomLog targets of
// the form "|command".
package pipedlog

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/errline"
)

// Start starts the logger of a target without its leading '|': "cmd args" and "|cmd
// args" (from "||cmd") run cmd directly, "$cmd" runs it with /bin/sh -c, as Apache 2.4
// does. The logger reads a pipe whose write end is returned; its stdout and stderr are
// the caller's stderr. It runs in its own process group (a terminal's Ctrl-C is the
// server's to handle) and ends when the last writer closes the pipe; it is reaped in
// the background.
func Start(spec string) (*os.File, error) {
	var cmd *exec.Cmd
	if shell, ok := strings.CutPrefix(spec, "$"); ok {
		cmd = exec.Command("/bin/sh", "-c", shell)
	} else {
		argv := SplitArgs(strings.TrimPrefix(spec, "|"))
		if len(argv) == 0 {
			return nil, errors.New("empty command")
		}
		cmd = exec.Command(argv[0], argv[1:]...)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdin = r
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		var ee *exec.Error
		if errors.As(err, &ee) {
			err = ee.Err
		}
		return nil, err
	}
	go cmd.Wait()
	return w, nil
}

// SplitArgs splits a command line at blanks, honouring double and single quotes (as
// apr_tokenize_to_argv does).
func SplitArgs(s string) []string {
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

// ErrnoPrefix is Apache's "(N)Text: " for an error carrying an errno, else "".
func ErrnoPrefix(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	return string(errline.AppendErrno(nil, errno))
}
