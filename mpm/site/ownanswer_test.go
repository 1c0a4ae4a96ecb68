package site

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// scriptHandler stands for mod_cgi or mod_proxy_fcgi: the file's name says
// what its "script" answers.
type scriptHandler struct{}

func (scriptHandler) Handles(handler string) bool { return handler == "script" }

func (scriptHandler) Serve(w http.ResponseWriter, r *http.Request, t *static.Target) {
	switch filepath.Base(t.Filename) {
	case "nf.script": // a Status: 404 of its own, with a page
		static.OwnAnswer(r, true)
		w.Header().Set("X-Script", "1")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "script's 404\n")
	case "ok.script": // an explicit 200
		static.OwnAnswer(r, true)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "script's 200\n")
	case "plain.script": // no Status: the request's status stands
		static.OwnAnswer(r, false)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "script's page\n")
	default: // the script cannot run: the handler fails
		t.Error(w, r, http.StatusInternalServerError)
	}
}

// scriptSite is a site whose *.script files the scriptHandler answers,
// with ErrorDocuments and FallbackResources naming them.
func scriptSite(t *testing.T) *Handler {
	t.Helper()
	docs := t.TempDir()
	for _, name := range []string{"s/nf.script", "s/ok.script", "s/plain.script", "s/broken.script", "fb/x", "fbfail/x", "fbmissing/x"} {
		p := filepath.Join(docs, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	loc := func(path, doc string) Section {
		return Section{Kind: "Location", Pattern: path, Directives: []Directive{d("ErrorDocument", "404", doc)}}
	}
	cfg, err := Compile([]Directive{d("ErrorDocument", "404", `"server's 404`),
		d("ErrorDocument", "500", `"server's 500`)}, []Section{
		{Kind: "Directory", Pattern: docs, Directives: []Directive{d("Require", "all", "granted")}},
		{Kind: "Directory", Pattern: docs + "/s", Directives: []Directive{d("SetHandler", "script")}},
		{Kind: "Directory", Pattern: docs + "/fb", Directives: []Directive{d("FallbackResource", "/s/nf.script")}},
		{Kind: "Directory", Pattern: docs + "/fbfail", Directives: []Directive{d("FallbackResource", "/s/broken.script"),
			d("ErrorDocument", "500", `"fbfail's 500`)}},
		{Kind: "Directory", Pattern: docs + "/fbmissing", Directives: []Directive{d("FallbackResource", "/s/nothere.script")}},
		loc("/enf", "/s/nf.script"), loc("/eok", "/s/ok.script"), loc("/eplain", "/s/plain.script"), loc("/ebroken", "/s/broken.script"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{Static: &static.Handler{DocumentRoot: docs}, Config: cfg, Content: scriptHandler{}}
}

// scriptAnswer is what the script site answers to GET path: status, a
// piece of the body and the X-Script field.
type scriptAnswer struct {
	path    string
	status  int
	body    string
	xScript string
}

func checkScriptAnswers(t *testing.T, answers []scriptAnswer) {
	t.Helper()
	h := scriptSite(t)
	for _, c := range answers {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.body) || rec.Header().Get("X-Script") != c.xScript {
			t.Errorf("%s: %d %q X-Script %q, want %d %q X-Script %q", c.path, rec.Code, rec.Body.String(), rec.Header().Get("X-Script"),
				c.status, c.body, c.xScript)
		}
	}
}

// TestErrorDocumentOwnAnswer: a local ErrorDocument whose script answers
// itself sends the script's answer, with the status it gave (its 404, its
// explicit 200) or else the error's, as apache2's handlers that set
// r->status and return OK; one whose handler fails gets the error's page
// with the "Additionally" paragraph.
func TestErrorDocumentOwnAnswer(t *testing.T) {
	checkScriptAnswers(t, []scriptAnswer{
		{"/enf/missing", 404, "script's 404\n", "1"},
		{"/eok/missing", 200, "script's 200\n", ""},
		{"/eplain/missing", 404, "script's page\n", ""},
		{"/ebroken/missing", 404, "Additionally, a 404 Not Found\nerror was encountered while trying to use an ErrorDocument", ""},
		{"/missing", 404, "server's 404", ""},
	})
}

// TestFallbackOwnAnswer: a FallbackResource script's own error answer is
// the request's (apache2's mod_dir fast-redirects to the file it found
// before the script runs), not the request's ErrorDocument; a fallback
// whose handler fails is answered with the fallback's ErrorDocument (the
// fast redirect gave the request its settings), not the directory's. A
// fallback script that does not exist is not run (mod_dir fast-redirects
// only to a regular file): the request's own 404 answers.
func TestFallbackOwnAnswer(t *testing.T) {
	checkScriptAnswers(t, []scriptAnswer{
		{"/fb/some/page", 404, "script's 404\n", "1"},
		{"/fbfail/some/page", 500, "server's 500", ""},
		{"/fbmissing/some/page", 404, "server's 404", ""},
	})
}
