package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each included file appends its name to ${L}, so the final value records
// the order in which files were read.
func orderTree() map[string]string {
	files := map[string]string{}
	for _, f := range []string{"inc/a.conf", "inc/b.txt", "inc/.hidden", "inc/sub/c.conf", "inc/.hid/x.conf", "inc/B.conf", "inc/Z/z.conf", "inc/_u.conf"} {
		tag := strings.NewReplacer("inc/", "", "/", "_", ".", "_").Replace(f)
		files[f] = "Define L ${L}," + tag + "\n"
	}
	return files
}

// The orders below are those Apache 2.4.71 produced for the same trees.
func TestIncludeOrder(t *testing.T) {
	tests := []struct {
		name, include, want string
	}{
		// A directory: everything, hidden files too, recursively, by name.
		{"directory", "Include inc", "s,_hid_x_conf,_hidden,B_conf,Z_z_conf,_u_conf,a_conf,b_txt,sub_c_conf"},
		{"directory with slash", "Include inc/", "s,_hid_x_conf,_hidden,B_conf,Z_z_conf,_u_conf,a_conf,b_txt,sub_c_conf"},
		// A wildcard does not match a leading dot; matched directories are
		// read whole.
		{"star", "Include inc/*", "s,B_conf,Z_z_conf,_u_conf,a_conf,b_txt,sub_c_conf"},
		{"star conf", "Include inc/*.conf", "s,B_conf,_u_conf,a_conf"},
		{"dot star", "Include inc/.h*", "s,_hid_x_conf,_hidden"},
		{"question mark", "Include inc/?.conf", "s,B_conf,a_conf"},
		{"class", "Include inc/[ab].*", "s,a_conf,b_txt"},
		{"wildcard directory", "Include inc/*/*.conf", "s,Z_z_conf,sub_c_conf"},
		{"absolute", "Include ROOT/inc/a.conf", "s,a_conf"},
		{"optional", "IncludeOptional inc/*.conf", "s,B_conf,_u_conf,a_conf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, orderTree())
			src := "Define L s\n" + strings.ReplaceAll(tt.include, "ROOT", root) + "\nResult ${L}\n"
			writeTree(t, root, map[string]string{"httpd.conf": src})
			cfg, err := Load("httpd.conf", Options{ServerRoot: root, LookupEnv: noEnv})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "order", dump(cfg.Directives), "Result["+tt.want+"]")
		})
	}
}

