package site

import (
	"maps"
	"testing"
)

func TestExtensionMaps(t *testing.T) {
	d := func(name string, args ...string) Directive { return Directive{Name: name, Args: args} }
	cs, langs := ExtensionMaps([]Directive{
		d("AddCharset", "UTF-8", ".utf8", "U8"),
		d("addlanguage", "pt-BR", ".pt-br"),
		d("AddLanguage", "en", ".en", ".eng"),
		d("Options", "None"),
		d("RemoveLanguage", ".eng"),
		d("AddCharset", "KOI8-r", ".utf8"), // a later line wins
	})
	if want := map[string]string{"utf8": "koi8-r", "u8": "utf-8"}; !maps.Equal(cs, want) {
		t.Errorf("charsets %v, want %v", cs, want)
	}
	if want := map[string]string{"pt-br": "pt-br", "en": "en"}; !maps.Equal(langs, want) {
		t.Errorf("languages %v, want %v", langs, want)
	}
	if cs, langs := ExtensionMaps([]Directive{d("Options", "None")}); cs != nil || langs != nil {
		t.Errorf("no lines: %v %v, want nil maps", cs, langs)
	}
}
