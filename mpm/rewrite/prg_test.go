package rewrite

import (
	"bufio"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// fakeProgramHost answers on a Unix socket as the host does for a map
// program: "+v-KEY", or "-" for the key "none"; it counts the keys asked.
func fakeProgramHost(t *testing.T) (string, chan string) {
	sock := filepath.Join(t.TempDir(), "m")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	asked := make(chan string, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					k, err := r.ReadString('\n')
					if err != nil {
						return
					}
					k = strings.TrimSuffix(k, "\n")
					asked <- k
					if k == "none" {
						c.Write([]byte("-\n"))
					} else {
						c.Write([]byte("+v-" + k + "\n"))
					}
				}
			}()
		}
	}()
	return sock, asked
}

func TestMapProgram(t *testing.T) {
	sock, asked := fakeProgramHost(t)
	d := mapDir(t, "RewriteMap m prg:/bin/cat "+sock, "RewriteMap off prg:/bin/cat",
		"RewriteRule ^/m/(.*) /${m:$1|DEF}", "RewriteRule ^/off/(.*) /${off:$1|DEF}")
	for _, tt := range []struct{ uri, want, asked string }{
		{"/m/a", "/v-a", "a"},
		{"/m/none", "/DEF", "none"},
		{"/m/", "/v-", ""},
		{"/m/a\nb", "/DEF", "-"},      // a newline: not asked
		{"/off/a", "/DEF", "-"},       // no program started
		{"/m/b", "/v-b", "b"},         // on the connection kept
		{"/m/c\x00d\ne", "/v-c", "c"}, // the part before a NUL, as apache2's strlen; its newline after is not seen
		{"/m/" + strings.Repeat("k", MaxProgramKey+1), "/DEF", "-"}, // too long: not asked
	} {
		if got, _ := applyPath(t, d, tt.uri); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.uri, got, tt.want)
		}
		select {
		case k := <-asked:
			if k != tt.asked {
				t.Errorf("%s: asked %q, want %q", tt.uri, k, tt.asked)
			}
		default:
			if tt.asked != "-" {
				t.Errorf("%s: not asked, want %q", tt.uri, tt.asked)
			}
		}
	}
}
