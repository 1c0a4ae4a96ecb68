package config

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want files of testdata/*/*.txtar")

// testMPM is the event MPM's directive table, as the plugin declares it.
var testMPM = Table{
	{Name: "StartServers", MinArgs: 1, MaxArgs: 1, Context: ServerConfig},
	{Name: "MinSpareThreads", MinArgs: 1, MaxArgs: 1, Context: ServerConfig},
	{Name: "MaxSpareThreads", MinArgs: 1, MaxArgs: 1, Context: ServerConfig},
	{Name: "MaxRequestWorkers", MinArgs: 1, MaxArgs: 1, Context: ServerConfig},
	{Name: "ServerLimit", MinArgs: 1, MaxArgs: 1, Context: ServerConfig},
	{Name: "ThreadsPerChild", MinArgs: 1, MaxArgs: 1, Context: ServerConfig},
	{Name: "AsyncRequestWorkerFactor", MinArgs: 1, MaxArgs: 1, Context: ServerConfig},
}

// loadArchive writes the files of a txtar archive into a new ServerRoot
// and returns it with the archive.
func loadArchive(t *testing.T, path string) (root string, ar *txtar.Archive) {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	files := map[string]string{}
	for _, f := range ar.Files {
		files[f.Name] = string(f.Data)
	}
	writeTree(t, root, files)
	return root, ar
}

func archiveFile(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// checkGolden compares got with the archive's file want, or rewrites it
// with -update.
func checkGolden(t *testing.T, path string, ar *txtar.Archive, want string, got []byte) {
	t.Helper()
	if *update {
		for i := range ar.Files {
			if ar.Files[i].Name == want {
				ar.Files[i].Data = got
			}
		}
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	w, ok := archiveFile(ar, want)
	if !ok {
		t.Fatalf("%s has no %s", path, want)
	}
	if !bytes.Equal(got, w) {
		t.Errorf("%s:\n--- got\n%s--- want\n%s", want, got, w)
	}
}

func dumpString(cfg *Config, root string) []byte {
	var b bytes.Buffer
	Dump(&b, cfg, testMPM)
	return bytes.ReplaceAll(b.Bytes(), []byte(root), []byte("$ROOT"))
}

// forEachArchive runs f as a subtest for each dir/*.txtar, its files
// written into root, with goldenOptions for that ServerRoot.
func forEachArchive(t *testing.T, dir string, f func(t *testing.T, path, root string, ar *txtar.Archive, opts Options)) {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if len(paths) == 0 {
		t.Fatalf("no %s/*.txtar", dir)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			root, ar := loadArchive(t, path)
			opts := goldenOptions
			opts.ServerRoot = root
			f(t, path, root, ar, opts)
		})
	}
}

var goldenOptions = Options{Builtin: []string{"so_module", "mod_so.c"}, Defines: []string{"FROM_COMMAND_LINE"}, LookupEnv: noEnv}

// TestEquivalentConfigs loads each configuration of testdata/equiv/*.txtar
// (httpd.conf, and httpd.hcl and httpd.json where there are) and checks
// that all are valid and dump the same text, the archive's dump; and that
// the .conf converted by WriteHCL dumps the same again.
func TestEquivalentConfigs(t *testing.T) {
	forEachArchive(t, "testdata/equiv", func(t *testing.T, path, root string, ar *txtar.Archive, opts Options) {
		var dumps [][]byte
		var names []string
		for _, name := range []string{"httpd.conf", "httpd.hcl", "httpd.json"} {
			if _, ok := archiveFile(ar, name); !ok {
				continue
			}
			cfg, err := Load(name, opts)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if errs := Validate(cfg, Core, testMPM); len(errs) > 0 {
				t.Fatalf("%s: %v", name, errs)
			}
			if _, errs := Resolve(cfg); len(errs) > 0 {
				t.Fatalf("%s: %v", name, errs)
			}
			names = append(names, name)
			dumps = append(dumps, dumpString(cfg, root))
			// The dump is itself a configuration that dumps the same.
			var raw bytes.Buffer
			Dump(&raw, cfg, testMPM)
			again, err := parse(filepath.Join(root, "dump.conf"), raw.Bytes(), Options{ServerRoot: root, LookupEnv: noEnv}, osFS{})
			if err != nil {
				t.Fatalf("%s: dump read back: %v", name, err)
			}
			if got := dumpString(again, root); !bytes.Equal(got, dumps[len(dumps)-1]) {
				t.Errorf("%s: dump read back dumps differently:\n%s", name, got)
			}
			if name == "httpd.conf" {
				var b bytes.Buffer
				if err := WriteHCL(&b, cfg); err != nil {
					t.Fatal(err)
				}
				conv := filepath.Join(root, "converted.hcl")
				if err := os.WriteFile(conv, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				back, err := Load(conv, opts)
				if err != nil {
					t.Fatalf("converted: %v\n%s", err, b.String())
				}
				names = append(names, "httpd.conf converted to HCL")
				dumps = append(dumps, dumpString(back, root))
			}
		}
		if len(dumps) < 2 {
			t.Fatal("want at least two syntaxes")
		}
		checkGolden(t, path, ar, "dump", dumps[0])
		for i := 1; i < len(dumps); i++ {
			if !bytes.Equal(dumps[i], dumps[0]) {
				t.Errorf("%s dumps differently from %s:\n%s\n--- %s:\n%s", names[i], names[0], dumps[i], names[0], dumps[0])
			}
		}
	})
}

// TestDiagnosticsGolden pins what `httpd -t` prints for the bad HCL files
// of testdata/diag/*.txtar (httpd.hcl or httpd.json): read errors, else
// Validate's and Resolve's, as WriteDiagnostics renders them, in want.
func TestDiagnosticsGolden(t *testing.T) {
	forEachArchive(t, "testdata/diag", func(t *testing.T, path, root string, ar *txtar.Archive, opts Options) {
		name := "httpd.hcl"
		if _, ok := archiveFile(ar, name); !ok {
			name = "httpd.json"
		}
		cfg, err := Load(name, opts)
		var errs Errors
		switch e := err.(type) {
		case nil:
			errs = Validate(cfg, Core, testMPM)
			if len(errs) == 0 {
				_, errs = Resolve(cfg)
			}
		case Errors:
			errs = e
		default:
			t.Fatal(err)
		}
		if len(errs) == 0 {
			t.Fatal("no diagnostics")
		}
		var b bytes.Buffer
		WriteDiagnostics(&b, errs)
		for _, w := range cfg.Warnings {
			fmt.Fprintf(&b, "warning: %s\n", w.Error())
		}
		checkGolden(t, path, ar, "want", bytes.ReplaceAll(b.Bytes(), []byte(root), []byte("$ROOT")))
	})
}

// TestExampleConfigs checks that examples/httpd.conf and examples/httpd.hcl
// are the same server, and that swapping the MPM is one edited line.
func TestExampleConfigs(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	opts := goldenOptions
	opts.ServerRoot = repo
	opts.Defines = nil
	load := func(name string) []byte {
		t.Helper()
		cfg, err := Load(name, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if errs := Validate(cfg, Core, testMPM); len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		return dumpString(cfg, repo)
	}
	conf, hcl := load("examples/httpd.conf"), load("examples/httpd.hcl")
	if !bytes.Equal(conf, hcl) {
		t.Fatalf("examples dump differently:\n--- httpd.conf\n%s--- httpd.hcl\n%s", conf, hcl)
	}
	if !bytes.Contains(conf, []byte("\nLoadModule mpm_event_module $ROOT/modules/mod_mpm_event.so\n")) {
		t.Errorf("the example does not load the event MPM:\n%s", conf)
	}

	// Swap to prefork by editing the one LoadModule line of each.
	dir := t.TempDir()
	for name, edit := range map[string][2]string{
		"httpd.conf": {"LoadModule mpm_event_module modules/mod_mpm_event.so", "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so"},
		"httpd.hcl":  {`LoadModule "mpm_event_module" { path = "modules/mod_mpm_event.so" }`, `LoadModule "mpm_prefork_module" { path = "modules/mod_mpm_prefork.so" }`},
	} {
		src, err := os.ReadFile(filepath.Join(repo, "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		n := 0
		for i, l := range lines {
			if l == edit[0] {
				lines[i] = edit[1]
				n++
			}
		}
		if n != 1 {
			t.Fatalf("examples/%s: %d lines %q, want 1", name, n, edit[0])
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf, hcl = load(filepath.Join(dir, "httpd.conf")), load(filepath.Join(dir, "httpd.hcl"))
	if !bytes.Equal(conf, hcl) {
		t.Fatalf("swapped examples dump differently:\n--- httpd.conf\n%s--- httpd.hcl\n%s", conf, hcl)
	}
	for _, want := range []string{"\nLoadModule mpm_prefork_module $ROOT/modules/mod_mpm_prefork.so\n", "\nStartServers 5\n"} {
		if !bytes.Contains(conf, []byte(want)) {
			t.Errorf("swapped example lacks %q:\n%s", want, conf)
		}
	}
	if bytes.Contains(conf, []byte("ThreadsPerChild")) {
		t.Errorf("swapped example keeps the event MPM's directives:\n%s", conf)
	}
}

// The golden files cover every way of writing a directive in HCL.
func TestEquivalentConfigsCoverMapping(t *testing.T) {
	var all []string
	paths, _ := filepath.Glob("testdata/equiv/*.txtar")
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := archiveFile(ar, "httpd.hcl"); ok {
			all = append(all, string(d))
		}
	}
	text := strings.Join(all, "\n")
	var missing []string
	for _, want := range []string{"= [[", "= []", "= true", "LoadModule \"", "IfModule \"!", "IfDefine \"", "${", "Include", "Else {"} {
		if !strings.Contains(text, want) {
			missing = append(missing, want)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no golden HCL file uses %q", missing)
	}
}
