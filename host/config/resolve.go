package config

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/mpm/accesslog"
)

// Listener is one Listen directive, resolved.
type Listener struct {
	// Addr is "127.0.0.1:8080", "[::1]:80", or ":80" for all addresses.
	Addr string
	// Proto is the protocol, lowercased: as given, else "https" for port 443
	// and "http" otherwise.
	Proto string
	// File and Line locate the Listen directive; Line is the line Apache
	// names in messages (the last line of a continued line).
	File string
	Line int
}

// PerServer are the settings Apache keeps per server (server_rec, or the
// server's per-directory defaults) that a <VirtualHost> may set for its
// requests: the main server's, and in a VirtualHost the section's over them.
type PerServer struct {
	// AddTypes maps an extension (lowercase, without the dot) to a MIME type
	// (lowercase), from AddType; "" is RemoveType's (no type, not even
	// TypesConfig's).
	AddTypes map[string]string
	// KeepAlive enables persistent connections; default true.
	KeepAlive bool
	// MaxKeepAliveRequests defaults to 100; 0 means unlimited. As in
	// Apache, a negative value allows no further request on a connection.
	MaxKeepAliveRequests int
	// ServerSignature is "off" (the default), "on" or "email".
	ServerSignature string
	// TraceEnable is "on" (the default, as Apache's), "off" or "extended".
	TraceEnable string
	// LimitRequestBody is bytes (default 1 GiB), where 0 means unlimited, as
	// in Apache.
	LimitRequestBody int64
	// BodyTimeout and BodyMinRate come from RequestReadTimeout's body part
	// ("body=20,MinRate=500"); zero leaves the engine's default (the same).
	BodyTimeout time.Duration
	BodyMinRate int
	// LimitRequestLine and LimitRequestFieldSize are bytes (default 8190);
	// LimitRequestFields is a count (default 100), where 0 means unlimited,
	// as in Apache. A virtual host's bound the requests on the addresses it
	// is the default server of.
	LimitRequestLine, LimitRequestFieldSize, LimitRequestFields int
	// KeepAliveTimeout defaults to 5s; Apache accepts units such as "300ms".
	// OwnKeepAliveTimeout says the server sets it itself (in a <VirtualHost>:
	// the section does).
	KeepAliveTimeout    time.Duration
	OwnKeepAliveTimeout bool
	// SSL is mod_ssl's settings.
	SSL SSL
	// Timeout defaults to 60s. Apache reads it with atoi, as whole seconds.
	Timeout time.Duration
}

// IsPerServer says whether directive name sets a PerServer field.
func IsPerServer(name string) bool {
	var p PerServer
	return p.apply(&Directive{Name: name})
}

// apply takes in d if it is one of PerServer's directives, reporting
// whether it is; arguments Validate would refuse are skipped.
func (p *PerServer) apply(d *Directive) bool {
	if p.SSL.apply(d) {
		return true
	}
	a := d.Args
	one := len(a) == 1
	switch strings.ToLower(d.Name) {
	case "addtype":
		if len(a) < 2 {
			break
		}
		typ := strings.ToLower(a[0])
		for _, ext := range a[1:] {
			if ext = strings.ToLower(strings.TrimPrefix(ext, ".")); ext != "" {
				p.AddTypes[ext] = typ
			}
		}
	case "removetype":
		// mod_mime's "" type: the extension gets none, not even TypesConfig's.
		for _, ext := range a {
			if ext = strings.ToLower(strings.TrimPrefix(ext, ".")); ext != "" {
				p.AddTypes[ext] = ""
			}
		}
	case "keepalive":
		if one && oneOf(a[0], "on", "off") {
			p.KeepAlive = strings.EqualFold(a[0], "on")
		}
	case "maxkeepaliverequests":
		if one {
			p.MaxKeepAliveRequests = atoi(a[0])
		}
	case "serversignature":
		if one && oneOf(a[0], "on", "off", "email") {
			p.ServerSignature = strings.ToLower(a[0])
		}
	case "traceenable":
		if one && oneOf(a[0], "on", "off", "extended") {
			p.TraceEnable = strings.ToLower(a[0])
		}
	case "limitrequestbody":
		if one {
			if n, err := parseLimitRequestBody(a[0]); err == nil {
				p.LimitRequestBody = n
			}
		}
	case "limitrequestline":
		if one && atoi(a[0]) >= 0 {
			p.LimitRequestLine = atoi(a[0])
		}
	case "limitrequestfieldsize":
		if one && atoi(a[0]) >= 0 {
			p.LimitRequestFieldSize = atoi(a[0])
		}
	case "limitrequestfields":
		if one && atoi(a[0]) >= 0 {
			p.LimitRequestFields = atoi(a[0])
		}
	case "keepalivetimeout":
		if one {
			if t, ok := parseTimeout(a[0]); ok {
				p.KeepAliveTimeout, p.OwnKeepAliveTimeout = t, true
			}
		}
	case "timeout":
		if one {
			p.Timeout = time.Duration(atoi(a[0])) * time.Second
		}
	case "requestreadtimeout":
		for _, arg := range a {
			if t, rate, ok := parseReadTimeoutBody(arg); ok {
				p.BodyTimeout, p.BodyMinRate = t, rate
			}
		}
	default:
		return false
	}
	return true
}

