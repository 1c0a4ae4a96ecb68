package accesslog

import (
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
)

// Log is one CustomLog: lines in a Format, each written to W with a single Write call
// (one write(2) for an *os.File), so that lines never interleave when many processes
// append to the same file or pipe. Safe for concurrent use.
type Log struct {
	W      io.Writer
	Format *Format
	// EnvVar, if set, is CustomLog's "env=VAR" clause: only requests with
	// the variable set are logged, or only those without it when EnvNot
	// ("env=!VAR").
	EnvVar string
	EnvNot bool
	// Expr, if set, is the "expr=" clause: only requests it holds for are
	// logged.
	Expr *apexpr.Expr
}

// Condition reads CustomLog's optional third argument into l: "" for none,
// "env=VAR", "env=!VAR" or "expr=EXPRESSION".
func (l *Log) Condition(s string) error {
	switch {
	case s == "":
	case len(s) >= 4 && strings.EqualFold(s[:4], "env="):
		l.EnvVar = s[4:]
		if strings.HasPrefix(l.EnvVar, "!") {
			l.EnvVar, l.EnvNot = l.EnvVar[1:], true
		}
	case len(s) >= 5 && strings.EqualFold(s[:5], "expr="):
		x, err := apexpr.Parse(s[5:])
		if err != nil {
			return err
		}
		l.Expr = x
	default:
		return errors.New("error in condition clause")
	}
	return nil
}

// Wants reports whether the condition lets e be logged. As apache2's, it
// tests the first request of a chain of internal redirects: its status and
// its variables as they were when it was redirected.
func (l *Log) Wants(e *Entry) bool {
	vars := e.Env
	if e.OrigEnv != nil {
		vars = e.OrigEnv
	}
	if l.Expr != nil {
		if e.Request == nil {
			return false
		}
		q := apexpr.Request{R: e.Request, URI: e.Request.URL.Path, Query: e.Request.URL.RawQuery, Env: vars, Out: e.Header, Status: e.origStatus()}
		ok, err := l.Expr.Eval(&q)
		return ok && err == nil
	}
	return l.EnvVar == "" || vars.Has(l.EnvVar) != l.EnvNot
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Write formats e and writes the line.
// A line the condition does not want is not written.
func (l *Log) Write(e *Entry) error {
	if !l.Wants(e) {
		return nil
	}
	bp := bufPool.Get().(*[]byte)
	b := append(l.Format.Append((*bp)[:0], e), '\n')
	_, err := l.W.Write(b)
	if cap(b) <= 64<<10 {
		*bp = b
		bufPool.Put(bp)
	}
	return err
}
