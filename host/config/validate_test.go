package config

import (
	"errors"
	"strings"
	"testing"
)

// validateString parses src and validates it against Core, failing on read
// errors.
func validateString(t *testing.T, src string, tables ...Table) []string {
	t.Helper()
	cfg, errs := parseString(t, src, Options{})
	if len(errs) > 0 {
		t.Fatalf("read errors: %v", errs)
	}
	if len(tables) == 0 {
		tables = []Table{Core}
	}
	return messages(Validate(cfg, tables...))
}

// Every expected message here was produced by `apache2 -t` (2.4.71) on the
// same directive, with mod_mime, mod_dir and mod_authz_core loaded.
func TestValidateMessages(t *testing.T) {
	const invalid = "', perhaps misspelled or defined by a module not included in the server configuration"
	tests := []struct {
		name, src, want string
	}{
		{"unknown", "FooBar x", "Invalid command 'FooBar" + invalid},
		{"unknown keeps spelling", "fooBAR", "Invalid command 'fooBAR" + invalid},
		{"unknown section", "<Foo x>\n</Foo>", "Invalid command '<Foo" + invalid},
		{"plain name of a section", "Directory /x", "Invalid command 'Directory" + invalid},
		// Names compare as apache2's strcasecmp: ASCII letters only.
		{"long s is not s", "ſerverName a", "Invalid command 'ſerverName" + invalid},
		{"Kelvin sign is not k", "\u212aeepAlive On", "Invalid command '\u212aeepAlive" + invalid},

		// Argument counts, in each of Apache's wordings.
		{"TAKE1", "ServerName a b", "ServerName takes one argument, The hostname and port of the server"},
		{"TAKE1 none", "DocumentRoot", "DocumentRoot takes one argument, Root directory of the document tree"},
		{"TAKE1 empty", `KeepAliveTimeout ""`, "KeepAliveTimeout takes one argument, Keep-Alive timeout duration (sec)"},
		{"TAKE1 hash is an argument", "ServerName a # comment", "ServerName takes one argument, The hostname and port of the server"},
		{"TAKE12", "LogFormat", "LogFormat takes 1-2 arguments, a log format string (see docs) and an optional format name"},
		{"TAKE23", "CustomLog a", `CustomLog takes two or three arguments, a file name, a custom log format string or format name, and an optional "env=" or "expr=" clause (see docs)`},
		{"ITERATE", "LogLevel", "LogLevel requires at least one argument, Level of verbosity in error logging"},
		{"ITERATE2", "AddType text/x", "AddType requires at least two arguments, a mime type followed by one or more file extensions"},
		{"Listen none", "Listen", "Listen requires 1 or 2 arguments."},
		{"Listen three", "Listen a b c", "Listen requires 1 or 2 arguments."},
		{"FLAG none", "KeepAlive", "KeepAlive must be On or Off"},
		{"BalancerPersist", "BalancerPersist maybe", "BalancerPersist must be On or Off"},
		{"BalancerPersist On", "BalancerPersist On", ""},
		{"BalancerGrowth", "BalancerGrowth 1001", "BalancerGrowth must be between 0 and 1000"},
		{"BalancerGrowth atoi", "BalancerGrowth 3x", ""},
		{"BalancerGrowth TAKE1", "BalancerGrowth", "BalancerGrowth takes one argument, Number of additional Balancers that can be added post-config"},
		{"Mutex none", "Mutex", "Mutex requires at least a mechanism argument " + mutexMechanisms},
		{"RAW_ARGS takes none", "DirectoryIndex", ""},

		// Contexts.
		{"directory only at top", "AllowOverride None", "AllowOverride not allowed here"},
		{"directory only at top, Require", "Require all granted", "Require not allowed here"},
		{"directory only in vhost", "<VirtualHost *:80>\nRequire all granted\n</VirtualHost>", "Require not allowed in <VirtualHost> context"},
		{"server only in vhost", "<VirtualHost *:80>\nListen 80\n</VirtualHost>", "Listen cannot occur within <VirtualHost> section"},
		{"server only in vhost, PidFile", "<VirtualHost *:80>\nPidFile x\n</VirtualHost>", "PidFile cannot occur within <VirtualHost> section"},
		{"server only in vhost, count first", "<VirtualHost *:80>\nPidFile\n</VirtualHost>", "PidFile takes one argument, A file for logging the server process ID"},
		{"server in directory", "<Directory /x>\nDocumentRoot /x\n</Directory>", "DocumentRoot not allowed in <Directory> context"},
		{"server in location", "<Location /x>\nListen 80\n</Location>", "Listen not allowed in <Location> context"},
		{"server in files", "<Files x>\nTimeout 5\n</Files>", "Timeout not allowed in <Files> context"},
		{"server in if", "<If \"true\">\nKeepAlive on\n</If>", "KeepAlive not allowed in <If> context"},
		{"innermost section named", "<Directory /x>\n<Files y>\nListen 80\n</Files>\n</Directory>", "Listen not allowed in <Files> context"},
		{"limit named", "<Directory /x>\n<Limit GET>\nDocumentRoot /x\n</Limit>\n</Directory>", "DocumentRoot not allowed in <Limit> context"},
		{"canonical names", "<directory /x>\nlisten 80\n</directory>", "Listen not allowed in <Directory> context"},
		{"directory in vhost", "<VirtualHost *:80>\n<Directory /x>\nListen 80\n</Directory>\n</VirtualHost>", "Listen not allowed in <Directory> context"},
		{"LoadModule in a section", "<Directory /x>\nLoadModule a_module a.so\n</Directory>", "LoadModule not allowed in <Directory> context"},
		{"allowed in vhost", "<VirtualHost *:80>\nServerName a\nDocumentRoot /x\nKeepAlive off\nErrorLog x\n</VirtualHost>", ""},
		{"allowed anywhere", "<Directory /x>\nOptions None\nAllowOverride None\nRequire all granted\nSetHandler none\nDirectoryIndex a\nAddType text/x .x\nLogLevel info\n</Directory>", ""},

		// Sections.
		{"Directory in Directory", "<Directory /a>\n<Directory /b>\n</Directory>\n</Directory>", "<Directory not allowed in <Directory> context"},
		{"Location in If", "<If \"true\">\n<Location /b>\n</Location>\n</If>", "<Location not allowed in <If> context"},
		{"VirtualHost in VirtualHost", "<VirtualHost *:80>\n<virtualhost *:81>\n</virtualhost>\n</VirtualHost>", "<VirtualHost> cannot occur within <VirtualHost> section"},
		{"VirtualHost in Directory", "<Directory /a>\n<VirtualHost *:80>\n</VirtualHost>\n</Directory>", "<VirtualHost not allowed in <Directory> context"},
		{"Limit at top", "<Limit GET>\n</Limit>", "<Limit not allowed here"},
		{"LimitExcept in vhost", "<VirtualHost *:80>\n<LimitExcept GET>\n</LimitExcept>\n</VirtualHost>", "<LimitExcept not allowed in <VirtualHost> context"},
		{"Files in Location", "<Location /a>\n<Files x>\n</Files>\n</Location>", "<Files> cannot occur within <Location> section"},
		{"Files in LocationMatch", "<LocationMatch /a>\n<Files x>\n</Files>\n</LocationMatch>", "<Files> cannot occur within <LocationMatch> section"},
		{"FilesMatch in Limit", "<Directory /a>\n<Limit GET>\n<FilesMatch x>\n</FilesMatch>\n</Limit>\n</Directory>", "<FilesMatch> cannot occur within <Limit> or <LimitExcept> section"},
		{"If in Limit", "<Directory /a>\n<Limit GET>\n<If \"true\">\n</If>\n</Limit>\n</Directory>", "<If> cannot occur within <Limit> or <LimitExcept> section"},
		{"Files in Directory", "<Directory /a>\n<Files x>\n</Files>\n</Directory>", ""},
		{"If in If", "<If \"true\">\n<If \"false\">\n</If>\n</If>", ""},
		{"section without >", "<Directory /x\n</Directory>", "<Directory> directive missing closing '>'"},
		{"VirtualHost without >", "<VirtualHost *:80\n</VirtualHost>", "<VirtualHost> directive missing closing '>'"},
		{"section without argument", "<Directory>\n</Directory>", "<Directory> directive requires additional arguments"},
		{"VirtualHost without argument", "<VirtualHost>\n</VirtualHost>", "<VirtualHost> directive requires additional arguments"},
		{"Directory with two", "<Directory /x /y>\n</Directory>", "Multiple <Directory> arguments not (yet) supported."},
		{"Directory regex", "<Directory ~ \"^/x\">\n</Directory>", ""},
		{"Directory regex with three", "<Directory ~ a b>\n</Directory>", "Multiple <Directory> arguments not (yet) supported."},
		{"DirectoryMatch with two", "<DirectoryMatch a b>\n</DirectoryMatch>", "Multiple <DirectoryMatch> arguments not (yet) supported."},
		{"If with two", "<If true true>\n</If>", "Multiple <If> arguments not supported."},
		{"Else with one", "<Else foo>\n</Else>", "<Else> does not take an argument"},
		{"VirtualHost with several", "<VirtualHost *:80 *:81>\n</VirtualHost>", ""},

		// mod_deflate, mod_filter and the output filter directives (apache2 -t's words).
		{"DeflateCompressionLevel range", "DeflateCompressionLevel 12", "Compression Level must be between 1 and 9"},
		{"DeflateMemLevel range", "DeflateMemLevel 10", "DeflateMemLevel must be between 1 and 9"},
		{"DeflateWindowSize range", "DeflateWindowSize 0", "DeflateWindowSize must be between 1 and 15"},
		{"DeflateBufferSize zero", "DeflateBufferSize x", "DeflateBufferSize should be positive"},
		{"DeflateAlterETag word", "DeflateAlterETag x", "DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'"},
		{"DeflateBufferSize in Directory", "<Directory /x>\nDeflateBufferSize 10\n</Directory>", "DeflateBufferSize not allowed in <Directory> context"},
		{"DeflateFilterNote type", "DeflateFilterNote Foo x", "Unknown note type Foo"},
		{"DeflateFilterNote three", "DeflateFilterNote a b c", "DeflateFilterNote takes 1-2 arguments, Set a note to report on compression ratio"},
		{"DeflateFilterNote none", "DeflateFilterNote", "DeflateFilterNote takes 1-2 arguments, Set a note to report on compression ratio"},
		{"DeflateFilterNote in Directory", "<Directory /x>\nDeflateFilterNote r\n</Directory>", "DeflateFilterNote not allowed in <Directory> context"},
		{"DeflateFilterNote kinds", "DeflateFilterNote ratio\nDeflateFilterNote Input i\nDeflateFilterNote OUTPUT o\nDeflateFilterNote Ratio r", ""},
		{"AddOutputFilterByType unknown", "AddOutputFilterByType DEFLATE;INCLUDES text/html", "Unknown filter provider INCLUDES"},
		{"AddOutputFilterByType one", "AddOutputFilterByType DEFLATE", "AddOutputFilterByType requires at least two arguments"},
		{"AddOutputFilter one", "AddOutputFilter DEFLATE", "AddOutputFilter requires at least two arguments, output filter name (or ; delimited names) followed by one or more file extensions"},
		{"output filters anywhere", "<Directory /x>\nAddOutputFilterByType DEFLATE text/html\nSetOutputFilter DEFLATE\nAddOutputFilter DEFLATE .txt\nRemoveOutputFilter .txt\n</Directory>\n" +
			"DeflateCompressionLevel 9\nDeflateMemLevel 9\nDeflateWindowSize 15\nDeflateBufferSize 4096\nDeflateAlterEtag NoChange", ""},

		// Values.
		{"Listen without port", "Listen 1.2.3.4", "Port must be specified"},
		{"Listen empty port", "Listen 1.2.3.4:", "Port must be specified"},
		{"Listen text", "Listen abc", "Port must be specified"},
		{"Listen empty host", "Listen :80", "Invalid address or port"},
		{"Listen big port", "Listen 65536", "Invalid address or port"},
		{"Listen bracket", "Listen [::1", "Invalid address or port"},
		{"Listen v6 empty port", "Listen [::1]:", "Invalid address or port"},
		{"Listen v6 no port", "Listen [::1]", "Port must be specified"},
		// Apache refuses port 0; we allow it, for tests that bind 127.0.0.1:0.
		{"Listen port 0", "Listen 127.0.0.1:0", ""},
		{"Listen forms", "Listen 80\nListen *:81\nListen [::1]:82\nListen 127.0.0.1:00083 https\nListen [fe80::1%lo]:84", ""},
		{"ListenBacklog zero", "ListenBacklog 0", "ListenBacklog must be > 0"},
		{"LimitInternalRecursion zero", "LimitInternalRecursion 0", "The recursion limit must be greater than zero."},
		{"LimitInternalRecursion second", "LimitInternalRecursion 5 x", "The recursion limit must be greater than zero."},
		{"LimitInternalRecursion three", "LimitInternalRecursion 5 5 5", "LimitInternalRecursion takes 1-2 arguments, maximum recursion depth of internal redirects and subrequests"},
		{"ListenBacklog text", "ListenBacklog abc", "ListenBacklog must be > 0"},
		{"ListenBacklog atoi", "ListenBacklog 5x", ""},
		{"AcceptFilter one", "AcceptFilter http", "AcceptFilter takes two arguments, Set the Accept Filter to use for a protocol"},
		{"AcceptFilter three", "AcceptFilter http data x", "AcceptFilter takes two arguments, Set the Accept Filter to use for a protocol"},
		{"AcceptFilter in vhost", "<VirtualHost *:80>\nAcceptFilter http none\n</VirtualHost>", "AcceptFilter cannot occur within <VirtualHost> section"},
		// Apache takes any protocol and filter name.
		{"AcceptFilter names", "AcceptFilter http none\nAcceptFilter HTTPS connectready\nAcceptFilter foo bar", ""},
		{"ListenTCPDeferAccept zero", "ListenTCPDeferAccept 0", "ListenTCPDeferAccept must be > 0"},
		{"ListenTCPDeferAccept text", "ListenTCPDeferAccept abc", "ListenTCPDeferAccept must be > 0"},
		{"ListenTCPDeferAccept two", "ListenTCPDeferAccept 3 4", "ListenTCPDeferAccept takes one argument, Value set for the socket option TCP_DEFER_ACCEPT if it is set"},
		{"ListenTCPDeferAccept in vhost", "<VirtualHost *:80>\nListenTCPDeferAccept 5\n</VirtualHost>", "ListenTCPDeferAccept cannot occur within <VirtualHost> section"},
		{"KeepAlive value", "KeepAlive foo", "KeepAlive must be On or Off"},
		{"KeepAlive extra words", "KeepAlive on extra", ""},
		{"KeepAliveTimeout text", "KeepAliveTimeout abc", "KeepAliveTimeout has wrong format"},
		{"KeepAliveTimeout negative", "KeepAliveTimeout -1", "KeepAliveTimeout has wrong format"},
		{"KeepAliveTimeout unit m", "KeepAliveTimeout 2m", "KeepAliveTimeout has wrong format"},
		{"KeepAliveTimeout units", "KeepAliveTimeout 300ms\nKeepAliveTimeout 2mi\nKeepAliveTimeout 1h\nKeepAliveTimeout 5s\nKeepAliveTimeout +3", ""},
		{"Timeout is atoi", "Timeout abc\nTimeout 300ms", ""},
		{"LogLevel keyword", "LogLevel foo", logLevelMessage},
		{"LogLevel module keyword", "LogLevel warn core:foo", "core:foo: " + logLevelMessage},
		{"LogLevel module without level", "LogLevel core:", "Module specifier 'core' must be followed by a log level keyword"},
		{"LogLevel good", "LoadModule mpm_event_module m/mod_mpm_event.so\nLogLevel INFO core:trace8 mpm_event:debug mod_rewrite.c:info authz_core_module:debug http_core.c:info event.c:debug", ""},
		{"LogLevel bad level before unknown module", "LogLevel foo:bad bar:info", "foo:bad: " + logLevelMessage},
		{"ServerTokens", "ServerTokens foo", "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'"},
		{"HostnameLookups", "HostnameLookups foo", "parameter must be 'on', 'off', or 'double'"},
		{"ServerSignature", "ServerSignature foo", "ServerSignature: use one of: off | on | email"},
		{"ServerName port", "ServerName a:0", `The port number "a:0" is outside the appropriate range (i.e., 1..65535).`},
		{"ServerName wildcard", "ServerName [::1]:80", `Invalid ServerName "[::1]:80" use ServerAlias to set multiple server names.`},
		{"ServerName scheme", "ServerName https://a:443", ""},
		{"CustomLog condition", "CustomLog a b c", "error in condition clause"},
		{"CustomLog env", "CustomLog a b env=!x", ""},
		{"SetEnv none", "SetEnv", "SetEnv takes 1-2 arguments, an environment variable name and optional value to pass to CGI."},
		{"UnsetEnv none", "UnsetEnv", "UnsetEnv requires at least one argument, a list of variables to remove from the CGI environment."},
		{"SetEnvIf regex", "SetEnvIfNoCase Host ( a", "SetEnvIfNoCase regex could not be compiled."},
		{"BrowserMatch no variable", "BrowserMatch x", "Missing envariable expression for BrowserMatch"},
		{"SetEnvIf good", "SetEnvIf Request_URI ^/a(.*) a=$1 !b\nBrowserMatchNoCase phone mobile\nSetEnv x\nPassEnv PATH", ""},
		{"Mutex mechanism", "Mutex foo", "Invalid Mutex argument foo " + mutexMechanisms},
		{"Mutex directory", "Mutex pthread:x", "Invalid Mutex directory in argument pthread:x"},
		{"Mutex none", "Mutex none", "None is not allowed for mutex type default"},
		{"Mutex good", "Mutex flock:/tmp\nMutex DEFAULT\nMutex sysvsem mpm-accept", ""},
		{"Options", "Options Bogus", "Illegal option Bogus"},
		{"Options mixed", "Options +Indexes FollowSymLinks", "Either all Options must start with + or -, or no Option may."},
		{"Options mixed other way", "Options Indexes -FollowSymLinks", "Either all Options must start with + or -, or no Option may."},
		{"Options +None", "Options +None", "You may not use 'Options +None' or 'Options -None'."},
		{"Options -All", "Options -All", "You may not use 'Options +All' or 'Options -All'."},
		{"Options good", "Options None Indexes\nOptions +ExecCGI -MultiViews\nOptions followsymlinks", ""},
		{"AllowOverride", "<Directory />\nAllowOverride Bogus\n</Directory>", "Illegal override option Bogus"},
		{"AllowOverride Options=", "<Directory />\nAllowOverride Options=Bogus\n</Directory>", "Illegal option Bogus"},
		{"AllowOverride good", "<Directory />\nAllowOverride AuthConfig Options=Indexes,ExecCGI Nonfatal=All\n</Directory>", ""},
		{"Require without provider", "<Directory />\nRequire\n</Directory>", "Unknown Authz provider: "},
		// The messages below were captured from apache2 2.4.71 -t -C.
		{"TraceEnable", "TraceEnable maybe", "TraceEnable must be one of 'on', 'off', or 'extended'"},
		{"TraceEnable good", "TraceEnable extended\nTraceEnable OFF", ""},
		{"FileETag keyword", "FileETag bogus", "Unknown keyword 'bogus' for FileETag directive"},
		{"FileETag +None", "FileETag +None", "FileETag keyword 'None' cannot be used with '+' or '-'"},
		{"FileETag -All", "FileETag -All", "FileETag keyword 'All' cannot be used with '+' or '-'"},
		{"FileETag good", "FileETag None MTime\nFileETag +MTime Size\nFileETag Digest\nFileETag INode LMTime LastModified", ""},
		{"LimitRequestLine negative", "LimitRequestLine -1", `LimitRequestLine "-1" must be a non-negative integer`},
		{"LimitRequestFieldSize negative", "LimitRequestFieldSize -1", `LimitRequestFieldsize "-1" must be a non-negative integer`},
		{"LimitRequestFields negative", "LimitRequestFields -2", `LimitRequestFields "-2" must be a non-negative integer (0 = no limit)`},
		{"Limit atoi", "LimitRequestLine abc\nLimitRequestFields abc\nLimitRequestFieldSize 100000", ""},
		{"LimitRequestBody negative", "LimitRequestBody -1", "LimitRequestBody requires a non-negative integer."},
		{"LimitRequestBody text", "LimitRequestBody 12abc", "LimitRequestBody requires a non-negative integer."},
		{"LimitRequestBody range", "LimitRequestBody 99999999999999999999", "LimitRequestBody argument is not parsable."},
		{"LimitRequestBody good", "LimitRequestBody 9223372036854775807\nLimitRequestBody 0", ""},
		{"LogFormat directive", `LogFormat "%h %Z" x`, "Unrecognized LogFormat directive %Z"},
		{"LogFormat ran off", `LogFormat "%{foo" x`, "Ran off end of LogFormat parsing args to some directive"},
		{"LogFormat lone percent", `LogFormat "%" y`, "Ran off end of LogFormat parsing args to some directive"},
		{"LogFormat default", `LogFormat "%h %j"`, "Unrecognized LogFormat directive %j"},
		{"CustomLog format", `CustomLog logs/a "%h %Z"`, "Unrecognized LogFormat directive %Z"},
		{"LogFormat good", `LogFormat "%h %>s %<s %400,501{User-agent}i %!200,304U %{%d/%b}t %{ms}T %{Referer}i %%" x` +
			"\nCustomLog logs/a nick\nTransferLog logs/b", ""},
		{"LimitRequestFieldsize args", "LimitRequestFieldSize 0 1", "LimitRequestFieldsize takes one argument, Limit on maximum size of an HTTP request header field"},
		// In a <Location>, ProxyPass's words are the URL and its parameters.
		{"ProxyPass in Location with parameters", "<Location /a>\nProxyPass http://b/ disablereuse=On timeout=3\n</Location>\n" +
			"<LocationMatch ^/c>\nProxyPassMatch http://b/ enablereuse=on\n</LocationMatch>", ""},
		// Its worker's parameters are the MPM's content check's (the line
		// shares the worker of a line before it, its parameters ignored, or
		// defines it: host/e2e TestProxyWorkerConfig).
		{"ProxyPass in Location bad parameter", "<Location /a>\nProxyPass http://b/ disablereuse=maybe\n</Location>", ""},
		{"ProxyPass in Location with a path", "<Location /a>\nProxyPass /a http://b/\n</Location>", "ProxyPass|ProxyPassMatch can not have a path when defined in a location."},
		{"ProxyPass parameter at top", "ProxyPass /a http://b/ disablereuse=maybe", ""},
		{"ProxyPass sharing a worker", "ProxyPass /a http://b/\nProxyPass /c http://b/c timeout=x bogus=1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validateString(t, tt.src)
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			equal(t, "messages", got, want)
		})
	}
}

