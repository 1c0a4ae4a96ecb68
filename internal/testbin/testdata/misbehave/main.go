// Command misbehave is a test plugin that goes wrong in the way
// MISBEHAVE names (from its environment, which the host passes on), at the
// call MISBEHAVE_AT names (Configure or Run; Configure by default):
//
//   - stdio: writes a line with fmt.Println (os.Stdout) and one to
//     os.Stderr, as a stray print of a third-party MPM would, then answers;
//   - panic: panics (the Go runtime writes the trace to fd 2 and exits 2);
//   - exit: os.Exit(3);
//   - kill: SIGKILLs itself;
//   - big: its Describe answer is 20 MiB (a directive's help).
//
// Otherwise, and at the other calls, it answers as a plugin that accepts
// any configuration and serves nothing.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/hashicorp/go-plugin"

	"github.com/httpd-mpm/httpd-mpm/internal/rpcwire"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

type server struct{ mpmv1.UnimplementedMPMServer }

func (server) Describe(context.Context, *mpmv1.DescribeRequest) (*mpmv1.DescribeResponse, error) {
	d := &mpmv1.DescribeResponse{Module: "mpm_misbehave_module", Name: "misbehave", ApiVersions: []string{wire.APIVersion}, Features: wire.Features}
	if os.Getenv("MISBEHAVE") == "big" {
		d.Directives = []*mpmv1.Directive{{Name: "Misbehave", Help: strings.Repeat("x", 20<<20)}}
	}
	return d, nil
}

func (server) Configure(context.Context, *mpmv1.ConfigureRequest) (*mpmv1.ConfigureResponse, error) {
	misbehave("configure")
	return &mpmv1.ConfigureResponse{}, nil
}

func (server) Run(context.Context, *mpmv1.RunRequest) (*mpmv1.RunResponse, error) {
	misbehave("run")
	return &mpmv1.RunResponse{}, nil
}

func (server) Stop(context.Context, *mpmv1.StopRequest) (*mpmv1.StopResponse, error) {
	return &mpmv1.StopResponse{}, nil
}

func (server) Watch(_ *mpmv1.WatchRequest, s mpmv1.MPM_WatchServer) error {
	<-s.Context().Done()
	return nil
}

// misbehave does what MISBEHAVE says if MISBEHAVE_AT names call.
func misbehave(call string) {
	if at := os.Getenv("MISBEHAVE_AT"); at != call && (at != "" || call != "configure") {
		return
	}
	switch os.Getenv("MISBEHAVE") {
	case "stdio":
		fmt.Println("misbehave: a stray line on stdout")
		fmt.Fprintln(os.Stderr, "misbehave: a stray line on stderr")
	case "panic":
		panic("misbehave: a panic in " + call)
	case "exit":
		os.Exit(3)
	case "kill":
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: rpcwire.Handshake,
		Plugins:         rpcwire.Plugins(server{}),
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
