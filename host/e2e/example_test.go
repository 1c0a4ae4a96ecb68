package e2e_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// The third-party MPM of examples/mpm-percore, loaded with LoadModule like
// any other.
const exampleExtra = `<Location /server-status>
    SetHandler server-status
</Location>
<IfModule mpm_percore_module>
    Processes 2
    MaxConnectionsPerProcess 64
</IfModule>
`

// TestExampleMPM: the example serves, feeds server-status from its
// scoreboard, pins one process per CPU, and the host lists its directives
// (-L) and reports its config errors at their file and line (-t).
func TestExampleMPM(t *testing.T) {
	root := newSite(t, "percore", testbin.ExampleModule, exampleExtra)
	in := start(t, root)
	if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
		t.Fatalf("GET /hello.txt = %d %q", resp.StatusCode, body)
	}
	if resp, body := in.get("/server-status?auto"); resp.StatusCode != 200 || !strings.Contains(body, "ServerMPM: percore\n") {
		t.Errorf("server-status?auto = %d %q; want ServerMPM: percore", resp.StatusCode, body)
	}

	kids := children(in.pluginPid())
	if len(kids) != 2 {
		t.Fatalf("the plugin has %d children (%v), want 2 (Processes 2)", len(kids), kids)
	}
	cpus := map[string]bool{}
	for _, pid := range kids {
		list := cpusAllowed(t, pid)
		if strings.ContainsAny(list, ",-") {
			t.Errorf("child %d may run on CPUs %s; want it pinned to one", pid, list)
		}
		cpus[list] = true
	}
	if n := runtime.NumCPU(); n >= 2 && len(cpus) != 2 {
		t.Errorf("the 2 children share CPUs %v; with %d CPUs each wants its own", cpus, n)
	}

	httpd, _ := build(t)
	var out bytes.Buffer
	cmd := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-L")
	cmd.Stdout = &out
	must(t, cmd.Run())
	for _, want := range []string{
		"Processes (percore.c)\n\tNumber of serving processes; 0 (the default) starts one per CPU core httpd may run on\n",
		"MaxConnectionsPerProcess (percore.c)\n",
		"CPUAffinity (percore.c)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("httpd -L lacks %q", want)
		}
	}

	bad := strings.Replace(readFile(t, filepath.Join(root, "httpd.conf")), "    Processes 2\n", "    Processes lots\n", 1)
	write(t, filepath.Join(root, "bad.conf"), bad)
	line := strings.Count(bad[:strings.Index(bad, "Processes lots")], "\n") + 1
	var stderr bytes.Buffer
	cmd = exec.Command(httpd, "-d", root, "-f", "bad.conf", "-t")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Fatal("httpd -t accepted Processes lots")
	}
	want := "AH00526: Syntax error on line " + strconv.Itoa(line) + " of " + filepath.Join(root, "bad.conf") + ":\nProcesses: 'lots' is not a whole number\n"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("httpd -t: %q; want %q", stderr.String(), want)
	}
}

// TestExampleChecksumPin: with LoadModuleChecksum the example loads while
// its file is the one pinned; once the file is tampered with, the host
// refuses it (httpd -t, and a graceful restart keeps the running MPM).
func TestExampleChecksumPin(t *testing.T) {
	_, modules := build(t)
	root := newSite(t, "percore", testbin.ExampleModule, exampleExtra)
	plugin := filepath.Join(root, "modules", testbin.ExampleFile)
	must(t, os.MkdirAll(filepath.Dir(plugin), 0o755))
	b, err := os.ReadFile(filepath.Join(modules, testbin.ExampleFile))
	must(t, err)
	must(t, os.WriteFile(plugin, b, 0o755))
	sum := sha256.Sum256(b)
	conf := filepath.Join(root, "httpd.conf")
	re := regexp.MustCompile(`(?m)^LoadModule mpm_percore_module .*$`)
	pinned := re.ReplaceAllString(readFile(t, conf), "LoadModule mpm_percore_module modules/"+testbin.ExampleFile+
		"\nLoadModuleChecksum mpm_percore_module sha256:"+hex.EncodeToString(sum[:]))
	write(t, conf, pinned)

	in := start(t, root)
	if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
		t.Fatalf("pinned: GET /hello.txt = %d %q", resp.StatusCode, body)
	}

	// The file is replaced by one with other bytes (a running executable
	// cannot be written to in place): still a working plugin.
	must(t, os.WriteFile(plugin+".new", append(b, "tampered"...), 0o755))
	must(t, os.Rename(plugin+".new", plugin))

	httpd, _ := build(t)
	var stderr bytes.Buffer
	cmd := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-t")
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("httpd -t with a tampered plugin: %v; want exit status 1", err)
	}
	if !regexp.MustCompile(`Cannot load modules/mod_mpm_percore.so into server: checksum mismatch: the file has sha256:[0-9a-f]{64}, but LoadModuleChecksum on line 2 of \S+httpd.conf pins sha256:` + hex.EncodeToString(sum[:])).MatchString(stderr.String()) {
		t.Errorf("httpd -t: %q; want the checksum mismatch with both sums and the pin's line", stderr.String())
	}

	old := in.pluginPid()
	in.signal(syscall.SIGUSR1)
	logFile := filepath.Join(root, "logs/error_log")
	if !eventually(20*time.Second, func() bool { return strings.Contains(readFile(t, logFile), "checksum mismatch") }) {
		t.Errorf("graceful restart with a tampered plugin: no checksum mismatch in the error log:\n%s", readFile(t, logFile))
	}
	if resp, _ := in.get("/hello.txt"); resp.StatusCode != 200 || in.pluginPid() != old {
		t.Errorf("after a refused reload the old MPM should go on serving")
	}

	// Without the pin the same file loads: the pin is what refused it.
	write(t, conf, strings.Replace(pinned, "\nLoadModuleChecksum", "\n#LoadModuleChecksum", 1))
	if out, err := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-t").CombinedOutput(); err != nil || !strings.Contains(string(out), "Syntax OK") {
		t.Errorf("unpinned, httpd -t: %v %s", err, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// cpusAllowed is the Cpus_allowed_list of a process, e.g. "1" or "0-3".
func cpusAllowed(t *testing.T, pid int) string {
	t.Helper()
	for _, l := range strings.Split(readFile(t, "/proc/"+strconv.Itoa(pid)+"/status"), "\n") {
		if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no Cpus_allowed_list for pid %d", pid)
	return ""
}
