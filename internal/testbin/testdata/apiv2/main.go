// Command apiv2 is a test plugin from the future: it speaks only MPM API
// v2. By default it completes the go-plugin handshake (protocol 1) and
// lists only "v2" in Describe; with APIV2_PROTOCOL=2 in its environment it
// already refuses the handshake with protocol 2. The host must refuse it
// either way, naming both versions.
package main

import (
	"context"
	"os"

	"github.com/hashicorp/go-plugin"

	"github.com/httpd-mpm/httpd-mpm/internal/rpcwire"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

type server struct{ mpmv1.UnimplementedMPMServer }

func (server) Describe(context.Context, *mpmv1.DescribeRequest) (*mpmv1.DescribeResponse, error) {
	return &mpmv1.DescribeResponse{Module: "mpm_apiv2_module", Name: "apiv2", ApiVersions: []string{"v2"}}, nil
}

func main() {
	hs := rpcwire.Handshake
	if os.Getenv("APIV2_PROTOCOL") == "2" {
		hs.ProtocolVersion = 2
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: hs,
		Plugins:         rpcwire.Plugins(server{}),
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
