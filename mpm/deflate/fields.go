package deflate

import (
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"net/http"
	"strings"
)

// acceptsGzip is mod_deflate's reading of Accept-Encoding: the first token
// that is "gzip" (case ignored) must be there, and its first parameter
// must not be a q of zero ("q=0", "q=0.0" ... "q=0.000", lowercase q).
func acceptsGzip(h http.Header) bool {
	vs, ok := h["Accept-Encoding"]
	if !ok || len(vs) == 0 {
		return false
	}
	// apr_table_get: the first field (the engine keeps repeated fields apart).
	s := vs[0]
	token, s := getToken(s, false)
	for token != "" && !strings.EqualFold(token, "gzip") {
		for s != "" && s[0] == ';' {
			_, s = getToken(s[1:], true)
		}
		if s != "" && s[0] == ',' {
			s = s[1:]
		}
		if s == "" {
			token = ""
			break
		}
		token, s = getToken(s, false)
	}
	if token == "" {
		return false
	}
	if s != "" {
		for s != "" && s[0] == ';' {
			s = s[1:]
		}
		q, _ := getToken(s, true)
		if len(q) >= 3 && len(q) <= len("q=0.000") && q == "q=0.000"[:len(q)] {
			return false
		}
	}
	return true
}

// getToken is apache2's ap_get_token: blanks skipped, then up to a ";" or
// "," (or a blank, unless white), quoted strings kept whole; the rest after
// the blanks that follow.
func getToken(s string, white bool) (token, rest string) {
	s = strings.TrimLeft(s, " \t\r\n\v\f")
	i := 0
	for i < len(s) && (white || !isSpace(s[i])) && s[i] != ';' && s[i] != ',' {
		if s[i] == '"' {
			i++
			for i < len(s) {
				i++
				if s[i-1] == '"' {
					break
				}
			}
			continue
		}
		i++
	}
	return s[:i], strings.TrimLeft(s[i:], " \t\r\n\v\f")
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// encoded reports whether a Content-Encoding other than identity, 7bit,
// 8bit or binary is set (mod_deflate does not compress twice).
func encoded(h http.Header) bool {
	for _, v := range h["Content-Encoding"] {
		for v != "" {
			var tok string
			tok, v = getToken(v, false)
			switch tok {
			case "", "identity", "7bit", "8bit", "binary":
			default:
				return true
			}
			if v != "" {
				v = v[1:]
			}
		}
	}
	return false
}

// addVary adds Accept-Encoding to Vary (http1.AddVary).
func addVary(h http.Header) { http1.AddVary(h, "Accept-Encoding") }

// alterETag is mod_deflate's deflate_check_etag for DeflateAlterETag.
func alterETag(h http.Header, mode ETagMode) {
	switch mode {
	case NoChange:
		return
	case Remove:
		delete(h, "Etag")
		delete(h, "ETag")
		return
	}
	// The static handler's spelling, or net/http's canonical one.
	key := "ETag"
	vs := h[key]
	if len(vs) == 0 {
		key = "Etag"
		if vs = h[key]; len(vs) == 0 {
			return
		}
	}
	if e := vs[0]; len(e) > 2 && e[len(e)-1] == '"' {
		h[key] = []string{e[:len(e)-1] + "-gzip\""}
	}
}

// setEncoding makes gzip the Content-Encoding: the only one when there was
// none or identity, else added to the list.
func setEncoding(h http.Header) {
	vs := h["Content-Encoding"]
	if len(vs) == 0 || len(vs) == 1 && strings.EqualFold(vs[0], "identity") {
		h["Content-Encoding"] = []string{"gzip"}
		return
	}
	h["Content-Encoding"] = []string{strings.Join(vs, ", ") + ", gzip"}
}
