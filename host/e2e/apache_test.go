package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

// A differential test runs the real Debian apache2 and our httpd on one
// configuration body and one document tree, sends both the same raw
// requests and compares the answers. Each server has its own ServerRoot
// (logs/, run/) and its own ports; the body names ports as @P0@, @P1@,
// ... and the shared documents as @DOCS@, and answers are compared with
// each server's port numbers written back as @Pn@.

// apacheBin is Debian's apache2 (package apache2, installed by
// .ci/deps.sh for the tests).
func apacheBin(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"apache2", "/usr/sbin/apache2"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Fatal("apache2 not installed (.ci/deps.sh installs it)")
	return ""
}

// apacheModuleDir is where Debian's apache2 keeps its modules.
const apacheModuleDir = "/usr/lib/apache2/modules"

// apacheHead is what only Apache's config says: the event MPM and the
// modules for the directives the tests use and those ours has built in
// (mod_autoindex: its listings and refusals; log_config is compiled into
// Debian's apache2), the pid file, and the runtime files kept in the
// ServerRoot (%[1]s).
const apacheHead = `LoadModule mpm_event_module ` + apacheModuleDir + `/mod_mpm_event.so
LoadModule authz_core_module ` + apacheModuleDir + `/mod_authz_core.so
LoadModule authz_host_module ` + apacheModuleDir + `/mod_authz_host.so
LoadModule access_compat_module ` + apacheModuleDir + `/mod_access_compat.so
LoadModule mime_module ` + apacheModuleDir + `/mod_mime.so
LoadModule dir_module ` + apacheModuleDir + `/mod_dir.so
LoadModule alias_module ` + apacheModuleDir + `/mod_alias.so
LoadModule status_module ` + apacheModuleDir + `/mod_status.so
LoadModule headers_module ` + apacheModuleDir + `/mod_headers.so
LoadModule expires_module ` + apacheModuleDir + `/mod_expires.so
LoadModule auth_basic_module ` + apacheModuleDir + `/mod_auth_basic.so
LoadModule authn_core_module ` + apacheModuleDir + `/mod_authn_core.so
LoadModule authn_file_module ` + apacheModuleDir + `/mod_authn_file.so
LoadModule authz_user_module ` + apacheModuleDir + `/mod_authz_user.so
LoadModule authz_groupfile_module ` + apacheModuleDir + `/mod_authz_groupfile.so
LoadModule rewrite_module ` + apacheModuleDir + `/mod_rewrite.so
LoadModule env_module ` + apacheModuleDir + `/mod_env.so
LoadModule setenvif_module ` + apacheModuleDir + `/mod_setenvif.so
LoadModule filter_module ` + apacheModuleDir + `/mod_filter.so
LoadModule deflate_module ` + apacheModuleDir + `/mod_deflate.so
LoadModule negotiation_module ` + apacheModuleDir + `/mod_negotiation.so
LoadModule autoindex_module ` + apacheModuleDir + `/mod_autoindex.so
PidFile run/httpd.pid
DefaultRuntimeDir %[1]s/run
Mutex file:%[1]s/run default
ErrorLog logs/error_log
`

// oursHead is what only our config says: the event MPM plugin from the
// modules directory (%[1]s) and the pid file.
const oursHead = `LoadModule mpm_event_module %[1]s/mod_mpm_event.so
PidFile run/httpd.pid
ErrorLog logs/error_log
`

// commonHead starts every body, for both servers: types, no keep-alive
// (one request per connection), and, as root, an unprivileged user for
// the children.
func commonHead() string {
	s := "TypesConfig /etc/mime.types\nKeepAlive Off\nLogLevel info\n"
	if os.Geteuid() == 0 {
		s += "User nobody\nGroup #65534\n"
	}
	return s
}

// diffServer is one running server of a differential test.
type diffServer struct {
	name  string // "apache" or "ours"
	root  string // ServerRoot, with httpd.conf, logs/ and run/
	head  string // what precedes the shared body in httpd.conf
	docs  string // the shared documents, @DOCS@
	ports []int
	srv   *testserver.Server
}

