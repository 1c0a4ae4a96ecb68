package launch

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// VersionError is a plugin that speaks no MPM API version this host
// speaks, found in Describe (the API versions it lists) or already in the
// go-plugin handshake (its protocol version N is API version "vN").
type VersionError struct {
	Plugin []string // what the plugin speaks, e.g. ["v2"]
	Host   []string // what this host speaks, e.g. ["v1"]
}

func (e *VersionError) Error() string {
	plugin := "no API version"
	if len(e.Plugin) > 0 {
		plugin = "MPM API " + strings.Join(e.Plugin, ", ")
	}
	return fmt.Sprintf("MPM API version mismatch: the plugin speaks %s, this httpd speaks MPM API %s (rebuild the plugin against this httpd's SDK)",
		plugin, strings.Join(e.Host, ", "))
}

// handshakeVersion finds the plugin's protocol version in go-plugin's
// handshake error ("incompatible API version with plugin. Plugin version:
// 2, Client versions: [1]"), compiled when a handshake fails.
var handshakeVersion = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)incompatible API version with plugin\. Plugin version: (\d+)`)
})

// protocolMismatch returns a *VersionError for a handshake that failed on
// the protocol version, or nil.
func protocolMismatch(err error) *VersionError {
	m := handshakeVersion().FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	return &VersionError{Plugin: []string{"v" + m[1]}, Host: []string{wire.APIVersion}}
}
