package rewrite

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// mapDir is a server level with the map lines (split on spaces) before the
// rule lines.
func mapDir(t *testing.T, lines ...string) *Dir {
	t.Helper()
	return dir(t, true, append([]string{"RewriteEngine On"}, lines...)...)
}

// applyPath runs d on uri with d's maps and gives the local path.
func applyPath(t *testing.T, d *Dir, uri string) (string, *Request) {
	t.Helper()
	req := request(uri, "")
	req.Maps = d.Maps()
	res := Apply(d, req)
	return res.Path, req
}

func TestMapText(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "map.txt")
	long := strings.Repeat("v", 1100)
	text := "a /A1\nb /B1\n# c /C\nb /B2\n  d /D\ne\ne /E2 extra\ttail\nlong " + long + "\n" +
		strings.Repeat("x", 1020) + " y1\nw\t\t/W\r\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/(.*) /${m:$1|def}")
	for uri, want := range map[string]string{
		"/a": "/A1", "/b": "/B1", "/c": "/def", "/#": "/def", "/d": "/def", "/e": "/E2", "/zz": "/def", "/": "/def",
		"/w": "/W",
		// A line over 1024 bytes is read as several (apache2's buffer).
		"/long": "/" + long[:1024-len("long ")],
	} {
		if got, _ := applyPath(t, d, uri); got != want {
			t.Errorf("%s: %q, want %q", uri, got, want)
		}
	}

	// A new time reads the file again.
	if err := os.WriteFile(file, []byte("a /A2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	if got, _ := applyPath(t, d, "/a"); got != "/A2" {
		t.Errorf("/a after the edit: %q, want /A2", got)
	}
	if got, _ := applyPath(t, d, "/b"); got != "/def" {
		t.Errorf("/b after the edit: %q, want /def", got)
	}

	// A missing file is no value, and an error (AH00661) at each lookup.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, req := applyPath(t, d, "/a")
		if got != "/def" || len(req.MapErrors) != 1 || !errors.Is(req.MapErrors[0].Err, syscall.ENOENT) ||
			req.MapErrors[0].Msg != "AH00661: mod_rewrite: can't access text RewriteMap file "+file {
			t.Errorf("/a without the file: %q, %v", got, req.MapErrors)
		}
	}
}

