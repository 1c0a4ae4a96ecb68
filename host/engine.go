package host

import (
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// engineSettings fills in the Core fields that the HTTP engine and the static handler
// take from core directives: ServerAdmin, ServerTokens, ServerSignature, TraceEnable,
// FileETag and the LimitRequest* limits.
func engineSettings(c *mpm.Core, s *config.Server) {
	c.ServerAdmin = s.ServerAdmin
	c.Banner = banner(s.ServerTokens)
	switch s.ServerSignature {
	case "on":
		c.ServerSignature = http1.SignatureOn
	case "email":
		c.ServerSignature = http1.SignatureEMail
	}
	switch s.TraceEnable {
	case "on":
		c.TraceEnable = http1.TraceOn
	case "extended":
		c.TraceEnable = http1.TraceExtended
	}
	if s.FileETag != nil {
		if e, err := static.ParseFileETag(s.FileETag); err == nil {
			c.FileETag = e.Fields()
		}
	}
	// Apache's 0 refuses every request line or field (it still allows one byte, as it
	// allows limit+1); 1 is the nearest the engine can say, since its 0 is the default.
	c.LimitRequestLine = max(s.LimitRequestLine, 1)
	c.LimitRequestFieldSize = max(s.LimitRequestFieldSize, 1)
	c.LimitRequestFields = s.LimitRequestFields
	if c.LimitRequestFields == 0 {
		c.LimitRequestFields = -1
	}
	c.LimitRequestBody = s.LimitRequestBody
	if c.LimitRequestBody == 0 {
		c.LimitRequestBody = -1
	}
}

// banner is the Server header for a ServerTokens keyword (config.Server's long form),
// as Apache builds it from its version: Prod "httpd-mpm", Major "httpd-mpm/0", Minor
// "httpd-mpm/0.1", Min "httpd-mpm/0.1.0", OS and Full the whole Software(), since the
// host adds no module tokens.
func banner(tokens string) string {
	parts := strings.SplitN(Version, ".", 3)
	switch tokens {
	case "productonly":
		return "httpd-mpm"
	case "major":
		return "httpd-mpm/" + parts[0]
	case "minor":
		return "httpd-mpm/" + strings.Join(parts[:min(2, len(parts))], ".")
	case "minimal":
		return "httpd-mpm/" + Version
	}
	return Software()
}
