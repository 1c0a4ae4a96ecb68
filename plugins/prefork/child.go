package main

import (
	"errors"
	"net"
	"runtime"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// serveChild is one prefork child: it accepts one connection, serves it
// to the end (keep-alive included), and only then accepts the next.
func serveChild(c *mpm.Child, _ mpm.Values) error {
	runtime.GOMAXPROCS(1) // one connection at a time needs one thread
	srv, err := mpm.NewHTTPServer(c.Config)
	if err != nil {
		return err
	}
	acc, err := newAcceptor(c.Listeners)
	if err != nil {
		return err
	}
	go func() {
		<-c.Graceful()
		srv.StartDraining()
		acc.Close()
	}()
	for {
		conn, err := acc.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			c.Log.Error("accept", "error", err)
			continue
		}
		hc := srv.NewConn(conn)
		for {
			keep, err := hc.ServeRequest()
			if err != nil || !keep {
				break
			}
		}
		hc.Close()
	}
}
