package negotiation

import (
	"net/http"
	"reflect"
	"testing"
)

func TestAtoq(t *testing.T) {
	for in, want := range map[string]float64{
		"": 1, "1": 1, "0": 0, "0.5": 0.5, ".5": 0.5, "0.123": 0.123, "0.1239": 0.123,
		"0.120": 0.12, "2": 1, "x": 1, " 0.3": 0.3, "0.": 0, "0.005": 0.005,
	} {
		if got := atoq(in); got != float64(float32(want)) {
			t.Errorf("atoq(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseLine(t *testing.T) {
	got := parseLine([]string{`text/HTML;level=3;q=0.5, text/*; charset="UTF-8" ,*/*;q=.1`, "image/png"})
	want := []entry{
		{name: "text/html", q: 0.5, level: 3},
		{name: "text/*", q: 1, charset: "utf-8"},
		{name: "*/*", q: float64(float32(0.1))},
		{name: "image/png", q: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if parseLine(nil) != nil {
		t.Error("a field not sent must stay nil (not an empty list)")
	}
	if l := parseLine([]string{""}); l == nil || len(l) != 0 {
		t.Errorf("an empty field: %v, want an empty list", l)
	}
}

func variants() []Variant {
	mk := func(name, ct string, size int64, enc string, langs ...string) Variant {
		v := Variant{Name: name, Size: size, Body: -1, Encoding: enc, Languages: langs}
		v.SetType(ct)
		return v
	}
	return []Variant{
		mk("p.html.de", "text/html", 30, "", "de"),
		mk("p.html.en", "text/html", 13, "", "en"),
		mk("p.html.fr", "text/html", 16, "", "fr"),
		mk("p.txt.en", "text/plain", 10, "", "en"),
		mk("p.txt.en.gz", "text/plain", 5, "x-gzip", "en"),
	}
}

// TestChoose: apache2's algorithm, step by step: type quality (wildcards
// fiddled down without explicit q), language quality, LanguagePriority,
// ForceLanguagePriority Fallback, charset, encoding, then the smaller
// variant; 406 when nothing is acceptable.
func TestChoose(t *testing.T) {
	prio := &Config{Priority: []string{"fr", "en"}, Force: ForcePrefer | ForceFallback}
	for _, tt := range []struct {
		name   string
		header http.Header
		conf   *Config
		want   string // "" for 406
	}{
		{"no fields: smallest of the identity ones", http.Header{}, &Config{}, "p.txt.en"},
		{"no fields, LanguagePriority", http.Header{}, prio, "p.html.fr"},
		{"language", http.Header{"Accept-Language": {"de"}}, &Config{}, "p.html.de"},
		{"language q", http.Header{"Accept-Language": {"de;q=0.2, en;q=0.3"}}, &Config{}, "p.txt.en"},
		{"type", http.Header{"Accept": {"text/html"}, "Accept-Language": {"en, fr"}}, prio, "p.html.fr"},
		{"type q", http.Header{"Accept": {"text/html;q=0.4, text/plain;q=0.5"}}, &Config{}, "p.txt.en"},
		{"unacceptable type", http.Header{"Accept": {"image/png"}}, prio, ""},
		{"unmatched language, Fallback", http.Header{"Accept-Language": {"it"}}, prio, "p.html.fr"},
		{"unmatched language, no Fallback", http.Header{"Accept-Language": {"it"}}, &Config{Force: ForceNone}, ""},
		{"en-US reaches en", http.Header{"Accept-Language": {"en-US"}, "Accept": {"text/html"}}, &Config{}, "p.html.en"},
		{"encoding accepted", http.Header{"Accept-Encoding": {"gzip"}, "Accept": {"text/plain"}}, &Config{}, "p.txt.en.gz"},
		{"encoding refused", http.Header{"Accept-Encoding": {"gzip;q=0"}, "Accept": {"text/plain"}}, &Config{}, "p.txt.en"},
		{"level too high", http.Header{"Accept": {"text/html;level=1"}}, &Config{}, ""},
	} {
		vars := variants()
		res := Choose(&Request{Header: tt.header, Transparent: true}, vars, tt.conf)
		got := ""
		if res.Best >= 0 {
			got = vars[res.Best].Name
		}
		if got != tt.want {
			t.Errorf("%s: chose %q, want %q", tt.name, got, tt.want)
		}
		if res.Vary != "negotiate,accept,accept-language,accept-encoding" {
			t.Errorf("%s: Vary %q", tt.name, res.Vary)
		}
		if (res.Best < 0) != (res.Alternates != "") || (res.Best < 0) != (res.TCN == "list") {
			t.Errorf("%s: TCN %q, Alternates %q", tt.name, res.TCN, res.Alternates)
		}
	}
}

func TestChooseEnv(t *testing.T) {
	vars := variants()
	res := Choose(&Request{Header: http.Header{"Accept-Language": {"fr"}}, PreferLanguage: "de"}, vars, &Config{})
	if res.Best < 0 || vars[res.Best].Name != "p.html.de" {
		t.Errorf("prefer-language de: %d", res.Best)
	}
	res = Choose(&Request{Header: http.Header{"Accept-Encoding": {"gzip"}, "Accept": {"text/plain"}}, NoGzip: true}, vars, &Config{})
	if res.Best < 0 || vars[res.Best].Name != "p.txt.en" {
		t.Errorf("no-gzip: %d", res.Best)
	}
	if res.TCN != "" || res.ContentLocation != "" {
		t.Errorf("not transparent: TCN %q Content-Location %q", res.TCN, res.ContentLocation)
	}
}

func TestFixEncoding(t *testing.T) {
	for _, tt := range []struct{ enc, ae, want string }{
		{"x-gzip", "gzip", "gzip"},
		{"x-gzip", "x-gzip", "x-gzip"},
		{"gzip", "x-gzip", "x-gzip"},
		{"x-compress", "gzip", "x-compress"},
		{"x-gzip", "", "x-gzip"},
	} {
		var ae []string
		if tt.ae != "" {
			ae = []string{tt.ae}
		}
		if got := FixEncoding(tt.enc, ae); got != tt.want {
			t.Errorf("FixEncoding(%q, %q) = %q, want %q", tt.enc, tt.ae, got, tt.want)
		}
	}
}

func TestParseMap(t *testing.T) {
	data := "# a comment\nURI: x\n\nURI: x.html.en\nContent-Type: text/html;qs=0.5 (half)\nContent-Language: en,\n  fr\nDescription: two\n  lines\n\n" +
		"Content-Type: text/plain; charset=UTF-8\nContent-Encoding: x-gzip\nBody:--end--\nhello\n--end-- trailing\nContent-Language: de\n"
	vars, err := ParseMap([]byte(data), "x.var")
	if err != nil {
		t.Fatal(err)
	}
	if len(vars) != 2 {
		t.Fatalf("%d variants: %+v", len(vars), vars)
	}
	a, b := vars[0], vars[1]
	if a.Name != "x.html.en" || a.Type != "text/html" || a.QS != 0.5 || a.Level != 2 || !reflect.DeepEqual(a.Languages, []string{"en", "fr"}) || a.Description != "two lines" {
		t.Errorf("first: %+v", a)
	}
	if b.Name != "x.var" || b.Charset != "utf-8" || b.Encoding != "x-gzip" || data[b.Body:b.Body+b.Size] != "hello\n" || !reflect.DeepEqual(b.Languages, []string{"de"}) {
		t.Errorf("second: %+v", b)
	}
	if _, err := ParseMap([]byte("URI x\n"), "m"); err != ErrMapSyntax {
		t.Errorf("no colon: %v", err)
	}
}

func TestConfig(t *testing.T) {
	var c Config
	if err := c.Set("ForceLanguagePriority", []string{"Prefer", "Fallback"}); err != nil || c.Force != ForcePrefer|ForceFallback {
		t.Errorf("Prefer Fallback: %v %v", c.Force, err)
	}
	if err := c.Set("ForceLanguagePriority", []string{"None"}); err == nil || err.Error() != "Cannot combine ForceLanguagePriority options with None" {
		t.Errorf("None after Prefer: %v", err)
	}
	var d Config
	if err := d.Set("ForceLanguagePriority", []string{"Maybe"}); err == nil || err.Error() != "Invalid ForceLanguagePriority option Maybe" {
		t.Errorf("Maybe: %v", err)
	}
	m := Config{Priority: []string{"en"}}.Merge(&Config{Force: ForceNone})
	if m.Force != ForceNone || len(m.Priority) != 1 {
		t.Errorf("merge: %+v", m)
	}
}

func TestListAndAlternates(t *testing.T) {
	vars := []Variant{{Name: "a b;c.html", Type: "text/html", QS: 0.5, Languages: []string{"en"}, Size: 3, Description: "d"}}
	if got, want := alternates(vars), `{"a%20b%3bc.html" 0.5 {type text/html} {language en} {length 3}}`; got != want {
		t.Errorf("alternates %s, want %s", got, want)
	}
	if got, want := List(vars), "Available variants:\n<ul>\n<li><a href=\"a%20b%3bc.html\">a b;c.html</a> d, type text/html, language en</li>\n</ul>\n"; got != want {
		t.Errorf("list %q, want %q", got, want)
	}
	// ap_escape_html: " as &quot;, ' left alone.
	if got, want := List([]Variant{{Name: `q"a"'&<b>`}}), "Available variants:\n<ul>\n<li><a href=\"q%22a%22'&%3cb%3e\">q&quot;a&quot;'&amp;&lt;b&gt;</a> </li>\n</ul>\n"; got != want {
		t.Errorf("list %q, want %q", got, want)
	}
	for q, want := range map[float64]string{1: "1", 0.5: "0.5", 0.25: "0.25", 0.125: "0.125", 0: "0"} {
		if got := qstr(q); got != want {
			t.Errorf("qstr(%v) = %q, want %q", q, got, want)
		}
	}
}
