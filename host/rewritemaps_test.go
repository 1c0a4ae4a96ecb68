package host

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
)

// startTestMaps starts the programs of lines (RewriteMap arguments) for a
// main server with RewriteEngine on, the program a shell script; the test
// process is the MPM's, whose children and itself the programs answer.
func startTestMaps(t *testing.T, script string, timeout time.Duration) (*mpm.Core, *testbin.SyncBuffer) {
	t.Helper()
	c, log, _ := startTestMapsFor(t, script, timeout, os.Getpid(), programIdle)
	return c, log
}

// startTestMapsFor is startTestMaps for the MPM process pid, connections
// idle for idle closed.
func startTestMapsFor(t *testing.T, script string, timeout time.Duration, pid int, idle time.Duration) (*mpm.Core, *testbin.SyncBuffer, *mapPrograms) {
	t.Helper()
	return startTestMapsLinked(t, script, timeout, pid, nil, idle)
}

// startTestMapsLinked is startTestMapsFor for an MPM linked into the
// host, whose children started tells (serveFor).
func startTestMapsLinked(t *testing.T, script string, timeout time.Duration, pid int, started func(int) bool, idle time.Duration) (*mpm.Core, *testbin.SyncBuffer, *mapPrograms) {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "prog.sh"), []byte(script), 0o755))
	var log testbin.SyncBuffer
	m := newMapPrograms(dir, errorlog.New(&log, errorlog.Info))
	m.idle = idle
	m.serveFor(pid, started)
	t.Cleanup(m.close)
	c := &mpm.Core{Timeout: timeout, ServerDirectives: []site.Directive{
		{Name: "RewriteEngine", Args: []string{"on"}, Seq: 1},
		{Name: "RewriteMap", Args: []string{"m", "prg:prog.sh"}, Seq: 2},
		{Name: "RewriteMap", Args: []string{"old", "prg:prog.sh"}, Seq: 3},
		{Name: "RewriteMap", Args: []string{"old", "int:tolower"}, Seq: 4}, // replaces it: no program
	}}
	must(m.assign(c))
	if n := len(m.progs); n != 1 {
		t.Fatalf("%d programs started, want 1", n)
	}
	return c, &log, m
}

// ask sends key on a new connection to the map's socket and reads the
// answer line.
func ask(t *testing.T, socket, key string) string {
	t.Helper()
	c, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "%s\n", key)
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return strings.TrimSuffix(line, "\n")
}

