// Package errline renders one line of Apache's error log in its default
// ErrorLogFormat, as apache2 2.4's log.c writes a server's line
// (ap_log_error) and a request's (ap_log_rerror):
//
//	[Sun Nov 22 20:15:38.123456 2026] [mpm_event:notice] [pid 1234] AH00489: ...
//	[Sun Nov 22 20:15:38.123456 2026] [core:error] [pid 1234] (13)Permission denied: [client 127.0.0.1:5555] AH00132: ..., referer: http://ex.com/
//
// It is the one source of that format: the host writes its own lines (and
// the lines an MPM plugin logs through hclog) with it, and an MPM's children
// the request-level lines they write to the error log themselves, so that
// one log reads the same whichever process wrote a line. It imports only
// the standard library: a child program links it.
package errline

import (
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Line is one line of the error log.
type Line struct {
	Time   time.Time // written in its own location (time.Now is local, as Apache's)
	Module string    // "core", "authz_core", "mpm_event"
	Level  string    // Apache's level name: "error", "warn", "notice", "info"
	Pid    int       // the process that writes the line
	// Errno, when not 0, is the system error apache2 writes before the
	// client: "(13)Permission denied: ".
	Errno syscall.Errno
	// Client is the request's client, "127.0.0.1:54321" or "::1:54321";
	// empty for a line about no request.
	Client string
	// Message is the message, written as it is but for trailing newlines:
	// the caller escapes what a client controls (see apache2's
	// ap_escape_errorlog_item).
	Message string
	// Referer is the request's Referer, written at the end when not empty.
	Referer string
}

// Append appends l, with its newline, to b and returns the extended slice.
func Append(b []byte, l *Line) []byte {
	b = append(b, '[')
	b = appendTime(b, l.Time)
	b = append(b, "] ["...)
	b = append(b, l.Module...)
	b = append(b, ':')
	b = append(b, l.Level...)
	b = append(b, "] [pid "...)
	b = strconv.AppendInt(b, int64(l.Pid), 10)
	b = append(b, "] "...)
	if l.Errno != 0 {
		b = AppendErrno(b, l.Errno)
	}
	if l.Client != "" {
		b = append(b, "[client "...)
		b = append(b, l.Client...)
		b = append(b, "] "...)
	}
	b = append(b, strings.TrimRight(l.Message, "\n")...)
	if l.Referer != "" {
		b = append(b, ", referer: "...)
		b = append(b, l.Referer...)
	}
	return append(b, '\n')
}

// EOF is APR's APR_EOF (70014), the status apache2 writes for input that
// ended where it wanted more: "(70014)End of file found: ". Not a system
// error: AppendErrno knows its text.
const EOF syscall.Errno = 70014

// AppendErrno appends a system error (or EOF) as apache2 writes it before
// a message: "(13)Permission denied: ".
func AppendErrno(b []byte, errno syscall.Errno) []byte {
	b = append(b, '(')
	b = strconv.AppendInt(b, int64(errno), 10)
	b = append(b, ')')
	msg := errno.Error()
	if errno == EOF {
		msg = "End of file found"
	}
	if msg != "" {
		if c := msg[0]; c >= 'a' && c <= 'z' {
			b = append(b, c-'a'+'A')
			msg = msg[1:]
		}
		b = append(b, msg...)
	}
	return append(b, ": "...)
}

// second is the part of a timestamp that changes once a second, kept for
// the last second written: Format costs more than the rest of a line.
type second struct {
	unix       int64
	loc        *time.Location
	date, year string // "Sun Nov 22 20:15:38", " 2026"
}

var lastSecond atomic.Pointer[second]

// appendTime appends t as apache2's error log writes it (apr_ctime with
// microseconds): "Sun Nov 22 20:15:38.123456 2026".
func appendTime(b []byte, t time.Time) []byte {
	s := lastSecond.Load()
	if s == nil || s.unix != t.Unix() || s.loc != t.Location() {
		s = &second{unix: t.Unix(), loc: t.Location(), date: t.Format("Mon Jan 02 15:04:05"), year: t.Format(" 2006")}
		lastSecond.Store(s)
	}
	b = append(b, s.date...)
	us := t.Nanosecond() / 1000
	b = append(b, '.', byte('0'+us/100000), byte('0'+us/10000%10), byte('0'+us/1000%10),
		byte('0'+us/100%10), byte('0'+us/10%10), byte('0'+us%10))
	return append(b, s.year...)
}
