package nss

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// glibc runs `getent args...` in a mount namespace of its own where the
// fixture files are /etc/passwd and /etc/group and nsswitch.conf says
// "files": glibc's nss_files reading them. It returns getent's output
// and exit status.
type glibc struct{ dir string }

func newGlibc(t *testing.T) glibc {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: mounts the fixtures over /etc in a mount namespace of its own")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare(1)")
	}
	dir := t.TempDir()
	for _, f := range []string{"passwd", "group"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "nsswitch.conf"), []byte("passwd: files\ngroup: files\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := glibc{dir}
	if out, code := g.getent(t, "passwd", "root"); code != 0 || !strings.HasPrefix(out, "root:") {
		t.Skipf("cannot run getent over the fixtures: %q, exit %d", out, code)
	}
	return g
}

func (g glibc) getent(t *testing.T, args ...string) (string, int) {
	t.Helper()
	script := fmt.Sprintf(`set -e
for f in passwd group nsswitch.conf; do mount --bind %s/$f /etc/$f; done
exec getent "$@"`, g.dir)
	cmd := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "sh", "-c", script, "sh"}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(out), "\n"), 0
}

// The fixture files, read here and by glibc's nss_files: every user,
// group and membership the same, the tricky lines included.
func TestFilesAsGlibc(t *testing.T) {
	g := newGlibc(t)
	r := fixture(t, "passwd: files\ngroup: files\n")
	sameUser := func(key string, u User, err error) {
		out, code := g.getent(t, "passwd", "--", key)
		switch {
		case code == 2 && errors.Is(err, ErrNotFound):
		case code == 0 && err == nil:
			if want, ok := parsePasswd(out); !ok || want.Name != u.Name || want.Uid != u.Uid || want.Gid != u.Gid {
				t.Errorf("passwd %q: glibc %q, here %+v", key, out, u)
			}
		default:
			t.Errorf("passwd %q: glibc %q (exit %d), here %+v, %v", key, out, code, u, err)
		}
	}
	// Names only: getent takes a name of digits for a uid.
	for _, name := range []string{"root", "spaced", "  spaced", "comment", "#comment", "indented", " #indented",
		"short", "nogid", "emptyuid", "letters", "dup", "big", "neg", "trail", "trail ", "plus", "blankid",
		"tab", "idtrail", "hex", "oct", "max", "cr", "cr\r", "nobody", "+plus", "-minus", "+", "three", "uidonly"} {
		u, err := r.LookupUser(name)
		sameUser(name, u, err)
	}
	for _, uid := range []uint32{0, 6001, 6002, 6004, 6005, 6008, 6009, 6010, 6012, 6015, 6016, 10, 16, 4294967295, 6014, 6022, 65534, 6011, 6030, 6031} {
		u, err := r.LookupUserID(uid)
		sameUser(fmt.Sprint(uid), u, err)
	}
	sameGroup := func(key string, gr Group, err error) {
		out, code := g.getent(t, "group", "--", key)
		switch {
		case code == 2 && errors.Is(err, ErrNotFound):
		case code == 0 && err == nil:
			if want, _, ok := parseGroup(out); !ok || want.Name != gr.Name || want.Gid != gr.Gid {
				t.Errorf("group %q: glibc %q, here %+v", key, out, gr)
			}
		default:
			t.Errorf("group %q: glibc %q (exit %d), here %+v, %v", key, out, code, gr, err)
		}
	}
	// Not gx: getent cannot print its member "a:b" (groups of "a:b" below).
	for _, name := range []string{"root", "g1", "g4", "gsp", "  gsp", "gc", "#gc", "gp", "gt", "gn", "gm", "gs", "dupg", "nogroup", "+gplus", "-gminus", "twofield", "gidend"} {
		gr, err := r.LookupGroup(name)
		sameGroup(name, gr, err)
	}
	for _, gid := range []uint32{0, 7001, 7004, 7008, 7100, 7101, 7102, 7300, 7301, 65534, 7400, 7401} {
		gr, err := r.LookupGroupID(gid)
		sameGroup(fmt.Sprint(gid), gr, err)
	}
	const none = 4000000000 // no group of the fixture
	for _, name := range []string{"a", "b", "b ", "c", " c", "d", "e", "f", "a:b", "c:d", "zz", "-m"} {
		out, code := g.getent(t, "initgroups", "--", name)
		want, err := parseInitgroups(out, name)
		if code != 0 || err != nil {
			t.Fatalf("getent initgroups %q: %q, exit %d, %v", name, out, code, err)
		}
		got, err := r.Groups(User{Name: name}, none)
		if err != nil || !slices.Equal(got, append([]uint32{none}, want...)) {
			t.Errorf("groups of %q: glibc %v, here %v, %v", name, want, got, err)
		}
	}
}
