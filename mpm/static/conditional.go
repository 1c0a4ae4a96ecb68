package static

import (
	"net/http"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// MeetsConditions is ap_meets_conditions for an answer another handler makes
// (a CGI script's) with the entity tag etag ("" for none) and the
// modification time lm (zero: none, now as apache2 takes it): 0 to proceed,
// 304 or 412.
func MeetsConditions(r *http.Request, etag string, lm time.Time) int {
	if lm.IsZero() {
		lm = time.Now()
	}
	return checkConditions(r, etag, lm, http1.RequestTime(r))
}

// condition is apache2's ap_condition_e: how a precondition field of the
// request compared (none: the request has no such field).
type condition int

const (
	condNone condition = iota
	condNoMatch
	condWeak
	condStrong
)

// checkConditions is apache2's ap_meets_conditions, in its order and with
// its comparisons (not quite RFC 9110 §13.2.2's): etag is the answer's
// entity tag ("" for none), lm its Last-Modified, now the request's time
// (r->request_time); 0 to proceed, 304 or 412.
func checkConditions(r *http.Request, etag string, lm, now time.Time) int {
	h := r.Header
	get := r.Method == http.MethodGet || r.Method == http.MethodHead // M_GET
	_, hasRange := h["Range"]
	mtime, reqtime := lm.Unix(), now.Unix()
	// A validator less than a minute older than the request is weak, and
	// weak matches do not count with a Range.
	recent := reqtime < mtime+60
	if v, ok := h["If-Match"]; ok {
		if !strings.HasPrefix(v[0], "*") && !etagListMatches(v, etag, true) {
			return http.StatusPreconditionFailed
		}
	}
	notModified := -1 // unset
	if v, ok := h["If-Unmodified-Since"]; ok {
		t, err := http.ParseTime(v[0])
		if err != nil || mtime <= t.Unix() || recent && hasRange {
			notModified = 0
		} else {
			return http.StatusPreconditionFailed
		}
	}
	if v, ok := h["If-None-Match"]; ok {
		// Weak comparison for GET and HEAD, but not with a Range.
		match := strings.HasPrefix(v[0], "*") || etag != "" && etagListMatches(v, etag, !get || hasRange)
		switch {
		case !match:
			notModified = 0
		case !get:
			return http.StatusPreconditionFailed
		case notModified != 0:
			notModified = 1
		}
	}
	if v, ok := h["If-Modified-Since"]; ok {
		var ims int64 // APR_DATE_BAD
		if t, err := http.ParseTime(v[0]); err == nil {
			ims = t.Unix()
		}
		switch {
		case ims < mtime || ims > reqtime || recent && hasRange:
			notModified = 0
		case get && notModified != 0:
			notModified = 1
		}
	}
	if ifRange(r, etag, lm, now) != condNone {
		return 0 // the byterange filter decides (ifRangeHolds)
	}
	if notModified == 1 {
		return http.StatusNotModified
	}
	return 0
}

// etagListMatches reports whether one of the entity tags in the field values matches
// etag, as apache2's ap_find_etag_strong and ap_find_etag_weak: a "*" is no tag there
// (the callers honour it only as the first byte of the field, as ap_meets_conditions),
// and no tag matches an answer without one (FileETag None). Strong comparison fails for
// weak tags on either side.
func etagListMatches(values []string, etag string, strong bool) bool {
	if etag == "" || strong && strings.HasPrefix(etag, "W/") {
		return false
	}
	opaque := strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
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

// ifRangeHolds is the byterange filter's If-Range check: without it, or
// when its validator still matches, the Range applies; otherwise the whole
// file is sent.
func ifRangeHolds(r *http.Request, etag string, lm, now time.Time) bool {
	return ifRange(r, etag, lm, now) != condNoMatch
}

// ifRange is apache2's ap_condition_if_range: an If-Range with a Range
// matches strongly when it is etag, the same string (a weak tag is taken
// for a date), or the date lm when lm is a minute older than now.
func ifRange(r *http.Request, etag string, lm, now time.Time) condition {
	v, ok := r.Header["If-Range"]
	if _, hasRange := r.Header["Range"]; !ok || !hasRange {
		return condNone
	}
	if strings.HasPrefix(v[0], `"`) {
		if etag != "" && v[0] == etag {
			return condStrong
		}
		return condNoMatch
	}
	t, err := http.ParseTime(v[0])
	if err == nil && t.Unix() == lm.Unix() && now.Unix() >= lm.Unix()+60 {
		return condStrong
	}
	return condNoMatch
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
