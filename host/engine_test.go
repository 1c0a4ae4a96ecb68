package host

import (
	"testing"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

func TestBanner(t *testing.T) {
	old := Version
	Version = "2.4.71"
	defer func() { Version = old }()
	for tokens, want := range map[string]string{
		"productonly": "httpd-mpm", "major": "httpd-mpm/2", "minor": "httpd-mpm/2.4", "minimal": "httpd-mpm/2.4.71",
		"os": "httpd-mpm/2.4.71 (Unix)", "full": "httpd-mpm/2.4.71 (Unix)",
	} {
		if got := banner(tokens); got != want {
			t.Errorf("ServerTokens %s: %q, want %q", tokens, got, want)
		}
	}
}

func TestEngineSettings(t *testing.T) {
	var c mpm.Core
	engineSettings(&c, &config.Server{
		ServerAdmin: "a@b", ServerTokens: "productonly", ServerSignature: "email", TraceEnable: "extended",
		FileETag: []string{"INode", "+Size"}, LimitRequestLine: 0, LimitRequestFieldSize: 100,
		LimitRequestFields: 0, LimitRequestBody: 0,
	})
	want := mpm.Core{
		ServerAdmin: "a@b", Banner: "httpd-mpm", ServerSignature: http1.SignatureEMail, TraceEnable: http1.TraceExtended,
		FileETag: static.ETagINode | static.ETagSize, LimitRequestLine: 1, LimitRequestFieldSize: 100,
		LimitRequestFields: -1, LimitRequestBody: -1,
	}
	if c.ServerAdmin != want.ServerAdmin || c.Banner != want.Banner || c.ServerSignature != want.ServerSignature ||
		c.TraceEnable != want.TraceEnable || c.FileETag != want.FileETag || c.LimitRequestLine != want.LimitRequestLine ||
		c.LimitRequestFieldSize != want.LimitRequestFieldSize || c.LimitRequestFields != want.LimitRequestFields ||
		c.LimitRequestBody != want.LimitRequestBody {
		t.Errorf("engineSettings:\n got %+v\nwant %+v", c, want)
	}
	var d mpm.Core
	engineSettings(&d, &config.Server{ServerTokens: "full", ServerSignature: "off", TraceEnable: "off", LimitRequestLine: 8190,
		LimitRequestFieldSize: 8190, LimitRequestFields: 100, LimitRequestBody: 1 << 30})
	if d.TraceEnable != http1.TraceOff || d.ServerSignature != http1.SignatureOff || d.FileETag != 0 || d.LimitRequestBody != 1<<30 || d.LimitRequestFields != 100 {
		t.Errorf("defaults: %+v", d)
	}
}
