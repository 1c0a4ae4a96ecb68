package static

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// headerAccess refuses requests with an X-Refuse field with that status, and logs
// two refusals for them; without the field it serves, logging one refusal (as
// Satisfy Any does with a Deny that Require overrides).
type headerAccess struct{}

var (
	firstRefusal  = &Refusal{Module: "access_compat", Message: "AH01797: client denied by server configuration: ", Next: secondRefusal}
	secondRefusal = &Refusal{Module: "authz_core", Message: "AH01630: client denied by server configuration: "}
)

func (headerAccess) Check(w http.ResponseWriter, r *http.Request) (int, *Refusal) {
	if r.Header.Get("X-Refuse") != "" {
		if w != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		}
		return http.StatusUnauthorized, firstRefusal
	}
	return 0, firstRefusal.Next
}

type accessConf struct{}

func (accessConf) Configure(*http.Request, string, string) *Options {
	return &Options{FollowSymLinks: true, Indexes: true, Access: headerAccess{}}
}

// TestAccess: an Options.Access decides each request: its status is answered
// (with the fields it set), and its refusals are logged with the file's name,
// whatever the status.
func TestAccess(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &logRecorder{}
	h := &Handler{DocumentRoot: root, LogError: rec.log}
	srv := siteLike(h, accessConf{})

	w := httptest.NewRecorder()
	r := request("GET", "/a.txt")
	r.Header.Set("X-Refuse", "1")
	srv.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("refused: %d %v", w.Code, w.Header())
	}
	got := rec.take()
	if len(got) != 2 || got[0].msg != firstRefusal.Message+root+"/a.txt" || got[1].module != "authz_core" {
		t.Errorf("refused: logged %+v", got)
	}

	w = httptest.NewRecorder()
	srv.ServeHTTP(w, request("GET", "/a.txt"))
	if w.Code != http.StatusOK || w.Body.String() != "a\n" {
		t.Errorf("served: %d %q", w.Code, w.Body.String())
	}
	if got := rec.take(); len(got) != 1 || got[0].msg != secondRefusal.Message+root+"/a.txt" {
		t.Errorf("served: logged %+v", got)
	}
}
