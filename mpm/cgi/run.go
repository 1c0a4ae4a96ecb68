package cgi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/aphtml"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// maxLine is the longest header line read at once (MAX_STRING_LEN - 1).
const maxLine = 8191

// script is one running CGI program.
type script struct {
	h       *Handler
	r       *http.Request
	file    string
	proc    *os.Process
	stdin   *os.File
	stdout  *os.File
	out     *bufio.Reader
	timeout time.Duration
	env     []string      // the script's environment, NAME=value
	errDone chan struct{} // closed when stderr is read to its end
	errStop chan struct{} // closed to stop logging stderr
	logged  sync.WaitGroup
}

// run runs t's script for r and answers with its output.
func run(h *Handler, w http.ResponseWriter, r *http.Request, t *static.Target) {
	s := &script{h: h, r: r, file: t.Filename, timeout: h.timeout(r, http1.Timeout(r))}
	nph := strings.HasPrefix(baseName(t.Filename), "nph-")
	s.env = h.environ(r, t)
	// The script's variables are the request's (apache2's mod_cgi adds them
	// to r->subprocess_env): an internal redirect, by the script's Location
	// or to an ErrorDocument, renames them REDIRECT_NAME.
	if e := http1.Env(r); e != nil {
		for _, kv := range s.env {
			if k, v, _ := strings.Cut(kv, "="); k != "TZ" {
				e.Set(k, v)
			}
		}
	}
	if err := s.start(s.env, arguments(t.Filename, r.URL.RawQuery)); err != nil {
		s.startFailed(w, r, t, err)
		return
	}
	defer s.end()
	if status := s.feed(); status != 0 {
		t.Error(w, r, status)
		return
	}
	if nph {
		s.raw(w)
		return
	}
	s.respond(w, r, t)
}

// start starts the script with its three pipes.
func (s *script) start(env, argv []string) error {
	closeInherited()
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return err
	}
	var errR, errW *os.File
	if s.h.ErrorLog != nil {
		errW = s.h.ErrorLog
	} else if errR, errW, err = os.Pipe(); err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return err
	}
	// os.StartProcess, not exec.Cmd, whose Start keeps one entry of a
	// name: apache2's environment may have two (Environ).
	s.proc, err = os.StartProcess(s.file, argv, &os.ProcAttr{
		Dir: s.file[:strings.LastIndexByte(s.file, '/')+1], Env: env, Files: []*os.File{inR, outW, errW},
		Sys: &syscall.SysProcAttr{Setpgid: true},
	})
	inR.Close()
	outW.Close()
	if errR != nil {
		errW.Close()
	}
	if err != nil {
		inW.Close()
		outR.Close()
		if errR != nil {
			errR.Close()
		}
		return err
	}
	s.stdin, s.stdout = inW, outR
	s.out = bufio.NewReaderSize(&deadlineReader{f: outR, d: s.timeout}, 8192)
	s.errDone, s.errStop = make(chan struct{}), make(chan struct{})
	if errR == nil {
		close(s.errDone)
		return nil
	}
	s.logged.Add(1)
	go s.readStderr(errR)
	return nil
}

// startFailed is what apache2 answers when the script cannot be executed:
// the child's exec failed, said on its standard error, then no header.
func (s *script) startFailed(w http.ResponseWriter, r *http.Request, t *static.Target, err error) {
	var errno syscall.Errno
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	errors.As(err, &errno)
	if s.h.Server.Module == "cgid" {
		// The daemon says it, not the request.
		daemon := *r
		daemon.RemoteAddr, daemon.Header = "", nil
		s.h.log(&daemon, static.LevelError, err, "AH01241: exec of '"+s.file+"' failed")
	} else {
		s.h.logScript(r, static.LevelError, "AH01215", s.file, fmt.Sprintf("(%d)%s: exec of '%s' failed", int(errno), errText(err), s.file))
	}
	msg := "End of script output before headers: " + baseName(s.file)
	s.h.log(r, static.LevelError, nil, msg)
	http1.SetErrorNotes(r, aphtml.Escape(msg)) // logged APLOG_TOCLIENT
	t.Error(w, r, http.StatusInternalServerError)
}

