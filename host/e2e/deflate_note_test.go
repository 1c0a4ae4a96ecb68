package e2e_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// deflateNoteConf names mod_deflate's three notes (the ratio's with one
// word) and logs them beside the body's length, which the lengths of the
// deflate streams are checked against.
const deflateNoteConf = mainSite + `AddOutputFilterByType DEFLATE text/plain text/html
DeflateFilterNote Input instream
DeflateFilterNote output outstream
DeflateFilterNote ratio
LogFormat "%U %>s in=%{instream}n out=%{outstream}n ratio=%{RATIO}n sent=%B" notes
CustomLog logs/notes_log notes
`

// deflateNoteLine is a line of deflateNoteConf's log.
var deflateNoteLine = regexp.MustCompile(`^(\S+ \d+) in=(\S+) out=(\S+) ratio=(\S+) sent=(\d+)$`)

// TestDeflateFilterNote: DeflateFilterNote's notes, as the access log's
// %{NAME}n shows them, are apache2's: set for a compressed answer only (not
// for a tiny body, an error page or an answer without Accept-Encoding:
// gzip), the body's length, the deflate stream's (the gzip body without
// its 18 bytes of header and trailer) and the second as a percentage of
// the first, also for an answer served from the compressed files' cache.
// zlib's and compress/flate's streams differ in length: the test checks
// the out and ratio notes against each server's own body and compares the
// rest.
func TestDeflateFilterNote(t *testing.T) {
	text := strings.Repeat("alpha beta gamma delta httpd server compress\n", 200)
	p := startPair(t, 1, deflateNoteConf, map[string]string{"big.txt": text, "tiny.txt": "tiny\n"})
	ae := "Accept-Encoding: gzip"
	for _, s := range []*diffServer{p.apache, p.ours} {
		for _, req := range []string{
			request("GET", "/big.txt", "main.test", "", ae),
			request("GET", "/big.txt", "main.test", "", ae), // from ours' cache
			request("GET", "/big.txt", "main.test", ""),
			request("GET", "/tiny.txt", "main.test", "", ae),
			request("GET", "/missing", "main.test", "", ae),
		} {
			s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
		}
	}
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	masked := func(s *diffServer) []string {
		var out []string
		for _, line := range s.logLines(t, "notes_log") {
			m := deflateNoteLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s: unexpected line %q", s.name, line)
			}
			if m[3] != "-" {
				in, _ := strconv.Atoi(m[2])
				n, _ := strconv.Atoi(m[3])
				sent, _ := strconv.Atoi(m[5])
				if n != sent-18 || m[4] != strconv.Itoa(n*100/in) {
					t.Errorf("%s: %q: out is not the body's deflate stream (%d bytes), or ratio not out*100/in", s.name, line, sent-18)
				}
				m[3], m[4], m[5] = "N", "R", "B"
			}
			out = append(out, m[1]+" in="+m[2]+" out="+m[3]+" ratio="+m[4]+" sent="+m[5])
		}
		slices.Sort(out)
		return out
	}
	compareLines(t, "logs/notes_log (sorted; out, ratio and the compressed length masked)", masked(p.apache), masked(p.ours))
}
