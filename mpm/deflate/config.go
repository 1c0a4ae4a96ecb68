// Package deflate is apache2's mod_deflate output filter (DEFLATE) with the
// directives that put it on a response: mod_filter's AddOutputFilterByType,
// core's SetOutputFilter and mod_mime's AddOutputFilter and
// RemoveOutputFilter, and the server's Deflate* settings, parsed with
// apache2's messages.
//
// As in apache2, the filter compresses only a handler's own answer (never an
// error page the server makes, a 204 or a 304), only when the request's
// Accept-Encoding names gzip without q=0, never a body of 68 bytes or less
// or one that already has a Content-Encoding; it adds "Vary:
// Accept-Encoding" to every answer of a matching type it looked at. An
// answer whose compressed form fits in DeflateBufferSize gets a
// Content-Length and may be cut to a Range (of the compressed bytes); a
// longer one is streamed (chunked, or close-delimited for HTTP/1.0).
package deflate

import (
	"errors"
	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
	"net/http"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// ETagMode is DeflateAlterETag's setting.
type ETagMode int8

const (
	AddSuffix ETagMode = iota // the default: `"tag-gzip"`
	NoChange
	Remove
)

// Server is a server's mod_deflate settings (the Deflate* directives, which
// apache2 allows only outside sections). The zero Server is apache2's
// defaults.
type Server struct {
	Level int // DeflateCompressionLevel 1-9; 0: zlib's default (6)
	// BufferSize, MemLevel and WindowSize are accepted and checked:
	// compress/flate has one memory level and a 32 KiB window, and what is
	// held before sending is the writer's (see heldInput).
	BufferSize int
	MemLevel   int
	WindowSize int
	ETag       ETagMode
	// NoteInput, NoteOutput and NoteRatio are DeflateFilterNote's names of
	// the notes (the access log's %{NAME}n) a compressed answer leaves: the
	// body's length, the deflate stream's (without gzip's header and
	// trailer) and the second as a percentage of the first; "" for none.
	NoteInput, NoteOutput, NoteRatio string
	// Env, if set, looks up the request's environment variable (no-gzip,
	// gzip-only-text/html, force-gzip, as SetEnvIf and BrowserMatch set
	// them); nil: the request has none.
	Env func(r *http.Request, name string) (string, bool)
}

// IsServerDirective reports whether name is one of the Deflate* directives
// Server.Set takes.
func IsServerDirective(name string) bool {
	switch strings.ToLower(name) {
	case "deflatecompressionlevel", "deflatebuffersize", "deflatememlevel", "deflatewindowsize", "deflatealteretag",
		"deflatefilternote":
		return true
	}
	return false
}

// Set applies one Deflate* directive; the messages are apache2's.
func (s *Server) Set(name string, args []string) error {
	if strings.EqualFold(name, "DeflateFilterNote") {
		return s.setNote(args)
	}
	if len(args) != 1 {
		return errors.New(name + " takes one argument")
	}
	a := args[0]
	n := cnum.Atoi(a)
	switch strings.ToLower(name) {
	case "deflatecompressionlevel":
		if n < 1 || n > 9 {
			return errors.New("Compression Level must be between 1 and 9")
		}
		s.Level = n
	case "deflatebuffersize":
		if n <= 0 {
			return errors.New("DeflateBufferSize should be positive")
		}
		s.BufferSize = n
	case "deflatememlevel":
		if n < 1 || n > 9 {
			return errors.New("DeflateMemLevel must be between 1 and 9")
		}
		s.MemLevel = n
	case "deflatewindowsize":
		if n < 1 || n > 15 {
			return errors.New("DeflateWindowSize must be between 1 and 15")
		}
		s.WindowSize = n
	case "deflatealteretag":
		switch strings.ToLower(a) {
		case "nochange":
			s.ETag = NoChange
		case "addsuffix":
			s.ETag = AddSuffix
		case "remove":
			s.ETag = Remove
		default:
			return errors.New("DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'")
		}
	default:
		return errors.New("not a mod_deflate directive: " + name)
	}
	return nil
}

// setNote is DeflateFilterNote [Input|Output|Ratio] name (one word: the
// ratio's name), as mod_deflate's deflate_set_note.
func (s *Server) setNote(args []string) error {
	switch {
	case len(args) == 1:
		s.NoteRatio = args[0]
	case len(args) != 2:
		return errors.New("DeflateFilterNote takes one or two arguments")
	case strings.EqualFold(args[0], "ratio"):
		s.NoteRatio = args[1]
	case strings.EqualFold(args[0], "input"):
		s.NoteInput = args[1]
	case strings.EqualFold(args[0], "output"):
		s.NoteOutput = args[1]
	default:
		return errors.New("Unknown note type " + args[0])
	}
	return nil
}

// Dir is what one level (the server or a section) says about DEFLATE.
type Dir struct {
	byType    []string // AddOutputFilterByType DEFLATE's types; nil: not set here
	set       *bool    // SetOutputFilter names DEFLATE; nil: not set here
	exts      map[string]bool
	anyFilter bool // some directive here names DEFLATE
}

// IsDirDirective reports whether name is one of the directives Dir.Set takes.
func IsDirDirective(name string) bool {
	switch strings.ToLower(name) {
	case "addoutputfilterbytype", "setoutputfilter", "addoutputfilter", "removeoutputfilter":
		return true
	}
	return false
}

// filterName is the one output filter this server has.
const filterName = "DEFLATE"

// names splits a ";"-separated filter list and reports whether it names
// DEFLATE, or the first name that is no filter of this server.
func names(list string) (deflate bool, unknown string) {
	for _, n := range strings.Split(list, ";") {
		switch {
		case n == "":
		case strings.EqualFold(n, filterName):
			deflate = true
		case unknown == "":
			unknown = n
		}
	}
	return deflate, unknown
}

// Set applies AddOutputFilterByType, SetOutputFilter, AddOutputFilter or
// RemoveOutputFilter; the messages are apache2's. A filter other than
// DEFLATE is refused by AddOutputFilterByType (mod_filter looks providers
// up when it reads the line) and ignored by the others (apache2 looks
// them up per request).
func (d *Dir) Set(name string, args []string) error {
	switch strings.ToLower(name) {
	case "addoutputfilterbytype":
		if len(args) < 2 {
			return errors.New("AddOutputFilterByType requires at least two arguments")
		}
		deflate, unknown := names(args[0])
		if unknown != "" {
			return errors.New("Unknown filter provider " + unknown)
		}
		if deflate {
			// A level's own list replaces the inherited one (mod_filter
			// declares the filter afresh in each section).
			if d.byType == nil {
				d.byType = []string{}
			}
			d.byType = append(d.byType, args[1:]...)
			d.anyFilter = true
		}
	case "setoutputfilter":
		if len(args) != 1 {
			return errors.New("SetOutputFilter takes one argument, filter (or ; delimited list of filters) to be run on the request content")
		}
		deflate, _ := names(args[0])
		d.set = &deflate
		d.anyFilter = d.anyFilter || deflate
	case "addoutputfilter":
		if len(args) < 2 {
			return errors.New("AddOutputFilter requires at least two arguments")
		}
		deflate, _ := names(args[0])
		for _, e := range args[1:] {
			d.ext(e, deflate)
		}
		d.anyFilter = d.anyFilter || deflate
	case "removeoutputfilter":
		for _, e := range args {
			d.ext(e, false)
		}
	default:
		return errors.New("not an output filter directive: " + name)
	}
	return nil
}

// ext records an extension's filter (mod_mime: lowercase, without the dot).
func (d *Dir) ext(e string, deflate bool) {
	if d.exts == nil {
		d.exts = map[string]bool{}
	}
	d.exts[strings.ToLower(strings.TrimPrefix(e, "."))] = deflate
}

// Empty reports whether the level says nothing about output filters.
func (d *Dir) Empty() bool { return d.byType == nil && d.set == nil && d.exts == nil }

// Enables reports whether some directive of the level names DEFLATE.
func (d *Dir) Enables() bool { return d.anyFilter }

// Merge is d with the level add on top, as apache2 merges the three
// modules' settings: add's AddOutputFilterByType list and SetOutputFilter
// replace d's, and its extensions override d's one by one.
func (d Dir) Merge(add *Dir) Dir {
	if add.byType != nil {
		d.byType = add.byType
	}
	if add.set != nil {
		d.set = add.set
	}
	if add.exts != nil {
		m := make(map[string]bool, len(d.exts)+len(add.exts))
		for k, v := range d.exts {
			m[k] = v
		}
		for k, v := range add.exts {
			m[k] = v
		}
		d.exts = m
	}
	d.anyFilter = d.anyFilter || add.anyFilter
	return d
}

// Filter is the DEFLATE filter of a merged configuration; nil when
// nothing there puts DEFLATE on a response.
func (d *Dir) Filter(s *Server) *Filter {
	f := &Filter{srv: s, types: d.byType, all: d.set != nil && *d.set}
	for e, on := range d.exts {
		if on {
			if f.exts == nil {
				f.exts = map[string]bool{}
			}
			f.exts[e] = true
		}
	}
	if len(f.types) == 0 && !f.all && f.exts == nil {
		return nil
	}
	return f
}

// Filter decides, for the answers of one configuration, whether DEFLATE is
// on them, and compresses them (Wrap).
type Filter struct {
	srv   *Server
	types []string
	all   bool
	exts  map[string]bool
}

// byName reports whether the file name has an extension AddOutputFilter
// gave DEFLATE (mod_mime looks at every extension of the last element).
func (f *Filter) byName(name string) bool {
	if f.exts == nil {
		return false
	}
	for ext := range static.Extensions(name) {
		if f.exts[strings.ToLower(ext)] {
			return true
		}
	}
	return false
}

// byType reports whether AddOutputFilterByType names the media type of ct
// (mod_filter compares it, up to a ";" or a blank, exactly).
func (f *Filter) byType(ct string) bool {
	if ct == "" {
		return false
	}
	if i := strings.IndexAny(ct, "; \t"); i >= 0 {
		ct = ct[:i]
	}
	for _, t := range f.types {
		if t == ct {
			return true
		}
	}
	return false
}

func (f *Filter) level() int {
	if f.srv == nil || f.srv.Level == 0 {
		return 6
	}
	return f.srv.Level
}

func (f *Filter) env(r *http.Request, name string) (string, bool) {
	if f.srv == nil || f.srv.Env == nil {
		return "", false
	}
	return f.srv.Env(r, name)
}

func (f *Filter) etag() ETagMode {
	if f.srv == nil {
		return AddSuffix
	}
	return f.srv.ETag
}
