package negotiation

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/aphtml"
	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
)

// Request is what a negotiation looks at in a request.
type Request struct {
	Header http.Header
	// Transparent is apache2's is_transparent: a GET or HEAD for a
	// resource whose variants are all neighbours (MultiViews, or a type
	// map without Body: and without '/' in its URIs). It adds "negotiate"
	// to Vary, TCN and Content-Location.
	Transparent bool
	// PreferLanguage is the request's prefer-language variable; NoGzip and
	// GzipOnlyHTML are no-gzip and gzip-only-text/html=1.
	PreferLanguage       string
	NoGzip, GzipOnlyHTML bool
}

// Result is the outcome of a negotiation.
type Result struct {
	// Best is the index of the chosen variant, -1 when none is
	// acceptable (apache2 answers 406).
	Best int
	// Vary, TCN and Alternates are the fields to add to the answer ("" for
	// none; Vary's tokens joined by "," as apache2 sends them);
	// ContentLocation is the chosen variant's name, escaped.
	Vary, TCN, Alternates, ContentLocation string
}

// Choose picks among vars for req with apache2's algorithm under conf.
// vars must already be in apache2's order (see Sort).
func Choose(req *Request, vars []Variant, conf *Config) Result {
	h := req.Header
	accepts := parseLine(h["Accept"])
	acceptQ := false
	for _, e := range accepts {
		if e.q < 1 {
			acceptQ = true
		}
	}
	if accepts == nil {
		accepts = []entry{{name: "*/*", q: 1}}
	}
	st := &state{
		accepts:   accepts,
		acceptQ:   acceptQ,
		encodings: parseLine(h["Accept-Encoding"]),
		langs:     parseLine(h["Accept-Language"]),
		charsets:  parseLine(h["Accept-Charset"]),
		conf:      conf,
	}
	best, bestq := st.bestMatch(req, vars)
	res := Result{Best: best}
	if bestq <= 0 {
		res.Best = -1
		res.Vary, res.TCN = neg(vars, req.Transparent, "list")
		res.Alternates = alternates(vars)
		return res
	}
	res.Vary, res.TCN = neg(vars, req.Transparent, "choice")
	if req.Transparent {
		res.ContentLocation = apuri.EscapeSegment(vars[best].Name)
	}
	return res
}

type state struct {
	accepts                    []entry
	acceptQ                    bool
	encodings, langs, charsets []entry
	conf                       *Config
	defaultLangQ               float64
}

func (st *state) bestMatch(req *Request, vars []Variant) (int, float64) {
	discard := 0
	if req.NoGzip {
		discard = 1
	} else if req.GzipOnlyHTML {
		discard = 2
	}
	st.defaultLangQ = 1
	for i := range vars {
		if len(vars[i].Languages) > 0 {
			st.defaultLangQ = 0.0001
			break
		}
	}
	prefer := req.PreferLanguage
	for {
		best, bestq := -1, 0.0
		for i := range vars {
			v := &vars[i]
			if discard != 0 && discarded(v, discard) {
				continue
			}
			if prefer != "" && !hasLanguage(v, prefer) {
				continue
			}
			v.langQ, v.encQ, v.charsetQ, v.typeQ = 1, 1, 1, 1
			v.levelMatched, v.stars, v.langIndex, v.definite = 0, 0, -1, true
			st.setAcceptQuality(v)
			if prefer != "" {
				v.langQ, v.definite = 1, true
			} else {
				st.setLanguageQuality(v)
			}
			st.setEncodingQuality(v)
			st.setCharsetQuality(v)
			var b *Variant
			if best >= 0 {
				b = &vars[best]
			}
			if better(v, b, &bestq) {
				best = i
			}
		}
		if prefer != "" && (best < 0 || bestq <= 0) {
			prefer = ""
			continue
		}
		return best, bestq
	}
}

func identity(enc string) bool {
	return enc == "" || enc == "7bit" || enc == "8bit" || enc == "binary"
}

