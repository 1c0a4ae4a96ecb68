package config

import (
	"maps"
	"strings"
)

// VirtualHost is one <VirtualHost> section's own server settings, resolved
// as Resolve resolves the main server's. What the section does not set is
// the main server's, as Apache merges a virtual host over the main server.
type VirtualHost struct {
	// Addrs are the section's addresses as written: "*:80", "127.0.0.1",
	// "_default_:*", "www.example.com:8080".
	Addrs []string
	// ServerName is the section's ServerName as written, "" when it has
	// none; ServerAliases are its ServerAlias names in order.
	ServerName    string
	ServerAliases []string
	// DocumentRoot is absolute: the section's, else the main server's.
	DocumentRoot string
	// ServerAdmin is the section's, else the main server's.
	ServerAdmin string
	// AccessLogs are the section's CustomLog and TransferLog lines, formats
	// resolved with the section's LogFormat lines over the main server's.
	// OwnLogs says whether it has any such line: with none, its requests go
	// to the main server's logs; with some, only to its own (mod_log_config).
	AccessLogs []AccessLog
	OwnLogs    bool
	// ErrorLog is the section's ErrorLog, resolved as the main server's
	// (Server.ErrorLog), "" without one: then its requests' errors go to
	// the main server's error log.
	ErrorLog string
	// LogLevel is the section's LogLevel lines applied over the main
	// server's (Server.LogLevel's form), as apache2 merges a virtual host's
	// log configuration: the levels of its requests' errors.
	LogLevel string
	// Section is the <VirtualHost> directive, with its children.
	Section *Directive
	// PerServer are the main server's with the section's lines over them.
	PerServer
}

// resolveVirtualHost reads d's server settings over main's; mainLogs are
// the main server's log lines, whose formats the section's override.
func resolveVirtualHost(d *Directive, main *Server, mainLogs *logConfig, root string) VirtualHost {
	v := VirtualHost{Addrs: d.Args, DocumentRoot: main.DocumentRoot, ServerAdmin: main.ServerAdmin, LogLevel: main.LogLevel, Section: d, PerServer: main.PerServer}
	v.AddTypes = maps.Clone(main.AddTypes)
	v.OwnKeepAliveTimeout = false
	logs := logConfig{formats: maps.Clone(mainLogs.formats)}
	for _, x := range d.Children {
		if x.IsSection() || v.apply(x) {
			continue
		}
		a := x.Args
		switch strings.ToLower(x.Name) {
		case "servername":
			if len(a) == 1 {
				v.ServerName = a[0]
			}
		case "serveralias":
			v.ServerAliases = append(v.ServerAliases, a...)
		case "documentroot":
			if len(a) == 1 {
				v.DocumentRoot = absPath(root, a[0])
			}
		case "serveradmin":
			if len(a) == 1 {
				v.ServerAdmin = a[0]
			}
		case "errorlog":
			if len(a) == 1 {
				v.ErrorLog = errorLogPath(root, a[0])
			}
		case "loglevel":
			v.LogLevel = applyLogLevel(v.LogLevel, a)
		case "logformat", "customlog", "transferlog":
			logs.add(x)
		}
	}
	// Apache's ap_fixup_virtual_hosts: 0 is the main server's.
	if v.Timeout == 0 {
		v.Timeout = main.Timeout
	}
	if v.KeepAliveTimeout == 0 {
		v.KeepAliveTimeout = main.KeepAliveTimeout
	}
	if logs.defaultFormat == "" {
		logs.defaultFormat = mainLogs.defaultFormat
	}
	v.AccessLogs, v.OwnLogs = logs.resolve(root), logs.any
	return v
}
