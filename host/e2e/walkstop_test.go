package e2e_test

import "testing"

// symlinkWalkConf refuses symlinks in the document root.
const symlinkWalkConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Options -FollowSymLinks
	Require all granted
</Directory>
<Directory @DOCS@/symfb>
	FallbackResource /symfb/t.html
</Directory>
<Directory @DOCS@/own>
	Options -FollowSymLinks +SymLinksIfOwnerMatch
</Directory>
`

// TestSymlinkRefusedMissing: apache2's directory walk refuses a symlink
// when it meets it, before it knows whether the rest of the path exists:
// a missing path behind a refused symlink is a 403 too, not a 404 that
// tells what exists outside the document root, nor a FallbackResource.
func TestSymlinkRefusedMissing(t *testing.T) {
	p := startPair(t, 1, symlinkWalkConf, map[string]string{
		"sym/etc":      symlinkTo + "/etc",
		"sym/sec":      symlinkTo + "../secret",
		"sym/dangle":   symlinkTo + "nothere",
		"secret/s.txt": "s\n",
		"symfb/t.html": "fallback\n",
		"symfb/etc":    symlinkTo + "/etc",
		"own/etc":      symlinkTo + "/etc",
		"a.txt":        "a\n",
	})
	p.check([]diffRequest{
		{Raw: get("/sym/etc/nonexist", "main.test")},
		{Raw: get("/sym/etc/nonexist/x", "main.test")},
		{Raw: get("/sym/etc/hostname", "main.test")},
		{Raw: get("/sym/etc/hostname/x", "main.test")},
		{Raw: request("OPTIONS", "/sym/etc/nonexist", "main.test", "")},
		{Raw: get("/sym/sec/missing", "main.test")},
		{Raw: get("/sym/dangle", "main.test")},
		{Raw: get("/sym/dangle/x", "main.test")},
		{Raw: get("/symfb/etc/nonexist", "main.test")},
		{Raw: get("/symfb/nonexist", "main.test"), Want: "fallback"},
		{Raw: get("/own/etc/nonexist", "main.test")},
		{Raw: get("/a.txt/x", "main.test")},
		{Raw: get("/nothere/x", "main.test")},
	})
}
