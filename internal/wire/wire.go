// Package wire holds what the host and the MPM SDK must agree on to talk:
// the go-plugin handshake, the plugin set and the API version. It keeps
// go-plugin and proto types out of the public SDK's signatures.
package wire

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

// APIVersion is the MPM API version this build speaks. A plugin lists the
// versions it speaks in Describe; the host refuses one without an overlap.
const APIVersion = "v1"

// PluginName is the single plugin a module binary serves.
const PluginName = "mpm"

// Handshake is go-plugin's handshake. ProtocolVersion follows the proto
// package: proto/mpm/v1 is protocol 1.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "HTTPD_MPM_PLUGIN",
	MagicCookieValue: "5b2b7f0e-httpd-mpm-module",
}

// ChildEnv is set in the environment of an MPM's own child processes (the
// plugin binary re-executed), so that Serve runs the child side instead of
// the plugin side.
const ChildEnv = "HTTPD_MPM_CHILD"

// EarlyChildEnv, set by the host in a plugin's environment when the plugin
// is to serve (not for a config check), lets an MPM whose children may
// start ahead of need (mpm.EarlyChildServer) start its first child before
// it is configured, so that the child's process start overlaps the
// handshake. Its value is the JSON of the mpm.Credential the children run
// as ({"Uid":33,"Gid":33,"Groups":[33]}), null to keep the plugin's user.
const EarlyChildEnv = "HTTPD_MPM_EARLY_CHILD"

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
	return plugin.PluginSet{PluginName: &GRPCPlugin{Impl: server}}
}