// errText is the system's message for err as apache2 prints it.
func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		return strings.ToUpper(msg[:1]) + msg[1:]
	}
	return err.Error()
}

// feed writes the request body to the script's standard input and closes
// it; a status other than 0 answers the request (the body could not be
// read).
func (s *script) feed() int {
	defer func() {
		if s.stdin != nil {
			s.stdin.Close()
			s.stdin = nil
		}
	}()
	r := s.r
	if r.Body == nil || r.Body == http.NoBody {
		return 0
	}
	buf := make([]byte, 8192)
	broken := false
	for {
		n, err := r.Body.Read(buf)
		if n > 0 && !broken {
			s.stdin.SetWriteDeadline(time.Now().Add(s.timeout))
			if _, werr := s.stdin.Write(buf[:n]); werr != nil {
				// The script stopped reading: the rest of the body is read and dropped.
				broken = true
				s.h.log(r, static.LevelError, werr, "AH02651: Error writing request body to script "+s.file)
			}
		}
		if err == io.EOF {
			return 0
		}
		if err != nil {
			s.h.log(r, static.LevelError, err, numbers[s.h.Server.Module].readBody+": Error reading request entity data")
			s.kill()
			return static.BodyStatus(err)
		}
	}
}

// readStderr logs each line the script writes to its standard error.
func (s *script) readStderr(f *os.File) {
	defer s.logged.Done()
	defer close(s.errDone)
	defer f.Close()
	br := bufio.NewReaderSize(f, 8192)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			select {
			case <-s.errStop:
				return
			default:
			}
			text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
			s.h.logScript(s.r, static.LevelError, "AH01215", s.file, text)
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// end waits (up to the timeout) for the script's last error lines, stops
// logging them and leaves the script to be reaped: killed, after a grace
// time, if it lives on without its output.
func (s *script) end() {
	select {
	case <-s.errDone:
	case <-time.After(s.timeout):
	}
	close(s.errStop)
	s.stdout.Close()
	proc := s.proc
	go func() {
		done := make(chan struct{})
		go func() {
			proc.Wait()
			close(done)
		}()
		select {
		case <-done:
			return
		case <-time.After(time.Second):
		}
		// APR_KILL_AFTER_TIMEOUT: SIGTERM, then SIGKILL 3 s later.
		syscall.Kill(-proc.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-proc.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	s.logged.Wait()
}

// kill ends the script's process group at once.
func (s *script) kill() {
	if s.proc != nil {
		syscall.Kill(-s.proc.Pid, syscall.SIGKILL)
	}
}

// deadlineReader reads a pipe with a deadline renewed before each read.
type deadlineReader struct {
	f *os.File
	d time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	d.f.SetReadDeadline(time.Now().Add(d.d))
	return d.f.Read(p)
}

// raw copies an nph- script's output to the connection as it is.
func (s *script) raw(w http.ResponseWriter) {
	c := http1.Raw(w)
	if c == nil {
		s.kill()
		http1.WriteError(w, s.r, http.StatusInternalServerError, "")
		return
	}
	if err := s.stream(c, c.Flush); err != nil || c.Flush() != nil {
		s.kill()
	}
}

// stream copies the script's output to dst, flushing when the script has
// nothing more at once (apache2's CGI bucket, read without blocking first).
// It does not flush at the output's end: a response whose whole body came
// before any wait then gets its Content-Length from the engine, as from
// apache2's content-length filter when no flush went before the end.
func (s *script) stream(dst io.Writer, flush func() error) error {
	buf := make([]byte, 8192)
	for {
		var n int
		var err error
		if s.out.Buffered() > 0 {
			n, err = s.out.Read(buf)
		} else {
			n, err = readNow(s.stdout, buf)
			if err == errWouldBlock {
				if ferr := flush(); ferr != nil {
					return ferr
				}
				n, err = s.out.Read(buf)
			}
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				s.h.log(s.r, static.LevelWarn, nil, "AH01220: Timeout waiting for output from CGI script "+s.file)
			}
			return err
		}
	}
}

// errWouldBlock is readNow's answer when the pipe holds nothing yet.
var errWouldBlock = errors.New("cgi: nothing to read yet")

// readNow reads what the pipe f holds now, without waiting (a read with a
// deadline already past would not even look: the poller refuses it first).
func readNow(f *os.File, p []byte) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	n := 0
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		for {
			n, rerr = syscall.Read(int(fd), p)
			if rerr != syscall.EINTR {
				return true
			}
		}
	})
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded) || rerr == syscall.EAGAIN:
		return 0, errWouldBlock
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, rerr
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// respond reads the script's header and answers with it and its body.
func (s *script) respond(w http.ResponseWriter, r *http.Request, t *static.Target) {
	hd, status, ret := s.header(r)
	if ret != 0 {
		s.kill()
		t.Error(w, r, ret)
		return
	}
	out := w.Header()
	if status == 0 && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// ap_scan_script_header_err's ap_meets_conditions, unless Status
		// overrides it: 304 with the script's fields, 412 as an error.
		if st := static.MeetsConditions(r, hd.etag, hd.lastModified); st != 0 {
			s.discard()
			if st == http.StatusNotModified {
				apply(out, hd.fields)
				hd.applyErr(out, r)
				w.WriteHeader(st)
				return
			}
			hd.applyErr(out, r)
			t.Error(w, r, st)
			return
		}
	}
	loc := hd.location
	// mod_cgi redirects when r->status is 200 once the header is read:
	// not for an ErrorDocument's script without a Status (its request has
	// the error's), whose Location goes out as it is.
	if loc != "" && (status == http.StatusOK || status == 0 && static.RequestStatus(r) == http.StatusOK) {
		s.discard()
		// The fields of err_headers_out are kept by the redirect and the
		// error page, those of headers_out (ETag, ...) are not.
		hd.applyErr(out, r)
		if strings.HasPrefix(loc, "/") {
			// The walk ended at the script (apache2's r->filename), which
			// the redirect's own walk may reuse.
			http1.SetFilename(r, t.Filename, t.PathInfo)
			s.h.Site.Redirect(w, r, loc)
			return
		}
		out["Location"] = []string{loc}
		t.Error(w, r, http.StatusFound)
		return
	}
	hd.WriteHeader(w, r, status)
	if status == http.StatusNotModified || status == http.StatusNoContent {
		// No body goes with these: apache2's header filter drops the
		// script's.
		s.discard()
		return
	}
	flush := func() error { return http.NewResponseController(w).Flush() }
	if err := s.stream(w, flush); err != nil {
		s.kill()
		panic(http.ErrAbortHandler) // the client sees the answer cut short, as from apache2
	}
}

