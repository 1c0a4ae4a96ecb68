package accesslog

import (
	"errors"
	"io"
	"strings"
	"sync"
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
}

// Condition reads CustomLog's optional third argument: "" for none, or
// "env=VAR" or "env=!VAR" (expr= is refused).
func Condition(s string) (name string, not bool, err error) {
	switch {
	case s == "":
		return "", false, nil
	case len(s) >= 4 && strings.EqualFold(s[:4], "env="):
		name = s[4:]
		if strings.HasPrefix(name, "!") {
			return name[1:], true, nil
		}
		return name, false, nil
	case len(s) >= 5 && strings.EqualFold(s[:5], "expr="):
		return "", false, errors.New("CustomLog expr= conditions (apache2's ap_expr) are not supported by this server")
	}
	return "", false, errors.New("error in condition clause")
}

// Wants reports whether the condition lets e be logged.
func (l *Log) Wants(e *Entry) bool {
	return l.EnvVar == "" || e.Env.Has(l.EnvVar) != l.EnvNot
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
