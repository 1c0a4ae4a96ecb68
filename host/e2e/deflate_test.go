package e2e_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// deflateConf: Debian's deflate.conf types at the server level, a
// <Directory> that compresses everything (SetOutputFilter), a <Files> that
// compresses by extension (AddOutputFilter) and one where the extension is
// taken back, a local ErrorDocument, a small DeflateBufferSize in a
// virtual host and DeflateAlterETag there; no-gzip, gzip-only-text/html and
// force-gzip set by BrowserMatch and SetEnvIf.
const deflateConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<IfModule mod_filter.c>
	AddOutputFilterByType DEFLATE text/html text/plain text/xml text/css text/javascript
	AddOutputFilterByType DEFLATE application/x-javascript application/javascript application/ecmascript
</IfModule>
AddOutputFilter DEFLATE .dat
BrowserMatch ^OldBrowser no-gzip
BrowserMatch ^Mozilla/4 gzip-only-text/html
SetEnvIf Request_URI ^/all/ force-gzip
<Directory @DOCS@>
    Require all granted
</Directory>
<Directory @DOCS@/all>
    SetOutputFilter DEFLATE
</Directory>
<Directory @DOCS@/nodat>
    RemoveOutputFilter .dat
</Directory>
<Location /errdoc>
    ErrorDocument 404 /page.html
</Location>
<Location /quiet>
    ErrorDocument 404 "not here, not compressed either
</Location>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v.test
    DocumentRoot @DOCS@
    DeflateBufferSize 100
    DeflateCompressionLevel 1
    DeflateAlterETag Remove
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
    DocumentRoot @DOCS@
</VirtualHost>
`

// deflateFieldsSkipped are the fields compared apart: the time, the
// software, the validators' values, and the lengths of compressed bodies
// (zlib's and compress/flate's output differ).
var deflateFieldsSkipped = []string{"Date", "Server", "Last-Modified", "Etag", "Content-Length", "Content-Range", "Content-Type"}

var rangeTotal = regexp.MustCompile(`/\d+$`)

// deflateAnswer is a response as TestDeflate compares it: status, fields
// (sorted; ETag by its -gzip suffix; Content-Length's presence, and its
// value for an uncompressed body; the framing), and the body, gunzipped
// when the answer is gzip (a part of the compressed bytes is compared by
// its length only).
func (s *diffServer) deflateAnswer(t *testing.T, req string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(bufio.NewReader(raw), &http.Request{Method: method})
	if err != nil {
		return "unparseable: " + raw.String()
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "body: " + err.Error()
	}
	lines := fieldLines(resp.Header, deflateFieldsSkipped)
	gz := resp.Header.Get("Content-Encoding") == "gzip"
	out := fmt.Sprintf("%d TE=%v", resp.StatusCode, resp.TransferEncoding)
	if e := resp.Header.Get("Etag"); e != "" {
		out += fmt.Sprintf(" ETag-gzip=%t", strings.HasSuffix(e, `-gzip"`))
	}
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/byteranges") {
		out += " Content-Type: multipart/byteranges"
	} else {
		out += " Content-Type: " + ct
	}
	switch cl := resp.Header.Get("Content-Length"); {
	case cl == "":
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && resp.Header.Get("Content-Range") == "":
		// apache2 sends the 416 of a range of compressed bytes
		// close-delimited; the engine's error pages have a length.
	case gz:
		out += " Content-Length: (compressed)"
	default:
		out += " Content-Length: " + cl
	}
	if cr := resp.Header.Get("Content-Range"); cr != "" {
		if gz {
			cr = rangeTotal.ReplaceAllString(cr, "/(compressed)")
		}
		out += " Content-Range: " + cr
	}
	switch {
	case method == "HEAD":
	case gz && resp.StatusCode == http.StatusOK:
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return out + " gzip: " + err.Error()
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			return out + " gunzip: " + err.Error()
		}
		out += fmt.Sprintf(" gunzipped %q", signature.ReplaceAllString(string(plain), "<address>SOFTWARE Server at "))
	case gz && strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges"):
		// Each part by its range and length: the boundary's length varies
		// (apache2's ends in a random number printed without leading zeros).
		_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if err != nil {
			return out + " content type: " + err.Error()
		}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return out + " multipart: " + err.Error()
			}
			b, err := io.ReadAll(part)
			if err != nil {
				return out + " part: " + err.Error()
			}
			out += fmt.Sprintf(" part %q %q: %d compressed bytes", part.Header.Get("Content-Type"),
				rangeTotal.ReplaceAllString(part.Header.Get("Content-Range"), "/(compressed)"), len(b))
		}
	case gz:
		out += fmt.Sprintf(" %d compressed bytes", len(body))
	default:
		out += fmt.Sprintf(" body %q", signature.ReplaceAllString(s.unfill(string(body)), "<address>SOFTWARE Server at "))
	}
	return out + "\n  " + strings.Join(lines, "\n  ")
}