// discard reads and drops the rest of the script's output.
func (s *script) discard() {
	if _, err := io.Copy(io.Discard, s.out); err != nil {
		s.kill()
	}
}

func setField(kv []string, k, v string) []string {
	for i := 0; i < len(kv); i += 2 {
		if strings.EqualFold(kv[i], k) {
			kv[i+1] = v
			return kv
		}
	}
	return append(kv, k, v)
}

// merger gathers a script's fields to merge with ", " by name (case
// aside), in the order of their first line, in time and memory linear in
// the header.
type merger struct {
	names  []string
	values [][]string
	at     map[string]int // lower-case name: index in names
}

func (m *merger) add(k, v string) {
	lk := strings.ToLower(k)
	if i, ok := m.at[lk]; ok {
		m.values[i] = append(m.values[i], v)
		return
	}
	if m.at == nil {
		m.at = make(map[string]int)
	}
	m.at[lk] = len(m.names)
	m.names = append(m.names, k)
	m.values = append(m.values, []string{v})
}

// appendTo appends the merged fields to kv as name, value pairs.
func (m *merger) appendTo(kv []string) []string {
	for i, k := range m.names {
		kv = append(kv, k, strings.Join(m.values[i], ", "))
	}
	return kv
}

// contentTypeLower is ap_content_type_tolower: the media type lower-cased,
// the parameters kept.
func contentTypeLower(ct string) string {
	typ, params, found := strings.Cut(ct, ";")
	if !found {
		return strings.ToLower(ct)
	}
	return strings.ToLower(typ) + ";" + params
}

// cut is %.Ns: at most n bytes of s.
func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// atoi is C's atoi.
func atoi(s string) int {
	n := int(atol(s))
	if strconv.IntSize == 32 && (n > 1<<31-1 || n < -1<<31) {
		return 0
	}
	return n
}