// TestMapUnreadable: a map file that stat(2) sees but open(2) refuses is
// no value and AH00655, once per key until the file changes, as apache2's
// cache.
func TestMapUnreadable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "map.txt")
	if err := os.WriteFile(file, []byte("a /A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	orig := openMap
	openMap = func(string) (*os.File, error) { return nil, syscall.EACCES } // chmod 0 does not stop root
	t.Cleanup(func() { openMap = orig })
	d := mapDir(t, "RewriteMap m "+file, "RewriteRule ^/(.*) /${m:$1|def}")
	for i, uri := range []string{"/a", "/a", "/b"} {
		got, req := applyPath(t, d, uri)
		want := 1
		if i == 1 {
			want = 0 // apache2 keeps the failed key until the file changes
		}
		if got != "/def" || len(req.MapErrors) != want ||
			want == 1 && (req.MapErrors[0].Msg != "AH00655: mod_rewrite: can't open text RewriteMap file "+file ||
				!errors.Is(req.MapErrors[0].Err, syscall.EACCES)) {
			t.Errorf("%s: %q, %v", uri, got, req.MapErrors)
		}
	}
}

// TestMapNotRegular: a map that is not a regular file nor a directory (a
// socket, a FIFO without a writer, a device that never ends) is no value
// and an error once, where apache2 waits or reads without end; a file
// turned into one between stat and open is refused too, without waiting.
func TestMapNotRegular(t *testing.T) {
	tmp := t.TempDir()
	sock := filepath.Join(tmp, "map.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fifo := filepath.Join(tmp, "map.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// The process's cache of /dev/zero outlives a run (go test -count=N).
	fileCaches.Delete("/dev/zero")
	for _, file := range []string{sock, fifo, "/dev/zero"} {
		d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/(.*) /${m:$1|def}")
		for i, uri := range []string{"/a", "/a", "/b"} {
			got, req := applyPath(t, d, uri)
			want := 0
			if i == 0 {
				want = 1
			}
			if got != "/def" || len(req.MapErrors) != want || want == 1 &&
				req.MapErrors[0].Msg != "AH00655: mod_rewrite: can't open text RewriteMap file "+file+" (not a regular file)" {
				t.Errorf("%s %s: %q, %v", file, uri, got, req.MapErrors)
			}
		}
	}
	for _, file := range []string{fifo, "/dev/zero"} {
		if _, err := searchTextMap(file, "a"); !errors.Is(err, errNotRegular) {
			t.Errorf("%s opened: %v", file, err)
		}
		if _, _, err := readIndex(file); !errors.Is(err, errNotRegular) {
			t.Errorf("%s read: %v", file, err)
		}
	}
}

// TestMapDirectory: a directory used as a map has no value and logs
// nothing, as apache2's (its open succeeds, its first read fails with
// EISDIR), and so does a file that is a directory when opened.
func TestMapDirectory(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "map.txt")
	if err := os.WriteFile(file, []byte("a /A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"txt:" + tmp, "rnd:" + tmp, "txt:" + tmp + "/"} {
		d := mapDir(t, "RewriteMap m "+m, "RewriteRule ^/(.*) /${m:$1|def}")
		for _, uri := range []string{"/a", "/a", "/b", "/"} {
			if got, req := applyPath(t, d, uri); got != "/def" || len(req.MapErrors) != 0 {
				t.Errorf("%s %s: %q, %v", m, uri, got, req.MapErrors)
			}
		}
	}
	orig := openMap
	openMap = func(string) (*os.File, error) { return orig(tmp) } // replaced by a directory after stat
	t.Cleanup(func() { openMap = orig })
	d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/(.*) /${m:$1|def}")
	if got, req := applyPath(t, d, "/a"); got != "/def" || len(req.MapErrors) != 0 {
		t.Errorf("a map that is a directory when opened: %q, %v", got, req.MapErrors)
	}
	if v, err := searchTextMap(file, "a"); v != "" || err != nil {
		t.Errorf("a map that is a directory when searched: %q, %v", v, err)
	}
}

// TestMapRenamed: a map renamed over by another of the same size and time
// is read again (a new file).
func TestMapRenamed(t *testing.T) {
	tmp := t.TempDir()
	file, next := filepath.Join(tmp, "map.txt"), filepath.Join(tmp, "next.txt")
	when := time.Now().Truncate(time.Second)
	for name, text := range map[string]string{file: "a /A1\n", next: "a /A2\n"} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(name, when, when); err != nil {
			t.Fatal(err)
		}
	}
	d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/(.*) /${m:$1|def}")
	if got, _ := applyPath(t, d, "/a"); got != "/A1" {
		t.Fatalf("/a: %q", got)
	}
	if err := os.Rename(next, file); err != nil {
		t.Fatal(err)
	}
	if got, _ := applyPath(t, d, "/a"); got != "/A2" {
		t.Errorf("/a after the rename: %q, want /A2", got)
	}
}

func TestMapRandom(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rnd.txt")
	if err := os.WriteFile(file, []byte("x one|two|three\ny a||b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := mapDir(t, "RewriteMap r rnd:"+file, "RewriteRule ^/(.*) /${r:$1|def}")
	for uri, values := range map[string][]string{"/x": {"/one", "/two", "/three"}, "/y": {"/a", "/def", "/b"}} {
		seen := map[string]int{}
		for range 300 {
			got, _ := applyPath(t, d, uri)
			seen[got]++
		}
		if len(seen) != len(values) {
			t.Errorf("%s: %v, want each of %v", uri, seen, values)
		}
		for _, v := range values {
			if seen[v] == 0 {
				t.Errorf("%s: %v, never %s", uri, seen, v)
			}
		}
	}
}

func TestMapInternal(t *testing.T) {
	d := mapDir(t, "RewriteMap lc int:tolower", "RewriteMap uc int:toupper", "RewriteMap esc int:escape", "RewriteMap un int:unescape",
		"RewriteRule ^/lc/(.*) /${lc:$1}", "RewriteRule ^/uc/(.*) /${uc:$1}", "RewriteRule ^/esc/(.*) /${esc:$1}",
		"RewriteRule ^/un/(.*) /${un:$1}", "RewriteRule ^/nest/(.*) /${lc:${uc:$1}X|d}", "RewriteRule ^/none/(.*) /${nomap:$1}",
		"RewriteRule ^/nodef/(.*) /${nomap:$1|d$1}", "RewriteRule ^/empty/(.*) /${lc:|d}", "RewriteRule ^/nocolon/(.*) /${lc}")
	for uri, want := range map[string]string{
		"/lc/AbÉ": "/abÉ", "/uc/aBé": "/ABé", "/esc/a b?%é/c": "/a%20b%3f%25%c3%a9/c", "/un/a%20b%zz%41%2F": "/a b%zzA/",
		"/un/a%00b": "/a", "/nest/aB": "/abx", "/none/x": "/", "/nodef/x": "/dx", "/empty/x": "/", "/nocolon/x": "/${lc}",
	} {
		if got, _ := applyPath(t, d, uri); got != want {
			t.Errorf("%s: %q, want %q", uri, got, want)
		}
	}
}

// TestMapQmark: a "?" a map brings into the substitution is a 403 unless
// UnsafeAllow3F, as apache2's expanded "?"; one in the key is not counted.
func TestMapQmark(t *testing.T) {
	file := filepath.Join(t.TempDir(), "map.txt")
	if err := os.WriteFile(file, []byte("q /q?x=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/a/(.*) /${m:$1}", "RewriteRule ^/b/(.*) /${m:$1}?y=2")
	req := request("/a/q", "")
	req.Maps = d.Maps()
	if res := Apply(d, req); res.Action != Status || res.Status != 403 {
		t.Errorf("/a/q: %+v, want a 403", res)
	}
	req = request("/b/q", "")
	req.Maps = d.Maps()
	if res := Apply(d, req); res.Action != Status || res.Status != 403 {
		t.Errorf("/b/q: %+v, want a 403 (the first ? came from the map)", res)
	}
}

func TestMapConfig(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "map.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"m", "txt:map.txt"}, ""},
		{[]string{"m", "map.txt"}, ""},
		{[]string{"m", "RND:map.txt"}, ""},
		{[]string{"m", "txt:nofile"}, "RewriteMap: file for map m not found:" + root + "/nofile"},
		{[]string{"m", "txt:map.txt/"}, "RewriteMap: file for map m not found:" + root + "/map.txt/"},
		{[]string{"m", "txt:" + root + "/./map.txt/"}, "RewriteMap: file for map m not found:" + root + "/map.txt/"},
		{[]string{"m", "nofile"}, "RewriteMap: file for map m not found:" + root + "/nofile"},
		{[]string{"m", "rnd:/nonexist"}, "RewriteMap: file for map m not found:/nonexist"},
		{[]string{"m", "rnd:/a/../nonexist"}, "RewriteMap: file for map m not found:/nonexist"},
		{[]string{"m", "int:tolower"}, ""},
		{[]string{"m", "int:ToLower"}, "RewriteMap: internal map not found:ToLower"},
		{[]string{"m", "dbd:select"}, "RewriteMap types dbd and fastdbd require mod_dbd!"},
		{[]string{"m", "fastdbd:select"}, "RewriteMap types dbd and fastdbd require mod_dbd!"},
		{[]string{"m", "dbm=sdbm:map"}, "RewriteMap: dbm maps are not supported by this server (only txt, rnd, int and prg)"},
		{[]string{"m", "prg:/bin/cat"}, ""},
		{[]string{"m", "PRG:/bin/cat -u", "nobody:nogroup"}, ""},
		{[]string{"m", "prg:/nonexist arg"}, "RewriteMap: file for map m not found:/nonexist"},
		{[]string{"m", "prg:'bin prog' arg"}, "RewriteMap: file for map m not found:" + root + "/bin prog"},
		{[]string{"m", "prg:"}, "RewriteMap: bad path to prg map: "},
	} {
		err := CheckMap(root, tt.args)
		if got := errString(err); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.args, got, tt.want)
		}
	}
	if got := MapSource("map.txt", "/srv"); got != "txt:/srv/map.txt" {
		t.Errorf("MapSource: %q", got)
	}
	if got := MapSource("rnd:/a", "/srv"); got != "rnd:/a" {
		t.Errorf("MapSource: %q", got)
	}
	var d Dir
	if err := d.Set("RewriteMap", []string{"m", "int:tolower"}, false); errString(err) != "RewriteMap not allowed here" {
		t.Errorf("in a section: %v", err)
	}
	// A later line of a name wins.
	dd := mapDir(t, "RewriteMap m int:tolower", "RewriteMap m int:toupper", "RewriteRule ^/(.*) /${m:$1}")
	if got, _ := applyPath(t, dd, "/aB"); got != "/AB" {
		t.Errorf("duplicate name: %q, want /AB", got)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestMapLarge: a map over indexMax is searched per key (the first line of
// a key wins, a line without a value does not count) and read again when
// its time changes.
func TestMapLarge(t *testing.T) {
	file := filepath.Join(t.TempDir(), "big.txt")
	var b strings.Builder
	b.WriteString("first /F1\ndup\ndup /D1\ndup /D2\n")
	for i := 0; b.Len() <= indexMax; i++ {
		b.WriteString("k" + strings.Repeat("x", 40) + string(rune('a'+i%26)) + " /v\n")
	}
	b.WriteString("last /L\n")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/(.*) /${m:$1|def}")
	for range 2 {
		for uri, want := range map[string]string{"/first": "/F1", "/dup": "/D1", "/last": "/L", "/none": "/def", "/": "/def"} {
			if got, _ := applyPath(t, d, uri); got != want {
				t.Errorf("%s: %q, want %q", uri, got, want)
			}
		}
	}
	b.WriteString("none /N\n")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	if got, _ := applyPath(t, d, "/none"); got != "/N" {
		t.Errorf("/none after the edit: %q, want /N", got)
	}
	if d.Maps()["m"].cache.index != nil {
		t.Error("a map over indexMax was read whole")
	}
}

// TestMapNul: a NUL ends a map line's value, and a key a NUL ends does not
// count, as apache2 reads a line as a C string; in a small map and in one
// over indexMax.
func TestMapNul(t *testing.T) {
	text := "nul /N\x00UL\nn\x00k /K\nnk /NK\nv \x00/V\nv /V2\n\x00x /X\n"
	for _, pad := range []int{0, indexMax} {
		file := filepath.Join(t.TempDir(), "map.txt")
		if err := os.WriteFile(file, []byte(text+strings.Repeat("# pad\n", pad/6+1)), 0o644); err != nil {
			t.Fatal(err)
		}
		d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/(.*) /${m:$1|d}")
		for uri, want := range map[string]string{"/nul": "/N", "/n": "/d", "/nk": "/NK", "/v": "/V2", "/x": "/d", "/": "/d"} {
			if got, _ := applyPath(t, d, uri); got != want {
				t.Errorf("size %d: %s: %q, want %q", len(text)+pad, uri, got, want)
			}
		}
	}
}

// TestMapShared: the maps of one file in several servers (a virtual host
// builds its own levels) share one cache, and a map of indexMax bytes
// costs the process about its size (not a Go map of its lines per server).
func TestMapShared(t *testing.T) {
	file := filepath.Join(t.TempDir(), "map.txt")
	var b strings.Builder
	for i := 0; b.Len() < indexMax-32; i++ {
		fmt.Fprintf(&b, "k%06d /value%06d\n", i, i)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var ds []*Dir
	for range 3 {
		ds = append(ds, mapDir(t, "RewriteMap m txt:"+file, "RewriteMap r rnd:"+file, "RewriteRule ^/(.*) /${m:$1|def}"))
	}
	c := ds[0].Maps()["m"].cache
	for _, d := range ds {
		if d.Maps()["m"].cache != c || d.Maps()["r"].cache != c {
			t.Fatal("the maps of one file have caches of their own")
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, _ := applyPath(t, ds[0], "/k000007")
	runtime.ReadMemStats(&after)
	if got != "/value000007" {
		t.Errorf("/k000007: %q", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*indexMax {
		t.Errorf("the first lookup allocated %d bytes for a map of %d", alloc, b.Len())
	}
	for i, d := range ds {
		for uri, want := range map[string]string{"/k000000": "/value000000", "/k012345": "/value012345", "/k9": "/def", "/": "/def"} {
			if got, _ := applyPath(t, d, uri); got != want {
				t.Errorf("server %d: %s: %q, want %q", i, uri, got, want)
			}
		}
	}
	if c.index == nil {
		t.Error("a map of indexMax bytes was not indexed")
	}
}

// blockFirstOpen makes the next map file opened wait until release is
// closed (entered closed once it waits); the later ones open at once.
func blockFirstOpen(t *testing.T) (entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	var opened atomic.Bool
	orig := openMap
	openMap = func(file string) (*os.File, error) {
		if opened.CompareAndSwap(false, true) {
			close(entered)
			<-release
		}
		return orig(file)
	}
	t.Cleanup(func() { openMap = orig })
	return entered, release
}

// TestMapReadUnlocked: a lookup that reads the map file (a key new to a
// large map) does not hold the cache: a lookup of a kept key ends
// meanwhile, and so does one of another map (whose file changed).
func TestMapReadUnlocked(t *testing.T) {
	tmp := t.TempDir()
	large := filepath.Join(tmp, "large.txt")
	if err := os.WriteFile(large, []byte("a /A\nb /B\n"+strings.Repeat("# pad\n", indexMax/6+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(tmp, "small.txt")
	if err := os.WriteFile(small, []byte("a /A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := mapDir(t, "RewriteMap l txt:"+large, "RewriteMap s txt:"+small, "RewriteRule ^/l/(.*) /${l:$1|def}",
		"RewriteRule ^/s/(.*) /${s:$1|def}")
	for _, uri := range []string{"/l/a", "/s/a"} {
		if got, _ := applyPath(t, d, uri); got != "/A" {
			t.Fatalf("%s: %q", uri, got)
		}
	}
	if err := os.WriteFile(small, []byte("a /A2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(small, later, later); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ slow, fast, want string }{
		{"/l/b", "/l/a", "/A"},
		{"/l/b2", "/s/a", "/A2"},
	} {
		entered, release := blockFirstOpen(t)
		done := make(chan string)
		go func() {
			got, _ := applyPath(t, d, tt.slow)
			done <- got
		}()
		<-entered
		if got, _ := applyPath(t, d, tt.fast); got != tt.want {
			t.Errorf("%s while %s reads: %q, want %q", tt.fast, tt.slow, got, tt.want)
		}
		close(release)
		if got := <-done; got != "/B" && got != "/def" {
			t.Errorf("%s: %q", tt.slow, got)
		}
	}
}

// TestMapHerd: the lookups that miss on a small map's new version while
// one reads it (after the start, after each change) wait for that read:
// the file is read once per version, whatever the number of lookups.
func TestMapHerd(t *testing.T) {
	file := filepath.Join(t.TempDir(), "map.txt")
	d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/(.*) /${m:$1|def}")
	c := d.Maps()["m"].cache
	const n = 64
	for version := range 2 {
		var b strings.Builder
		for i := range n / 2 {
			fmt.Fprintf(&b, "k%d /v%d.%d\n", i, version, i)
		}
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Duration(version) * time.Hour)
		if err := os.Chtimes(file, later, later); err != nil {
			t.Fatal(err)
		}
		var opens atomic.Int32
		entered, release := blockFirstOpen(t)
		counted := openMap
		openMap = func(file string) (*os.File, error) { opens.Add(1); return counted(file) }
		got := make([]string, n)
		var wg sync.WaitGroup
		var ended atomic.Int32
		for i := range n {
			wg.Go(func() {
				got[i], _ = applyPath(t, d, fmt.Sprintf("/k%d", i))
				ended.Add(1)
			})
		}
		<-entered
		for { // until each other lookup waits for the first or has ended
			c.mu.Lock()
			waiting := 0
			if c.building != nil {
				waiting = c.building.waiters
			}
			c.mu.Unlock()
			if waiting+int(ended.Load()) >= n-1 {
				break
			}
			runtime.Gosched()
		}
		close(release)
		wg.Wait()
		if o := opens.Load(); o != 1 {
			t.Errorf("version %d: %d lookups read the map %d times", version, n, o)
		}
		for i, v := range got {
			want := "/def"
			if i < n/2 {
				want = fmt.Sprintf("/v%d.%d", version, i)
			}
			if v != want {
				t.Errorf("version %d: /k%d: %q, want %q", version, i, v, want)
			}
		}
		openMap = counted
	}
}

// TestMapGrown: a small map that has grown past indexMax by the time it is
// opened (replaced, appended to) is searched per key, not read whole.
func TestMapGrown(t *testing.T) {
	file := filepath.Join(t.TempDir(), "map.txt")
	if err := os.WriteFile(file, []byte("a /A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	orig := openMap
	t.Cleanup(func() { openMap = orig })
	growOnce := func() { // the next open appends past indexMax first
		openMap = func(name string) (*os.File, error) {
			openMap = orig
			f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			if _, err := f.WriteString(strings.Repeat("# pad\n", indexMax/6) + "b /B\n"); err != nil {
				return nil, err
			}
			return orig(name)
		}
	}
	growOnce()
	if _, _, err := readIndex(file); !errors.Is(err, errTooLarge) {
		t.Errorf("a map grown past indexMax when opened: %v", err)
	}
	if err := os.WriteFile(file, []byte("a /A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := mapDir(t, "RewriteMap m txt:"+file, "RewriteRule ^/(.*) /${m:$1|def}")
	growOnce()
	for uri, want := range map[string]string{"/a": "/A", "/b": "/B", "/c": "/def"} {
		if got, req := applyPath(t, d, uri); got != want || len(req.MapErrors) != 0 {
			t.Errorf("%s: %q, want %q (%v)", uri, got, want, req.MapErrors)
		}
	}
	if c := d.Maps()["m"].cache; c.index != nil {
		t.Error("a map grown past indexMax was indexed")
	}
}
