package host

import (
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// tlsSettings reads the certificates and keys of the servers with SSLEngine on
// into c (the main server's and each virtual host's TLS), as apache2's parent
// reads them as root before its children start: the MPM gets the PEM, never a
// path. The errors are mod_ssl's, at the line concerned (httpd -t reports them
// too, where apache2 checks only that the files exist until it starts).
func tlsSettings(s *config.Server, c *mpm.Core) []config.Diagnostic {
	checked := map[*config.Directive]bool{}
	var errs []config.Diagnostic
	load := func(ssl config.SSL, name string, at *config.Directive) *mpm.TLS {
		if !ssl.Engine {
			return nil
		}
		f, e := ssl.ReadSSL(s.ServerRoot, name, at, checked)
		errs = append(errs, e...)
		if len(e) > 0 || f.Certificate == nil {
			return nil
		}
		suites, e := ssl.CipherSuites()
		if len(e) > 0 {
			if !checked[ssl.CipherSuite] { // a line the virtual hosts inherit, once
				checked[ssl.CipherSuite] = true
				errs = append(errs, e...)
			}
			return nil
		}
		depth := 1 // mod_ssl's default
		if ssl.VerifyDepthSet {
			depth = ssl.VerifyDepth
		}
		return &mpm.TLS{Certificate: f.Certificate, Key: f.Key, MinVersion: ssl.MinVersion, MaxVersion: ssl.MaxVersion,
			CipherSuites: suites, HonorCipherOrder: ssl.HonorCipherOrder, Name: name,
			VerifyClient: int(ssl.VerifyClient), VerifyDepth: depth, CACertificates: f.CACertificates,
			SessionCache: s.SSL.SessionCache, SessionTicketsOff: ssl.SessionTicketsOff}
	}
	c.TLS = load(s.SSL, sslServerName(s.ServerName, ""), nil)
	for i, v := range s.VirtualHosts {
		if i < len(c.VirtualHosts) {
			c.VirtualHosts[i].TLS = load(v.SSL, sslServerName(v.ServerName, c.VirtualHosts[i].ServerName), v.Section)
		}
	}
	return errs
}

// sslServerName is a server as mod_ssl names it ("host:port"): its
// ServerName's host and port, 443 without one; without a ServerName, the name
// and port it has from its address (derived, a virtual host's), else the
// main server's host name.
func sslServerName(serverName, derived string) string {
	if serverName == "" && derived != "" {
		return derived
	}
	host := mainHostname(serverName)
	if serverName != "" {
		host = serverHostname(serverName)
	}
	port := "443"
	if _, p, err := splitPort(serverName); err == nil && strings.Count(serverName, ":") == 1 {
		port = strconv.Itoa(p)
	}
	return host + ":" + port
}

// splitPort is the port of a Listen address ("127.0.0.1:443", ":443").
func splitPort(addr string) (string, int, error) {
	i := len(addr) - 1
	for i >= 0 && addr[i] != ':' {
		i--
	}
	p, err := strconv.Atoi(addr[i+1:])
	return addr[:max(i, 0)], p, err
}
