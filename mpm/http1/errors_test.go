package http1

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestErrorPagesMatchApache renders every error page through the engine and compares
// it with testdata/apache2-error-pages.txt, captured from apache2 2.4.71.
func TestErrorPagesMatchApache(t *testing.T) {
	golden := loadGoldenPages(t)
	if len(golden) < 40 {
		t.Fatalf("only %d golden pages", len(golden))
	}
	srv := &Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/s"))
			if code < 400 {
				w.Header().Set("Location", "http://ex.com/a?b=<c>&d")
			}
			WriteError(w, r, code, "")
		}),
		KeepAlive:       true,
		Software:        "Apache/2.4.71 (Debian)",
		ServerSignature: SignatureOn,
	}
	addr := serve(t, srv)
	for code, want := range golden {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			resps, _ := exchangeRaw(t, addr, fmt.Sprintf("GET /s%d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", code), 1)
			got := resps[0]
			if got.StatusLine != want.status {
				t.Errorf("status line %q, want %q", got.StatusLine, want.status)
			}
			if got.Body != want.body {
				t.Errorf("body\n%s\nwant\n%s", got.Body, want.body)
			}
			if ct := got.Header.Get("Content-Type"); ct != "text/html; charset=iso-8859-1" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

type goldenPage struct{ status, body string }

func loadGoldenPages(t *testing.T) map[int]goldenPage {
	t.Helper()
	data, err := os.ReadFile("testdata/apache2-error-pages.txt")
	if err != nil {
		t.Fatal(err)
	}
	pages := map[int]goldenPage{}
	for _, sec := range strings.Split(string(data), "\n=== ")[1:] {
		num, rest, _ := strings.Cut(sec, "\n")
		status, body, _ := strings.Cut(rest, "\n")
		code, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("bad section %q", num)
		}
		end := strings.Index(body, "</body></html>\n")
		if end < 0 {
			t.Fatalf("section %d has no end", code)
		}
		pages[code] = goldenPage{strings.TrimPrefix(status, "status: "), body[:end+len("</body></html>\n")]}
	}
	return pages
}

func TestWriteErrorDetailAndSignatures(t *testing.T) {
	cases := []struct {
		name   string
		srv    *Server
		host   string
		status int
		detail string
		ident  *Identity // set by the handler
		want   string    // substring
		not    string    // must not appear
	}{
		{name: "detail is escaped into the 400 notes", srv: &Server{Software: "S", ServerSignature: SignatureOn}, host: "h",
			status: 400, detail: "bad <header>", want: "understand.<br />\nbad &lt;header&gt;</p>\n"},
		{name: "detail ignored on 404", srv: &Server{}, host: "h", status: 404, detail: "secret", not: "secret"},
		{name: "signature off by default", srv: &Server{Software: "S"}, host: "h", status: 404, not: "<address>"},
		{name: "no Software, no address", srv: &Server{ServerSignature: SignatureOn}, host: "h", status: 404, not: "<address>"},
		{name: "EMail signature", srv: &Server{Software: "S", ServerSignature: SignatureEMail, ServerAdmin: "me@x<y>"}, host: "h:81",
			status: 500, want: "<address>S Server at <a href=\"mailto:me@x&lt;y&gt;\">h</a> Port 81</address>"},
		{name: "ServerAdmin on 500", srv: &Server{ServerAdmin: "root@example.com"}, host: "h", status: 500,
			want: "administrator at \n root@example.com to inform"},
		{name: "ServerName port without Host port", srv: &Server{Software: "S", ServerSignature: SignatureOn, ServerName: "srv.example:8443"}, host: "H.Example.",
			status: 404, want: "Server at h.example Port 8443</address>"},
		{name: "ServerName when there is no Host", srv: &Server{Software: "S", ServerSignature: SignatureOn, ServerName: "srv.example"}, host: "",
			status: 404, want: "Server at srv.example Port 80</address>"},
		{name: "IPv6 host", srv: &Server{Software: "S", ServerSignature: SignatureOn}, host: "[::1]:8080",
			status: 404, want: "Server at ::1 Port 8080</address>"},
		// A virtual host's identity stands in for the Server's.
		{name: "identity's name when there is no Host", srv: &Server{Software: "S", ServerSignature: SignatureOn, ServerName: "srv.example"},
			ident: NewIdentity("v.example:81", ""), status: 404, want: "Server at v.example Port 81</address>"},
		{name: "identity's ServerAdmin", srv: &Server{Software: "S", ServerSignature: SignatureEMail, ServerAdmin: "main@x"}, host: "h",
			ident: NewIdentity("v.example", "v@x"), status: 500, want: "administrator at \n v@x to inform", not: "main@x"},
		// UseCanonicalName, as apache2 2.4.71 answers (host/e2e TestUseCanonicalName):
		// On is ServerName and its port, else 80, whatever Host says; DNS is the local
		// address's name (127.0.0.1 is localhost) with Host's port.
		{name: "canonical name on", srv: &Server{Software: "S", ServerSignature: SignatureOn, ServerName: "srv.example", UseCanonicalName: CanonicalNameOn},
			host: "other.example:1234", status: 404, want: "Server at srv.example Port 80</address>"},
		{name: "canonical name on, vhost", srv: &Server{Software: "S", ServerSignature: SignatureOn, ServerName: "srv.example"}, host: "other.example:1234",
			ident: NewIdentity("v.example:8888", "").WithCanonicalName(CanonicalNameOn), status: 404, want: "Server at v.example Port 8888</address>"},
		{name: "canonical name off, vhost", srv: &Server{Software: "S", ServerSignature: SignatureOn, ServerName: "srv.example", UseCanonicalName: CanonicalNameOn},
			host: "other.example:1234", ident: NewIdentity("v.example:8888", ""), status: 404, want: "Server at other.example Port 1234</address>"},
		{name: "canonical name dns", srv: &Server{Software: "S", ServerSignature: SignatureOn, ServerName: "srv.example", UseCanonicalName: CanonicalNameDNS},
			host: "other.example:1234", status: 404, want: "Server at localhost Port 1234</address>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.ident != nil {
					ConnFromRequest(r).SetIdentity(tc.ident)
				}
				WriteError(w, r, tc.status, tc.detail)
			})
			addr := serve(t, tc.srv)
			raw := "GET / HTTP/1.1\r\nHost: " + tc.host + "\r\nConnection: close\r\n\r\n"
			if tc.host == "" {
				raw = "GET / HTTP/1.0\r\n\r\n"
			}
			resps, _ := exchangeRaw(t, addr, raw, 1)
			body := resps[0].Body
			if tc.want != "" && !strings.Contains(body, tc.want) {
				t.Errorf("body %q does not contain %q", body, tc.want)
			}
			if tc.not != "" && strings.Contains(body, tc.not) {
				t.Errorf("body %q contains %q", body, tc.not)
			}
		})
	}
}

// TestWriteErrorOutsideEngine: a plain net/http ResponseWriter gets the same page,
// without a signature.
func TestWriteErrorOutsideEngine(t *testing.T) {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("DELETE", "/x", nil)
	WriteError(rec, r, http.StatusMethodNotAllowed, "")
	if rec.Code != 405 {
		t.Fatalf("code %d", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "<p>The requested method DELETE is not allowed for this URL.</p>\n</body></html>\n") {
		t.Errorf("body %q", rec.Body.String())
	}
	if rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
		t.Errorf("Content-Length %q for %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
	}
	host, port := ServerHostPort(r)
	if host != "example.com" || port != "80" {
		t.Errorf("ServerHostPort = %q, %q", host, port)
	}
}
