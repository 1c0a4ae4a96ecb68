package proxy

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/cgi"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/proxy/fcgi"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// serveFCGI is mod_proxy_fcgi: r sent to t's FastCGI backend as apache2
// 2.4.71 sends it (the environment, the body as FCGI_STDIN) and its answer
// read as a CGI script's, streamed. False, with nothing written, when the
// backend cannot be reached: connectFailed (if not nil) is called then,
// as forward's.
func (c *Config) serveFCGI(w http.ResponseWriter, r *http.Request, t *Target, wk *worker, pu *url.URL, pre []byte, bodyDone, chunked bool,
	timeout, connectTimeout time.Duration, logf logFunc, connectFailed func()) bool {
	// The request's length as mod_proxy_fcgi leaves it after its prefetch.
	switch {
	case bodyDone && (len(pre) > 0 || r.ContentLength > 0 || chunked):
		r.Header["Content-Length"] = []string{strconv.Itoa(len(pre))}
		delete(r.Header, "Transfer-Encoding")
	case chunked:
		r.Header["Transfer-Encoding"] = []string{strings.Join(r.TransferEncoding, ", ")}
	}
	if t.generic {
		// The default reverse worker keeps no connection (apache2's
		// ap_proxy_pre_request says so to the modules after it).
		if e := http1.Env(r); e != nil {
			e.Set("proxy-nokeepalive", "1")
		}
	}
	// SCRIPT_FILENAME is the name GENERIC leaves; ProxyFCGISetEnvIf's
	// %{SCRIPT_FILENAME} sees the whole one, as apache2's.
	full := fcgiFilename(pu, t.rawPath)
	filename := t.FCGI.scriptFilename(full)
	portStr := "" // apache2 2.4.71 names no port in these lines

	bc := wk.get()
	if bc == nil {
		var err error
		bc, err = wk.dial(connectTimeout, timeout)
		if err != nil {
			if wk.sock != "" {
				logf("proxy", err, "AH02454: FCGI: attempt to connect to Unix domain socket %s (%s:%s) failed", wk.sock, wk.host, wk.port)
			} else {
				logf("proxy", err, "AH00957: FCGI: attempt to connect to %s:%s (%s:%s) failed", wk.host, wk.port, wk.host, wk.port)
			}
			if connectFailed != nil {
				connectFailed()
			}
			logf("proxy_fcgi", nil, "AH01079: failed to make connection to backend: %s", wk.host)
			return false
		}
	}
	bc.timeout = timeout
	keep := !wk.settings.disableReuse
	if err := fcgi.WriteBegin(bc.bw, keep); err != nil {
		bc.Close()
		logf("proxy_fcgi", err, "AH01073: Failed Writing Request to %s:", portStr)
		t.fail(w, r, http.StatusServiceUnavailable)
		return true
	}
	skip := func(name string) {
		if t.log != nil {
			t.log(r, static.LevelWarn, "proxy_fcgi", nil, "AH02536: couldn't encode envvar '"+name+"' in 16384 bytes")
		}
	}
	// The environment, as apache2's send_environment makes it once connected.
	var params []string
	var envErr error // a ProxyFCGISetEnvIf condition that failed
	if t.Params != nil {
		params = t.Params(filename, t.PathInfo)
		params, envErr = t.FCGI.fix(w, r, params, full, t.PathInfo, func(level static.Level, msg string) {
			if t.log != nil {
				t.log(r, level, "proxy_fcgi", nil, msg)
			}
		})
	}
	if envErr != nil {
		bc.Close()
		logf("proxy_fcgi", nil, "AH01074: Failed writing Environment to %s:", portStr)
		t.fail(w, r, http.StatusServiceUnavailable)
		return true
	}
	if e := http1.Env(r); e != nil && t.Params != nil {
		// apache2's send_environment builds it in r->subprocess_env
		// (ap_add_common_vars compresses the table, a variable's last entry
		// winning), which the request keeps: %{VAR}e in Header or CustomLog
		// sees it, as after a CGI script.
		e.Reset()
		for i := 0; i+1 < len(params); i += 2 {
			e.Set(params[i], params[i+1])
		}
	}
	if err := fcgi.WriteParams(bc.bw, params, skip); err != nil {
		bc.Close()
		logf("proxy_fcgi", nil, "AH01074: Failed writing Environment to %s:", portStr)
		t.fail(w, r, http.StatusServiceUnavailable)
		return true
	}
	dispatchErr := func(err error, what string) {
		bc.Close()
		if what != "" {
			what = "(" + what + ")"
		}
		logf("proxy_fcgi", err, "AH01075: Error dispatching request to %s: %s", portStr, what)
	}
	stdin := fcgi.Stdin{W: bc.bw}
	var snd *stdinSender
	if bodyDone {
		if what, err := sendStdin(stdin, pre, nil); err != nil {
			dispatchErr(err, what)
			t.fail(w, r, fcgiStatus(err))
			return true
		}
	} else {
		// The rest of the body goes while the answer is read, as apache2's
		// dispatch polls both ways: a backend may answer (or stream) before
		// it has read a body larger than the sockets' buffers.
		snd = &stdinSender{done: make(chan struct{})}
		go snd.run(bc, stdin, pre, r.Body)
	}
	// sent stops the body's sending once the answer is read (or failed)
	// and says whether it was all sent, the connection in step.
	sent := func() bool { return snd.stop(bc) }
	// sendFailed answers for a body that could not be sent, if that is
	// what ended the exchange.
	sendFailed := func() bool {
		sent()
		err := snd.failed()
		if err == nil {
			return false
		}
		if be, ok := err.(bodyError); ok {
			dispatchErr(be.err, snd.what)
			t.fail(w, r, http.StatusBadRequest)
			return true
		}
		dispatchErr(err, snd.what)
		t.fail(w, r, fcgiStatus(err))
		return true
	}

	rd := &fcgi.Reader{R: bc.br,
		Stderr: func(p []byte) { logf("proxy_fcgi", nil, "AH01071: Got error '%s'", p) },
		Bogus:  func(typ byte) { logf("proxy_fcgi", nil, "AH01072: Got bogus record %d", typ) },
	}
	br := bufio.NewReaderSize(rd, 8192)
	// The header's complaints are logged once it is known that the
	// backend, not the connection, made them.
	var lines []string
	hd, status, ret, err := cgi.ScanHeader(br, baseName(filename), func(_ static.Level, msg string) { lines = append(lines, msg) })
	if err != nil && !rd.Done() {
		if sendFailed() {
			return true
		}
		if errors.Is(err, fcgi.ErrBogus) {
			logf("proxy_fcgi", nil, "AH01068: Got %s", err.Error())
			dispatchErr(nil, "")
		} else if isTimeout(err) {
			dispatchErr(err, "polling")
		} else {
			logf("proxy_fcgi", nil, "AH01067: Failed to read FastCGI header")
			dispatchErr(nil, "")
		}
		t.fail(w, r, fcgiStatus(err))
		return true
	}
	if err != nil {
		// The request ended within the header: apache2 never reads it,
		// and its handler answers nothing (an empty 200).
		if sent() && keep && bc.br.Buffered() == 0 {
			wk.put(bc)
		} else {
			bc.Close()
		}
		w.Header()["Content-Length"] = []string{"0"}
		w.WriteHeader(http.StatusOK)
		return true
	}
	for _, l := range lines {
		if i := strings.Index(l, "Bad header: "); i >= 0 {
			l = l[:i+len("Bad header: ")] // apache2 2.4.71 shows none of the line here
		}
		logf("proxy_fcgi", nil, "%s", l)
	}
	if ret != 0 {
		// apache2 answers the status alone, without a page: mod_proxy_fcgi
		// has sent it already and returns AP_FILTER_ERROR, for which no
		// ErrorDocument answers (a local ErrorDocument's, a fallback's).
		sent()
		logf("proxy_fcgi", nil, "AH01070: Error parsing script headers")
		dispatchErr(syscall.EINVAL, "")
		w.Header()["Content-Length"] = []string{"0"}
		static.OwnAnswer(r, true)
		w.WriteHeader(ret)
		return true
	}
	if t.overrides(status) && static.PreviousOf(r) == nil {
		// ProxyErrorOverride: the backend's page is read and dropped,
		// and the server's own (an ErrorDocument) answers; not for an
		// internal redirect's request, an ErrorDocument's above all, as
		// mod_proxy_fcgi's ap_is_initial_req.
		_, err := io.Copy(io.Discard, br)
		if err != nil && sendFailed() {
			return true
		}
		if sent() && err == nil && keep && rd.Done() && bc.br.Buffered() == 0 {
			wk.put(bc)
		} else {
			bc.Close()
		}
		hd.WriteErrorFields(w, r)
		t.ErrorPage(w, r, status)
		return true
	}
	hd.WriteHeader(w, r, status)
	dst := io.Writer(&flushWriter{w: w, left: -1})
	if r.Method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified || status == http.StatusPreconditionFailed {
		dst = io.Discard
	}
	if _, err := io.Copy(dst, br); err != nil {
		bc.Close()
		if sent(); snd.failed() != nil {
			dispatchErr(snd.failed(), snd.what)
		}
		panic(http.ErrAbortHandler) // the client sees the answer cut short, as from apache2
	}
	if sent() && keep && rd.Done() && bc.br.Buffered() == 0 {
		wk.put(bc)
		return true
	}
	bc.Close()
	return true
}