func discarded(v *Variant, discard int) bool {
	if identity(v.Encoding) || v.Encoding == "identity" {
		return false
	}
	return discard == 1 || discard == 2 && !strings.HasPrefix(v.Type, "text/html")
}

func hasLanguage(v *Variant, lang string) bool {
	for _, l := range v.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// mimeMatch is mime_match.
func mimeMatch(a *entry, v *Variant) bool {
	at := a.name
	switch {
	case at == "*" || at == "*/*":
		v.stars = max(v.stars, 1)
		return true
	case len(at) > 2 && strings.HasSuffix(at, "/*") && strings.HasPrefix(v.Type, at[:len(at)-1]):
		v.stars = max(v.stars, 2)
		return true
	case at == v.Type || at == "text/html" && (v.Type == "text/x-server-parsed-html" || v.Type == "text/x-server-parsed-html3"):
		if a.level >= v.Level {
			v.levelMatched = v.Level
			v.stars = 3
			return true
		}
	}
	return false
}

func (st *state) setAcceptQuality(v *Variant) {
	q, qDefinite := 0.0, true
	for i := range st.accepts {
		a := &st.accepts[i]
		prev := v.stars
		if !mimeMatch(a, v) || prev == v.stars {
			continue
		}
		switch {
		case !st.acceptQ && v.stars == 1:
			q = float64(float32(0.01))
		case !st.acceptQ && v.stars == 2:
			q = float64(float32(0.02))
		default:
			q = a.q
		}
		qDefinite = v.stars == 3
	}
	v.typeQ = q
	v.definite = v.definite && qDefinite
}

func (st *state) setLanguageQuality(v *Variant) {
	force := st.conf.Force
	if force == 0 {
		force = ForcePrefer
	}
	if len(v.Languages) == 0 {
		v.langQ = st.defaultLangQ
		return
	}
	if st.langs == nil {
		v.definite = false
	} else {
		var best, star *entry
		fiddle := 0.0
		anyStar := false
		for _, lang := range v.Languages {
			var bestTag *entry
			longest := 0
			for i := range st.langs {
				a := &st.langs[i]
				if a.name == "*" {
					if star == nil {
						star = a
					}
					continue
				}
				n := len(a.name)
				if len(lang) >= n && lang[:n] == a.name && (len(lang) == n || lang[n] == '-') {
					if n > longest {
						longest, bestTag = n, a
					}
				}
				if bestTag == nil {
					if p := strings.IndexByte(a.name, '-'); p >= 0 && strings.HasPrefix(lang, a.name[:p]) {
						fiddle = float64(float32(0.001))
					}
				}
			}
			if best == nil || bestTag != nil && bestTag.q > best.q {
				best = bestTag
			}
			if bestTag == nil && star != nil {
				anyStar = true
			}
		}
		if anyStar && (best == nil || star.q > best.q) {
			best, v.definite = star, false
		}
		if best != nil {
			v.langQ = best.q
		} else {
			v.langQ = fiddle
		}
	}
	if force&ForcePrefer != 0 && v.langIndex < 0 || force&ForceFallback != 0 && v.langQ == 0 {
		bestIdx := -1
		for _, lang := range v.Languages {
			if idx := langIndex(st.conf.Priority, lang); idx >= 0 && (bestIdx == -1 || idx < bestIdx) {
				bestIdx = idx
			}
		}
		if bestIdx >= 0 {
			if v.langQ != 0 {
				if force&ForcePrefer != 0 {
					v.langIndex = bestIdx
				}
			} else if force&ForceFallback != 0 {
				v.langIndex, v.langQ, v.definite = bestIdx, float64(float32(0.0001)), false
			}
		}
	}
}

// langIndex is find_lang_index: the first priority whose length of lang's
// prefix matches it, case ignored.
func langIndex(prio []string, lang string) int {
	for i, p := range prio {
		if len(lang) >= len(p) && strings.EqualFold(lang[:len(p)], p) {
			return i
		}
	}
	return -1
}

func (st *state) setCharsetQuality(v *Variant) {
	cs := v.Charset
	if st.charsets == nil {
		if cs != "" {
			v.definite = false
		}
		return
	}
	if cs == "" {
		if !strings.HasPrefix(v.Type, "text/") && v.Type != "text/x-server-parsed-html" && v.Type != "text/x-server-parsed-html3" {
			return
		}
		cs = "iso-8859-1"
	}
	var star *entry
	for i := range st.charsets {
		a := &st.charsets[i]
		if a.name == cs {
			v.charsetQ = a.q
			return
		} else if a.name == "*" {
			star = a
		}
	}
	if star != nil {
		v.charsetQ, v.definite = star.q, false
		return
	}
	if cs == "iso-8859-1" {
		v.charsetQ = 1
	} else {
		v.charsetQ = 0
	}
}

func (st *state) setEncodingQuality(v *Variant) {
	enc := v.Encoding
	if st.encodings == nil {
		if identity(enc) {
			v.encQ = 1
		} else {
			v.encQ = 0.5
		}
		return
	}
	notFound := 0.0
	if identity(enc) {
		enc, notFound = "identity", float64(float32(0.0001))
	}
	enc = strings.TrimPrefix(enc, "x-")
	var star *entry
	for i := range st.encodings {
		name := strings.TrimPrefix(st.encodings[i].name, "x-")
		if name == enc {
			v.encQ = st.encodings[i].q
			return
		}
		if name == "*" {
			star = &st.encodings[i]
		}
	}
	if star != nil {
		v.encQ = star.q
		return
	}
	v.encQ = notFound
}

// levelCmp is level_cmp.
func levelCmp(a, b *Variant) int {
	if a.pseudoHTML() && !b.pseudoHTML() {
		return 0
	}
	if !a.pseudoHTML() && a.Type != b.Type {
		return 0
	}
	switch {
	case a.levelMatched > b.levelMatched:
		return 1
	case a.levelMatched < b.levelMatched:
		return -1
	case a.Level < b.Level:
		return 1
	case a.Level > b.Level:
		return -1
	}
	return 0
}

// better is is_variant_better, in apache2's float precision.
func better(v, best *Variant, bestq *float64) bool {
	if v.encQ == 0 || v.langQ == 0 || v.QS == 0 || v.charsetQ == 0 || v.typeQ == 0 {
		return false
	}
	q := float64(float32(v.typeQ) * float32(v.QS))
	if q == 0 || q < *bestq {
		return false
	}
	if q > *bestq || best == nil {
		*bestq = q
		return true
	}
	if v.langQ < best.langQ {
		return false
	}
	if v.langQ > best.langQ {
		*bestq = q
		return true
	}
	if best.langIndex != -1 && (v.langIndex == -1 || v.langIndex > best.langIndex) {
		return false
	}
	if v.langIndex != -1 && (best.langIndex == -1 || v.langIndex < best.langIndex) {
		*bestq = q
		return true
	}
	switch levelCmp(v, best) {
	case -1:
		return false
	case 1:
		*bestq = q
		return true
	}
	if v.charsetQ < best.charsetQ {
		return false
	}
	if v.charsetQ > best.charsetQ || v.Charset != "" && v.Charset != "iso-8859-1" && (best.Charset == "" || best.Charset == "iso-8859-1") {
		*bestq = q
		return true
	}
	if v.encQ < best.encQ {
		return false
	}
	if v.encQ > best.encQ {
		*bestq = q
		return true
	}
	if v.Size >= best.Size {
		return false
	}
	*bestq = q
	return true
}

// neg is set_neg_headers' Vary and TCN.
func neg(vars []Variant, transparent bool, tcn string) (vary, tcnField string) {
	var byType, byLang, byCharset, byEnc bool
	for i := 1; i < len(vars); i++ {
		a, b := &vars[0], &vars[i]
		byType = byType || a.Type != b.Type
		byCharset = byCharset || a.Charset != b.Charset
		byLang = byLang || strings.Join(a.Languages, ",") != strings.Join(b.Languages, ",")
		byEnc = byEnc || a.Encoding != b.Encoding
	}
	if transparent {
		vary += ",negotiate"
		tcnField = tcn
	}
	if byType {
		vary += ",accept"
	}
	if byLang {
		vary += ",accept-language"
	}
	if byCharset {
		vary += ",accept-charset"
	}
	if byEnc {
		vary += ",accept-encoding"
	}
	return strings.TrimPrefix(vary, ","), tcnField
}

// alternates is the Alternates field of a list answer.
func alternates(vars []Variant) string {
	var b strings.Builder
	for i := range vars {
		v := &vars[i]
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`{"`)
		b.WriteString(apuri.EscapeSegment(v.Name))
		b.WriteString(`" `)
		b.WriteString(qstr(v.QS))
		if v.Type != "" {
			b.WriteString(" {type " + v.Type + "}")
		}
		if v.Charset != "" {
			b.WriteString(" {charset " + v.Charset + "}")
		}
		if len(v.Languages) > 0 {
			b.WriteString(" {language " + strings.Join(v.Languages, ",") + "}")
		}
		if v.Encoding != "" {
			b.WriteString(" {encoding " + v.Encoding + "}")
		}
		if !v.HasHandler && v.Size >= 0 {
			b.WriteString(" {length " + strconv.FormatInt(v.Size, 10) + "}")
		}
		b.WriteString("}")
	}
	return b.String()
}

