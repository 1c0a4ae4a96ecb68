package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// combinedLine is a combined-format line as Apache writes it (quotes and backslashes
// escaped inside the quoted fields).
var combinedLine = regexp.MustCompile(`^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$`)

// TestAccessLogs: CustomLog to a file, to the host's stderr and to a piped logger,
// written by the children of every MPM. Under many concurrent clients (ab -k and Go
// clients with odd headers) every line is whole and parses, none is lost, and
// goaccess reads the combined log with zero failed lines.
func TestAccessLogs(t *testing.T) {
	for _, tool := range []string{"ab", "goaccess"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (make test-deps installs it): %v", tool, err)
		}
	}
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, "")
			piped := filepath.Join(root, "logs/piped_log")
			conf, err := os.OpenFile(filepath.Join(root, "httpd.conf"), os.O_APPEND|os.O_WRONLY, 0)
			must(t, err)
			fmt.Fprintf(conf, `LogFormat "%%h %%>s %%U %%X" short
CustomLog logs/access_log combined
CustomLog "|$cat >> %s" short
CustomLog /dev/stderr "ACCESS %%>s %%m %%U"
CustomLog logs/never_log common env=nolog
`, piped)
			must(t, conf.Close())
			in := start(t, root)

			// ab -k: 400 keep-alive requests over 3 connections.
			out, err := exec.Command("ab", "-k", "-c", "3", "-n", "400", "-s", "20", in.url("/hello.txt")).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Failed requests:        0") {
				t.Fatalf("ab -k: %v\n%s", err, out)
			}
			// Go clients, 8 at a time, with referers and agents that need escaping.
			const clients, each = 8, 25
			var wg sync.WaitGroup
			for i := 0; i < clients; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := &http.Client{Timeout: 10 * time.Second}
					for j := 0; j < each; j++ {
						path := "/hello.txt"
						if j%5 == 0 {
							path = "/missing"
						}
						req, _ := http.NewRequest("GET", in.url(path), nil)
						req.Header.Set("Referer", fmt.Sprintf(`http://ref.example/%d?q="x"`, i))
						req.Header.Set("User-Agent", fmt.Sprintf(`agent %d \ "quoted" %s`, i, strings.Repeat("u", j*40)))
						resp, err := c.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						resp.Body.Close()
					}
				}()
			}
			wg.Wait()
			total := 400 + clients*each

			var lines []string
			eventually(10*time.Second, func() bool {
				b, _ := os.ReadFile(filepath.Join(root, "logs/access_log"))
				lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
				return len(lines) >= total
			})
			if len(lines) != total {
				t.Fatalf("access_log has %d lines, want %d", len(lines), total)
			}
			statuses := map[string]int{}
			for i, l := range lines {
				sm := combinedLine.FindStringSubmatch(l)
				if sm == nil {
					t.Fatalf("line %d does not parse as combined: %q", i+1, l)
				}
				statuses[sm[2]]++
			}
			if statuses["200"] != 400+clients*each*4/5 || statuses["404"] != clients*each/5 {
				t.Errorf("statuses %v", statuses)
			}

			// goaccess: zero failed lines.
			out, err = exec.Command("goaccess", filepath.Join(root, "logs/access_log"), "--log-format=COMBINED", "--no-global-config", "-o", "json").Output()
			if err != nil {
				t.Fatalf("goaccess: %v\n%s", err, out)
			}
			var report struct {
				General struct {
					Total  int `json:"total_requests"`
					Valid  int `json:"valid_requests"`
					Failed int `json:"failed_requests"`
				} `json:"general"`
			}
			if err := json.Unmarshal(out, &report); err != nil {
				t.Fatalf("goaccess output: %v\n%.500s", err, out)
			}
			if g := report.General; g.Failed != 0 || g.Valid != total || g.Total != total {
				t.Errorf("goaccess: %+v, want %d valid and none failed", g, total)
			}

			// The piped logger and the host's stderr got every line too.
			var piped_ []string
			eventually(10*time.Second, func() bool {
				b, _ := os.ReadFile(piped)
				piped_ = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
				return len(piped_) >= total
			})
			short := regexp.MustCompile(`^127\.0\.0\.1 (200|404) /(hello\.txt|missing) [+-]$`)
			for _, l := range piped_ {
				if !short.MatchString(l) {
					t.Fatalf("piped log line %q", l)
				}
			}
			if len(piped_) != total {
				t.Errorf("piped log has %d lines, want %d", len(piped_), total)
			}
			if n := strings.Count(in.stderr.String(), "ACCESS 404 GET /missing\n"); n != clients*each/5 {
				t.Errorf("stderr has %d ACCESS lines for /missing, want %d", n, clients*each/5)
			}
			if _, err := os.Stat(filepath.Join(root, "logs/never_log")); err == nil {
				if b, _ := os.ReadFile(filepath.Join(root, "logs/never_log")); len(b) > 0 {
					t.Errorf("env=nolog logged: %q", b)
				}
			}
		})
	}
}

// TestAccessLogOpenError: a CustomLog in a missing directory stops the start with
// Apache's message.
func TestAccessLogOpenError(t *testing.T) {
	m := testbin.MPMs[0]
	root := newSite(t, m.Name, m.Module, "CustomLog /nonexistent/dir/x.log common\n")
	httpd, _ := build(t)
	out, err := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND").CombinedOutput()
	if err == nil {
		t.Fatalf("httpd started with an impossible CustomLog:\n%s", out)
	}
	want := "(2)No such file or directory: AH02297: Cannot access directory '/nonexistent/dir/' for log file '/nonexistent/dir/x.log' defined at " + filepath.Join(root, "httpd.conf")
	if !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

// TestPipedErrorLog: ErrorLog "|command" gets the host's and the MPM's lines.
func TestPipedErrorLog(t *testing.T) {
	m := testbin.MPMs[0]
	root := newSite(t, m.Name, m.Module, "")
	piped := filepath.Join(root, "logs/piped_error_log")
	conf, err := os.OpenFile(filepath.Join(root, "httpd.conf"), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	fmt.Fprintf(conf, "ErrorLog \"|$cat >> %s\"\n", piped)
	must(t, conf.Close())
	in := start(t, root)
	in.get("/hello.txt")
	var b []byte
	ok := eventually(10*time.Second, func() bool {
		b, _ = os.ReadFile(piped)
		return strings.Contains(string(b), "AH00163") && strings.Contains(string(b), "AH00094: Command line:")
	})
	if !ok {
		t.Fatalf("piped error log lacks the startup lines:\n%s", b)
	}
}
