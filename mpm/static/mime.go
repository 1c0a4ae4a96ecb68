package static

import (
	"errors"
	"iter"
	"strings"
)

// MIME is what sections set of mod_mime's per-directory configuration, over
// the server's (the Handler's Types, Charsets, Languages, Encodings,
// Handlers, DefaultLanguage and MultiviewsMatch): AddType, AddCharset,
// AddLanguage, AddEncoding, AddHandler and their Remove* lines, with
// DefaultLanguage and MultiviewsMatch.
type MIME struct {
	// Ext maps a lowercase extension to what the sections say of it.
	Ext map[string]ExtInfo
	// DefaultLanguage, when DefaultLanguageSet, replaces the server's.
	DefaultLanguage    string
	DefaultLanguageSet bool
	// Match, when not zero, replaces the server's MultiviewsMatch.
	Match Match
}

// ExtInfo is one extension's metadata; Set says which fields are given (a
// field given as "" removes the server's: RemoveCharset, RemoveLanguage,
// RemoveEncoding, RemoveHandler; a Type "" is RemoveType's, no type at all).
type ExtInfo struct {
	Type, Charset, Language, Encoding, Handler string
	Set                                        ExtField
}

// ExtField names ExtInfo's fields.
type ExtField uint8

// ExtInfo's fields.
const (
	ExtType ExtField = 1 << iota
	ExtCharset
	ExtLanguage
	ExtEncoding
	ExtHandler
)

// Match is MultiviewsMatch's bits; zero is unset (NegotiatedOnly).
type Match uint8

// MultiviewsMatch's options.
const (
	MatchAny Match = 1 << iota
	MatchNegotiated
	MatchHandlers
	MatchFilters
)

// Merge returns add over m, as mod_mime's merge: field by field for each
// extension.
func (m *MIME) Merge(add *MIME) *MIME {
	if add == nil {
		return m
	}
	if m == nil {
		return add
	}
	out := &MIME{Ext: make(map[string]ExtInfo, len(m.Ext)+len(add.Ext)), DefaultLanguage: m.DefaultLanguage,
		DefaultLanguageSet: m.DefaultLanguageSet, Match: m.Match}
	for k, v := range m.Ext {
		out.Ext[k] = v
	}
	for k, a := range add.Ext {
		out.Ext[k] = out.Ext[k].over(a)
	}
	if add.DefaultLanguageSet {
		out.DefaultLanguage, out.DefaultLanguageSet = add.DefaultLanguage, true
	}
	if add.Match != 0 {
		out.Match = add.Match
	}
	return out
}

// over is a over e.
func (e ExtInfo) over(a ExtInfo) ExtInfo {
	if a.Set&ExtType != 0 {
		e.Type = a.Type
	}
	if a.Set&ExtCharset != 0 {
		e.Charset = a.Charset
	}
	if a.Set&ExtLanguage != 0 {
		e.Language = a.Language
	}
	if a.Set&ExtEncoding != 0 {
		e.Encoding = a.Encoding
	}
	if a.Set&ExtHandler != 0 {
		e.Handler = a.Handler
	}
	e.Set |= a.Set
	return e
}

// sectionInfo is what o's sections say of ext.
func sectionInfo(o *Options, ext string) (ExtInfo, bool) {
	if o.MIME == nil || len(o.MIME.Ext) == 0 {
		return ExtInfo{}, false
	}
	e, ok := o.MIME.Ext[ext]
	if !ok {
		e, ok = o.MIME.Ext[strings.ToLower(ext)]
	}
	return e, ok
}

// mimeType returns the type for the extensions of rel's last element: apache2's
// mod_mime looks at every extension ("a.tar.gz") and the last one with a type wins.
// A type "" in Types is RemoveType's: that extension gives no type, not even
// TypesConfig's. The last extension with a charset (Charsets) sets the type's
// charset parameter.
func (h *Handler) mimeType(rel string, o *Options) string {
	if o.ForceType != "" {
		return o.ForceType
	}
	ct, cs := "", ""
	for ext := range Extensions(rel) {
		t, ok := h.Types[ext]
		if !ok {
			t, ok = h.Types[strings.ToLower(ext)]
		}
		c := ""
		if h.Charsets != nil {
			c = extensionInfo(h.Charsets, ext)
		}
		if e, in := sectionInfo(o, ext); in {
			if e.Set&ExtType != 0 {
				t, ok = e.Type, true
			}
			if e.Set&ExtCharset != 0 {
				c = e.Charset
			}
		}
		if !ok {
			t, _ = h.MimeTypes.Lookup(ext)
		}
		if t != "" {
			ct = t
		}
		if c != "" {
			cs = c
		}
	}
	if cs != "" && ct != "" {
		return setCharset(ct, cs)
	}
	return ct
}

