// Package rpcwire is the go-plugin side of what the host and the MPM SDK
// agree on: the handshake and the gRPC plugin set. It keeps go-plugin and
// proto types out of the public SDK's signatures.
package rpcwire

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

// Handshake is go-plugin's handshake. ProtocolVersion follows the proto
// package: proto/mpm/v1 is protocol 1.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   wire.CookieKey,
	MagicCookieValue: wire.CookieValue,
}

// MaxAnswer bounds what the host receives from a plugin in one message
// (gRPC's limit; go-plugin's own is 2 GiB): a plugin gone wrong cannot make
// the host allocate more. The largest legitimate answer is a Status: a
// byte per scoreboard worker and a pid per process, about 1.5 MiB for
// 20000 processes of 64 threads.
const MaxAnswer = 16 << 20

// MaxConfig bounds what a plugin receives from the host in one message
// (gRPC's default, 4 MiB, held some 4000 virtual hosts). The largest is the
// configuration: about 1 KiB per virtual host of ten lines (9.9 MB for
// 10000), so that some 250000 such virtual hosts fit.
const MaxConfig = 256 << 20

// GRPCPlugin adapts an mpmv1.MPMServer (plugin side) or hands out an
// mpmv1.MPMClient (host side) for go-plugin.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl mpmv1.MPMServer
}

// GRPCServer registers the MPM service on the plugin's gRPC server.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	mpmv1.RegisterMPMServer(s, p.Impl)
	return nil
}

// GRPCClient returns the MPM client the host dispenses.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return mpmv1.NewMPMClient(c), nil
}

// Plugins is the plugin set for both sides; the server fills in Server.
func Plugins(server mpmv1.MPMServer) plugin.PluginSet {
	return plugin.PluginSet{wire.PluginName: &GRPCPlugin{Impl: server}}
}
