package cgi

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Server is the server-wide part: which module runs the scripts, as a
// LoadModule line loads it, and mod_cgi's ScriptLog settings.
type Server struct {
	// Module is "cgi" or "cgid", the error log's name for the module; ""
	// when neither is loaded and no script runs.
	Module string
	// Log is ScriptLog's file ("" for none), LogLength ScriptLogLength
	// and LogBuffer ScriptLogBuffer.
	Log       string
	LogLength int64
	LogBuffer int
}

// Directives are the server-level directives Server.Set reads.
var Directives = []string{"LoadModule", "ScriptLog", "ScriptLogLength", "ScriptLogBuffer", "ScriptSock"}

// Set reads one server-level line: a LoadModule of cgi_module or cgid_module
// (others are not this package's), ScriptLog, ScriptLogLength,
// ScriptLogBuffer, ScriptSock (accepted: no daemon socket here).
func (s *Server) Set(name string, args []string) error {
	if s.LogLength == 0 {
		s.LogLength, s.LogBuffer = defaultLogBytes, defaultBufBytes
	}
	switch strings.ToLower(name) {
	case "loadmodule":
		if len(args) > 0 && s.Module == "" {
			switch args[0] {
			case "cgi_module":
				s.Module = "cgi"
			case "cgid_module":
				s.Module = "cgid"
			}
		}
	case "scriptlog":
		if len(args) == 1 {
			s.Log = args[0]
		}
	case "scriptloglength":
		if len(args) == 1 {
			s.LogLength = atol(args[0])
		}
	case "scriptlogbuffer":
		if len(args) == 1 {
			s.LogBuffer = int(atol(args[0]))
		}
	}
	return nil
}

// mod_cgi's defaults: DEFAULT_LOGBYTES and DEFAULT_BUFBYTES.
const (
	defaultLogBytes = 10385760
	defaultBufBytes = 1024
)

// atol is C's atol: leading digits, 0 for none.
func atol(s string) int64 {
	s = strings.TrimLeft(s, " \t")
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.ParseInt(s[:i], 10, 64)
	return n
}

// Dir is one level's (or a merged configuration's) settings of how a file
// runs as a CGI script: core's CGIPassAuth and CGIVar, and mod_cgi's
// CGIScriptTimeout. Whether a file runs as one is its handler's matter
// (SetHandler, AddHandler: package static resolves it, Handler.Handles
// answers for cgi-script).
type Dir struct {
	passAuth *bool
	// currentURI is CGIVar REQUEST_URI current-uri (nil: not set).
	currentURI *bool
	timeout    time.Duration // CGIScriptTimeout; 0: not set
}

// DirDirectives are the directives Dir.Set reads.
var DirDirectives = []string{"CGIPassAuth", "CGIVar", "CGIScriptTimeout", "CGIDScriptTimeout"}

// Set reads one line, with apache2's messages for what it refuses.
func (d *Dir) Set(name string, args []string) error {
	switch strings.ToLower(name) {
	case "cgipassauth":
		if len(args) != 1 || !strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off") {
			return errors.New("CGIPassAuth must be On or Off")
		}
		on := strings.EqualFold(args[0], "on")
		d.passAuth = &on
	case "cgivar":
		if len(args) != 2 {
			return errors.New("CGIVar takes two arguments, Controls how some CGI variables are set")
		}
		if args[0] != "REQUEST_URI" {
			return errors.New(`Unrecognized CGI variable: "` + args[0] + `"`)
		}
		rule := strings.ToLower(args[1])
		if rule != "current-uri" && rule != "original-uri" {
			return errors.New("Valid rules for REQUEST_URI are 'current-uri' and 'original-uri'")
		}
		cur := rule == "current-uri"
		d.currentURI = &cur
	case "cgiscripttimeout", "cgidscripttimeout":
		t, ok := parseTimeout(args)
		if !ok {
			return errors.New(name + " has wrong format")
		}
		d.timeout = t
	}
	return nil
}

// parseTimeout is ap_timeout_parameter_parse with seconds by default: a
// number and an optional unit (ms, s, mi, h).
func parseTimeout(args []string) (time.Duration, bool) {
	if len(args) != 1 || args[0] == "" {
		return 0, false
	}
	s := args[0]
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	unit := time.Second
	switch strings.ToLower(s[i:]) {
	case "", "s":
	case "ms":
		unit = time.Millisecond
	case "mi", "min":
		unit = time.Minute
	case "h", "hr":
		unit = time.Hour
	default:
		return 0, false
	}
	return time.Duration(n) * unit, true
}

// Empty reports whether d sets nothing.
func (d *Dir) Empty() bool {
	return d.passAuth == nil && d.currentURI == nil && d.timeout == 0
}

// Merge is d with over on top: each setting over has replaces d's.
func (d Dir) Merge(over *Dir) Dir {
	if over.Empty() {
		return d
	}
	if over.passAuth != nil {
		d.passAuth = over.passAuth
	}
	if over.currentURI != nil {
		d.currentURI = over.currentURI
	}
	if over.timeout != 0 {
		d.timeout = over.timeout
	}
	return d
}

// scriptHandler is the handler name mod_cgi answers for.
const scriptHandler = "cgi-script"

// magicType is the media type mod_cgi runs as a script when the file has
// no handler (CGI_MAGIC_TYPE).
const magicType = "application/x-httpd-cgi"