func TestIncludeFlattensInPlace(t *testing.T) {
	cfg, err, root := loadTree(t, map[string]string{
		"httpd.conf":      "A\n<Directory />\nInclude conf.d/in.conf\n</Directory>\nInclude conf.d/top.conf\nB\n",
		"conf.d/in.conf":  "Options None\n",
		"conf.d/top.conf": "\n<IfModule nope>\n</IfModule>\nListen 80\n",
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "tree", dump(cfg.Directives), "A; Directory[/]{Options[None]}; Listen[80]; B")
	equal(t, "included position", cfg.Directives[2].Pos(), filepath.Join(root, "conf.d/top.conf")+":4")
}

// The messages are Apache 2.4.71's for the same trees (run with -d ROOT).
func TestIncludeErrors(t *testing.T) {
	wild := map[string]string{
		"w/one/x.conf": "Seen one\n", "w/two/x.conf": "Seen two\n", "w/three/.keep": "", "w/file": "",
		"empty/.keep": "", "empty2/.keep": "",
	}
	tests := []struct {
		name, src string
		want      []string // with ROOT for the ServerRoot
		tree      string
	}{
		{"missing file", "Include conf/nonexist.conf\n",
			[]string{"httpd: Syntax error on line 1 of ROOT/httpd.conf: Could not open configuration file ROOT/conf/nonexist.conf: No such file or directory"}, ""},
		{"missing directory of a wildcard", "Include nodir/*.conf\n",
			[]string{"httpd: Syntax error on line 1 of ROOT/httpd.conf: Include/IncludeOptional: Could not open directory ROOT/nodir: No such file or directory"}, ""},
		{"no match", "Include empty/*.conf\n",
			[]string{"httpd: Syntax error on line 1 of ROOT/httpd.conf: Include/IncludeOptional: No matches for the wildcard '*.conf' in 'ROOT/empty', failing"}, ""},
		{"optional ignores all that", "IncludeOptional conf/nonexist.conf\nIncludeOptional nodir/*.conf\nIncludeOptional empty/*.conf\nIncludeOptional nope/*/y.conf\nA\n",
			nil, "A"},
		{"empty directory is fine", "Include empty2\nA\n", nil, "A"},
		{"wildcard directory, file missing in one", "Include w/*/x.conf\n",
			[]string{"httpd: Syntax error on line 1 of ROOT/httpd.conf: Could not open configuration file ROOT/w/three/x.conf: No such file or directory"},
			"Seen[one]; Seen[two]"},
		{"wildcard directory, optional", "IncludeOptional w/*/x.conf\n", nil, "Seen[one]; Seen[two]"},
		{"wildcard directory, no match in one", "Include w/*/*.conf\n",
			[]string{"httpd: Syntax error on line 1 of ROOT/httpd.conf: Include/IncludeOptional: No matches for the wildcard '*.conf' in 'ROOT/w/three', failing"},
			"Seen[one]; Seen[two]"},
		{"unclosed section in an included file", "\nInclude conf.d/a.conf\n",
			[]string{"httpd: Syntax error on line 2 of ROOT/httpd.conf: Syntax error on line 2 of ROOT/conf.d/a.conf: ROOT/conf.d/a.conf:2: <Directory> was not closed."}, "ServerName[y]; Directory[/y]{}"},
		{"sections do not span files", "<Directory /x>\nInclude conf.d/b.conf\n</Directory>\n",
			[]string{"httpd: Syntax error on line 2 of ROOT/httpd.conf: Syntax error on line 1 of ROOT/conf.d/b.conf: </Directory> without matching <Directory> section"}, "Directory[/x]{}"},
		{"nested include", "Include conf.d/c.conf\n",
			[]string{"httpd: Syntax error on line 1 of ROOT/httpd.conf: Syntax error on line 2 of ROOT/conf.d/c.conf: Syntax error on line 3 of ROOT/conf.d/d.conf: Could not open configuration file /nonexistent: No such file or directory"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{
				"httpd.conf":     tt.src,
				"conf.d/a.conf":  "ServerName y\n<Directory /y>\n",
				"conf.d/b.conf":  "</Directory>\n",
				"conf.d/c.conf":  "\nInclude conf.d/d.conf\n",
				"conf.d/d.conf":  "\n\nInclude /nonexistent\n",
				"conf.d/ok.conf": "",
			}
			for k, v := range wild {
				files[k] = v
			}
			cfg, err, root := loadTree(t, files, Options{})
			var got []string
			for _, e := range asErrors(t, err) {
				got = append(got, strings.ReplaceAll(e.Error(), root, "ROOT"))
			}
			equal(t, "errors", got, tt.want)
			equal(t, "tree", dump(cfg.Directives), tt.tree)
		})
	}
}

// Apache gives up after 128 nested Includes with a message that lists the
// whole chain; the parser must stop too, and quickly, even when a file
// includes itself twice (which would otherwise take 2^128 steps).
func TestIncludeRecursion(t *testing.T) {
	cfg, err, root := loadTree(t, map[string]string{
		"httpd.conf": "Include self.conf\nAfter\n",
		"self.conf":  "Include self.conf\nInclude self.conf\n",
	}, Options{})
	errs := asErrors(t, err)
	if len(errs) != 1 {
		t.Fatalf("got %d errors", len(errs))
	}
	e := errs[0]
	equal(t, "message", e.Message, "Exceeded maximum include depth of 128, There appears to be a recursion.")
	equal(t, "chain length", len(e.Includes), 128)
	// apache2 prints "Syntax error on line 1 of .../self.conf: " 128 times.
	text := e.Error()
	equal(t, "self.conf mentions", strings.Count(text, "Syntax error on line 1 of "+filepath.Join(root, "self.conf")+": "), 128)
	if !strings.HasPrefix(text, "httpd: Syntax error on line 1 of "+filepath.Join(root, "httpd.conf")+": ") {
		t.Errorf("chain does not start at the main file: %.200s", text)
	}
	if cfg == nil {
		t.Fatal("no config")
	}
}

func TestIncludeSymlinkLoop(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"d/a.conf": "A\n", "httpd.conf": "Include d\n"})
	if err := os.Symlink(".", filepath.Join(root, "d/loop")); err != nil {
		t.Skip(err)
	}
	_, err := Load("httpd.conf", Options{ServerRoot: root})
	errs := asErrors(t, err)
	if len(errs) == 0 || !strings.Contains(errs[0].Message, "Too many levels of symbolic links") {
		t.Fatalf("got %v", err)
	}
}

func TestSplitWildcard(t *testing.T) {
	tests := []struct{ in, base, pat, rest string }{
		{"/a/b/*.conf", "/a/b", "*.conf", ""},
		{"/a/*/x/y.conf", "/a", "*", "x/y.conf"},
		{"/*", "/", "*", ""},
	}
	for _, tt := range tests {
		b, p, r := splitWildcard(tt.in)
		equal(t, tt.in, []string{b, p, r}, []string{tt.base, tt.pat, tt.rest})
	}
}

func TestFnmatch(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"*.conf", "a.conf", true},
		{"*.conf", ".a.conf", false},
		{".*", ".hidden", true},
		{"*", "a", true},
		{"[", "[", false},
		{"a?c", "abc", true},
	}
	for _, tt := range tests {
		if got := fnmatch(tt.pat, tt.name); got != tt.want {
			t.Errorf("fnmatch(%q, %q) = %v", tt.pat, tt.name, got)
		}
	}
}