// TestDeflate: mod_deflate as apache2 applies it, on the same files and
// requests: which answers are compressed (a matching type, extension or
// directory; gzip accepted; not tiny, not an error page, not a 304),
// the fields (Vary on whatever was looked at, Content-Encoding, the ETag's
// suffix, Content-Length only when the compressed body fits the buffer,
// chunked or close-delimited past it), HEAD, Range on the compressed
// bytes, and the bodies after gunzip.
func TestDeflate(t *testing.T) {
	text := func(n int) string {
		words := []string{"alpha ", "beta ", "gamma\n", "delta ", "httpd ", "server ", "compress\n"}
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			b.WriteString(words[(i*7+i/3)%len(words)])
		}
		return b.String()[:n]
	}
	// Text that compresses poorly: past the default 8096-byte buffer.
	noisy := func(n int) string {
		var b strings.Builder
		x := uint32(1)
		for b.Len() < n {
			x = x*1664525 + 1013904223
			b.WriteByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n"[x>>26])
		}
		return b.String()
	}
	docs := map[string]string{
		"k1.txt":         text(1024),
		"page.html":      "<html>" + text(2000) + "</html>\n",
		"tiny.txt":       "tiny\n",
		"t68.txt":        strings.Repeat("x", 68),
		"t69.txt":        strings.Repeat("x", 69),
		"mid.txt":        noisy(60000),
		"big.txt":        noisy(70000),
		"data.bin":       text(2000),
		"app.js":         text(1500),
		"x.dat":          text(1500),
		"nodat/y.dat":    text(1500),
		"all/img.png":    text(1500),
		"dir/index.html": "<p>" + text(800) + "</p>\n",
	}
	p := startPair(t, 1, deflateConf, docs)
	ae := "Accept-Encoding: gzip\r\n"
	req := func(method, path, host, extra string) string {
		return method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "Connection: close\r\n\r\n"
	}
	reqs := []string{
		req("GET", "/k1.txt", "main.test", ae),
		req("GET", "/k1.txt", "main.test", ""),
		req("GET", "/k1.txt", "main.test", "Accept-Encoding: gzip;q=0\r\n"),
		req("GET", "/k1.txt", "main.test", "Accept-Encoding: gzip; q=0.000\r\n"),
		req("GET", "/k1.txt", "main.test", "Accept-Encoding: deflate, GZIP ;q=0.5\r\n"),
		req("GET", "/k1.txt", "main.test", "Accept-Encoding: x-gzip, *\r\n"),
		req("GET", "/k1.txt", "main.test", "Accept-Encoding: br;q=1, gzip;q=0.001\r\n"),
		req("HEAD", "/k1.txt", "main.test", ae),
		req("GET", "/page.html", "main.test", ae),
		req("GET", "/tiny.txt", "main.test", ae),
		req("GET", "/t68.txt", "main.test", ae),
		req("GET", "/t69.txt", "main.test", ae),
		req("GET", "/mid.txt", "main.test", ae),
		req("GET", "/big.txt", "main.test", ae),
		"GET /big.txt HTTP/1.0\r\n" + ae + "\r\n",
		req("HEAD", "/big.txt", "main.test", ae),
		req("GET", "/big.txt", "main.test", ae+"Range: bytes=0-9\r\n"),
		req("GET", "/k1.txt", "main.test", ae+"Range: bytes=0-9\r\n"),
		req("GET", "/k1.txt", "main.test", ae+"Range: bytes=0-9,20-29\r\n"),
		req("GET", "/k1.txt", "main.test", ae+"Range: bytes=900-1000\r\n"),
		req("GET", "/k1.txt", "main.test", "Range: bytes=0-9\r\n"),
		req("GET", "/data.bin", "main.test", ae),
		req("GET", "/app.js", "main.test", ae),
		req("GET", "/x.dat", "main.test", ae),
		req("GET", "/nodat/y.dat", "main.test", ae),
		req("GET", "/all/img.png", "main.test", ae),
		req("GET", "/all/img.png", "main.test", ""),
		req("GET", "/k1.txt", "main.test", ae+"User-Agent: OldBrowser/1\r\n"),
		req("GET", "/k1.txt", "main.test", ae+"User-Agent: Mozilla/4.0\r\n"),
		req("GET", "/page.html", "main.test", ae+"User-Agent: Mozilla/4.0\r\n"),
		req("GET", "/dir/", "main.test", ae),
		req("GET", "/dir", "main.test", ae),
		req("GET", "/missing", "main.test", ae),
		req("GET", "/errdoc/missing", "main.test", ae),
		req("GET", "/quiet/missing", "main.test", ae),
		req("GET", "/k1.txt", "v.test", ae),
		req("GET", "/page.html", "v.test", ae),
		req("HEAD", "/page.html", "v.test", ae),
		req("GET", "/k1.txt", "v.test", ae+"Range: bytes=0-9\r\n"),
	}
	p.compareEach(reqs, (*diffServer).deflateAnswer)
	// Conditional requests: with the file's own ETag, as apache2 (which
	// compares the uncompressed one) answers 304 without Vary; with the
	// -gzip form, the whole answer again.
	plain := p.ours.etag(t, "/k1.txt")
	for _, inm := range []string{plain, strings.TrimSuffix(plain, `"`) + `-gzip"`} {
		rq := req("GET", "/k1.txt", "main.test", ae+"If-None-Match: "+inm+"\r\n")
		if a, o := p.apache.deflateAnswer(t, strings.ReplaceAll(rq, plain, p.apache.etag(t, "/k1.txt"))), p.ours.deflateAnswer(t, rq); a != o {
			t.Errorf("If-None-Match %s:\n apache: %s\n ours:   %s", inm, a, o)
		}
	}
}

// etag is the ETag s gives path without compression.
func (s *diffServer) etag(t *testing.T, path string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, "HEAD "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", 10*time.Second)
	resp, err := http.ReadResponse(bufio.NewReader(raw), nil)
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	return resp.Header.Get("Etag")
}
