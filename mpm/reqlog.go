package mpm

import (
	"net/http"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// requestErrors is the static handlers' LogError for the config, and the level up to
// which they call it (see static.Handler.LogError), for the requests of one server:
// vhost is the virtual host, its index in cfg.Core.VirtualHosts plus one, 0 for the
// main server. Its LogLevel (the virtual host's, else the main one) decides which
// errors are logged, as apache2's ap_log_rerror uses the request's server's: a
// line of module M is written up to M's own level, else the server's, or, once
// the request's sections set levels (http1.SetLogConfig), up to theirs merged
// over the server's. With
// the server's error log handed over (Core.ErrorLog, VirtualHost.ErrorLog), the
// process that serves the request writes each line to it (writeRequestErrors);
// without (an older host), each error becomes one line of the MPM's logger at the
// Apache level, with the fields (wire.ModuleField and others) the host writes as
// apache2 writes a request's error; wire.VhostField names the virtual host, whose
// own ErrorLog the host writes it to. Nil when the LogLevel wants no errors or
// there is nowhere to write them.
func requestErrors(cfg *Config, vhost int) (static.LogFunc, static.Level) {
	return requestErrorsUpTo(cfg, vhost, loglevel.Unset)
}

// requestErrorsUpTo is requestErrors for a server whose sections' LogLevel
// lines set levels up to sections (loglevel.Unset: none): the level it
// returns is the most verbose of any module, in the server or a section.
func requestErrorsUpTo(cfg *Config, vhost int, sections int) (static.LogFunc, static.Level) {
	levelName, target := errorLogOf(cfg, vhost)
	levels := serverLevels(levelName)
	level := static.Level(max(levels.Max(), sections))
	if level < static.LevelError {
		return nil, 0
	}
	if f := target.file(); f != nil {
		return filterLevels(levels, writeRequestErrors(f)), level
	}
	if cfg.Log == nil {
		return nil, 0
	}
	log := cfg.Log
	return filterLevels(levels, func(r *http.Request, level static.Level, module string, err error, msg string) {
		line := requestLine(r, module, err, msg)
		args := make([]any, 0, 10)
		args = append(args, wire.ModuleField, line.Module, wire.ClientField, line.Client)
		if vhost > 0 {
			args = append(args, wire.VhostField, vhost)
		}
		if line.Errno != 0 {
			args = append(args, wire.ErrnoField, int(line.Errno))
		}
		if line.Referer != "" {
			args = append(args, wire.RefererField, line.Referer)
		}
		msg = line.Message
		switch {
		case level <= static.LevelError:
			log.Error(msg, args...)
		case level == static.LevelWarn:
			log.Warn(msg, args...)
		default:
			log.Info(msg, args...)
		}
	}), level
}

// filterLevels is write for the lines that server's levels, or those the
// request's sections set over them (http1.LogConfig), want: apache2's
// ap_log_rerror's check of the module's level in r->log.
func filterLevels(server loglevel.Levels, write static.LogFunc) static.LogFunc {
	return func(r *http.Request, level static.Level, module string, err error, msg string) {
		want := server.For(module)
		if r != nil {
			if l, ok := http1.LogConfig(r).(*loglevel.Levels); ok {
				want = l.Over(&server, module)
			}
		}
		if int(level) <= want {
			write(r, level, module, err, msg)
		}
	}
}

// errorLogOf is the LogLevel and the ErrorLog of a server (see requestErrors).
func errorLogOf(cfg *Config, vhost int) (string, ErrorLog) {
	levelName, target := cfg.LogLevel, cfg.Core.ErrorLog
	if vhost > 0 && vhost <= len(cfg.Core.VirtualHosts) {
		v := &cfg.Core.VirtualHosts[vhost-1]
		if v.LogLevel != "" {
			levelName = v.LogLevel
		}
		if v.ErrorLog.FD > 0 || v.ErrorLog.File != nil {
			target = v.ErrorLog
		}
	}
	return levelName, target
}

// serverLevels is a server's LogLevel value (the host's canonical form,
// "warn core:info"): warn, apache2's default, when it cannot be read, else
// its first word's level, for every module.
func serverLevels(s string) loglevel.Levels {
	if l, err := loglevel.Parse(s); err == nil {
		return l
	}
	return loglevel.Levels{Level: int(apacheLevel(s))}
}

// apacheLevel is the number of an Apache LogLevel (its first word; emerg is 0,
// debug 7, trace1-8 from 8); warn, apache2's default, for a name it does not know.
func apacheLevel(s string) static.Level {
	s, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(s)), " ")
	if n, ok := wire.ParseLogLevel(s); ok {
		return static.Level(n)
	}
	return static.LevelWarn
}

// clientAddr is the client as apache2's error log names it: address and port,
// without the brackets of an IPv6 address.
func clientAddr(remote string) string {
	if strings.HasPrefix(remote, "[") {
		if i := strings.LastIndex(remote, "]:"); i > 0 {
			return remote[1:i] + remote[i+1:]
		}
	}
	return remote
}

// The bounds of a request's error line, in bytes of its JSON form (which are at
// least as many as its error-log form's): the message and the referer, both
// client-controlled (the path, the Referer field), are cut so that the whole
// line, with its other fields (at most some 300 bytes), stays under PIPE_BUF
// (4096), which a child writes to the error log's pipe (a piped logger's), or
// to the one stderr pipe it shares with every other child, in one atomic
// write: longer lines could interleave.
// Apache formats a line into MAX_STRING_LEN (8192) bytes and cuts it there too.
const (
	maxMessage = 2048
	maxReferer = 1536
)

// escapeLogItem escapes s as apache2's error log escapes what it writes (its
// ap_escape_errorlog_item): the backslash, control characters and bytes above 0x7e
// become \\, \b, \n, \r, \t, \v or \xhh; a double quote stays. The result is
// cut, at the end of an escape, where its JSON form would exceed max bytes.
func escapeLogItem(s string, max int) string {
	i, cost := 0, 0
	for i < len(s) && s[i] >= ' ' && s[i] < 0x7f && s[i] != '\\' && cost+jsonCost(s[i]) <= max {
		cost += jsonCost(s[i])
		i++
	}
	if i == len(s) {
		return s
	}
	const hex = "0123456789abcdef"
	b := make([]byte, i, min(len(s), max)+16)
	copy(b, s)
	for ; i < len(s); i++ {
		n := len(b)
		c := s[i]
		switch {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\v':
			b = append(b, '\\', 'v')
		case c < ' ' || c >= 0x7f:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
		for _, e := range b[n:] {
			cost += jsonCost(e)
		}
		if cost > max {
			b = b[:n]
			break
		}
	}
	return string(b)
}

// jsonCost is the length of ASCII byte c in a JSON string as Go's encoder (and
// so hclog) writes it: \" and \\ take two bytes, <, > and & six (\u003c).
func jsonCost(c byte) int {
	switch c {
	case '"', '\\':
		return 2
	case '<', '>', '&':
		return 6
	}
	return 1
}
