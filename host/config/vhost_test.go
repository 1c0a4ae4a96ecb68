package config

import (
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/accesslog"
)

// TestResolveVirtualHosts: a <VirtualHost> takes the main server's
// DocumentRoot and ServerAdmin unless it sets its own, and resolves its
// logs with its LogFormat lines over the main server's (even those after
// the section).
func TestResolveVirtualHosts(t *testing.T) {
	s, errs := resolveString(t, `DocumentRoot /main
ServerAdmin main@example.com
CustomLog logs/main_log common
<VirtualHost *:80>
ServerName a.test
ServerAlias www.a.test *.a.test
ServerAlias a2.test
DocumentRoot docs/a
LogFormat "%v %U" own
CustomLog logs/a_log own
CustomLog logs/a2_log late
TransferLog logs/a_transfer
</VirtualHost>
<VirtualHost 127.0.0.1 *:81>
ServerAdmin b@example.com
</VirtualHost>
<VirtualHost *:82>
CustomLog logs/c_log common env=NEVER
</VirtualHost>
LogFormat "%h late" late
LogFormat "%h default"
`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(s.VirtualHosts) != 3 {
		t.Fatalf("%d virtual hosts, want 3", len(s.VirtualHosts))
	}
	a, b, c := s.VirtualHosts[0], s.VirtualHosts[1], s.VirtualHosts[2]
	equal(t, "a addrs", a.Addrs, []string{"*:80"})
	equal(t, "a names", []any{a.ServerName, a.ServerAliases}, []any{"a.test", []string{"www.a.test", "*.a.test", "a2.test"}})
	equal(t, "a roots", []string{a.DocumentRoot, a.ServerAdmin}, []string{"/srv/docs/a", "main@example.com"})
	want := []AccessLog{
		{Target: "/srv/logs/a_log", Format: "%v %U", File: "/srv/httpd.conf", Line: 10},
		{Target: "/srv/logs/a2_log", Format: "%h late", File: "/srv/httpd.conf", Line: 11},
		{Target: "/srv/logs/a_transfer", Format: "%h default", File: "/srv/httpd.conf", Line: 12},
	}
	equal(t, "a logs", a.AccessLogs, want)
	if !a.OwnLogs || a.Section == nil || a.Section.Line != 4 {
		t.Errorf("a: OwnLogs %v, section %+v", a.OwnLogs, a.Section)
	}
	equal(t, "b", []any{b.Addrs, b.ServerName, b.DocumentRoot, b.ServerAdmin, len(b.AccessLogs), b.OwnLogs},
		[]any{[]string{"127.0.0.1", "*:81"}, "", "/main", "b@example.com", 0, false})
	// A CustomLog with a condition keeps it.
	if len(c.AccessLogs) != 1 || c.AccessLogs[0].Condition != "env=NEVER" || !c.OwnLogs {
		t.Errorf("c: logs %v, OwnLogs %v; want one with env=NEVER, and OwnLogs", c.AccessLogs, c.OwnLogs)
	}
	equal(t, "main logs", s.AccessLogs, []AccessLog{{Target: "/srv/logs/main_log", Format: accesslog.Nicknames["common"], File: "/srv/httpd.conf", Line: 3}})
}

// TestVirtualHostErrorLog: a <VirtualHost>'s ErrorLog is resolved as the main
// server's (a file under ServerRoot; a pipe and syslog as written); without one
// it is empty (the main error log).
func TestVirtualHostErrorLog(t *testing.T) {
	s, errs := resolveString(t, `ErrorLog logs/error_log
<VirtualHost *>
ErrorLog logs/a_error_log
</VirtualHost>
<VirtualHost *>
ErrorLog "|$cat >> b_log"
</VirtualHost>
<VirtualHost *>
ErrorLog syslog:local1
</VirtualHost>
<VirtualHost *>
</VirtualHost>
<VirtualHost *>
ErrorLog /var/log/e_error_log
</VirtualHost>
`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, v := range s.VirtualHosts {
		got = append(got, v.ErrorLog)
	}
	equal(t, "vhost ErrorLogs", got, []string{"/srv/logs/a_error_log", "|$cat >> b_log", "syslog:local1", "", "/var/log/e_error_log"})
	equal(t, "main ErrorLog", s.ErrorLog, "/srv/logs/error_log")
}

// TestResolveVirtualHostPerServer: a <VirtualHost>'s PerServer settings are
// the main server's (even those set after the section) with the section's
// over them; AddType adds to the main server's types; the main server's
// are not changed by a section's. A section's Timeout or KeepAliveTimeout
// of 0 is the main server's (Apache's ap_fixup_virtual_hosts), and
// OwnKeepAliveTimeout says whether the section sets KeepAliveTimeout.
func TestResolveVirtualHostPerServer(t *testing.T) {
	s, errs := resolveString(t, `AddType text/x-a .a
<VirtualHost *:80>
AddType text/x-b .b .A
KeepAlive On
ServerSignature EMail
TraceEnable extended
RequestReadTimeout header=10 body=7,MinRate=9
LimitRequestFieldSize 50
KeepAliveTimeout 300ms
Timeout 7
</VirtualHost>
<VirtualHost *:81>
MaxKeepAliveRequests 0
LimitRequestBody 0
LimitRequestFields 0
Timeout 0
KeepAliveTimeout 0
</VirtualHost>
<VirtualHost *:82>
</VirtualHost>
KeepAliveTimeout 2
Timeout 9
KeepAlive Off
LimitRequestBody 100
MaxKeepAliveRequests 3
`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	main := PerServer{AddTypes: map[string]string{"a": "text/x-a"}, KeepAlive: false, MaxKeepAliveRequests: 3,
		ServerSignature: "off", TraceEnable: "on", LimitRequestBody: 100,
		LimitRequestLine: 8190, LimitRequestFieldSize: 8190, LimitRequestFields: 100,
		KeepAliveTimeout: 2 * time.Second, OwnKeepAliveTimeout: true, Timeout: 9 * time.Second}
	equal(t, "main", s.PerServer, main)
	equal(t, "first", s.VirtualHosts[0].PerServer, PerServer{
		AddTypes: map[string]string{"a": "text/x-b", "b": "text/x-b"}, KeepAlive: true, MaxKeepAliveRequests: 3,
		ServerSignature: "email", TraceEnable: "extended", LimitRequestBody: 100, BodyTimeout: 7 * time.Second, BodyMinRate: 9,
		LimitRequestLine: 8190, LimitRequestFieldSize: 50, LimitRequestFields: 100,
		KeepAliveTimeout: 300 * time.Millisecond, OwnKeepAliveTimeout: true, Timeout: 7 * time.Second,
	})
	second := main
	second.MaxKeepAliveRequests, second.LimitRequestBody, second.LimitRequestFields = 0, 0, 0
	equal(t, "second", s.VirtualHosts[1].PerServer, second)
	third := main
	third.OwnKeepAliveTimeout = false
	equal(t, "third", s.VirtualHosts[2].PerServer, third)
	if !IsPerServer("keepalive") || !IsPerServer("AddType") || !IsPerServer("KeepAliveTimeout") || !IsPerServer("timeout") || IsPerServer("ServerName") {
		t.Error("IsPerServer")
	}
}

// TestResolveVirtualHostLogLevel checks that a virtual host's LogLevel lines
// merge over the main server's as apache2's ap_merge_log_config does, the
// main server's lines after the section included: modules' levels alone
// keep the main level and the other modules' levels; a level keyword
// replaces them all.
func TestResolveVirtualHostLogLevel(t *testing.T) {
	s, errs := resolveString(t, `LogLevel info authz_core:debug
<VirtualHost *:80>
LogLevel core:info ssl:debug
</VirtualHost>
<VirtualHost *:81>
LogLevel core:debug error
</VirtualHost>
<VirtualHost *:82>
LogLevel notice rewrite_module:trace3
LogLevel mod_ssl.c:warn
</VirtualHost>
<VirtualHost *:83>
</VirtualHost>
LogLevel warn core:info
`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "main", s.LogLevel, "warn core:info")
	var got []string
	for _, v := range s.VirtualHosts {
		got = append(got, v.LogLevel)
	}
	equal(t, "virtual hosts", got, []string{"warn core:info ssl:debug", "error", "notice rewrite:trace3 ssl:warn", "warn core:info"})
}