// startDiff writes ServerRoot root with head+body (placeholders filled)
// and starts argv on it in its own process group; it waits until the pid
// file exists and every Listen address accepts. The server is stopped at
// the end of the test.
func startDiff(t *testing.T, s *diffServer, body string, argv []string) *diffServer {
	t.Helper()
	conf := s.fill(s.head + body)
	must(t, testserver.WriteRoot(s.root, conf, nil))
	addrs := listenAddrs(conf)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	srv, err := testserver.Start(cmd, s.root, addrs[0])
	must(t, err)
	s.srv = srv
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("%s: stop: %v", s.name, err)
		}
		if t.Failed() {
			t.Logf("%s error_log:\n%s", s.name, srv.ErrorLog())
		}
	})
	_, err = srv.Ready(context.Background(), 20*time.Second, 20*time.Millisecond, func(string) bool {
		if _, err := os.Stat(filepath.Join(s.root, "run/httpd.pid")); err != nil {
			return false
		}
		for _, a := range addrs {
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err != nil {
				return false
			}
			c.Close()
		}
		return true
	})
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	return s
}

// stop ends the server (SIGTERM, then SIGKILL for whatever is left); a
// second call does nothing.
func (s *diffServer) stop() error {
	select {
	case <-s.srv.Done:
		return nil
	default:
	}
	return s.srv.Stop(10*time.Second, 5*time.Second)
}

var listenLine = regexp.MustCompile(`(?m)^Listen\s+(\S+)`)

// listenAddrs are the addresses of conf's Listen lines.
func listenAddrs(conf string) []string {
	var out []string
	for _, m := range listenLine.FindAllStringSubmatch(conf, -1) {
		out = append(out, m[1])
	}
	return out
}