// Server holds the effective core settings of the main server.
type Server struct {
	// ServerRoot is the final server root. ServerName, User and Group are as
	// written (empty when not set).
	ServerRoot, ServerName, User, Group string
	// DocumentRoot, PidFile, ErrorLog, TypesConfig and ListenAddrFile are
	// absolute paths (ErrorLog stays as written when it is a pipe, "|...",
	// or "syslog..."). ListenAddrFile is empty when not set.
	DocumentRoot, PidFile, ErrorLog, TypesConfig, ListenAddrFile string
	// TypesConfigAt locates the TypesConfig line in effect; it is zero when
	// there is none and TypesConfig is the default.
	TypesConfigAt Position
	// LogLevel is the main server's LogLevel, its lines applied in order
	// over apache2's default warn, in loglevel.Levels' canonical form: the
	// level keyword, lowercased, then the modules' own levels, sorted
	// ("warn core:info ssl:debug").
	LogLevel string
	// Listeners are the Listen directives in order.
	Listeners []Listener
	// ListenBacklog is the listen(2) backlog; default 511.
	ListenBacklog int
	// AcceptFilters maps a protocol to its accept filter, both lowercased,
	// from AcceptFilter lines (the last one for a protocol wins) over
	// Apache's defaults on Linux, http and https "data". See DeferAccept.
	AcceptFilters map[string]string
	// ListenTCPDeferAccept is the TCP_DEFER_ACCEPT timeout in seconds set
	// on listeners whose accept filter is on; default 30, as Apache's.
	ListenTCPDeferAccept int
	// DirectoryIndex lists the index files; default ["index.html"]. Several
	// DirectoryIndex lines add up; "DirectoryIndex disabled" empties it.
	DirectoryIndex []string
	// PerServer are the settings a <VirtualHost> may set apart.
	PerServer
	// GracefulShutdownTimeout bounds a graceful stop; 0 (the default)
	// waits for every connection to finish.
	GracefulShutdownTimeout time.Duration
	// MaxConnectionsPerChild (or its old name MaxRequestsPerChild) recycles
	// a child after that many connections; 0 (the default) never does.
	MaxConnectionsPerChild int
	// ServerAdmin is as written; empty when not set.
	ServerAdmin string
	// ServerTokens is the ServerTokens keyword, lowercased and unabbreviated:
	// "full" (the default), "os", "minimal", "minor", "major" or
	// "productonly".
	ServerTokens string
	// FileETag holds the arguments of the last top-level FileETag line as
	// written, nil when there is none (Apache's default, MTime Size).
	FileETag []string
	// AccessLogs are the top-level CustomLog and TransferLog lines in order,
	// with their formats resolved.
	AccessLogs []AccessLog
	// Sections are the top-level sections (<Directory>, <Location>,
	// <VirtualHost>, ...) in order.
	Sections []*Directive
	// VirtualHosts are the <VirtualHost> sections in order.
	VirtualHosts []VirtualHost
}

// AccessLog is one CustomLog or TransferLog line.
type AccessLog struct {
	// Target is an absolute path, or as written for a piped log ("|cmd").
	Target string
	// Format is the LogFormat string: a nickname is replaced by its LogFormat
	// (the common and combined nicknames exist from the start); a TransferLog
	// gets the last LogFormat without nickname, else the Common Log Format.
	Format string
	// Condition is CustomLog's third argument ("env=VAR", "env=!VAR"), "" for none.
	Condition string
	// File and Line locate the directive.
	File string
	Line int
}

// Defaults relative to the ServerRoot, as compiled into Apache.
const (
	DefaultPidFile     = "logs/httpd.pid"
	DefaultErrorLog    = "logs/error_log"
	DefaultTypesConfig = "conf/mime.types"
	DefaultDocRoot     = "htdocs"
)

