package site

import (
	"maps"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

func TestSetMIME(t *testing.T) {
	d := func(name string, args ...string) Directive { return Directive{Name: name, Args: args} }
	var h static.Handler
	SetMIME(&h, []Directive{
		d("AddCharset", "UTF-8", ".utf8", "U8"),
		d("addlanguage", "pt-BR", ".pt-br"),
		d("AddLanguage", "en", ".en", ".eng"),
		d("Options", "None"),
		d("RemoveLanguage", ".eng"),
		d("AddCharset", "KOI8-r", ".utf8"), // a later line wins
		d("AddEncoding", "x-gzip", ".gz", ".GZIP"),
		d("AddHandler", "type-map", "var"),
		d("DefaultLanguage", "fr"),
		d("MultiviewsMatch", "Handlers"),
	})
	if want := map[string]string{"utf8": "koi8-r", "u8": "utf-8"}; !maps.Equal(h.Charsets, want) {
		t.Errorf("charsets %v, want %v", h.Charsets, want)
	}
	if want := map[string]string{"pt-br": "pt-br", "en": "en"}; !maps.Equal(h.Languages, want) {
		t.Errorf("languages %v, want %v", h.Languages, want)
	}
	if want := map[string]string{"gz": "x-gzip", "gzip": "x-gzip"}; !maps.Equal(h.Encodings, want) {
		t.Errorf("encodings %v, want %v", h.Encodings, want)
	}
	if want := map[string]string{"var": "type-map"}; !maps.Equal(h.Handlers, want) {
		t.Errorf("handlers %v, want %v", h.Handlers, want)
	}
	if h.DefaultLanguage != "fr" || h.MultiviewsMatch != static.MatchHandlers {
		t.Errorf("DefaultLanguage %q MultiviewsMatch %d", h.DefaultLanguage, h.MultiviewsMatch)
	}
	var none static.Handler
	if SetMIME(&none, []Directive{d("Options", "None")}); none.Charsets != nil || none.Languages != nil || none.Encodings != nil {
		t.Errorf("no lines: %v %v %v, want nil maps", none.Charsets, none.Languages, none.Encodings)
	}
}

// TestSectionMIME: mod_mime's lines in sections merge over the outer
// levels field by field, a Remove* line of a level applying after its Add*
// lines.
func TestSectionMIME(t *testing.T) {
	d := func(name string, args ...string) Directive { return Directive{Name: name, Args: args} }
	c, err := Compile(nil, []Section{
		{Kind: "Directory", Pattern: "/srv", Directives: []Directive{
			d("AddLanguage", "de", ".de"), d("AddEncoding", "x-gzip", ".gz"), d("AddType", "text/x-a", ".a"),
		}},
		{Kind: "Directory", Pattern: "/srv/sub", Directives: []Directive{
			d("AddCharset", "utf-8", ".de"), d("RemoveEncoding", ".gz"), d("AddEncoding", "br", ".gz"),
			d("RemoveType", ".a"), d("DefaultLanguage", "en"),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Static: &static.Handler{DocumentRoot: "/srv"}, Config: c}
	m := h.dirEntry("/srv/sub").dir.MIME
	if m == nil {
		t.Fatal("no MIME")
	}
	want := map[string]static.ExtInfo{
		"de": {Language: "de", Charset: "utf-8", Set: static.ExtLanguage | static.ExtCharset},
		"gz": {Set: static.ExtEncoding},
		"a":  {Set: static.ExtType},
	}
	if !maps.Equal(m.Ext, want) {
		t.Errorf("ext %+v, want %+v", m.Ext, want)
	}
	if !m.DefaultLanguageSet || m.DefaultLanguage != "en" {
		t.Errorf("DefaultLanguage %q", m.DefaultLanguage)
	}
	if _, err := Compile(nil, []Section{{Kind: "Location", Pattern: "/", Directives: []Directive{d("MultiviewsMatch", "Any")}}}); err == nil {
		t.Error("MultiviewsMatch in <Location> accepted")
	}
}
