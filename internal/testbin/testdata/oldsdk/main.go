// Command oldsdk is a test plugin built as with an SDK from before
// wire.Features: it speaks MPM API v1 and accepts any configuration, but
// its Describe lists no features, so it would ignore <VirtualHost>
// sections and -X. The host must refuse a configuration that needs them.
package main

import (
	"context"

	"github.com/hashicorp/go-plugin"

	"github.com/httpd-mpm/httpd-mpm/internal/rpcwire"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

type server struct{ mpmv1.UnimplementedMPMServer }

func (server) Describe(context.Context, *mpmv1.DescribeRequest) (*mpmv1.DescribeResponse, error) {
	return &mpmv1.DescribeResponse{Module: "mpm_oldsdk_module", Name: "oldsdk", ApiVersions: []string{wire.APIVersion}}, nil
}

func (server) Configure(context.Context, *mpmv1.ConfigureRequest) (*mpmv1.ConfigureResponse, error) {
	return &mpmv1.ConfigureResponse{}, nil
}

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: rpcwire.Handshake,
		Plugins:         rpcwire.Plugins(server{}),
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