func TestValidateAllProblemsWithPositions(t *testing.T) {
	src := "Bogus1\n<Directory /x>\nListen 80\n<Nope>\nBogus2 inside unknown section\n</Nope>\n</Directory>\nServerName \\\n a b\n"
	cfg, errs := parseString(t, src, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := Validate(cfg, Core)
	var where []string
	for _, d := range got {
		where = append(where, Position{d.File, d.Line}.String())
		if d.Reading {
			t.Errorf("%v: validation problems take the AH00526 form", d)
		}
	}
	equal(t, "messages", messages(got), []string{
		"Invalid command 'Bogus1', perhaps misspelled or defined by a module not included in the server configuration",
		"Listen not allowed in <Directory> context",
		"Invalid command '<Nope', perhaps misspelled or defined by a module not included in the server configuration",
		"ServerName takes one argument, The hostname and port of the server",
	})
	// A continued line is reported at its last line, as Apache does.
	equal(t, "positions", where, []string{"/srv/httpd.conf:1", "/srv/httpd.conf:3", "/srv/httpd.conf:4", "/srv/httpd.conf:9"})
	equal(t, "rendered", got[1].Error(), "AH00526: Syntax error on line 3 of /srv/httpd.conf:\nListen not allowed in <Directory> context")
}

func TestValidateAcceptFilterPosition(t *testing.T) {
	cfg, errs := parseString(t, "Listen 80\nAcceptFilter http\n", Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := Validate(cfg, Core)
	if len(got) != 1 {
		t.Fatalf("got %v, want one problem", got)
	}
	equal(t, "rendered", got[0].Error(), "AH00526: Syntax error on line 2 of /srv/httpd.conf:\nAcceptFilter takes two arguments, Set the Accept Filter to use for a protocol")
}

func TestValidateTables(t *testing.T) {
	mpm := Table{
		{Name: "StartServers", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Help: "Number of child processes launched at server startup",
			Check: func(args []string) error {
				if atoi(args[0]) < 0 {
					return errors.New("StartServers must be positive")
				}
				return nil
			}},
		{Name: "ServerName", MinArgs: 0, MaxArgs: -1, Help: "shadowed"},
	}
	got := validateString(t, "startservers 2\nStartServers\nStartServers -1\nThreadsPerChild 5\nServerName a b", Core, mpm)
	equal(t, "messages", got, []string{
		"StartServers takes one argument, Number of child processes launched at server startup",
		"StartServers must be positive",
		"Invalid command 'ThreadsPerChild', perhaps misspelled or defined by a module not included in the server configuration",
		// The first table that knows a directive wins.
		"ServerName takes one argument, The hostname and port of the server",
	})
	// A spec with no Context is allowed anywhere.
	got = validateString(t, "<Directory />\nServerName a b\n</Directory>", mpm, Core)
	equal(t, "zero context", got, []string(nil))
}

func TestCountMessages(t *testing.T) {
	tests := []struct {
		min, max int
		want     string
	}{
		{0, 0, "X takes no arguments"},
		{2, 2, "X takes two arguments, h"},
		{3, 3, "X takes three arguments, h"},
		{1, 3, "X takes one, two or three arguments, h"},
		{3, -1, "X requires at least 3 arguments, h"},
		{4, 4, "X takes 4 arguments, h"},
		{0, 2, "X takes 0 to 2 arguments, h"},
	}
	for _, tt := range tests {
		equal(t, "message", countMessage(&Spec{Name: "X", MinArgs: tt.min, MaxArgs: tt.max, Help: "h"}), tt.want)
	}
}

func TestCoreTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Core {
		key := strings.ToLower(s.Name)
		if s.Section {
			key = "<" + key
		}
		if seen[key] {
			t.Errorf("%s listed twice", s.Name)
		}
		seen[key] = true
		if s.Help == "" {
			t.Errorf("%s has no help", s.Name)
		}
		if s.MaxArgs >= 0 && s.MaxArgs < s.MinArgs {
			t.Errorf("%s: MaxArgs < MinArgs", s.Name)
		}
	}
	for _, name := range []string{"ServerRoot", "ServerName", "ServerAdmin", "Listen", "ListenBacklog", "AcceptFilter", "ListenTCPDeferAccept", "ListenAddrFile", "PidFile", "ErrorLog",
		"LogLevel", "CustomLog", "LogFormat", "DocumentRoot", "DirectoryIndex", "TypesConfig", "AddType", "DefaultType", "KeepAlive",
		"KeepAliveTimeout", "MaxKeepAliveRequests", "Timeout", "User", "Group", "HostnameLookups", "ServerTokens", "ServerSignature",
		"AddDefaultCharset", "Options", "AllowOverride", "Require", "SetHandler", "LoadModule", "Mutex", "GracefulShutdownTimeout",
		"MaxConnectionsPerChild", "MaxRequestsPerChild", "TraceEnable", "FileETag", "LimitRequestLine", "LimitRequestFieldSize",
		"LimitRequestFields", "LimitRequestBody"} {
		if Core.Lookup(name, false) == nil {
			t.Errorf("Core lacks %s", name)
		}
	}
	for _, name := range []string{"Directory", "Location", "Files", "DirectoryMatch", "LocationMatch", "FilesMatch", "VirtualHost", "If", "Limit", "LimitExcept"} {
		if Core.Lookup(name, true) == nil {
			t.Errorf("Core lacks <%s", name)
		}
	}
	if Core.Lookup("listen", false) == nil || Core.Lookup("Listen", true) != nil {
		t.Error("Lookup must ignore case and respect the kind")
	}
}

// TestValidateUTF8: an argument that is not UTF-8 (a Latin-1 name, say) is
// an error with its position; the MPM could not be handed it.
func TestValidateUTF8(t *testing.T) {
	got := validateString(t, "ServerName ok\nServerName caf\xe9\nDocumentRoot /srv/\xff/x\n")
	want := []string{
		`ServerName argument "caf\xe9" is not UTF-8 text, which this server requires of its configuration`,
		`DocumentRoot argument "/srv/\xff/x" is not UTF-8 text, which this server requires of its configuration`,
	}
	equal(t, "messages", got, want)
}
