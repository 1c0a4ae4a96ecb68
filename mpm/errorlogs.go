package mpm

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/errline"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// file is the open target of l in this process, nil when the host gave none.
func (l ErrorLog) file() *os.File {
	if l.File != nil {
		return l.File
	}
	if l.FD > 0 {
		return inheritedFile(l.FD, "errorlog:"+l.Target)
	}
	return nil
}

// lineBuffers hold the lines being written: one per concurrent writer.
var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeRequestErrors is the static handlers' LogFunc writing to f, the
// error log of the server whose requests they answer: each error one line
// in apache2's format (errline) under this process's pid, in one write(2)
// (the bounds of the message and the referer keep it under PIPE_BUF, so
// that lines of several processes on one pipe never interleave). A failed
// write is dropped, as apache2 drops it.
func writeRequestErrors(f *os.File) static.LogFunc {
	pid := os.Getpid()
	return func(r *http.Request, level static.Level, module string, err error, msg string) {
		line := requestLine(r, module, err, msg)
		line.Time, line.Level, line.Pid = time.Now(), wire.LogLevelName(int(level)), pid
		bp := lineBuffers.Get().(*[]byte)
		*bp = errline.Append((*bp)[:0], &line)
		_, _ = f.Write(*bp)
		lineBuffers.Put(bp)
	}
}

// requestLine is what the error line of a request says besides its time,
// level and pid, as apache2's ap_log_rerror: the module, the client, the
// message and the Referer (escaped and bounded: maxMessage, maxReferer), and
// err's errno if it has one.
func requestLine(r *http.Request, module string, err error, msg string) errline.Line {
	line := errline.Line{Module: module, Message: escapeLogItem(msg, maxMessage)}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		line.Errno = errno
	}
	if r == nil {
		return line // a line about no request (ap_log_perror), as of a .htaccess file
	}
	line.Client = clientAddr(r.RemoteAddr)
	if ref := r.Header["Referer"]; len(ref) > 0 {
		line.Referer = escapeLogItem(strings.Join(ref, ", "), maxReferer)
	}
	return line
}
