package site

import (
	"errors"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// SetMIME reads mod_mime's top-level lines among server, in order, into h
// (AddType and RemoveType come as h.Types from the host): AddCharset,
// AddLanguage, AddEncoding and AddHandler map an extension (lowercase,
// without a leading dot) to a value (lowercase), a later line replacing an
// earlier one's value and a Remove* line dropping it; DefaultLanguage and
// MultiviewsMatch. A map stays nil when no line gives it an extension.
func SetMIME(h *static.Handler, server []Directive) {
	for _, d := range server {
		var m *map[string]string
		remove := false
		switch strings.ToLower(d.Name) {
		case "addcharset":
			m = &h.Charsets
		case "addlanguage":
			m = &h.Languages
		case "addencoding":
			m = &h.Encodings
		case "addhandler":
			m = &h.Handlers
		case "removecharset":
			m, remove = &h.Charsets, true
		case "removelanguage":
			m, remove = &h.Languages, true
		case "removeencoding":
			m, remove = &h.Encodings, true
		case "removehandler":
			m, remove = &h.Handlers, true
		case "defaultlanguage":
			if len(d.Args) == 1 {
				h.DefaultLanguage = d.Args[0]
			}
			continue
		case "multiviewsmatch":
			if mm, err := static.ParseMatch(0, d.Args); err == nil {
				h.MultiviewsMatch = mm
			}
			continue
		default:
			continue
		}
		exts := d.Args
		value := ""
		if !remove {
			if len(exts) < 2 {
				continue
			}
			value, exts = strings.ToLower(exts[0]), exts[1:]
		}
		for _, ext := range exts {
			ext = strings.ToLower(strings.TrimPrefix(ext, "."))
			switch {
			case remove:
				delete(*m, ext)
			case *m == nil:
				*m = map[string]string{ext: value}
			default:
				(*m)[ext] = value
			}
		}
	}
}

// isMIME says whether name is one of mod_mime's per-directory directives.
func isMIME(name string) bool {
	switch strings.ToLower(name) {
	case "addtype", "addcharset", "addlanguage", "addencoding", "addhandler",
		"removetype", "removecharset", "removelanguage", "removeencoding", "removehandler",
		"defaultlanguage", "multiviewsmatch":
		return true
	}
	return false
}

// setMIME applies one of mod_mime's lines to a section's level.
func (d *dir) setMIME(x Directive, inLocation bool) error {
	if d.mime == nil {
		d.mime = &static.MIME{Ext: map[string]static.ExtInfo{}}
	}
	a := x.Args
	name := strings.ToLower(x.Name)
	switch name {
	case "defaultlanguage":
		if len(a) == 1 {
			d.mime.DefaultLanguage, d.mime.DefaultLanguageSet = a[0], true
		}
		return nil
	case "multiviewsmatch":
		if inLocation {
			return errors.New("MultiviewsMatch cannot occur within <Location> section")
		}
		m, err := static.ParseMatch(d.mime.Match, a)
		if err != nil {
			return err
		}
		d.mime.Match = m
		return nil
	}
	field := map[string]static.ExtField{
		"addtype": static.ExtType, "removetype": static.ExtType,
		"addcharset": static.ExtCharset, "removecharset": static.ExtCharset,
		"addlanguage": static.ExtLanguage, "removelanguage": static.ExtLanguage,
		"addencoding": static.ExtEncoding, "removeencoding": static.ExtEncoding,
		"addhandler": static.ExtHandler, "removehandler": static.ExtHandler,
	}[name]
	value := ""
	exts := a
	if strings.HasPrefix(name, "add") {
		if len(a) < 2 {
			return nil
		}
		value, exts = strings.ToLower(a[0]), a[1:]
	}
	for _, ext := range exts {
		ext = strings.ToLower(strings.TrimPrefix(ext, "."))
		if strings.HasPrefix(name, "remove") && name != "removetype" {
			// mod_mime applies these when it merges, after the level's Add* lines.
			d.mimeRemove = append(d.mimeRemove, mimeRemoval{ext, field})
			continue
		}
		e := d.mime.Ext[ext]
		switch field {
		case static.ExtType:
			e.Type = value
		case static.ExtCharset:
			e.Charset = value
		case static.ExtLanguage:
			e.Language = value
		case static.ExtEncoding:
			e.Encoding = value
		case static.ExtHandler:
			e.Handler = value
		}
		e.Set |= field
		d.mime.Ext[ext] = e
	}
	return nil
}

// mimeRemoval is a RemoveCharset, RemoveLanguage, RemoveEncoding or
// RemoveHandler extension.
type mimeRemoval struct {
	ext   string
	field static.ExtField
}

// level is the level's mod_mime settings, its removals applied.
func (d *dir) mimeLevel() *static.MIME {
	if len(d.mimeRemove) == 0 {
		return d.mime
	}
	m := &static.MIME{Ext: map[string]static.ExtInfo{}}
	if d.mime != nil {
		*m = *d.mime
		m.Ext = make(map[string]static.ExtInfo, len(d.mime.Ext))
		for k, v := range d.mime.Ext {
			m.Ext[k] = v
		}
	}
	for _, r := range d.mimeRemove {
		e := m.Ext[r.ext]
		switch r.field {
		case static.ExtCharset:
			e.Charset = ""
		case static.ExtLanguage:
			e.Language = ""
		case static.ExtEncoding:
			e.Encoding = ""
		case static.ExtHandler:
			e.Handler = ""
		}
		e.Set |= r.field
		m.Ext[r.ext] = e
	}
	return m
}
