package static

import (
	"net/http"
	"strings"
	"time"
)

// checkConditions evaluates the preconditions of RFC 9110 §13.2.2 in apache2's order
// (ap_meets_conditions) and returns 0 to proceed, 304 or 412.
func checkConditions(r *http.Request, etag string, lm, now time.Time) int {
	h := r.Header
	getOrHead := r.Method == http.MethodGet || r.Method == http.MethodHead
	if im, ok := h["If-Match"]; ok {
		if !etagListMatches(im, etag, true) {
			return http.StatusPreconditionFailed
		}
	} else if ius := h.Get("If-Unmodified-Since"); ius != "" {
		if t, err := http.ParseTime(ius); err == nil && lm.Unix() > t.Unix() {
			return http.StatusPreconditionFailed
		}
	}
	if inm, ok := h["If-None-Match"]; ok {
		if etagListMatches(inm, etag, false) {
			if getOrHead {
				return http.StatusNotModified
			}
			return http.StatusPreconditionFailed
		}
		return 0 // If-None-Match given and not matched: If-Modified-Since is ignored
	}
	if ims := h.Get("If-Modified-Since"); ims != "" && getOrHead {
		t, err := http.ParseTime(ims)
		if err == nil && t.Unix() <= now.Unix() && lm.Unix() <= t.Unix() {
			return http.StatusNotModified
		}
	}
	return 0
}

// etagListMatches reports whether one of the entity tags in the field values matches
// etag ("*" matches any). Strong comparison fails for weak tags on either side.
func etagListMatches(values []string, etag string, strong bool) bool {
	if etag == "" { // FileETag None: only "*" matches
		for _, v := range values {
			if strings.TrimSpace(v) == "*" {
				return true
			}
		}
		return false
	}
	if strong && strings.HasPrefix(etag, "W/") {
		// A weak tag never matches strongly, but "*" still matches an existing file.
		for _, v := range values {
			if strings.TrimSpace(v) == "*" {
				return true
			}
		}
		return false
	}
	opaque := strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" {
				return true
			}
			if strings.HasPrefix(t, "W/") {
				if strong {
					continue
				}
				t = t[2:]
			}
			if t == opaque {
				return true
			}
		}
	}
	return false
}

// ifRangeHolds evaluates If-Range: without it, or when its validator still matches,
// the Range applies; otherwise the whole file is sent.
func ifRangeHolds(r *http.Request, etag string, lm time.Time) bool {
	v := r.Header.Get("If-Range")
	if v == "" {
		return true
	}
	if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "W/") {
		return !strings.HasPrefix(v, "W/") && !strings.HasPrefix(etag, "W/") && v == etag
	}
	t, err := http.ParseTime(v)
	return err == nil && t.Unix() == lm.Unix()
}

// parseRange parses a single "bytes=" range. ok is false when the header is to be
// ignored (malformed, not bytes, or several ranges); satisfiable is false when it
// is well-formed but selects nothing of a size-byte file (416).
func parseRange(v string, size int64) (start, length int64, ok, satisfiable bool) {
	unit, spec, found := strings.Cut(v, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return 0, 0, false, false
	}
	spec = strings.TrimSpace(spec)
	if strings.IndexByte(spec, ',') >= 0 {
		return 0, 0, false, false
	}
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, false
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		n, ok := parseDigits(last)
		if !ok {
			return 0, 0, false, false
		}
		if n == 0 || size == 0 {
			return 0, 0, true, false
		}
		n = min(n, size)
		return size - n, n, true, true
	}
	a, ok := parseDigits(first)
	if !ok {
		return 0, 0, false, false
	}
	b := size - 1
	if last != "" {
		if b, ok = parseDigits(last); !ok || b < a {
			return 0, 0, false, false
		}
		b = min(b, size-1)
	}
	if a >= size {
		return 0, 0, true, false
	}
	return a, b - a + 1, true, true
}

func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}
