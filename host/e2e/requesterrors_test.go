package e2e_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRequestErrors: the errors apache2 writes about requests reach the error log
// from the MPM's children in apache2's shape. apache2 2.4.71 with the same
// sections wrote (LogLevel info; the AH00128 line is not written at warn):
//
//	[Sun Nov 22 17:44:05.008514 2026] [authz_core:error] [pid 22090:tid 22135] [client 127.0.0.1:34490] AH01630: client denied by server configuration: /tmp/apx/www/private/x.txt, referer: http://ex.com/x
//	[Sun Nov 22 17:44:04.790238 2026] [autoindex:error] [pid 22088:tid 22101] [client 127.0.0.1:34324] AH01276: Cannot serve directory /tmp/apx/www/noindex/: No matching DirectoryIndex (index.html) found, and server-generated directory index forbidden by Options directive
//	[Sun Nov 22 17:44:04.817320 2026] [core:info] [pid 22089:tid 22146] [client 127.0.0.1:34342] AH00128: File does not exist: /tmp/apx/www/missing
//
// Ours name no thread: "[pid N]".
func TestRequestErrors(t *testing.T) {
	const sections = `
<Directory htdocs/private>
    Require all denied
</Directory>
<Location /server-status>
    SetHandler server-status
    Require all denied
</Location>
`
	const (
		head  = `^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] `
		pid   = ` \[pid \d+\] \[client 127\.0\.0\.1:\d+\] `
		index = `AH01276: Cannot serve directory %s/noindex/: No matching DirectoryIndex \(index\.html\) found, and server-generated directory index forbidden by Options directive$`
	)
	for _, level := range []string{"warn", "info"} {
		t.Run(level, func(t *testing.T) {
			root := newSite(t, "event", "mpm_event_module", sections+"LogLevel "+level+"\n")
			must(t, os.Mkdir(filepath.Join(root, "htdocs/private"), 0o755))
			write(t, filepath.Join(root, "htdocs/private/x.txt"), "x\n")
			in := start(t, root)
			docs, err := filepath.EvalSymlinks(filepath.Join(root, "htdocs"))
			must(t, err)
			docs = regexp.QuoteMeta(docs)
			// One connection: one child, whose lines reach the log in order.
			c := &http.Client{Timeout: 10 * time.Second}
			for _, req := range []struct {
				path, referer string
				status        int
			}{
				{"/missing", "", 404}, {"/noindex/", "", 403}, {"/server-status", "", 403},
				{"/private/x.txt", "http://example.com/a b\\c", 403},
			} {
				r, err := http.NewRequest("GET", in.url(req.path), nil)
				must(t, err)
				if req.referer != "" {
					r.Header.Set("Referer", req.referer)
				}
				resp, err := c.Do(r)
				must(t, err)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != req.status {
					t.Errorf("%s: %d, want %d", req.path, resp.StatusCode, req.status)
				}
			}
			want := []string{
				head + `\[autoindex:error\]` + pid + strings.Replace(index, "%s", docs, 1),
				head + `\[authz_core:error\]` + pid + `AH01630: client denied by server configuration: ` + docs + `/server-status$`,
				head + `\[authz_core:error\]` + pid + `AH01630: client denied by server configuration: ` + docs +
					`/private/x\.txt, referer: http://example\.com/a b\\\\c$`,
			}
			if level == "info" {
				want = append([]string{head + `\[core:info\]` + pid + `AH00128: File does not exist: ` + docs + `/missing$`}, want...)
			}
			var got []string
			eventually(10*time.Second, func() bool {
				got = got[:0]
				for _, l := range strings.Split(in.srv.ErrorLog(), "\n") {
					if strings.Contains(l, "[client ") {
						got = append(got, l)
					}
				}
				return len(got) >= len(want)
			})
			if len(got) != len(want) {
				t.Fatalf("LogLevel %s: %d request lines, want %d:\n%s", level, len(got), len(want), strings.Join(got, "\n"))
			}
			for i, re := range want {
				if !regexp.MustCompile(re).MatchString(got[i]) {
					t.Errorf("line %d:\n%s\ndoes not match\n%s", i, got[i], re)
				}
			}
		})
	}
}
