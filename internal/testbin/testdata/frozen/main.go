// Command frozen is a test plugin that freezes in Configure: it stops
// itself (SIGSTOP), as a plugin wedged there would, and never answers. The
// host must give up on it in bounded time and kill it.
package main

import (
	"context"
	"os"
	"syscall"

	"github.com/hashicorp/go-plugin"

	"github.com/httpd-mpm/httpd-mpm/internal/rpcwire"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

type server struct{ mpmv1.UnimplementedMPMServer }

func (server) Describe(context.Context, *mpmv1.DescribeRequest) (*mpmv1.DescribeResponse, error) {
	return &mpmv1.DescribeResponse{Module: "mpm_frozen_module", Name: "frozen", ApiVersions: []string{wire.APIVersion}, Features: wire.Features}, nil
}

func (server) Configure(context.Context, *mpmv1.ConfigureRequest) (*mpmv1.ConfigureResponse, error) {
	_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	// The stop reaches this thread a moment later (the kernel hands the
	// signal to another thread, which stops the others): an answer
	// returned here could still go out.
	select {}
}

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: rpcwire.Handshake,
		Plugins:         rpcwire.Plugins(server{}),
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