// sendStdin sends pre, then what body (nil: nothing) gives, as FCGI_STDIN
// records, each piece as it comes, then the empty record; what says, in
// apache2's words, what failed.
func sendStdin(s fcgi.Stdin, pre []byte, body io.Reader) (what string, err error) {
	if len(pre) > 0 {
		if _, err := s.Write(pre); err != nil {
			return "sending stdin", err
		}
	}
	if body != nil {
		if err := s.W.Flush(); err != nil {
			return "sending stdin", err
		}
		buf := make([]byte, 8192) // apache2's AP_IOBUFSIZE reads
		for {
			n, rerr := body.Read(buf)
			if n > 0 {
				if _, err := s.Write(buf[:n]); err != nil {
					return "sending stdin", err
				}
				if err := s.W.Flush(); err != nil {
					return "sending stdin", err
				}
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				return "reading input brigade", bodyError{rerr}
			}
		}
	}
	if err := s.Close(); err != nil {
		return "sending empty stdin", err
	}
	return "", nil
}

// stdinSender sends a request's body to the backend on a goroutine of its
// own while the answer is read.
type stdinSender struct {
	done     chan struct{}
	stopping atomic.Bool
	// err, set before done is closed, is what failed (what: in apache2's
	// words); own says it failed before stop was asked.
	err  error
	what string
	own  bool
}