// extensionInfo is m's value for ext, whose case does not count.
func extensionInfo(m map[string]string, ext string) string {
	if v, ok := m[ext]; ok {
		return v
	}
	return m[strings.ToLower(ext)]
}

// setCharset gives ct the charset parameter cs, in place of one it has, as
// mod_mime does with AddCharset's.
func setCharset(ct, cs string) string {
	base, params, _ := strings.Cut(ct, ";")
	out := strings.TrimSpace(base)
	for p := range strings.SplitSeq(params, ";") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if name, _, _ := strings.Cut(p, "="); strings.EqualFold(strings.TrimSpace(name), "charset") {
			continue
		}
		out += "; " + p
	}
	return out + "; charset=" + cs
}

// languages is the Content-Language of rel's last element: the languages of
// its extensions (Languages) in order, as mod_mime collects them, else
// DefaultLanguage; "" for none.
func (h *Handler) languages(rel string, o *Options) string {
	if h.Languages == nil && o.MIME == nil {
		return h.DefaultLanguage
	}
	langs := ""
	for ext := range Extensions(rel) {
		l := ""
		if h.Languages != nil {
			l = extensionInfo(h.Languages, ext)
		}
		if e, in := sectionInfo(o, ext); in && e.Set&ExtLanguage != 0 {
			l = e.Language
		}
		if l != "" {
			if langs != "" {
				langs += ", "
			}
			langs += l
		}
	}
	if langs == "" {
		return h.defaultLanguage(o)
	}
	return langs
}

func (h *Handler) defaultLanguage(o *Options) string {
	if o.MIME != nil && o.MIME.DefaultLanguageSet {
		return o.MIME.DefaultLanguage
	}
	return h.DefaultLanguage
}

// encoding is the Content-Encoding of rel's last element (AddEncoding), the
// encodings of its extensions in order; "" for none.
func (h *Handler) encoding(rel string, o *Options) string {
	if h.Encodings == nil && o.MIME == nil {
		return ""
	}
	enc := ""
	for ext := range Extensions(rel) {
		e := ""
		if h.Encodings != nil {
			e = extensionInfo(h.Encodings, ext)
		}
		if x, in := sectionInfo(o, ext); in && x.Set&ExtEncoding != 0 {
			e = x.Encoding
		}
		if e != "" {
			if enc != "" {
				enc += ", "
			}
			enc += e
		}
	}
	return enc
}

// fileHandler is the handler of the file rel under o, as apache2's r->handler
// after the fixups: SetHandler's, else, for a file that is not a directory,
// that of its last extension with one (AddHandler and RemoveHandler at each
// level, mod_mime's find_ct); "" for none.
func (h *Handler) fileHandler(rel string, dir bool, o *Options) string {
	if dir {
		return o.SetHandler
	}
	return h.handler(rel, o)
}

// handler is the handler of rel's last element: SetHandler's, else that of
// the last extension with one (AddHandler); "" for none.
func (h *Handler) handler(rel string, o *Options) string {
	if o.SetHandler != "" {
		return o.SetHandler
	}
	if h.Handlers == nil && o.MIME == nil {
		return ""
	}
	hd := ""
	for ext := range Extensions(rel) {
		x := ""
		if h.Handlers != nil {
			x = extensionInfo(h.Handlers, ext)
		}
		if e, in := sectionInfo(o, ext); in && e.Set&ExtHandler != 0 {
			x = e.Handler
		}
		if x != "" {
			hd = x
		}
	}
	return hd
}

// match is the MultiviewsMatch in force under o.
func (h *Handler) match(o *Options) Match {
	if o.MIME != nil && o.MIME.Match != 0 {
		return o.MIME.Match
	}
	return h.MultiviewsMatch
}

