//go:build linux

package e2e_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// TestPluginEnvFromHost: go-plugin's variables in the environment httpd
// was started with (PLUGIN_UNIX_SOCKET_DIR and the others go-plugin and
// its server read) do not reach the plugin: go-plugin passes the host's
// environment after the host's own settings, and the last of a name
// counts, so PLUGIN_UNIX_SOCKET_DIR=/dir would put the plugin's gRPC socket
// (which answers Stop) in a directory of the caller's choosing instead of
// the host's private one. httpd serves, the directory stays empty, and
// none of the values reaches the plugin's environment.
func TestPluginEnvFromHost(t *testing.T) {
	httpd, _ := build(t)
	root := newSite(t, "event", "mpm_event_module", "")
	elsewhere := t.TempDir()
	set := []string{
		"PLUGIN_UNIX_SOCKET_DIR=" + elsewhere,
		"PLUGIN_UNIX_SOCKET_GROUP=4242",
		"PLUGIN_MIN_PORT=4242",
		"PLUGIN_MAX_PORT=4243",
		"PLUGIN_PROTOCOL_VERSIONS=42",
		"PLUGIN_MULTIPLEX_GRPC=true",
		wire.CookieKey + "=elsewhere",
	}
	cmd := testserver.Command(httpd, root)
	cmd.Env = append(os.Environ(), set...)
	in := startCmd(t, root, cmd)
	if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
		t.Fatalf("GET /hello.txt = %d %q", resp.StatusCode, body)
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
		t.Errorf("the plugin made %s in the directory httpd's environment named", filepath.Join(elsewhere, ents[0].Name()))
	}
	environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", in.pluginPid()))
	must(t, err)
	for _, kv := range bytes.Split(environ, []byte{0}) {
		for _, s := range set {
			if string(kv) == s {
				t.Errorf("the plugin's environment has %s, from httpd's", s)
			}
		}
	}
	if strings.Contains(readFile(t, filepath.Join(root, "logs/error_log")), "elsewhere") {
		t.Errorf("error_log mentions the injected values:\n%s", readFile(t, filepath.Join(root, "logs/error_log")))
	}
}