func (s *stdinSender) run(bc *bconn, st fcgi.Stdin, pre []byte, body io.Reader) {
	s.what, s.err = sendStdin(st, pre, body)
	var be bodyError
	switch {
	case errors.As(s.err, &be):
		// The client's body failed: the answer's reader stops too. (A
		// backend that stops reading is left to say so in its answer.)
		s.own = true
		bc.Close()
	case s.err != nil:
		s.own = !s.stopping.Load()
	}
	close(s.done)
}

// stop ends the sending, the connection closed if it still goes on (the
// backend answered without reading all of the body), and waits for it; it
// reports whether the whole body was sent. A nil s sent everything already.
func (s *stdinSender) stop(bc *bconn) bool {
	if s == nil {
		return true
	}
	select {
	case <-s.done:
	default:
		s.stopping.Store(true)
		bc.Close()
		<-s.done
	}
	return s.err == nil
}

// failed is the error that stopped the sending before the answer's end.
func (s *stdinSender) failed() error {
	if s == nil || !s.own {
		return nil
	}
	return s.err
}

// fcgiStatus is the status for a failed exchange: 504 for a timeout, else 503.
func fcgiStatus(err error) int {
	if isTimeout(err) {
		return http.StatusGatewayTimeout
	}
	return http.StatusServiceUnavailable
}

// bodyError is an error reading the client's body.
type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }

// fcgiFilename is r->filename as mod_proxy_fcgi's canon makes it:
// "proxy:fcgi://host[:port]/path", the port left out when it is 8000, the
// query left out; the path %-decoded when raw (the handler form's, a file's
// name, which apache2 sends as it is).
func fcgiFilename(pu *url.URL, raw bool) string {
	host := strings.ToLower(pu.Hostname())
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	if p := pu.Port(); p != "" && p != defaultPort["fcgi"] {
		host += ":" + p
	}
	path := pu.EscapedPath()
	if raw {
		path = pu.Path
	}
	if pu.Opaque != "" {
		path = pu.Opaque
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return "proxy:fcgi://" + host + path
}

// baseName is apr_filepath_name_get: the part after the last slash.
func baseName(file string) string { return file[strings.LastIndexByte(file, '/')+1:] }

// ForHandler is the Target of a file served with the handler "proxy:URL"
// (SetHandler "proxy:fcgi://127.0.0.1:9000", "proxy:unix:/path|fcgi://x"),
// as mod_proxy's handler maps it: the URL with the file's name appended.
// The worker is the one whose name matches the URL best, as for a ProxyPass
// line's URL (workerFor): the httpd wiki's "proxy:fcgi://php-fpm" reaches
// the socket of a <Proxy "unix:/run/php/php-fpm.sock|fcgi://php-fpm">.
// Nil for a URL it cannot serve.
func (c *Config) ForHandler(handler, filename, pathInfo string) *Target {
	u, ok := strings.CutPrefix(handler, "proxy:")
	if !ok {
		return nil
	}
	// A socket's URL without a host has localhost, as apache2's
	// fixup_uds_filename gives it ("proxy:unix:/s|fcgi:").
	u = strings.TrimSuffix(socketLocalhost(u), "/") + canon(filename)
	w, err := c.workerFor(u)
	if err != nil {
		return nil
	}
	t := &Target{URL: u, w: w, PathInfo: pathInfo, generic: w.generic, rawPath: true}
	if w.scheme == "fcgi" && strings.IndexFunc(filename, func(c rune) bool { return c < 0x20 || c == 0x7f || c == '?' }) >= 0 {
		// mod_proxy_fcgi's canon takes the file's name as it is, and
		// refuses one that could not be sent so.
		t.bad = &refusal{status: http.StatusForbidden, module: "proxy_fcgi",
			reason: "AH10414: To be forwarded path contains control characters or '?' (" + strings.TrimPrefix(filename, "/") + ")"}
	}
	return t
}