// negotiable reports whether name, a file found for the MultiViews request
// of base (a name without the extensions), may be one of its variants, as
// mod_mime's exception list and mod_negotiation read it: every extension of
// name that gives no metadata (type, charset, language, encoding; a handler
// with MultiviewsMatch Handlers; anything with Any) must be one of base's
// own parts, in order.
func (h *Handler) negotiable(name, base string, o *Options) bool {
	match := h.match(o)
	var exceptions []string
	found := false
	first := true
	for ext := range Extensions(name) {
		if first {
			exceptions = append(exceptions, baseName(name))
			first = false
		}
		if ext == "" {
			continue
		}
		if match&MatchAny != 0 || h.extKnown(ext, o, match) {
			found = true
			continue
		}
		exceptions = append(exceptions, ext)
	}
	if !found {
		return false
	}
	n := 0
	for seg := range strings.SplitSeq(base, ".") {
		if n < len(exceptions) && seg == exceptions[n] {
			n++
		}
	}
	return n == len(exceptions)
}

// extKnown says whether ext gives name some metadata.
func (h *Handler) extKnown(ext string, o *Options, match Match) bool {
	t, ok := h.Types[strings.ToLower(ext)]
	e, in := sectionInfo(o, ext)
	if in && e.Set&ExtType != 0 {
		t, ok = e.Type, true
	}
	if !ok {
		if _, known := h.MimeTypes.Lookup(ext); known {
			return true
		}
	}
	if t != "" {
		return true
	}
	pick := func(m map[string]string, f ExtField, v string) bool {
		x := ""
		if m != nil {
			x = extensionInfo(m, ext)
		}
		if in && e.Set&f != 0 {
			x = v
		}
		return x != ""
	}
	if pick(h.Charsets, ExtCharset, e.Charset) || pick(h.Languages, ExtLanguage, e.Language) || pick(h.Encodings, ExtEncoding, e.Encoding) {
		return true
	}
	return match&MatchHandlers != 0 && pick(h.Handlers, ExtHandler, e.Handler)
}

// baseName is the part of the last element of path before its first
// extension; leading dots belong to it.
func baseName(path string) string {
	base := path[strings.LastIndexByte(path, '/')+1:]
	i := 0
	for i < len(base) && base[i] == '.' {
		i++
	}
	if j := strings.IndexByte(base[i:], '.'); j >= 0 {
		return base[:i+j]
	}
	return base
}

// Extensions yields the extensions of the last element of a path, as
// apache2's mod_mime reads them: each part after a dot ("a.tar.gz": "tar",
// then "gz"), leading dots being part of the name (".png" has none).
func Extensions(path string) iter.Seq[string] {
	return func(yield func(string) bool) {
		base := path[strings.LastIndexByte(path, '/')+1:]
		i := 0
		for i < len(base) && base[i] == '.' {
			i++
		}
		base = base[i:]
		for {
			i := strings.IndexByte(base, '.')
			if i < 0 {
				return
			}
			base = base[i+1:]
			ext := base
			if j := strings.IndexByte(ext, '.'); j >= 0 {
				ext = ext[:j]
			}
			if !yield(ext) {
				return
			}
		}
	}
}

// ParseMatch reads MultiviewsMatch's words over m, with apache2's errors.
func ParseMatch(m Match, words []string) (Match, error) {
	for _, w := range words {
		switch strings.ToLower(w) {
		case "any":
			if m != 0 && m&^MatchAny != 0 {
				return m, errors.New("Any is incompatible with NegotiatedOnly, Filters and Handlers")
			}
			m |= MatchAny
		case "negotiatedonly":
			if m != 0 && m&^MatchNegotiated != 0 {
				return m, errors.New("NegotiatedOnly is incompatible with Any, Filters and Handlers")
			}
			m |= MatchNegotiated
		case "filters":
			if m&(MatchNegotiated|MatchAny) != 0 {
				return m, errors.New("Filters is incompatible with Any and NegotiatedOnly")
			}
			m |= MatchFilters
		case "handlers":
			if m&(MatchNegotiated|MatchAny) != 0 {
				return m, errors.New("Handlers is incompatible with Any and NegotiatedOnly")
			}
			m |= MatchHandlers
		default:
			return m, errors.New("Unrecognized option '" + w + "'")
		}
	}
	return m, nil
}