// fill writes the server's ports and the document directory into text.
func (s *diffServer) fill(text string) string {
	pairs := []string{"@DOCS@", s.docs}
	for i, p := range s.ports {
		pairs = append(pairs, fmt.Sprintf("@P%d@", i), strconv.Itoa(p))
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// unfill writes the server's port numbers in text back as @Pn@, but not
// in the test's directory (the parent of the shared documents), whose
// random name may hold a port's digits: it stays as it is.
func (s *diffServer) unfill(text string) string {
	dir := filepath.Dir(s.docs)
	pairs := []string{dir, dir}
	for i, p := range s.ports {
		pairs = append(pairs, strconv.Itoa(p), fmt.Sprintf("@P%d@", i))
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// freePorts picks n distinct ports free on 127.0.0.1 (and, for the tests
// here, on the other loopback addresses: nothing else binds those).
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// diffPair is Apache and ours running one configuration body.
type diffPair struct {
	t                  *testing.T
	apache, ours       *diffServer
	apacheBin, oursBin string
}

// symlinkTo starts a document that is a symbolic link to the rest.
const symlinkTo = "symlink to "

// startPair writes the documents (paths relative to a shared directory,
// @DOCS@ in body; a content symlinkTo+target makes a symbolic link) and
// starts Apache and ours on body, each with its own
// free ports (nports of them).
func startPair(t *testing.T, nports int, body string, docs map[string]string) *diffPair {
	t.Helper()
	return startPairMPM(t, "event", nports, body, docs)
}

// startPairMPM is startPair with both servers on MPM mpm ("prefork",
// "worker" or "event").
func startPairMPM(t *testing.T, mpm string, nports int, body string, docs map[string]string) *diffPair {
	t.Helper()
	apache := apacheBin(t)
	httpd, modules := build(t)
	base := t.TempDir()
	docDir := filepath.Join(base, "docs")
	for name, content := range docs {
		path := filepath.Join(docDir, name)
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		if target, ok := strings.CutPrefix(content, symlinkTo); ok {
			must(t, os.Symlink(target, path))
			continue
		}
		write(t, path, content)
	}
	reachableByNobody(t, docDir)
	body = commonHead() + body
	aroot, oroot := filepath.Join(base, "apache"), filepath.Join(base, "ours")
	onMPM := strings.NewReplacer("mpm_event_module", "mpm_"+mpm+"_module", "mod_mpm_event.so", "mod_mpm_"+mpm+".so")
	ahead, ohead := sameLength(onMPM.Replace(fmt.Sprintf(apacheHead, aroot)), onMPM.Replace(fmt.Sprintf(oursHead, modules)))
	p := &diffPair{t: t, apacheBin: apache, oursBin: httpd}
	p.apache = startDiff(t, &diffServer{name: "apache", root: aroot, head: ahead, docs: docDir, ports: freePorts(t, nports)}, body,
		[]string{apache, "-d", aroot, "-f", filepath.Join(aroot, "httpd.conf"), "-D", "FOREGROUND"})
	p.ours = startDiff(t, &diffServer{name: "ours", root: oroot, head: ohead, docs: docDir, ports: freePorts(t, nports)}, body,
		testserver.Command(httpd, oroot).Args)
	return p
}

// reload rewrites both configurations with body (on the same ports) and
// asks both servers for a graceful restart (SIGUSR1, apache2 -k
// graceful); each is done once ready(server) holds, within 20 s.
func (p *diffPair) reload(body string, ready func(*diffServer) bool) {
	t := p.t
	t.Helper()
	for _, s := range []*diffServer{p.apache, p.ours} {
		write(t, filepath.Join(s.root, "httpd.conf"), s.fill(s.head+commonHead()+body))
		must(t, s.srv.Signal(syscall.SIGUSR1))
	}
	for _, s := range []*diffServer{p.apache, p.ours} {
		if !eventually(20*time.Second, func() bool { return ready(s) }) {
			t.Fatalf("%s: the new configuration is not served 20 s after SIGUSR1", s.name)
		}
	}
}

// sameLength pads the shorter of two config heads with comment lines, so
// that a line of the body has the same number in both files (-S shows
// them).
func sameLength(a, b string) (string, string) {
	for strings.Count(a, "\n") < strings.Count(b, "\n") {
		a += "#\n"
	}
	for strings.Count(b, "\n") < strings.Count(a, "\n") {
		b += "#\n"
	}
	return a, b
}

// checkDump compares the "VirtualHost configuration:" part of -S (the
// vhosts as each server sorts them), paths and ports written back.
func (p *diffPair) checkDump() {
	t := p.t
	t.Helper()
	want := p.apache.dump(t, p.apacheBin)
	got := p.ours.dump(t, p.oursBin)
	if got != want {
		t.Errorf("-S:\napache:\n%s\nours:\n%s", want, got)
	} else {
		t.Logf("-S, both:\n%s", want)
	}
}

// dump runs bin -S on s's configuration and returns the vhost part of
// its output.
func (s *diffServer) dump(t testing.TB, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "-d", s.root, "-f", filepath.Join(s.root, "httpd.conf"), "-S").Output()
	if err != nil {
		var stderr []byte
		if e, ok := err.(*exec.ExitError); ok {
			stderr = e.Stderr
		}
		t.Fatalf("%s -S: %v\n%s%s", s.name, err, out, stderr)
	}
	// The root first: its name may hold a port's digits.
	text := s.unfill(strings.ReplaceAll(string(out), s.root+"/", "ROOT/"))
	_, text, _ = strings.Cut(text, "VirtualHost configuration:\n")
	text, _, _ = strings.Cut(text, "ServerRoot: ")
	return text
}

// answer is what the tests compare of a response: status, Location,
// Content-Type, whether there is an ETag, and the body, the signature's
// server software aside. Left out: Date, Server and Last-Modified (the
// time and the software), the ETag's value (Apache makes it weak for a
// file changed within the second, which the test's fresh files may or
// may not be), and Content-Length, which follows from the body.
type answer struct {
	Status      int
	Location    string
	ContentType string
	ETag        bool
	Connection  string // compared only for a diffRequest with Connection set
	Body        string
	Unparseable string // the raw reply when it is not HTTP
}

func (a answer) String() string {
	if a.Unparseable != "" {
		return fmt.Sprintf("unparseable reply %q", a.Unparseable)
	}
	s := fmt.Sprintf("%d", a.Status)
	if a.Location != "" {
		s += " Location: " + a.Location
	}
	if a.ETag {
		s += " (ETag)"
	}
	if a.Connection != "" {
		s += " Connection: " + a.Connection
	}
	return s + fmt.Sprintf(" Content-Type: %s body %q", a.ContentType, a.Body)
}

// signature is the server software in an error page's signature line,
// the one part of the page that must differ.
var signature = regexp.MustCompile(`<address>.*? Server at `)

// exchange sends req (@Pn@ filled in) to ip and s's port index port on a
// new connection and reads until the server closes or wait has passed
// since the dial; the error is the read's.
func (s *diffServer) exchange(t testing.TB, ip string, port int, req string, wait time.Duration) (*bytes.Buffer, error) {
	t.Helper()
	return s.exchangeFrom(t, "", ip, port, req, wait)
}

// exchangeFrom is exchange from the source address from ("": the system's
// choice), such as 127.0.0.2 for a client other than 127.0.0.1.
func (s *diffServer) exchangeFrom(t testing.TB, from, ip string, port int, req string, wait time.Duration) (*bytes.Buffer, error) {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	c, err := d.Dial("tcp", net.JoinHostPort(ip, strconv.Itoa(s.ports[port])))
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	if _, err := c.Write([]byte(s.fill(req))); err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	var raw bytes.Buffer
	_, err = raw.ReadFrom(c)
	return &raw, err
}

// ask sends req (raw, every line ending in \r\n; several requests
// pipelined if the test wants) to ip:@Pport@ of s, reads until the
// server closes, and returns the answers with s's ports written back as
// @Pn@.
func (s *diffServer) ask(t testing.TB, ip string, port int, req string) answers {
	t.Helper()
	return s.askFrom(t, "", ip, port, req)
}

// askFrom is ask from the source address from ("": the system's choice).
func (s *diffServer) askFrom(t testing.TB, from, ip string, port int, req string) answers {
	t.Helper()
	raw, _ := s.exchangeFrom(t, from, ip, port, req, 10*time.Second)
	return s.answersTo(raw, strings.HasPrefix(req, "HEAD "))
}

// answers reads the responses in raw, s's ports written back as @Pn@.
func (s *diffServer) answers(raw *bytes.Buffer) answers {
	return s.answersTo(raw, false)
}

// answersTo is answers where the first response answers a HEAD if head
// is set: it has no body, whatever its Content-Length says.
func (s *diffServer) answersTo(raw *bytes.Buffer, head bool) answers {
	var out answers
	for r := bufio.NewReader(bytes.NewReader(raw.Bytes())); ; {
		if _, err := r.Peek(1); err != nil {
			return out
		}
		var req *http.Request
		if head && len(out) == 0 {
			req = &http.Request{Method: http.MethodHead}
		}
		resp, err := http.ReadResponse(r, req)
		if err != nil {
			rest, _ := io.ReadAll(r)
			return append(out, answer{Unparseable: string(rest)})
		}
		var body bytes.Buffer
		_, err = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil {
			return append(out, answer{Unparseable: raw.String()})
		}
		out = append(out, answer{
			Status:      resp.StatusCode,
			Location:    s.unfill(resp.Header.Get("Location")),
			ContentType: resp.Header.Get("Content-Type"),
			ETag:        resp.Header.Get("ETag") != "",
			Connection:  connection(resp),
			Body:        signature.ReplaceAllString(s.unfill(body.String()), "<address>SOFTWARE Server at "),
		})
	}
}

// connection is the Connection field of resp, with "close" when it says
// so (net/http takes that token out of the header) or the connection
// closes after it for want of keep-alive.
func connection(resp *http.Response) string {
	vs := resp.Header.Values("Connection")
	if resp.Close {
		vs = append(vs, "close")
	}
	return strings.Join(vs, ", ")
}

// answers are the responses on one connection.
type answers []answer

func (as answers) String() string {
	var parts []string
	for _, a := range as {
		parts = append(parts, a.String())
	}
	if len(parts) == 0 {
		return "no answer"
	}
	return strings.Join(parts, "\n          then ")
}

// withoutBodies are the answers with their bodies left out.
func (as answers) withoutBodies() answers {
	out := slices.Clone(as)
	for i := range out {
		out[i].Body = ""
	}
	return out
}

// withoutConnection are the answers with their Connection fields left out.
func (as answers) withoutConnection() answers {
	out := slices.Clone(as)
	for i := range out {
		out[i].Connection = ""
	}
	return out
}

// bodies are the answers' bodies, one after the other.
func (as answers) bodies() string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString(a.Body)
	}
	return b.String()
}

// diffRequest is one request of a differential test: raw text to send
// (placeholders allowed) to ip and port index Port, and, for the reader,
// what Apache answers (checked too: it documents Apache's choice, and a
// wrong expectation there is a wrong test).
type diffRequest struct {
	From string // the client's address ("": the system's choice)
	IP   string
	Port int
	Raw  string
	Want string // a substring of Apache's body (bodies, one after the other)
	// NoBody compares all but the bodies, for pages whose text is each
	// server's own (server-status); ours must hold Want too.
	NoBody bool
	// Connection compares the Connection fields too (keep-alive tests).
	Connection bool
}

// get is a plain HTTP/1.1 GET of path with the Host header host.
func get(path, host string) string { return request("GET", path, host, "") }

// request is an HTTP/1.1 request for path with the Host header host, the
// fields given ("Name: value"), Connection: close and body, which a POST
// or PUT always declares (Content-Length: 0 for none).
func request(method, path, host, body string, fields ...string) string {
	var b strings.Builder
	b.WriteString(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n")
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	if body != "" || method == "POST" || method == "PUT" {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n" + body)
	return b.String()
}

// rawRequest is the head of a request: its line and fields as given (no
// Connection field added), without a body.
func rawRequest(line string, fields ...string) string {
	var b strings.Builder
	b.WriteString(line + "\r\n")
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// check sends each request to Apache, then to ours, and reports every
// answer of ours that differs from Apache's.
func (p *diffPair) check(reqs []diffRequest) {
	t := p.t
	t.Helper()
	for _, r := range reqs {
		ip := r.IP
		if ip == "" {
			ip = "127.0.0.1"
		}
		want := p.apache.askFrom(t, r.From, ip, r.Port, r.Raw)
		got := p.ours.askFrom(t, r.From, ip, r.Port, r.Raw)
		where := fmt.Sprintf("%s:@P%d@ %q", ip, r.Port, r.Raw)
		if r.From != "" {
			where = r.From + " -> " + where
		}
		if r.Want != "" && !strings.Contains(want.bodies(), r.Want) {
			t.Errorf("%s: Apache answers %v, the test expects a body with %q", where, want, r.Want)
		}
		if r.NoBody {
			if r.Want != "" && !strings.Contains(got.bodies(), r.Want) {
				t.Errorf("%s: ours answers %v, without %q", where, got, r.Want)
			}
			got, want = got.withoutBodies(), want.withoutBodies()
		}
		if !r.Connection {
			got, want = got.withoutConnection(), want.withoutConnection()
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n  apache: %v\n  ours:   %v", where, want, got)
		} else {
			t.Logf("%s: both %v", where, want)
		}
	}
}

// checkLogs stops both servers, which makes their logs whole, and
// reports every file of logs/ named whose lines differ.
func (p *diffPair) checkLogs(names ...string) {
	t := p.t
	t.Helper()
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	for _, log := range names {
		compareLines(t, "logs/"+log+" (sorted)", p.apache.logLines(t, log), p.ours.logLines(t, log))
	}
}

// compareLines reports, under label, lines of ours (got) that differ from
// apache2's (want).
func compareLines(t *testing.T, label string, want, got []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\napache:\n  %s\nours:\n  %s", label, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	} else {
		t.Logf("%s, both:\n  %s", label, strings.Join(want, "\n  "))
	}
}

// sameLines reports, under what, lines of ours (got) that differ from
// Apache's (want), or none at all; else it logs them.
func sameLines(t *testing.T, what string, want, got []string) {
	t.Helper()
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("%s:\napache:\n  %s\nours:\n  %s", what, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	} else {
		t.Logf("%s, both:\n  %s", what, strings.Join(want, "\n  "))
	}
}

// logLines are the lines of the file logs/name in s's ServerRoot, s's
// ports written back, sorted: one request at a time, but our children
// each write their own.
func (s *diffServer) logLines(t testing.TB, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.root, "logs", name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("%s: %v", s.name, err)
	}
	lines := strings.Split(strings.TrimSuffix(s.unfill(string(b)), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		lines = nil
	}
	slices.Sort(lines)
	return lines
}

// TestUnfillKeepsTestDir: unfill writes ports back as @Pn@ but leaves the
// test's directory alone, whose random name may hold a port's digits
// (TestLogLevelModules failed once: a path became .../TestLogLevelModules1@P2@8181/...).
func TestUnfillKeepsTestDir(t *testing.T) {
	s := &diffServer{docs: "/tmp/TestX1429858181/001/docs", ports: []int{42985}}
	in := "127.0.0.1:42985 File does not exist: /tmp/TestX1429858181/001/docs/missing, /tmp/TestX1429858181/001/ours/x"
	want := "127.0.0.1:@P0@ File does not exist: /tmp/TestX1429858181/001/docs/missing, /tmp/TestX1429858181/001/ours/x"
	if got := s.unfill(in); got != want {
		t.Errorf("unfill(%q) = %q; want %q", in, got, want)
	}
}
