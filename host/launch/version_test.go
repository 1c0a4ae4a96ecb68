package launch

import (
	"errors"
	"slices"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// TestProtocolMismatch: go-plugin's handshake error for another protocol
// version is a VersionError naming the plugin's version (handshakeVersion
// is compiled at this first use); another error is not.
func TestProtocolMismatch(t *testing.T) {
	err := errors.New("Incompatible API version with plugin. Plugin version: 2, Client versions: [1]")
	v := protocolMismatch(err)
	if v == nil || !slices.Equal(v.Plugin, []string{"v2"}) || !slices.Equal(v.Host, []string{wire.APIVersion}) {
		t.Errorf("protocolMismatch(%q) = %+v, want plugin [v2], host [%s]", err, v, wire.APIVersion)
	}
	if v := protocolMismatch(errors.New("plugin exited before we could connect")); v != nil {
		t.Errorf("protocolMismatch of another error = %+v, want nil", v)
	}
}
