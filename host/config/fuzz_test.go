package config

import (
	"testing"
	"testing/fstest"
)

// FuzzParse feeds arbitrary text to the parser, Validate and Resolve. They
// must never panic or hang. What parses must convert to HCL as
// checkWriteHCL says. Include reads from a small in-memory tree, never
// from the real file system.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"Listen 80\nServerName www.example.com\n",
		"LoadModule mpm_event_module modules/mod_mpm_event.so\n<IfModule mpm_event_module>\nStartServers 2\n</IfModule>\n",
		"Define X \"a b\"\n<IfDefine !X>\nA\n</IfDefine>\nB ${X} ${Y} ${${X}}\n",
		"<VirtualHost *:80>\n<Directory \"/a b\">\nOptions +Indexes\n</Directory\n</VirtualHost>\n</Files>\n",
		"Include conf.d/*.conf\nIncludeOptional missing/*/x.conf\nInclude self.conf\n",
		"X a\\\n b \"c\\\"d\" 'e' # f\r\n\t# comment \\\nY\n",
		"<IfModule foo>\n<Directory>\n</IfModule x>\n<\n</>\n< >\n",
		"ServerRoot /etc\nKeepAliveTimeout 300ms\nListen [::1]:0\nListen [::1]:0\nMutex none\n",
		"<IfFile /etc/passwd>\nA\n</IfFile>\nUnDefine X\nDefine a:b\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	fsys := memFS{fstest.MapFS{
		"srv/conf.d/a.conf": {Data: []byte("A\n<Directory />\n")},
		"srv/conf.d/b.conf": {Data: []byte("Include conf.d/a.conf\n</Directory>\n")},
		"srv/self.conf":     {Data: []byte("Include self.conf\nInclude self.conf\n")},
		"etc/passwd":        {Data: []byte("root:x:0:0\n")},
	}}
	f.Fuzz(func(t *testing.T, src string) {
		opts := Options{
			ServerRoot: "/srv",
			Defines:    []string{"D"},
			Builtin:    []string{"so_module"},
			Pre:        []string{"Define P 1"},
			Post:       []string{"Listen 8080"},
			LookupEnv:  noEnv,
		}
		cfg, err := parse("/srv/httpd.conf", []byte(src), opts, fsys)
		if cfg == nil {
			t.Fatalf("nil config (err %v)", err)
		}
		if err != nil {
			if _, ok := err.(Errors); !ok {
				t.Fatalf("error of type %T", err)
			}
		}
		Validate(cfg, Core)
		Resolve(cfg)
		for _, d := range cfg.Directives {
			_ = d.Pos()
		}
		if err == nil {
			checkWriteHCL(t, cfg, Options{ServerRoot: "/srv", LookupEnv: noEnv}, fsys)
		}
	})
}
