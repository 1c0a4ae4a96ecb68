package static

import (
	"net/http"
	"strings"
	"time"
)

// MeetsConditions is ap_meets_conditions for an answer another handler makes
// (a CGI script's) with the entity tag etag ("" for none) and the
// modification time lm (zero: none, now as apache2 takes it): 0 to proceed,
// 304 or 412.
func MeetsConditions(r *http.Request, etag string, lm time.Time) int {
	now := time.Now()
	if lm.IsZero() {
		lm = now
	}
	return checkConditions(r, etag, lm, now)
}

// checkConditions evaluates the preconditions of RFC 9110 §13.2.2 in apache2's order
// (ap_meets_conditions) and returns 0 to proceed, 304 or 412.
func checkConditions(r *http.Request, etag string, lm, now time.Time) int {
	h := r.Header
	getOrHead := r.Method == http.MethodGet || r.Method == http.MethodHead
	if im, ok := h["If-Match"]; ok {
		if !etagListMatches(im, etag, true) {
			return http.StatusPreconditionFailed
		}
	} else if ius := first(h, "If-Unmodified-Since"); ius != "" {
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
	if ims := first(h, "If-Modified-Since"); ims != "" && getOrHead {
		t, err := http.ParseTime(ims)
		if err == nil && t.Unix() <= now.Unix() && lm.Unix() <= t.Unix() {
			return http.StatusNotModified
		}
	}
	return 0
}

// first is h's first value of the canonical name k: Header.Get without its
// canonicalization of k, a scan of the name on every call (the request's
// names are canonical already: http1's parser made them so).
func first(h http.Header, k string) string {
	if vs := h[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
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

// byteRange is one range of a file: length bytes from start.
type byteRange struct{ start, length int64 }

// Apache's defaults for MaxRanges, MaxRangeOverlaps and MaxRangeReversals: a Range
// header beyond them is ignored (the whole file is sent).
const (
	maxRanges         = 200
	maxRangeOverlaps  = 20
	maxRangeReversals = 20
)

// parseRanges parses a "bytes=" Range header as apache2's ap_set_byterange does. ok
// is false when the header is to be ignored (malformed, another unit, over the
// limits); satisfiable is false when it is well-formed but selects nothing of a
// size-byte file (416). Unsatisfiable ranges among others are dropped; overlapping
// or adjacent ranges merge with the one before, as apache2 merges them.
func parseRanges(v string, size int64) (ranges []byteRange, ok, satisfiable bool) {
	if len(v) < 6 || !strings.EqualFold(v[:6], "bytes=") {
		return nil, false, false
	}
	specs := v[6:]
	if strings.Count(specs, ",")+1 > maxRanges {
		return nil, false, false
	}
	var (
		ostart, oend        int64 = -1, -1
		overlaps, reversals int
		lastStart           int64 = -1
	)
	for specs != "" {
		var spec string
		spec, specs, _ = strings.Cut(specs, ",")
		first, last, found := strings.Cut(spec, "-")
		if !found {
			return nil, false, false
		}
		var start, end int64
		if first == "" {
			n, ok := parseDigits(last)
			if !ok || n == 0 {
				return nil, false, false
			}
			start, end = max(size-n, 0), size-1
		} else {
			a, ok := parseDigits(first)
			if !ok {
				return nil, false, false
			}
			start, end = a, size-1
			if last != "" {
				b, ok := parseDigits(last)
				if !ok || b < a {
					return nil, false, false
				}
				end = min(b, size-1)
			}
		}
		if start >= size {
			continue // unsatisfiable: dropped
		}
		if start < lastStart {
			reversals++
		}
		lastStart = start
		if ostart < 0 {
			ostart, oend = start, end
			continue
		}
		merged := start >= ostart && end <= oend
		if start < ostart && end >= ostart-1 {
			ostart, merged = start, true
		}
		if end >= oend && start <= oend+1 {
			oend, merged = end, true
		}
		if merged {
			overlaps++
			continue
		}
		ranges = append(ranges, byteRange{ostart, oend - ostart + 1})
		ostart, oend = start, end
	}
	if overlaps > maxRangeOverlaps || reversals > maxRangeReversals {
		return nil, false, false
	}
	if ostart < 0 {
		return nil, true, false
	}
	return append(ranges, byteRange{ostart, oend - ostart + 1}), true, true
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
