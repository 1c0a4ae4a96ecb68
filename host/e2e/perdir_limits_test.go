package e2e_test

import "testing"

// perDirConf sets LimitRequestBody and ServerSignature in sections, where
// apache2 takes them per directory.
const perDirConf = `ServerName main.test
ServerAdmin admin@main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
<Directory @DOCS@/small>
    LimitRequestBody 4
    ServerSignature On
</Directory>
<Location /loc>
    LimitRequestBody 8
    ServerSignature EMail
</Location>
<Files "f.txt">
    LimitRequestBody 2
    ServerSignature On
</Files>
`

// TestPerDirLimits: LimitRequestBody and ServerSignature per directory,
// location and file, as apache2 applies them.
func TestPerDirLimits(t *testing.T) {
	docs := map[string]string{
		"a.txt":       "a\n",
		"f.txt":       "f\n",
		"small/s.txt": "s\n",
		"loc/l.txt":   "l\n",
	}
	p := startPair(t, 1, perDirConf, docs)
	post := func(path, body string) string { return request("POST", path, "main.test", body) }
	p.check([]diffRequest{
		{Raw: post("/a.txt", "0123456789")},
		{Raw: post("/small/s.txt", "0123")},
		{Raw: post("/small/s.txt", "01234")},
		{Raw: post("/small/missing", "01234")},
		{Raw: post("/loc/l.txt", "01234567")},
		{Raw: post("/loc/l.txt", "012345678")},
		{Raw: post("/f.txt", "012")},
		{Raw: post("/small/f.txt", "012")},
		{Raw: "POST /small/s.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n01234\r\n0\r\n\r\n"},
		{Raw: get("/small/missing", "main.test")},
		{Raw: get("/loc/missing", "main.test")},
	})
}
