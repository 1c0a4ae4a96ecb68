package config

import "testing"

// TestCheckDocumentRoots: in file order, a <VirtualHost>'s missing
// DocumentRoot is a warning (its trailing slash kept), a missing main one
// (or a file) an error at its last line that ends the check; the default
// and existing directories pass.
func TestCheckDocumentRoots(t *testing.T) {
	cfg, err, root := loadTree(t, map[string]string{
		"htdocs/index.html": "x",
		"httpd.conf": `DocumentRoot htdocs
<VirtualHost *:80>
  DocumentRoot "vh doc/"
</VirtualHost>
<VirtualHost *:81>
  DocumentRoot htdocs
</VirtualHost>
DocumentRoot \
  httpd.conf
DocumentRoot nodoc
`,
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	warnings, errs := CheckDocumentRoots(cfg)
	equal(t, "warnings", warnings, []string{"AH00112: Warning: DocumentRoot [" + root + "/vh doc/] does not exist"})
	equal(t, "errors", errs.Error(), "AH00526: Syntax error on line 9 of "+root+"/httpd.conf:\nDocumentRoot '"+root+"/httpd.conf' is not a directory, or is not readable")

	cfg, err, _ = loadTree(t, map[string]string{"httpd.conf": "Listen 80\n"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	warnings, errs = CheckDocumentRoots(cfg)
	if warnings != nil || errs != nil {
		t.Errorf("default DocumentRoot: %v %v", warnings, errs)
	}
}
