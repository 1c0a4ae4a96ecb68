package static

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

func TestZZManualServe(t *testing.T) {
	addr := os.Getenv("STATIC_MANUAL_ADDR")
	if addr == "" {
		t.Skip()
	}
	types, err := LoadTypes("/etc/mime.types")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http1.Server{
		Handler:              &Handler{DocumentRoot: "/tmp/ap/www", DirectoryIndex: []string{"index.html"}, Types: types},
		Timeout:              2 * time.Second,
		KeepAlive:            true,
		MaxKeepAliveRequests: 100,
		Software:             "Apache/2.4.71 (Debian)",
		ServerSignature:      http1.SignatureOn,
		ErrorLog:             t.Logf,
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			c := srv.NewConn(nc)
			for {
				if keep, _ := c.ServeRequest(); !keep {
					break
				}
			}
			c.Close()
		}()
	}
}