// Resolve extracts the main server's settings from a validated Config,
// applying Apache's defaults. Only top-level directives count; directives
// that Validate would reject are skipped. Relative paths are made absolute
// against the ServerRoot. The only problem reported is a repeated Listen
// address, in Apache's words "Cannot define multiple Listeners on the same
// IP:port", at the repeating line; port 0 is never a repeat.
func Resolve(cfg *Config) (*Server, Errors) {
	s := &Server{
		ServerRoot:           cfg.ServerRoot,
		LogLevel:             "warn",
		ListenBacklog:        511,
		AcceptFilters:        map[string]string{"http": "data", "https": "data"},
		ListenTCPDeferAccept: 30,
		PerServer: PerServer{
			AddTypes: map[string]string{}, KeepAlive: true, MaxKeepAliveRequests: 100,
			ServerSignature: "off", TraceEnable: "on", LimitRequestBody: 1 << 30,
			LimitRequestLine: 8190, LimitRequestFieldSize: 8190, LimitRequestFields: 100,
			KeepAliveTimeout: 5 * time.Second, Timeout: 60 * time.Second,
		},
		ServerTokens: "full",
	}
	docRoot, pidFile, errorLog, typesConfig := DefaultDocRoot, DefaultPidFile, DefaultErrorLog, DefaultTypesConfig
	listenAddrFile := ""
	var index []string
	indexSet := false
	var errs Errors
	seen := map[string]bool{}
	logs := logConfig{formats: maps.Clone(accesslog.Nicknames), defaultFormat: accesslog.Default}

	for _, d := range cfg.Directives {
		if d.IsSection() {
			s.Sections = append(s.Sections, d)
			continue
		}
		if s.apply(d) {
			continue
		}
		a := d.Args
		one := len(a) == 1
		switch strings.ToLower(d.Name) {
		case "servername":
			if one {
				s.ServerName = a[0]
			}
		case "user":
			if one {
				s.User = a[0]
			}
		case "group":
			if one {
				s.Group = a[0]
			}
		case "documentroot":
			if one {
				docRoot = a[0]
			}
		case "pidfile":
			if one {
				pidFile = a[0]
			}
		case "errorlog":
			if one {
				errorLog = a[0]
			}
		case "typesconfig":
			if one {
				typesConfig = a[0]
				s.TypesConfigAt = Position{d.File, d.errLine()}
			}
		case "listenaddrfile":
			if one {
				listenAddrFile = a[0]
			}
		case "defaultruntimedir":
			if fi, err := os.Stat(absPath(cfg.ServerRoot, a[0])); one && (err != nil || !fi.IsDir()) {
				errs = append(errs, d.diag("DefaultRuntimeDir must be a valid directory, absolute or relative to ServerRoot"))
			}
		case "loglevel":
			s.LogLevel = applyLogLevel(s.LogLevel, a)
		case "listen":
			if len(a) < 1 || len(a) > 2 {
				continue
			}
			host, port, err := parseListen(a[0])
			if err != nil {
				continue
			}
			l := Listener{Addr: listenAddr(host, port), Proto: "http", File: d.File, Line: d.errLine()}
			if port == 443 {
				l.Proto = "https"
			}
			if len(a) == 2 {
				l.Proto = strings.ToLower(a[1])
			}
			if port != 0 {
				if seen[l.Addr] {
					errs = append(errs, d.diag("Cannot define multiple Listeners on the same IP:port"))
					continue
				}
				seen[l.Addr] = true
			}
			s.Listeners = append(s.Listeners, l)
		case "listenbacklog":
			if one && atoi(a[0]) > 0 {
				s.ListenBacklog = atoi(a[0])
			}
		case "acceptfilter":
			if len(a) == 2 {
				s.AcceptFilters[strings.ToLower(a[0])] = strings.ToLower(a[1])
			}
		case "listentcpdeferaccept":
			if one && atoi(a[0]) > 0 {
				s.ListenTCPDeferAccept = atoi(a[0])
			}
		case "directoryindex":
			indexSet = true
			if len(a) == 1 && strings.EqualFold(a[0], "disabled") {
				index = []string{}
				continue
			}
			index = append(index, a...)
		case "gracefulshutdowntimeout":
			if one {
				s.GracefulShutdownTimeout = time.Duration(max(atoi(a[0]), 0)) * time.Second
			}
		case "serveradmin":
			if one {
				s.ServerAdmin = a[0]
			}
		case "servertokens":
			if one {
				if t := serverTokens(a[0]); t != "" {
					s.ServerTokens = t
				}
			}
		case "fileetag":
			if checkFileETag(a) == nil {
				s.FileETag = append([]string{}, a...)
			}
		case "logformat", "customlog", "transferlog":
			logs.add(d)
		case "maxconnectionsperchild", "maxrequestsperchild":
			if one {
				s.MaxConnectionsPerChild = max(atoi(a[0]), 0)
			}
		}
	}
	s.DirectoryIndex = []string{"index.html"}
	if indexSet {
		s.DirectoryIndex = index
	}
	root := cfg.ServerRoot
	s.DocumentRoot = absPath(root, docRoot)
	s.PidFile = absPath(root, pidFile)
	s.TypesConfig = absPath(root, typesConfig)
	s.ErrorLog = errorLogPath(root, errorLog)
	if listenAddrFile != "" {
		s.ListenAddrFile = absPath(root, listenAddrFile)
	}
	s.AccessLogs = logs.resolve(root)
	for _, d := range s.Sections {
		if strings.EqualFold(d.Name, "VirtualHost") {
			s.VirtualHosts = append(s.VirtualHosts, resolveVirtualHost(d, s, &logs, root))
		}
	}
	return s, errs
}

