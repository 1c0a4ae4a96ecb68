package e2e_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestConditionsAsApache: the preconditions of a request for a file come
// out as apache2's ap_meets_conditions and byterange filter decide them,
// which are not RFC 9110's: a date validator of a file changed less than a
// minute before the request is weak (If-Modified-Since with a Range and
// If-Range do not match), If-None-Match compares strongly with a Range, an
// If-Range with a Range leaves the choice to the byterange filter whatever
// If-None-Match or If-Modified-Since say, a non-matching If-None-Match or
// a holding If-Unmodified-Since rules a 304 out (review14); a "*" in If-Match or
// If-None-Match counts only at the start of the field (parity16). The files'
// modification times are set: one old, one ten seconds before the test.
func TestConditionsAsApache(t *testing.T) {
	p := startPair(t, 1, mainSite, map[string]string{"old.txt": "0123456789\n", "new.txt": "0123456789\n"})
	oldT := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	newT := time.Now().Add(-10 * time.Second).Truncate(time.Second)
	must(t, os.Chtimes(filepath.Join(p.apache.docs, "old.txt"), oldT, oldT))
	must(t, os.Chtimes(filepath.Join(p.apache.docs, "new.txt"), newT, newT))
	oldLM, newLM := oldT.Format(http.TimeFormat), newT.Format(http.TimeFormat)
	before := oldT.Add(-time.Hour).Format(http.TimeFormat)
	future := time.Now().Add(time.Hour).Format(http.TimeFormat)
	oldTag, newTag := p.apache.etag(t, "/old.txt"), p.apache.etag(t, "/new.txt")
	if got := p.ours.etag(t, "/old.txt"); got != oldTag || oldTag == "" {
		t.Fatalf("ETag of old.txt: apache %q, ours %q", oldTag, got)
	}
	rg := "Range: bytes=0-3"
	get := func(path string, fields ...string) string { return request("GET", path, "main.test", "", fields...) }
	p.compareEach([]string{
		get("/new.txt", "If-Modified-Since: "+newLM, rg),                          // 206: weak with a Range
		get("/new.txt", "If-Modified-Since: "+newLM),                              // 304
		get("/new.txt", "If-Range: "+newLM, rg),                                   // 200: If-Range date weak
		get("/new.txt", "If-Range: "+newTag, rg),                                  // 206
		get("/new.txt", "If-Unmodified-Since: "+before, rg),                       // 206: weak, not a failure
		get("/new.txt", "If-Unmodified-Since: "+before),                           // 412
		get("/old.txt", "If-Range: "+oldLM, rg, "If-Modified-Since: "+oldLM),      // 206
		get("/old.txt", "If-Range: "+oldTag, rg, "If-None-Match: "+oldTag),        // 206
		get("/old.txt", `If-Range: "other"`, rg, "If-None-Match: "+oldTag),        // 200
		get("/old.txt", `If-Range: "other"`, rg, "If-Modified-Since: "+oldLM),     // 200
		get("/old.txt", "If-None-Match: W/"+oldTag, rg),                           // 206: strong with a Range
		get("/old.txt", "If-None-Match: W/"+oldTag),                               // 304
		get("/old.txt", "If-None-Match: "+oldTag, "If-Modified-Since: "+before),   // 200
		get("/old.txt", "If-None-Match: "+oldTag, "If-Modified-Since: "+oldLM),    // 304
		get("/old.txt", "If-None-Match: "+oldTag, "If-Unmodified-Since: "+future), // 200
		get("/old.txt", "If-None-Match: "+oldTag, rg),                             // 304
		get("/old.txt", `If-None-Match: "other"`, "If-Modified-Since: "+oldLM),    // 200
		get("/old.txt", "If-Modified-Since: "+oldLM, rg),                          // 304
		get("/old.txt", "If-Modified-Since: "+future),                             // 200
		get("/old.txt", `If-Match: "other"`),                                      // 412
		get("/old.txt", "If-Match: *", "If-Unmodified-Since: "+before),            // 412
		get("/old.txt", `If-Match: "other", *`),                                   // 412: "*" counts first only
		get("/old.txt", `If-None-Match: "other", *`),                              // 200
		get("/old.txt", `If-None-Match: "other"`, "If-None-Match: *"),             // 200
		get("/old.txt", "If-None-Match: *, "+oldTag),                              // 304
		request("HEAD", "/old.txt", "main.test", "", "If-None-Match: "+oldTag),    // 304
		request("POST", "/old.txt", "main.test", "", "If-None-Match: W/"+oldTag),  // 200: strong
		request("POST", "/old.txt", "main.test", "", "If-None-Match: "+oldTag),    // 412
		request("POST", "/old.txt", "main.test", "", "If-Modified-Since: "+oldLM), // 200: GET and HEAD only
	}, (*diffServer).statusLine)
}
