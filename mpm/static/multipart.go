package static

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
)

// serveMultipart answers several ranges as apache2's byterange filter does: 206 with
// multipart/byteranges, each part with its Content-type (if the file has one) and
// Content-range, in the order asked, and an exact Content-Length.
func serveMultipart(w http.ResponseWriter, r *http.Request, f io.ReaderAt, ranges []byteRange, size int64, ct string) {
	var rnd [8]byte
	rand.Read(rnd[:])
	boundary := hex.EncodeToString(rnd[:])
	heads := make([]string, len(ranges))
	total := int64(0)
	for i, rg := range ranges {
		h := "\r\n--" + boundary + "\r\n"
		if ct != "" {
			h += "Content-type: " + ct + "\r\n"
		}
		h += "Content-range: bytes " + strconv.FormatInt(rg.start, 10) + "-" + strconv.FormatInt(rg.start+rg.length-1, 10) +
			"/" + strconv.FormatInt(size, 10) + "\r\n\r\n"
		heads[i] = h
		total += int64(len(h)) + rg.length
	}
	tail := "\r\n--" + boundary + "--\r\n"
	total += int64(len(tail))
	hd := w.Header()
	hd["Content-Type"] = []string{"multipart/byteranges; boundary=" + boundary}
	hd["Content-Length"] = []string{strconv.FormatInt(total, 10)}
	w.WriteHeader(http.StatusPartialContent)
	if r.Method == http.MethodHead {
		return
	}
	for i, rg := range ranges {
		if _, err := io.WriteString(w, heads[i]); err != nil {
			return
		}
		if _, err := io.Copy(w, io.NewSectionReader(f, rg.start, rg.length)); err != nil {
			return
		}
	}
	io.WriteString(w, tail)
}