// applyLogLevel is the LogLevel prev (canonical, see Server.LogLevel) with
// a LogLevel line's args applied, as apache2's set_loglevel: a level keyword
// sets every module's level, a "module:level" word one module's. A bad
// word (Validate reports it) leaves the words before it applied.
func applyLogLevel(prev string, args []string) string {
	l, _ := loglevel.Parse(prev)
	_ = l.Apply(args)
	return l.String()
}

// errorLogPath is an ErrorLog argument resolved: a file path made absolute
// under root, a piped logger ("|...") and syslog as written.
func errorLogPath(root, arg string) string {
	if strings.HasPrefix(arg, "|") || hasPrefixFold(arg, "syslog") {
		return arg
	}
	return absPath(root, arg)
}

// logConfig gathers one server's LogFormat, CustomLog and TransferLog lines.
type logConfig struct {
	formats       map[string]string // nickname -> format string
	defaultFormat string            // the LogFormat without nickname; "" when not set
	lines         []logLine
	any           bool // a CustomLog or TransferLog line, even one left out of lines
}

type logLine struct {
	d        *Directive
	format   string
	transfer bool
}

// add takes in d if it is a LogFormat, CustomLog or TransferLog line that
// Validate accepts.
func (lc *logConfig) add(d *Directive) {
	a := d.Args
	switch strings.ToLower(d.Name) {
	case "logformat":
		if checkLogFormat(a) != nil {
			return
		}
		if len(a) == 2 {
			lc.formats[a[1]] = a[0]
		} else {
			lc.defaultFormat = a[0]
		}
	case "customlog":
		if len(a) < 2 || len(a) > 3 || checkCustomLog(a) != nil {
			return
		}
		lc.any = true
		lc.lines = append(lc.lines, logLine{d: d, format: a[1]})
	case "transferlog":
		if len(a) == 1 {
			lc.any = true
			lc.lines = append(lc.lines, logLine{d: d, transfer: true})
		}
	}
}

// resolve gives the lines' targets (absolute against root, or as written
// for a pipe) and formats: a nickname is looked up in formats; a
// TransferLog takes defaultFormat.
func (lc *logConfig) resolve(root string) []AccessLog {
	var out []AccessLog
	for _, l := range lc.lines {
		f := l.format
		if l.transfer {
			f = lc.defaultFormat
		} else if named, ok := lc.formats[f]; ok {
			f = named
		}
		target := l.d.Args[0]
		if !strings.HasPrefix(target, "|") {
			target = absPath(root, target)
		}
		cond := ""
		if !l.transfer && len(l.d.Args) == 3 {
			cond = l.d.Args[2]
		}
		out = append(out, AccessLog{Target: target, Format: f, Condition: cond, File: l.d.File, Line: l.d.errLine()})
	}
	return out
}

// DeferAccept is the TCP_DEFER_ACCEPT timeout in seconds for a listener
// of protocol proto (Listener.Proto), 0 for none. As Apache on Linux does,
// every accept filter but "none" (and an empty one) means
// TCP_DEFER_ACCEPT for ListenTCPDeferAccept seconds: accept(2) returns a
// connection only once the client has sent data; a protocol without an
// AcceptFilter line or default has none.
func (s *Server) DeferAccept(proto string) int {
	switch s.AcceptFilters[proto] {
	case "", "none":
		return 0
	}
	return s.ListenTCPDeferAccept
}

// serverTokens maps a ServerTokens keyword to its long lowercase form, or
// "" for an unknown one.
func serverTokens(w string) string {
	switch strings.ToLower(w) {
	case "min", "minimal":
		return "minimal"
	case "prod", "productonly":
		return "productonly"
	case "major", "minor", "os", "full":
		return strings.ToLower(w)
	}
	return ""
}

// absPath resolves p against root, as Apache's ap_server_root_relative does.
func absPath(root, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(root, p)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