// TestMapProgramOneKeyAtATime: many connections asking at once each get
// the answer to their own key, from one program.
func TestMapProgramOneKeyAtATime(t *testing.T) {
	c, _ := startTestMaps(t, "#!/bin/sh\nwhile read -r k; do echo \"v-$k\"; done\n", time.Minute)
	d := c.ServerDirectives[1]
	if len(d.Args) != 4 || !filepath.IsAbs(d.Args[2]) || d.Args[3] != "60000" {
		t.Fatalf("the map's line: %q, want its socket third, the timeout in ms fourth", d.Args)
	}
	if got := c.ServerDirectives[2].Args; len(got) != 2 {
		t.Errorf("the replaced line: %q, want no socket", got)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("unix", d.Args[2])
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			for i := range 200 {
				key := fmt.Sprintf("g%d-%d", g, i)
				fmt.Fprintf(conn, "%s\n", key)
				line, err := r.ReadString('\n')
				if err != nil || line != "+v-"+key+"\n" {
					t.Errorf("%s: %q, %v", key, line, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestMapProgramAnswers: NULL, an empty line, a key with a newline, a late
// answer (dropped, no value meanwhile) and the program's end.
func TestMapProgramAnswers(t *testing.T) {
	c, log := startTestMaps(t, "#!/bin/sh\nwhile read -r k; do case $k in\n"+
		"null) echo NULL;; empty) echo;; die) exit 3;; slow) sleep 1; echo late;;\n"+
		"*) echo \"v-$k\";; esac; done\n", 500*time.Millisecond)
	sock := c.ServerDirectives[1].Args[2]
	for _, tt := range []struct{ key, want string }{
		{"a", "+v-a"}, {"null", "-"}, {"empty", "+"}, {"a\rb", "+v-a\rb"},
		{"slow", "-"}, // no answer in time
		{"x", "-"},    // not asked: the program owes an answer
	} {
		if got := ask(t, sock, tt.key); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.key, got, tt.want)
		}
	}
	if !strings.Contains(log.String(), `did not answer key "slow" within 500ms`) {
		t.Errorf("log:\n%s", log)
	}
	// Once its late answer has come (dropped), it answers again.
	deadline := time.Now().Add(20 * time.Second)
	for ask(t, sock, "b") != "+v-b" {
		if time.Now().After(deadline) {
			t.Fatal("the program never answered again after its late answer")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := ask(t, sock, "die"); got != "+" {
		t.Errorf("die: %q, want an empty value (apache2's read of the closed pipe)", got)
	}
	if got := ask(t, sock, "c"); got != "+" {
		t.Errorf("after its end: %q, want an empty value", got)
	}
	if !strings.Contains(log.String(), "has ended (exit status 3)") {
		t.Errorf("log:\n%s", log)
	}
}

// TestMapProgramLongTMPDIR: a TMPDIR too long for a socket's path
// (sun_path) makes the sockets under /tmp, where every start failed
// (AH00654).
func TestMapProgramLongTMPDIR(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 100))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	c, _ := startTestMaps(t, "#!/bin/sh\nwhile read -r k; do echo \"v-$k\"; done\n", time.Minute)
	sock := c.ServerDirectives[1].Args[2]
	if !strings.HasPrefix(sock, "/tmp/httpd-rewritemap-") {
		t.Errorf("socket %s, want it under /tmp", sock)
	}
	if got := ask(t, sock, "k"); got != "+v-k" {
		t.Errorf("answer %q", got)
	}
}

// TestMapProgramLongKey: a key longer than rewrite.MaxProgramKey closes
// its connection without the host keeping it (review42 sent 400 MiB
// without a newline: the host grew to 852 MB); a long key within the
// bound is answered, and so are the others.
func TestMapProgramLongKey(t *testing.T) {
	c, _ := startTestMaps(t, "#!/bin/sh\nwhile read -r k; do echo \"${#k}\"; done\n", time.Minute)
	sock := c.ServerDirectives[1].Args[2]
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		chunk := []byte(strings.Repeat("a", 64<<10))
		for i := 0; i < 64; i++ { // 4 MiB, no newline
			if _, err := conn.Write(chunk); err != nil {
				return
			}
		}
	}()
	if n, err := conn.Read(make([]byte, 1)); err == nil {
		t.Errorf("a key of 4 MiB: read %d bytes, want the connection closed", n)
	}
	if got := ask(t, sock, strings.Repeat("b", 100_000)); got != "+100000" {
		t.Errorf("a key of 100000 bytes: %q", got)
	}
	if got := ask(t, sock, "k"); got != "+1" {
		t.Errorf("after: %q", got)
	}
}

// TestMapProgramEnvironment: the program's environment is empty, as
// apache2's (execve with no environment), not the server's.
func TestMapProgramEnvironment(t *testing.T) {
	t.Setenv("MAPTEST_FOO", "bar")
	c, _ := startTestMaps(t, "#!/bin/sh\nwhile read -r k; do echo \"$(env | grep -v '^PWD=' | wc -l):${MAPTEST_FOO}\"; done\n", time.Minute)
	if got := ask(t, c.ServerDirectives[1].Args[2], "k"); got != "+0:" {
		t.Errorf("the program's variables (but the shell's PWD) and MAPTEST_FOO: %q, want \"+0:\"", got)
	}
}

// TestMapProgramLastWords: what a program writes before it ends without a
// newline is the answer, as apache2 reads it (review42: apache2 redirects
// to /x/partial); a key with a NUL byte is sent up to it (apache2 sends a C
// string).
func TestMapProgramLastWords(t *testing.T) {
	c, _ := startTestMaps(t, "#!/bin/sh\nwhile read -r k; do case $k in\n"+
		"die) printf partial; exit 0;;\n*) echo \"v-$k\";; esac; done\n", time.Minute)
	sock := c.ServerDirectives[1].Args[2]
	for _, tt := range []struct{ key, want string }{
		{"a\x00b", "+v-a"}, {"die", "+partial"}, {"after", "+"},
	} {
		if got := ask(t, sock, tt.key); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.key, got, tt.want)
		}
	}
}

// TestMapProgramKeyNotRead: a key the program does not read within the
// timeout (longer than the pipe's buffer: only part of it was written) has
// no value; the rest is written as the program reads, so that it stays in
// step: its answer to that key is dropped, the next keys are answered.
func TestMapProgramKeyNotRead(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "go")
	c, log := startTestMaps(t, "#!/bin/sh\nwhile [ ! -e "+gate+" ]; do sleep 0.05; done\n"+
		"while read -r k; do echo \"${#k}\"; done\n", 300*time.Millisecond)
	sock := c.ServerDirectives[1].Args[2]
	if got := ask(t, sock, strings.Repeat("b", 200_000)); got != "-" {
		t.Errorf("a key not read: %q, want no value", got)
	}
	if !strings.Contains(log.String(), "did not read key") {
		t.Errorf("log:\n%s", log)
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for ask(t, sock, "k") != "+1" {
		if time.Now().After(deadline) {
			t.Fatal("the program never answered in step again")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, key := range []string{"kk", "kkk"} {
		if got := ask(t, sock, key); got != fmt.Sprintf("+%d", len(key)) {
			t.Errorf("%q: %q", key, got)
		}
	}
}