// qstr is "%1.3f" with trailing zeros cut as apache2 cuts them.
func qstr(q float64) string {
	s := []byte(strconv.FormatFloat(float64(float32(q)), 'f', 3, 32))
	if len(s) > 5 {
		s = s[:5]
	}
	if len(s) == 5 && s[4] == '0' {
		s = s[:4]
		if s[3] == '0' {
			s = s[:3]
			if s[2] == '0' {
				s = s[:1]
			}
		}
	}
	return string(s)
}

// List is the variant list apache2 puts in its 406 page (HTML).
func List(vars []Variant) string {
	var b strings.Builder
	b.WriteString("Available variants:\n<ul>\n")
	for i := range vars {
		v := &vars[i]
		b.WriteString(`<li><a href="`)
		b.WriteString(apuri.EscapeSegment(v.Name))
		b.WriteString(`">`)
		b.WriteString(escapeHTML(v.Name))
		b.WriteString("</a> ")
		b.WriteString(v.Description)
		if v.Type != "" {
			b.WriteString(", type " + v.Type)
		}
		if len(v.Languages) > 0 {
			b.WriteString(", language " + strings.Join(v.Languages, ","))
		}
		if v.Charset != "" {
			b.WriteString(", charset " + v.Charset)
		}
		if v.Encoding != "" {
			b.WriteString(", encoding " + v.Encoding)
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ul>\n")
	return b.String()
}

// escapeHTML is apache2's ap_escape_html.
var escapeHTML = aphtml.Escape

// Sort puts MultiViews variants in apache2's order: by source quality,
// highest first, then by name.
func Sort(vars []Variant) {
	for i := 1; i < len(vars); i++ {
		for j := i; j > 0 && less(&vars[j], &vars[j-1]); j-- {
			vars[j], vars[j-1] = vars[j-1], vars[j]
		}
	}
}

func less(a, b *Variant) bool {
	if a.QS != b.QS {
		return a.QS > b.QS
	}
	return a.Name < b.Name
}

// FixEncoding is apache2's fix_encoding: the Content-Encoding enc ("x-gzip")
// written as the request's Accept-Encoding names it ("gzip"), else as is.
func FixEncoding(enc string, acceptEncoding []string) string {
	if enc == "" || len(acceptEncoding) == 0 {
		return enc
	}
	plain := strings.TrimPrefix(enc, "x-")
	xenc := ""
	for _, e := range parseLine(acceptEncoding) {
		if e.name == plain {
			return e.name
		}
		if strings.HasPrefix(e.name, "x-") && e.name[2:] == plain {
			xenc = e.name
		}
	}
	if xenc != "" {
		return xenc
	}
	return enc
}
