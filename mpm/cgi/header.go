package cgi

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/aphtml"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// Header is what a script's header says.
type Header struct {
	contentType, location string
	statusLine            string // Status's value, apache2's r->status_line
	// fields (ETag, Last-Modified, Content-Range: apache2's headers_out)
	// and errFields (Set-Cookie and the others: err_headers_out) are name,
	// value pairs passed on.
	fields, errFields []string
	etag              string    // ETag's value, "" for none
	lastModified      time.Time // Last-Modified's time, zero for none
}

// Location is the header's Location ("" for none).
func (hd *Header) Location() string { return hd.location }

// WriteHeader answers with the header and status (0: 200), as mod_cgi
// does for a script that is not redirected.
func (hd *Header) WriteHeader(w http.ResponseWriter, r *http.Request, status int) {
	out := w.Header()
	apply(out, hd.fields)
	hd.applyErr(out, r)
	if hd.location != "" {
		out["Location"] = []string{hd.location}
	}
	if hd.contentType != "" {
		out["Content-Type"] = []string{hd.contentType}
	}
	if hd.statusLine != "" {
		http1.SetStatusLine(w, hd.statusLine)
	}
	// The script's answer, an error status too, is the request's: no
	// ErrorDocument replaces it (mod_cgi returns OK).
	static.OwnAnswer(r, status != 0)
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

// WriteErrorFields readies w for the server's own error answer in place of
// the script's (ProxyErrorOverride), as apache2's ap_send_error_response
// keeps of it: the fields of err_headers_out (Set-Cookie) and the status
// line.
func (hd *Header) WriteErrorFields(w http.ResponseWriter, r *http.Request) {
	hd.applyErr(w.Header(), r)
	if hd.statusLine != "" {
		http1.SetStatusLine(w, hd.statusLine)
	}
}

// apply sets the fields kv (name, value pairs) in out.
func apply(out http.Header, kv []string) {
	for i := 0; i < len(kv); i += 2 {
		k := http.CanonicalHeaderKey(kv[i])
		if k == "Etag" {
			k = "ETag" // the spelling the engine and apache2's modules use
		}
		out[k] = append(out[k], kv[i+1])
	}
}

// applyErr adds the fields of err_headers_out to out, and has them sent
// first, as apache2 sends that table: in the order of their first lines,
// Set-Cookie last (its cookie table goes after the others).
func (hd *Header) applyErr(out http.Header, r *http.Request) {
	if len(hd.errFields) == 0 {
		return
	}
	apply(out, hd.errFields)
	var names []string
	cookies := ""
	for i := 0; i < len(hd.errFields); i += 2 {
		k := http.CanonicalHeaderKey(hd.errFields[i])
		switch {
		case k == "Set-Cookie":
			if cookies == "" {
				cookies = hd.errFields[i]
			}
		case !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, k) }):
			names = append(names, hd.errFields[i]) // sent as the script spelled its first line
		}
	}
	if cookies != "" {
		names = append(names, cookies)
	}
	http1.SetFieldOrder(r, &http1.FieldOrder{First: names})
}

// header reads the script's header as ap_scan_script_header_err does:
// status is Status's (0 without), ret an error status to answer with
// instead (500 for a bad header or none, 504 for a script too slow).
func (s *script) header(r *http.Request) (hd Header, status, ret int) {
	log := func(level static.Level, msg string) {
		s.h.log(r, level, nil, msg)
		if level == static.LevelError {
			http1.SetErrorNotes(r, aphtml.Escape(msg)) // logged APLOG_TOCLIENT
		}
	}
	hd, status, ret, _ = ScanHeader(s.out, baseName(s.file), log)
	return hd, status, ret
}

// ScanHeader reads a CGI header from br as ap_scan_script_header_err does,
// logging its complaints about the script name with log: status is
// Status's (0 without), ret an error status to answer with instead (500 for
// a bad header or none, 504 for a read past its deadline) and err the read
// error that ended it early.
func ScanHeader(br *bufio.Reader, name string, log func(level static.Level, msg string)) (hd Header, status, ret int, err error) {
	var merged merger
	first := true
	for {
		line, err := readLine(br)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				log(static.LevelError, "Script timed out before returning headers: "+name)
				return hd, 0, http.StatusGatewayTimeout, err
			}
			msg := "Premature end of script headers"
			if first {
				msg = "End of script output before headers"
			}
			log(static.LevelError, msg+": "+name)
			return hd, 0, http.StatusInternalServerError, err
		}
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			log(static.LevelError, "malformed header from script '"+name+"': Bad header: "+cut(line, 30))
			return hd, 0, http.StatusInternalServerError, nil
		}
		v = strings.TrimLeft(v, " \t\r\n\v\f")
		first = false
		switch {
		case strings.EqualFold(k, "Content-Type"):
			hd.contentType = contentTypeLower(strings.TrimRight(v, " \t\r\n\v\f"))
		case strings.EqualFold(k, "Status"):
			status = atoi(v)
			hd.statusLine = v
			if status < 100 || status > 599 {
				log(static.LevelError, "Invalid status line from script '"+name+"': "+cut(v, 30))
			}
			if status < 100 || status > 999 {
				status = http.StatusInternalServerError
			} // else passed on, as apache2 does a three-digit one
		case strings.EqualFold(k, "Location"):
			hd.location = v
		case strings.EqualFold(k, "Content-Length"), strings.EqualFold(k, "Transfer-Encoding"):
			// Dropped: the body is framed as it comes.
		case strings.EqualFold(k, "Content-Range"), strings.EqualFold(k, "ETag"):
			hd.fields = setField(hd.fields, k, v)
			if strings.EqualFold(k, "ETag") {
				hd.etag = v
			}
		case strings.EqualFold(k, "Last-Modified"):
			if tm, err := http.ParseTime(v); err == nil {
				if now := time.Now(); tm.After(now) {
					tm = now
				}
				hd.fields = setField(hd.fields, "Last-Modified", tm.UTC().Format(http.TimeFormat))
				hd.lastModified = tm
			} else {
				log(static.LevelInfo, "AH10247: Ignored invalid header value: Last-Modified: '"+v+"'")
			}
		case strings.EqualFold(k, "Set-Cookie"):
			hd.errFields = append(hd.errFields, k, v) // sent as the script spells it
		default:
			merged.add(k, v)
		}
	}
	hd.errFields = merged.appendTo(hd.errFields)
	return hd, status, 0, nil
}

// line reads one header line: up to '\n' or maxLine bytes, every CR left
// out (getsfunc_BRIGADE); a line cut by the end of the output is an error.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for len(b) < maxLine {
		c, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		if c == '\n' {
			break
		}
		if c != '\r' {
			b = append(b, c)
		}
	}
	return string(b), nil
}
