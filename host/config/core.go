package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/mpm/accesslog"
	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/apregex"
	"github.com/httpd-mpm/httpd-mpm/mpm/authn"
	"github.com/httpd-mpm/httpd-mpm/mpm/autoindex"
	"github.com/httpd-mpm/httpd-mpm/mpm/deflate"
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"github.com/httpd-mpm/httpd-mpm/mpm/expires"
	"github.com/httpd-mpm/httpd-mpm/mpm/headers"
	"github.com/httpd-mpm/httpd-mpm/mpm/negotiation"
	"github.com/httpd-mpm/httpd-mpm/mpm/proxy"
	"github.com/httpd-mpm/httpd-mpm/mpm/remoteip"
	"github.com/httpd-mpm/httpd-mpm/mpm/rewrite"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// Core is the table of the host's own directives: Apache's core directives
// that the host implements, with Apache's argument counts, contexts, help
// texts and value checks. The MPM's directives come from the plugin as
// another Table.
var Core = Table{
	{Name: "ServerRoot", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Help: helpServerRoot},
	{Name: "ServerName", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkServerName, Help: "The hostname and port of the server"},
	{Name: "ServerAlias", MinArgs: 0, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Within: inVirtualHost("ServerAlias only used in <VirtualHost>"),
		Help: "A name or names alternately used to access the server"},
	{Name: "ServerAdmin", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Help: "The email address of the server administrator"},
	{Name: "Listen", MinArgs: 1, MaxArgs: 2, Context: ServerConfig, ArgsError: "Listen requires 1 or 2 arguments.", Check: checkListen,
		Help: "A port number or a numeric IP address and a port number, and an optional protocol"},
	{Name: "ListenBacklog", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Check: checkPositive("ListenBacklog"),
		Help: "Maximum length of the queue of pending connections, as used by listen(2)"},
	{Name: "AcceptFilter", MinArgs: 2, MaxArgs: 2, Context: ServerConfig, Help: "Set the Accept Filter to use for a protocol"},
	{Name: "ListenTCPDeferAccept", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Check: checkPositive("ListenTCPDeferAccept"),
		Help: "Value set for the socket option TCP_DEFER_ACCEPT if it is set"},
	{Name: "ListenAddrFile", MinArgs: 1, MaxArgs: 1, Context: ServerConfig,
		Help: "A file to which the addresses of the listening sockets are written once they are bound"},
	{Name: "DefaultRuntimeDir", MinArgs: 1, MaxArgs: 1, Context: ServerConfig,
		Help: "Common directory for run-time files (shared memory, locks, etc.)"},
	{Name: "PidFile", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Help: "A file for logging the server process ID"},
	{Name: "ErrorLog", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Help: "The filename of the error log"},
	{Name: "LogLevel", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Check: checkLogLevel, Help: "Level of verbosity in error logging"},
	{Name: "CustomLog", MinArgs: 2, MaxArgs: 3, Context: ServerConfig | InVirtualHost, Check: checkCustomLog,
		Help: `a file name, a custom log format string or format name, and an optional "env=" or "expr=" clause (see docs)`},
	{Name: "LogFormat", MinArgs: 1, MaxArgs: 2, Context: ServerConfig | InVirtualHost, Check: checkLogFormat,
		Help: "a log format string (see docs) and an optional format name"},
	{Name: "TransferLog", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Help: "the filename of the access log"},
	{Name: "DocumentRoot", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Help: "Root directory of the document tree"},
	{Name: "DirectoryIndex", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Help: "a list of file names"},
	{Name: "DirectorySlash", MinArgs: 1, MaxArgs: 1, Context: Anywhere, ArgsError: "DirectorySlash must be On or Off",
		Check: checkOnOff("DirectorySlash"), Module: "mod_dir.c", Help: "On or Off"},
	{Name: "FallbackResource", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_dir.c", Help: "Set a default handler"},
	{Name: "AcceptPathInfo", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Check: checkAcceptPathInfo,
		Help: "Set to on or off for PATH_INFO to be accepted by handlers, or default for the per-handler preference"},
	{Name: "TypesConfig", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Help: "the MIME types config file"},
	{Name: "AddType", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Help: "a mime type followed by one or more file extensions"},
	// mod_mime's per-extension metadata, at every level (OR_FILEINFO).
	{Name: "AddCharset", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c",
		Help: "a charset (e.g., iso-2022-jp), followed by one or more file extensions"},
	{Name: "AddEncoding", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c",
		Help: "an encoding (e.g., gzip), followed by one or more file extensions"},
	{Name: "AddLanguage", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c",
		Help: "a language (e.g., fr), followed by one or more file extensions"},
	{Name: "RemoveType", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c", Help: "one or more file extensions"},
	{Name: "RemoveCharset", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c", Help: "one or more file extensions"},
	{Name: "RemoveEncoding", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c", Help: "one or more file extensions"},
	{Name: "RemoveLanguage", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c", Help: "one or more file extensions"},
	{Name: "RemoveHandler", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c", Help: "one or more file extensions"},
	{Name: "DefaultLanguage", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_mime.c",
		Help: "language to use for documents with no other language file extension"},
	{Name: "MultiviewsMatch", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Check: checkMultiviewsMatch, Module: "mod_mime.c",
		Within: notInLocation("MultiviewsMatch"), Help: "NegotiatedOnly (default), Handlers and/or Filters, or Any"},
	// AddHandler: type-map runs (mod_negotiation); other handlers are
	// accepted and warned of at start.
	{Name: "AddHandler", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c", Help: "a handler name followed by one or more file extensions"},
	// mod_negotiation.
	{Name: "CacheNegotiatedDocs", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, ArgsError: "CacheNegotiatedDocs must be On or Off",
		Check: checkOnOff("CacheNegotiatedDocs"), Module: "mod_negotiation.c", Help: "Either 'on' or 'off' (default)"},
	{Name: "LanguagePriority", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_negotiation.c",
		Help: "space-delimited list of MIME language abbreviations"},
	{Name: "ForceLanguagePriority", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Check: checkForceLanguagePriority, Module: "mod_negotiation.c",
		Help: "Force LanguagePriority elections, either None, or Fallback and/or Prefer"},
	{Name: "DefaultType", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Help: "the default media type for otherwise untyped files (DEPRECATED)"},
	{Name: "ForceType", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Help: "a mime type that overrides other configured type"},
	{Name: "ErrorDocument", MinArgs: 2, MaxArgs: 2, Context: Anywhere, Check: checkErrorDocument, Help: "Change responses for HTTP errors"},
	{Name: "Alias", MinArgs: 1, MaxArgs: 2, Context: Anywhere, Help: "a fakename and a realname, or a realname in a Location"},
	{Name: "AliasMatch", MinArgs: 2, MaxArgs: 2, Context: ServerConfig | InVirtualHost, Check: checkRegexArg,
		Help: "a regular expression and a filename"},
	{Name: "ScriptAlias", MinArgs: 1, MaxArgs: 2, Context: Anywhere, Module: "mod_alias.c",
		Help: "a fakename and a realname, or a realname in a Location"},
	{Name: "ScriptAliasMatch", MinArgs: 2, MaxArgs: 2, Context: ServerConfig | InVirtualHost, Check: checkRegexArg, Module: "mod_alias.c",
		Help: "a regular expression and a filename"},
	// mod_cgi's and mod_cgid's, accepted whether or not one is loaded.
	{Name: "ScriptLog", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_cgi.c",
		Help: "the name of a log for script debugging info"},
	{Name: "ScriptLogLength", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_cgi.c",
		Help: "the maximum length (in bytes) of the script debug log"},
	{Name: "ScriptLogBuffer", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_cgi.c",
		Help: "the maximum size (in bytes) to record of a POST request"},
	{Name: "CGIScriptTimeout", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_cgi.c",
		Help: "The amount of time to wait between successful reads from the CGI script, in seconds."},
	{Name: "CGIDScriptTimeout", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_cgid.c",
		Help: "The amount of time to wait between successful reads from the CGI script, in seconds."},
	{Name: "ScriptSock", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Module: "mod_cgid.c",
		Help: "the name of the socket to use for communication with the cgi daemon."},
	{Name: "CGIPassAuth", MinArgs: 1, MaxArgs: 1, Context: InDirectory, ArgsError: "CGIPassAuth must be On or Off", Check: checkOnOff("CGIPassAuth"),
		Help: "Controls whether HTTP authorization headers, normally hidden, will be passed to scripts"},
	{Name: "CGIVar", MinArgs: 2, MaxArgs: 2, Context: Anywhere, Help: "Controls how some CGI variables are set"},
	{Name: "Redirect", MinArgs: 1, MaxArgs: 3, Context: Anywhere, Help: "an optional status, then document to be redirected and destination URL"},
	{Name: "RedirectMatch", MinArgs: 1, MaxArgs: 3, Context: Anywhere, Check: checkRedirectMatch,
		Help: "an optional status, then a regular expression and destination URL"},
	{Name: "RedirectTemp", MinArgs: 1, MaxArgs: 2, Context: Anywhere, Help: "a document to be redirected, then the destination URL"},
	{Name: "RedirectPermanent", MinArgs: 1, MaxArgs: 2, Context: Anywhere, Help: "a document to be redirected, then the destination URL"},
	// KeepAlive is a FLAG in Apache: only the first word counts.
	{Name: "KeepAlive", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, ArgsError: "KeepAlive must be On or Off", Check: checkOnOff("KeepAlive"),
		Help: "Whether persistent connections should be On or Off"},
	{Name: "KeepAliveTimeout", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkKeepAliveTimeout,
		Help: "Keep-Alive timeout duration (sec)"},
	{Name: "MaxKeepAliveRequests", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost,
		Help: "Maximum number of Keep-Alive requests per connection, or 0 for infinite"},
	{Name: "Timeout", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Help: "Timeout duration (sec)"},
	{Name: "User", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Check: checkUser, Help: "Effective user id for this server"},
	{Name: "Group", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Check: checkGroup, Help: "Effective group id for this server"},
	{Name: "ExtendedStatus", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, ArgsError: "ExtendedStatus must be On or Off",
		Check: checkOnOff("ExtendedStatus"), Help: `"On" to track extended status information, "Off" to disable`},
	{Name: "HostnameLookups", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Check: checkHostnameLookups,
		Help: `"on" to enable, "off" to disable reverse DNS lookups, or "double" to enable double-reverse DNS lookups`},
	{Name: "ServerTokens", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Check: checkServerTokens,
		Help: "Determine tokens displayed in the Server: header - Min(imal), Major, Minor, Prod(uctOnly), OS, or Full"},
	{Name: "ServerSignature", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Check: checkServerSignature,
		Help: "En-/disable server signature (on|off|email)"},
	{Name: "TraceEnable", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkTraceEnable,
		Help: "'on' (default), 'off' or 'extended' to trace request body content"},
	{Name: "FileETag", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkFileETag, Help: "Specify components used to construct a file's ETag"},
	{Name: "LimitRequestLine", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkLimit("LimitRequestLine", ""),
		Help: "Limit on maximum size of an HTTP request line"},
	{Name: "LimitRequestFieldsize", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkLimit("LimitRequestFieldsize", ""),
		Help: "Limit on maximum size of an HTTP request header field"},
	{Name: "LimitRequestFields", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkLimit("LimitRequestFields", " (0 = no limit)"),
		Help: "Limit (0 = unlimited) on max number of header fields in a request message"},
	{Name: "RequestReadTimeout", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Check: checkRequestReadTimeout,
		Help: "Set various timeout parameters for TLS handshake and reading request headers and body (only body= is enforced here; headers are bounded by Timeout from their first byte)"},
	{Name: "LimitRequestBody", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Check: checkLimitRequestBody,
		Help: "Limit (in bytes) on maximum size of request message body"},
	{Name: "AddDefaultCharset", MinArgs: 1, MaxArgs: 1, Context: Anywhere,
		Help: "The name of the default charset to add to any Content-Type without one or 'Off' to disable"},
	{Name: "Header", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkHeader(false), Module: "mod_headers.c",
		Help: "an optional condition, an action, header and value followed by optional env clause"},
	{Name: "RequestHeader", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkHeader(true), Module: "mod_headers.c",
		Help: "an action, header and value followed by optional env clause"},
	// ExpiresActive is a FLAG in Apache: only the first word counts.
	{Name: "ExpiresActive", MinArgs: 1, MaxArgs: -1, Context: Anywhere, ArgsError: "ExpiresActive must be On or Off", Check: checkExpires("ExpiresActive"),
		Module: "mod_expires.c", Help: "Limited to 'on' or 'off'"},
	{Name: "ExpiresByType", MinArgs: 2, MaxArgs: 2, Context: Anywhere, Check: checkExpires("ExpiresByType"), Module: "mod_expires.c",
		Help: "a MIME type followed by an expiry date code"},
	{Name: "ExpiresDefault", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Check: checkExpires("ExpiresDefault"), Module: "mod_expires.c",
		Help: "an expiry date code"},
	{Name: "RemoteIPHeader", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_remoteip.c",
		Help: "Specifies a request header to trust as the client IP, e.g. X-Forwarded-For"},
	{Name: "RemoteIPProxiesHeader", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_remoteip.c",
		Help: "Specifies a request header to record proxy IP's, e.g. X-Forwarded-By; if not given then do not record"},
	{Name: "RemoteIPTrustedProxy", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Check: checkRemoteIP("RemoteIPTrustedProxy"),
		Module: "mod_remoteip.c", Help: "Specifies one or more proxies which are trusted to present IP headers"},
	{Name: "RemoteIPInternalProxy", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Check: checkRemoteIP("RemoteIPInternalProxy"),
		Module: "mod_remoteip.c", Help: "Specifies one or more internal (transparent) proxies which are trusted to present IP headers"},
	{Name: "RemoteIPTrustedProxyList", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, CheckFile: checkRemoteIPList("RemoteIPTrustedProxyList"),
		Module: "mod_remoteip.c", Help: "The filename to read the list of trusted proxies, see the RemoteIPTrustedProxy directive"},
	{Name: "RemoteIPInternalProxyList", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, CheckFile: checkRemoteIPList("RemoteIPInternalProxyList"),
		Module: "mod_remoteip.c", Help: "The filename to read the list of internal proxies, see the RemoteIPInternalProxy directive"},
	// The PROXY protocol is not implemented: refused rather than ignored (the
	// peer's PROXY header would be read as a request).
	{Name: "RemoteIPProxyProtocol", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Check: unsupported("RemoteIPProxyProtocol (the PROXY protocol)"),
		Module: "mod_remoteip.c", Help: "Enable PROXY protocol handling ('on', 'off')"},
	{Name: "RemoteIPProxyProtocolExceptions", MinArgs: 0, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Check: unsupported("RemoteIPProxyProtocolExceptions (the PROXY protocol)"),
		Module: "mod_remoteip.c", Help: "Disable PROXY protocol handling for this list of networks in CIDR format"},
	{Name: "AuthType", MinArgs: 1, MaxArgs: 1, Context: InDirectory, Module: "mod_authn_core.c",
		Help: `an HTTP authorization type (e.g., "Basic")`},
	{Name: "AuthName", MinArgs: 1, MaxArgs: 1, Context: InDirectory, Module: "mod_authn_core.c",
		Help: `the authentication realm (e.g. "Members Only")`},
	{Name: "AuthBasicProvider", MinArgs: 1, MaxArgs: -1, Context: InDirectory, Check: checkAuthn("AuthBasicProvider"), Module: "mod_auth_basic.c",
		Help: "specify the auth providers for a directory or location"},
	// AuthBasicAuthoritative is a FLAG in Apache: only the first word counts.
	{Name: "AuthBasicAuthoritative", MinArgs: 1, MaxArgs: -1, Context: InDirectory, ArgsError: "AuthBasicAuthoritative must be On or Off",
		Check: checkAuthn("AuthBasicAuthoritative"), Module: "mod_auth_basic.c",
		Help: "Set to 'Off' to allow access control to be passed along to lower modules if the UserID is not known to this module"},
	{Name: "AuthUserFile", MinArgs: 1, MaxArgs: 1, Context: InDirectory, Module: "mod_authn_file.c",
		Help: "text file containing user IDs and passwords"},
	{Name: "AuthGroupFile", MinArgs: 1, MaxArgs: 1, Context: InDirectory, Module: "mod_authz_groupfile.c",
		Help: "text file containing group names and member user IDs"},
	{Name: "AddIcon", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Check: checkAutoindex("AddIcon"), Module: "mod_autoindex.c",
		Help: "an icon URL followed by one or more filenames"},
	{Name: "AddIconByType", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Check: checkAutoindex("AddIconByType"), Module: "mod_autoindex.c",
		Help: "an icon URL followed by one or more MIME types"},
	{Name: "AddIconByEncoding", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Check: checkAutoindex("AddIconByEncoding"), Module: "mod_autoindex.c",
		Help: "an icon URL followed by one or more content encodings"},
	{Name: "AddAlt", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Module: "mod_autoindex.c",
		Help: "alternate descriptive text followed by one or more filenames"},
	{Name: "AddAltByType", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Module: "mod_autoindex.c",
		Help: "alternate descriptive text followed by one or more MIME types"},
	{Name: "AddAltByEncoding", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Module: "mod_autoindex.c",
		Help: "alternate descriptive text followed by one or more content encodings"},
	{Name: "IndexOptions", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkAutoindex("IndexOptions"), Module: "mod_autoindex.c",
		Help: "one or more index options [+|-][]"},
	{Name: "IndexOrderDefault", MinArgs: 2, MaxArgs: 2, Context: Anywhere, Check: checkAutoindex("IndexOrderDefault"), Module: "mod_autoindex.c",
		Help: "{Ascending,Descending} {Name,Size,Description,Date}"},
	{Name: "IndexIgnore", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_autoindex.c",
		Help: "one or more file extensions"},
	{Name: "IndexIgnoreReset", MinArgs: 1, MaxArgs: -1, Context: Anywhere, ArgsError: "IndexIgnoreReset must be On or Off", Check: checkAutoindex("IndexIgnoreReset"),
		Module: "mod_autoindex.c", Help: "Reset the inherited list of IndexIgnore filenames"},
	{Name: "AddDescription", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Module: "mod_autoindex.c",
		Help: "Descriptive text followed by one or more filenames"},
	{Name: "HeaderName", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_autoindex.c", Help: "a filename"},
	{Name: "ReadmeName", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_autoindex.c", Help: "a filename"},
	{Name: "FancyIndexing", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkAutoindex("FancyIndexing"), Module: "mod_autoindex.c",
		Help: "The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing."},
	{Name: "DefaultIcon", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_autoindex.c", Help: "an icon URL"},
	{Name: "IndexStyleSheet", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_autoindex.c", Help: "URL to style sheet"},
	{Name: "IndexHeadInsert", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_autoindex.c", Help: "String to insert in HTML HEAD section"},
	// RewriteEngine is a FLAG in Apache: only the first word counts.
	{Name: "RewriteEngine", MinArgs: 1, MaxArgs: -1, Context: Anywhere, ArgsError: "RewriteEngine must be On or Off", Check: checkRewrite("RewriteEngine"),
		Module: "mod_rewrite.c", Help: "On or Off to enable or disable (default) the whole rewriting engine"},
	{Name: "RewriteOptions", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Check: checkRewrite("RewriteOptions"), Module: "mod_rewrite.c",
		Help: "List of option strings to set"},
	{Name: "RewriteBase", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Check: checkRewrite("RewriteBase"), Module: "mod_rewrite.c",
		Help: "the base URL of the per-directory context"},
	{Name: "RewriteCond", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkRewrite("RewriteCond"), Module: "mod_rewrite.c",
		Help: "an input string and a to be applied regexp-pattern"},
	{Name: "RewriteRule", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkRewrite("RewriteRule"), Module: "mod_rewrite.c",
		Help: "an URL-applied regexp-pattern and a substitution URL"},
	{Name: "RewriteMap", MinArgs: 2, MaxArgs: 3, Context: ServerConfig | InVirtualHost, CheckFile: rewrite.CheckMap, Module: "mod_rewrite.c",
		Help: "a mapname and a filename and options"},
	{Name: "PassEnv", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_env.c", Help: "a list of environment variables to pass to CGI."},
	{Name: "SetEnv", MinArgs: 1, MaxArgs: 2, Context: Anywhere, Module: "mod_env.c",
		Help: "an environment variable name and optional value to pass to CGI."},
	{Name: "UnsetEnv", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_env.c", Help: "a list of variables to remove from the CGI environment."},
	{Name: "SetEnvIf", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkSetEnvIf("SetEnvIf"), Module: "mod_setenvif.c",
		Help: "A header-name, regex and a list of variables."},
	{Name: "SetEnvIfNoCase", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkSetEnvIf("SetEnvIfNoCase"), Module: "mod_setenvif.c",
		Help: "a header-name, regex and a list of variables."},
	{Name: "SetEnvIfExpr", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Module: "mod_setenvif.c",
		Help: "an expression and a list of variables."},
	{Name: "BrowserMatch", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkSetEnvIf("BrowserMatch"), Module: "mod_setenvif.c",
		Help: "A browser regex and a list of variables."},
	{Name: "BrowserMatchNoCase", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkSetEnvIf("BrowserMatchNoCase"), Module: "mod_setenvif.c",
		Help: "A browser regex and a list of variables."},
	{Name: "SetOutputFilter", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Check: checkDeflateDir("SetOutputFilter"),
		Help: "filter (or ; delimited list of filters) to be run on the request content"},
	{Name: "AddOutputFilter", MinArgs: 2, MaxArgs: -1, Context: Anywhere, Check: checkDeflateDir("AddOutputFilter"), Module: "mod_mime.c",
		Help: "output filter name (or ; delimited names) followed by one or more file extensions"},
	{Name: "RemoveOutputFilter", MinArgs: 1, MaxArgs: -1, Context: Anywhere, Module: "mod_mime.c", Help: "one or more file extensions"},
	{Name: "AddOutputFilterByType", MinArgs: 2, MaxArgs: -1, Context: Anywhere, ArgsError: "AddOutputFilterByType requires at least two arguments",
		Check: checkDeflateDir("AddOutputFilterByType"), Module: "mod_filter.c", Help: "output filter name followed by one or more content-types"},
	{Name: "DeflateWindowSize", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkDeflate("DeflateWindowSize"),
		Module: "mod_deflate.c", Help: "Set the Deflate window size (1-15)"},
	{Name: "DeflateBufferSize", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkDeflate("DeflateBufferSize"),
		Module: "mod_deflate.c", Help: "Set the Deflate Buffer Size"},
	{Name: "DeflateMemLevel", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkDeflate("DeflateMemLevel"),
		Module: "mod_deflate.c", Help: "Set the Deflate Memory Level (1-9)"},
	{Name: "DeflateCompressionLevel", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkDeflate("DeflateCompressionLevel"),
		Module: "mod_deflate.c", Help: "Set the Deflate Compression Level (1-9)"},
	{Name: "DeflateFilterNote", MinArgs: 1, MaxArgs: 2, Context: ServerConfig | InVirtualHost, Check: checkDeflate("DeflateFilterNote"),
		Module: "mod_deflate.c", Help: "Set a note to report on compression ratio"},
	{Name: "DeflateAlterEtag", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkDeflate("DeflateAlterETag"),
		Module: "mod_deflate.c", Help: "Set how mod_deflate should modify ETAG response headers: 'AddSuffix' (default), 'NoChange' (2.2.x behavior), 'Remove'"},
	// mod_ssl (crypto/tls): the host reads the certificate and key files.
	{Name: "SSLEngine", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkSSLEngine, Module: "mod_ssl.c",
		Help: "SSL switch for the protocol engine ('on', 'off')"},
	{Name: "SSLCertificateFile", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_ssl.c",
		Help: "SSL Server Certificate file ('/path/to/file' - PEM or DER encoded)"},
	{Name: "SSLCertificateKeyFile", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_ssl.c",
		Help: "SSL Server Private Key file ('/path/to/file' - PEM or DER encoded)"},
	{Name: "SSLCertificateChainFile", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_ssl.c",
		Help: "SSL Server CA Certificate Chain file ('/path/to/file' - PEM encoded)"},
	{Name: "SSLProtocol", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Check: checkSSLProtocol, Module: "mod_ssl.c",
		Help: "Enable or disable various SSL protocols ('[+-][SSLv3|TLSv1|TLSv1.1|TLSv1.2|TLSv1.3] ...' - see manual)"},
	{Name: "SSLCipherSuite", MinArgs: 1, MaxArgs: 2, Context: Anywhere, Module: "mod_ssl.c",
		Help: "Colon-delimited list of permitted SSL Ciphers, optional preceded by protocol identifier ('XXX:...:XXX' - see manual)"},
	{Name: "SSLHonorCipherOrder", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkOnOff("SSLHonorCipherOrder"),
		Module: "mod_ssl.c", Help: "Use the server's cipher ordering preference"},
	{Name: "SSLSessionCache", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Module: "mod_ssl.c",
		Help: "SSL Session Cache storage ('none', 'nonenotnull', 'dbm:/path/to/file')"},
	{Name: "SSLSessionCacheTimeout", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_ssl.c",
		Help: "SSL Session Cache object lifetime ('N' - number of seconds)"},
	{Name: "SSLSessionTickets", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkOnOff("SSLSessionTickets"),
		Module: "mod_ssl.c", Help: "Enable or disable TLS session tickets(`on', `off')"},
	{Name: "SSLRandomSeed", MinArgs: 2, MaxArgs: 3, Context: ServerConfig, Module: "mod_ssl.c",
		Help: "SSL Pseudo Random Number Generator (PRNG) seeding source ('startup|connect builtin|file:/path|exec:/path [bytes]')"},
	{Name: "SSLPassPhraseDialog", MinArgs: 1, MaxArgs: 1, Context: ServerConfig, Module: "mod_ssl.c",
		Help: "SSL dialog mechanism for the pass phrase query ('builtin', '|/path/to/pipe_program', or '/path/to/cgi_program')"},
	{Name: "SSLVerifyClient", MinArgs: 1, MaxArgs: 1, Check: checkVerifyClient, Within: serverOnlySSL("SSLVerifyClient"),
		Context: ServerConfig | InVirtualHost | InDirectory, Module: "mod_ssl.c",
		Help: "SSL Client verify type ('none', 'optional', 'require', 'optional_no_ca')"},
	{Name: "SSLVerifyDepth", MinArgs: 1, MaxArgs: 1, Check: checkVerifyDepth, Within: serverOnlySSL("SSLVerifyDepth"),
		Context: ServerConfig | InVirtualHost | InDirectory, Module: "mod_ssl.c",
		Help: "SSL Client verify depth ('N' - number of intermediate certificates)"},
	{Name: "SSLCACertificateFile", MinArgs: 1, MaxArgs: 1, Within: serverOnlySSL("SSLCACertificateFile"),
		Context: ServerConfig | InVirtualHost | InDirectory, Module: "mod_ssl.c",
		Help: "SSL CA Certificate file ('/path/to/file' - PEM encoded)"},
	{Name: "SSLCACertificatePath", MinArgs: 1, MaxArgs: 1, Within: serverOnlySSL("SSLCACertificatePath"),
		Context: ServerConfig | InVirtualHost | InDirectory, Module: "mod_ssl.c",
		Help: "SSL CA Certificate path ('/path/to/dir' - contains PEM encoded files)"},
	{Name: "SSLOptions", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkSSLOptions, Module: "mod_ssl.c",
		Help: "Set one or more options to configure the SSL engine('[+-]option[=value] ...' - see manual)"},
	{Name: "SSLRequireSSL", MinArgs: 0, MaxArgs: 0, Context: InDirectory, ArgsError: "SSLRequireSSL takes no arguments", Module: "mod_ssl.c",
		Help: "Require the SSL protocol for the per-directory context (no arguments)"},
	{Name: "UseCanonicalName", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Check: checkUseCanonicalName,
		Help: "How to work out the ServerName : Port when constructing URLs"},
	{Name: "Options", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Check: checkOptions, Help: "Set a number of attributes for a given directory"},
	{Name: "LimitInternalRecursion", MinArgs: 1, MaxArgs: 2, Context: ServerConfig | InVirtualHost, Check: checkRecursionLimit,
		Help: "maximum recursion depth of internal redirects and subrequests"},
	{Name: "AccessFileName", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost,
		Help: "Name(s) of per-directory config files (default: .htaccess)"},
	{Name: "AllowOverride", MinArgs: 0, MaxArgs: -1, Context: InDirectory, Check: checkAllowOverride,
		Help: "Controls what groups of directives can be configured by per-directory config files"},
	{Name: "AllowOverrideList", MinArgs: 1, MaxArgs: -1, Context: InDirectory,
		Help: "Controls what individual directives can be configured by per-directory config files"},
	// "suceeed" is Apache's spelling.
	{Name: "Require", MinArgs: 0, MaxArgs: -1, Context: InDirectory, Check: checkRequire, Module: "mod_authz_core.c",
		Help: "specifies authorization directives which one must pass (or not) for a request to suceeed"},
	{Name: "AuthMerging", MinArgs: 1, MaxArgs: 1, Context: InDirectory, Check: checkAuthMerging, Module: "mod_authz_core.c",
		Help: "controls how a <Directory>, <Location>, or similar directive's authorization directives are combined with those of its predecessor"},
	// mod_access_compat registers order, allow and deny in lower case.
	{Name: "order", MinArgs: 1, MaxArgs: 1, Context: InDirectory, Check: checkOrder, Module: "mod_access_compat.c",
		Help: "'allow,deny', 'deny,allow', or 'mutual-failure'"},
	{Name: "allow", MinArgs: 2, MaxArgs: -1, Context: InDirectory, Check: checkAllowDeny, Module: "mod_access_compat.c",
		Help: "'from' followed by hostnames or IP-address wildcards"},
	{Name: "deny", MinArgs: 2, MaxArgs: -1, Context: InDirectory, Check: checkAllowDeny, Module: "mod_access_compat.c",
		Help: "'from' followed by hostnames or IP-address wildcards"},
	{Name: "Satisfy", MinArgs: 1, MaxArgs: 1, Context: InDirectory, Check: checkSatisfy, Module: "mod_access_compat.c",
		Help: "access policy if both allow and require used ('all' or 'any')"},
	// mod_proxy and mod_proxy_http (package proxy): the reverse proxy.
	{Name: "ProxyPass", MinArgs: 0, MaxArgs: -1, Context: ServerConfig | InDirectory | InVirtualHost, CheckIn: checkProxyPass("ProxyPass"),
		Module: "mod_proxy.c", Help: "a virtual path and a URL"},
	{Name: "ProxyPassMatch", MinArgs: 0, MaxArgs: -1, Context: ServerConfig | InDirectory | InVirtualHost, CheckIn: checkProxyPass("ProxyPassMatch"),
		Module: "mod_proxy.c", Help: "a virtual path and a URL"},
	{Name: "ProxyPassReverse", MinArgs: 1, MaxArgs: 3, Context: ServerConfig | InDirectory | InVirtualHost, Module: "mod_proxy.c",
		Help: "a virtual path and a URL for reverse proxy behaviour"},
	{Name: "ProxyPassReverseCookiePath", MinArgs: 2, MaxArgs: 3, Context: ServerConfig | InDirectory | InVirtualHost, Module: "mod_proxy.c",
		Help: "Path rewrite rule for proxying cookies"},
	{Name: "ProxyPassReverseCookieDomain", MinArgs: 2, MaxArgs: 3, Context: ServerConfig | InDirectory | InVirtualHost, Module: "mod_proxy.c",
		Help: "Domain rewrite rule for proxying cookies"},
	{Name: "ProxyPreserveHost", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InDirectory | InVirtualHost, Check: checkProxy("ProxyPreserveHost"),
		ArgsError: "ProxyPreserveHost must be On or Off", Module: "mod_proxy.c", Help: "on if we should preserve host header while proxying"},
	{Name: "ProxyAddHeaders", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InDirectory | InVirtualHost, Check: checkProxy("ProxyAddHeaders"),
		ArgsError: "ProxyAddHeaders must be On or Off", Module: "mod_proxy.c", Help: "on if X-Forwarded-* headers should be added or completed"},
	{Name: "ProxyRequests", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkProxy("ProxyRequests"),
		ArgsError: "ProxyRequests must be On or Off", Module: "mod_proxy.c", Help: "on if the true proxy requests should be accepted"},
	{Name: "ProxyTimeout", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkProxy("ProxyTimeout"), Module: "mod_proxy.c",
		Help: "Set the timeout (in seconds) for a proxied connection. This overrides the server timeout"},
	// Accepted (Debian's status.conf sets it): there is no proxy section in the status page.
	{Name: "ProxyStatus", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkProxyStatus, Module: "mod_proxy.c",
		Help: "Configure Status: proxy status to one of: on | off | full"},
	// FLAGs in apache2 (only the first word counts): whether a virtual host
	// inherits the main server's balancers (package proxy, Config.Inherit).
	{Name: "BalancerInherit", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, ArgsError: "BalancerInherit must be On or Off",
		Check: checkOnOff("BalancerInherit"), Module: "mod_proxy.c",
		Help: "on if this server should inherit Balancers and Workers defined in the main server (Setting to off recommended if using the Balancer Manager)"},
	{Name: "ProxyPassInherit", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, ArgsError: "ProxyPassInherit must be On or Off",
		Check: checkOnOff("ProxyPassInherit"), Module: "mod_proxy.c",
		Help: "on if this server should inherit all ProxyPass directives defined in the main server (Setting to off recommended if using the Balancer Manager)"},
	// Accepted, not applied: balancer-manager adds no balancer, and the
	// balancers' state starts afresh at each restart.
	{Name: "BalancerPersist", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InVirtualHost, ArgsError: "BalancerPersist must be On or Off",
		Check: checkOnOff("BalancerPersist"), Module: "mod_proxy.c",
		Help: "on if the balancer should persist changes on reboot/restart made via the Balancer Manager"},
	{Name: "BalancerGrowth", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Module: "mod_proxy.c",
		Check: func(args []string) error {
			if n := cnum.Atoi(args[0]); n < 0 || n > 1000 {
				return errors.New("BalancerGrowth must be between 0 and 1000")
			}
			return nil
		},
		Help: "Number of additional Balancers that can be added post-config"},
	// mod_proxy_balancer's members and parameters (checked by package site,
	// which knows the enclosing <Proxy> section).
	{Name: "BalancerMember", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Module: "mod_proxy.c",
		Help: "A balancer name and scheme with list of params"},
	{Name: "ProxySet", MinArgs: 0, MaxArgs: -1, Context: Anywhere, Module: "mod_proxy.c",
		Help: "A balancer or worker name with list of params"},
	{Name: "Proxy", Section: true, MinArgs: 0, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Module: "mod_proxy.c",
		Help: "Container for directives affecting resources located in the proxied location"},
	{Name: "ProxyMatch", Section: true, MinArgs: 0, MaxArgs: -1, Context: ServerConfig | InVirtualHost, Module: "mod_proxy.c",
		Help: "Container for directives affecting resources located in the proxied location"},
	// ProxyErrorOverride's words are checked by package site (a line's
	// codes may follow another line's On).
	{Name: "ProxyErrorOverride", MinArgs: 1, MaxArgs: -1, Context: ServerConfig | InDirectory | InVirtualHost,
		Module: "mod_proxy.c", Help: "use our error handling pages instead of the servers' we are proxying"},
	// mod_proxy_fcgi's, per directory (checked by package proxy).
	{Name: "ProxyFCGIBackendType", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Module: "mod_proxy_fcgi.c",
		Help: "Specify the type of FastCGI server: 'Generic', 'FPM'"},
	{Name: "ProxyFCGISetEnvIf", MinArgs: 2, MaxArgs: 3, Context: Anywhere, Module: "mod_proxy_fcgi.c",
		Help: "expr-condition env-name expr-value"},
	// mod_proxy_wstunnel's: Off serves ws:// URLs with its older tunnel
	// (package site and proxy), On (the default) with mod_proxy_http's.
	{Name: "ProxyWebsocketFallbackToProxyHttp", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InDirectory | InVirtualHost,
		Check: checkOnOff("ProxyWebsocketFallbackToProxyHttp"), Module: "mod_proxy_wstunnel.c",
		Help: "whether to let mod_proxy_http handle the upgrade and tunneling, On by default"},
	{Name: "ProxyVia", MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost, Check: checkProxy("ProxyVia"), Module: "mod_proxy.c",
		Help: "Configure Via: proxy header header to one of: on | off | block | full"},
	{Name: "SetHandler", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Help: "a handler name that overrides any other configured handler"},
	{Name: "LoadModule", MinArgs: 2, MaxArgs: 2, Context: ServerConfig, Help: helpLoadModule},
	{Name: "LoadModuleChecksum", MinArgs: 2, MaxArgs: 2, Context: ServerConfig, Check: checkModuleChecksum, Help: helpLoadModuleChecksum},
	{Name: "Mutex", MinArgs: 1, MaxArgs: -1, Context: ServerConfig, ArgsError: "Mutex requires at least a mechanism argument " + mutexMechanisms,
		Check: checkMutex, Help: `mutex (or "default") and mechanism`},
	{Name: "GracefulShutdownTimeout", MinArgs: 1, MaxArgs: 1, Context: ServerConfig,
		Help: "Maximum time in seconds to wait for child processes to complete transactions during shutdown"},
	{Name: "MaxConnectionsPerChild", MinArgs: 1, MaxArgs: 1, Context: ServerConfig,
		Help: "Maximum number of connections a particular child serves before dying."},
	{Name: "MaxRequestsPerChild", MinArgs: 1, MaxArgs: 1, Context: ServerConfig,
		Help: "Maximum number of connections a particular child serves before dying. (DEPRECATED, use MaxConnectionsPerChild)"},

	// Directives run while reading. Load never leaves them in a Config; they
	// are here for `httpd -L` and for other front ends.
	{Name: "Include", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Help: helpInclude},
	{Name: "IncludeOptional", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Help: helpIncludeOptional},
	{Name: "Define", MinArgs: 1, MaxArgs: 2, Context: Anywhere, Help: helpDefine},
	{Name: "UnDefine", MinArgs: 1, MaxArgs: 1, Context: Anywhere, Help: helpUnDefine},

	// Sections.
	{Name: "Directory", Section: true, MinArgs: 1, MaxArgs: 2, Context: ServerConfig | InVirtualHost, Check: checkPathSection("Directory"),
		Help: "Container for directives affecting resources located in the specified directories"},
	{Name: "DirectoryMatch", Section: true, MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost,
		Help: "Container for directives affecting resources located in the specified directories"},
	{Name: "Location", Section: true, MinArgs: 1, MaxArgs: 2, Context: ServerConfig | InVirtualHost, Check: checkPathSection("Location"),
		Help: "Container for directives affecting resources accessed through the specified URL paths"},
	{Name: "LocationMatch", Section: true, MinArgs: 1, MaxArgs: 1, Context: ServerConfig | InVirtualHost,
		Help: "Container for directives affecting resources accessed through the specified URL paths"},
	{Name: "Files", Section: true, MinArgs: 1, MaxArgs: 2, Context: Anywhere, Check: checkPathSection("Files"), Within: filesWithin("Files"),
		Help: "Container for directives affecting files matching specified patterns"},
	{Name: "FilesMatch", Section: true, MinArgs: 1, MaxArgs: 1, Context: Anywhere, Within: filesWithin("FilesMatch"),
		Help: "Container for directives affecting files matching specified patterns"},
	{Name: "VirtualHost", Section: true, MinArgs: 1, MaxArgs: -1, Context: ServerConfig,
		Help: "Container to map directives to a particular virtual host, takes one or more host addresses"},
	{Name: "If", Section: true, MinArgs: 1, MaxArgs: 1, Context: Anywhere, ArgsError: "Multiple <If> arguments not supported.", Within: notInLimit("If"),
		Help: "Container for directives to be conditionally applied"},
	{Name: "ElseIf", Section: true, MinArgs: 1, MaxArgs: 1, Context: Anywhere, ArgsError: "Multiple <ElseIf> arguments not supported.", Within: notInLimit("ElseIf"),
		Help: "Container for directives to be conditionally applied"},
	{Name: "Else", Section: true, MinArgs: 0, MaxArgs: 0, Context: Anywhere, ArgsError: "<Else> does not take an argument", Within: notInLimit("Else"),
		Help: "Container for directives to be conditionally applied"},
	{Name: "Limit", Section: true, MinArgs: 1, MaxArgs: -1, Context: InDirectory,
		Help: "Container for authentication directives when accessed using specified HTTP methods"},
	{Name: "LimitExcept", Section: true, MinArgs: 1, MaxArgs: -1, Context: InDirectory,
		Help: "Container for authentication directives to be applied when any HTTP method other than those specified is used to access the resource"},
	{Name: "RequireAll", Section: true, MinArgs: 0, MaxArgs: 0, Context: InDirectory, ArgsError: "<RequireAll> directive doesn't take additional arguments",
		Module: "mod_authz_core.c", Help: "container for grouping authorization directives of which none must fail and at least one must pass for a request to succeed"},
	{Name: "RequireAny", Section: true, MinArgs: 0, MaxArgs: 0, Context: InDirectory, ArgsError: "<RequireAny> directive doesn't take additional arguments",
		Module: "mod_authz_core.c", Help: "container for grouping authorization directives of which one must pass for a request to succeed"},
	{Name: "RequireNone", Section: true, MinArgs: 0, MaxArgs: 0, Context: InDirectory, ArgsError: "<RequireNone> directive doesn't take additional arguments",
		Module: "mod_authz_core.c", Help: "container for grouping authorization directives of which none must pass for a request to succeed"},
	{Name: "IfModule", Section: true, MinArgs: 1, MaxArgs: -1, Context: Anywhere, Help: "Container for directives based on existence of specified modules"},
	{Name: "IfDefine", Section: true, MinArgs: 1, MaxArgs: -1, Context: Anywhere, Help: "Container for directives based on existence of command line defines"},
	{Name: "IfFile", Section: true, MinArgs: 1, MaxArgs: -1, Context: Anywhere, Help: "Container for directives based on existence of files on disk"},
}

// inVirtualHost refuses a directive outside <VirtualHost> with msg, as
// Apache's handler for ServerAlias does.
func inVirtualHost(msg string) func(enclosing []string) error {
	return func(enclosing []string) error {
		for _, n := range enclosing {
			if strings.EqualFold(n, "VirtualHost") {
				return nil
			}
		}
		return errors.New(msg)
	}
}

// checkServerName follows Apache's server_hostname_port: no wildcards, and a
// port, if any, after the first ':' that follows an optional "scheme://".
func checkServerName(args []string) error {
	arg := args[0]
	if isFnmatchPattern(arg) {
		return fmt.Errorf("Invalid ServerName \"%s\" use ServerAlias to set multiple server names.", arg)
	}
	host := arg
	if _, after, ok := strings.Cut(arg, "://"); ok {
		host = after
	}
	if _, port, ok := strings.Cut(host, ":"); ok {
		if n := atoi(port); n <= 0 || n > 65535 {
			return fmt.Errorf("The port number \"%s\" is outside the appropriate range (i.e., 1..65535).", arg)
		}
	}
	return nil
}

// isFnmatchPattern reports whether s holds a wildcard the way apr_fnmatch_test
// sees one: '*', '?', or '[' with a ']' after it.
func isFnmatchPattern(s string) bool {
	if strings.ContainsAny(s, "*?") {
		return true
	}
	i := strings.IndexByte(s, '[')
	return i >= 0 && strings.IndexByte(s[i:], ']') >= 0
}

func checkCustomLog(args []string) error {
	if len(args) == 3 {
		var l accesslog.Log
		if err := l.Condition(args[2]); err != nil {
			return err
		}
	}
	_, err := accesslog.Parse(args[1])
	return err
}

// checkHeader is mod_headers' header_cmd for Header or RequestHeader.
func checkHeader(request bool) func(args []string) error {
	return func(args []string) error {
		var c headers.Config
		return c.Add(request, args)
	}
}

// checkSetEnvIf is mod_setenvif's add_setenvif_core for one of its directives.
func checkSetEnvIf(name string) func(args []string) error {
	return func(args []string) error {
		var c env.Conditions
		return c.Add(name, args)
	}
}

// checkDeflate is mod_deflate's check of one of its server settings.
func checkDeflate(name string) func(args []string) error {
	return func(args []string) error {
		var s deflate.Server
		return s.Set(name, args)
	}
}

// checkDeflateDir is the check of a directive that puts an output filter on
// answers (mod_filter's, core's, mod_mime's).
func checkDeflateDir(name string) func(args []string) error {
	return func(args []string) error {
		var d deflate.Dir
		return d.Set(name, args)
	}
}

// checkProxy is mod_proxy's check of one of its directives at the top level
// (ProxyPass inside <Location> has one argument less: package site checks it).
func checkProxy(name string) func(args []string) error {
	return func(args []string) error {
		var c proxy.Config
		return c.Set(name, args)
	}
}

// checkProxyPass is mod_proxy's check of ProxyPass or ProxyPassMatch: in a
// <Location> or <LocationMatch> the section's path is the first word's
// (the words are the URL and its parameters). Its worker's parameters
// are not checked here: whether the line defines its worker or shares
// that of a line before it (its parameters ignored, apache2's AH01146)
// depends on the lines before it, which the MPM's content check resolves
// in the files' order, reporting a defining line's bad ones at its line.
func checkProxyPass(name string) func(enclosing, args []string) error {
	return func(enclosing, args []string) error {
		var c proxy.Config
		var err error
		switch {
		case slices.ContainsFunc(enclosing, func(e string) bool { return oneOf(e, "Location", "LocationMatch") }):
			if len(args) < 1 {
				return nil
			}
			err = c.SetLocation(name, args, "/", false)
		case len(args) < 2:
			return nil
		default:
			err = c.Set(name, args)
		}
		return err
	}
}

// checkProxyStatus is mod_proxy's check of ProxyStatus.
func checkProxyStatus(args []string) error {
	switch strings.ToLower(args[0]) {
	case "on", "off", "full":
		return nil
	}
	return errors.New("ProxyStatus must be one of: off | on | full")
}

// checkExpires is mod_expires' check of one of its directives.
func checkExpires(name string) func(args []string) error {
	return func(args []string) error {
		var c expires.Config
		return c.Set(name, args)
	}
}

// checkRemoteIP is mod_remoteip's check of RemoteIPTrustedProxy or
// RemoteIPInternalProxy.
func checkRemoteIP(name string) func(args []string) error {
	return func(args []string) error {
		var c remoteip.Config
		return c.Set(name, args)
	}
}

// checkRemoteIPList is mod_remoteip's reading of a RemoteIP*ProxyList file,
// relative to the ServerRoot.
func checkRemoteIPList(name string) func(root string, args []string) error {
	return func(root string, args []string) error {
		var c remoteip.Config
		return c.Set(name, []string{RootRelative(root, args[0])})
	}
}

// checkAuthn is mod_auth_basic's check of one of its directives.
func checkAuthn(name string) func(args []string) error {
	return func(args []string) error {
		var c authn.Config
		return c.Set(name, args)
	}
}

// checkMultiviewsMatch is mod_mime's check of MultiviewsMatch's words.
func checkMultiviewsMatch(args []string) error {
	_, err := static.ParseMatch(0, args)
	return err
}

// checkForceLanguagePriority is mod_negotiation's check of its words.
func checkForceLanguagePriority(args []string) error {
	var c negotiation.Config
	return c.Set("ForceLanguagePriority", args)
}

// notInLocation refuses a directive inside <Location> or <LocationMatch>, as
// apache2's NOT_IN_LOCATION check.
func notInLocation(name string) func([]string) error {
	return func(enclosing []string) error {
		for _, e := range enclosing {
			if oneOf(e, "Location", "LocationMatch") {
				return errors.New(name + " cannot occur within <Location> section")
			}
		}
		return nil
	}
}

// checkAutoindex is mod_autoindex's check of one of its directives.
func checkAutoindex(name string) func(args []string) error {
	return func(args []string) error {
		var c autoindex.Config
		return c.Set(name, args)
	}
}

// checkRewrite is mod_rewrite's check of one of its directives (RewriteBase
// outside a section is refused when the site is compiled, as it needs the
// context).
func checkRewrite(name string) func(args []string) error {
	return func(args []string) error {
		var d rewrite.Dir
		return d.Set(name, args, false)
	}
}

// checkErrorDocument accepts a numeric status and a string expression, as
// Apache's set_error_document (which ignores a URL for a 401 unread).
func checkErrorDocument(args []string) error {
	code, err := strconv.Atoi(args[0])
	if err != nil {
		return errors.New("Unsupported HTTP response code " + args[0])
	}
	if strings.EqualFold(args[1], "default") {
		return nil
	}
	if _, remote, err := apexpr.ParseErrorDocument(args[1]); err != nil && !(remote && code == 401) {
		return err
	}
	return nil
}

// checkRegexArg compiles the first argument (AliasMatch).
func checkRegexArg(args []string) error {
	if _, err := apregex.Compile(args[0], false); err != nil {
		return errors.New("Regular expression could not be compiled.")
	}
	return nil
}

// checkRedirectMatch compiles the regular expression, which follows an optional
// status when there are three arguments.
func checkRedirectMatch(args []string) error {
	if len(args) == 3 {
		return checkRegexArg(args[1:])
	}
	return checkRegexArg(args)
}

// checkLogFormat parses the format as mod_log_config does when it reads the line.
func checkLogFormat(args []string) error {
	_, err := accesslog.Parse(args[0])
	return err
}

func checkListen(args []string) error {
	_, _, err := parseListen(args[0])
	return err
}

// checkPositive is the check of a directive name whose one argument must be a
// number above 0.
func checkPositive(name string) func([]string) error {
	return func(args []string) error {
		if atoi(args[0]) <= 0 {
			return errors.New(name + " must be > 0")
		}
		return nil
	}
}

// checkSSLEngine is mod_ssl's ssl_cmd_SSLEngine; Optional (RFC 2817's
// upgrade) and addresses are not implemented here.
func checkSSLEngine(args []string) error {
	if !oneOf(args[0], "on", "off") {
		if oneOf(args[0], "optional") {
			return errors.New("SSLEngine Optional is not supported by httpd-mpm")
		}
		return errors.New("Argument must be On, Off, or Optional")
	}
	return nil
}

// checkSSLOptions is mod_ssl's ssl_cmd_SSLOptions.
func checkSSLOptions(args []string) error {
	var s sslvars.Setting
	return s.Parse(args)
}

// checkSSLProtocol is mod_ssl's ssl_cmd_protocol_parse.
func checkSSLProtocol(args []string) error {
	_, _, err := SSLProtocolVersions(args)
	return err
}

func checkOnOff(name string) func([]string) error {
	return func(args []string) error {
		if !oneOf(args[0], "on", "off") {
			return errors.New(name + " must be On or Off")
		}
		return nil
	}
}

func checkAcceptPathInfo(args []string) error {
	if !oneOf(args[0], "on", "off", "default") {
		return errors.New("AcceptPathInfo must be set to on, off or default")
	}
	return nil
}

func checkKeepAliveTimeout(args []string) error {
	if _, ok := parseTimeout(args[0]); !ok {
		return errors.New("KeepAliveTimeout has wrong format")
	}
	return nil
}

const logLevelMessage = loglevel.Message

// checkLogLevel accepts "level" and "module:level" words in apache2's words.
// Whether the module is loaded is the parser's to check (checkLogModules):
// it depends on the LoadModule lines before.
func checkLogLevel(args []string) error {
	l := loglevel.Server()
	return l.Apply(args)
}

func checkHostnameLookups(args []string) error {
	if !oneOf(args[0], "on", "off", "double") {
		return errors.New("parameter must be 'on', 'off', or 'double'")
	}
	return nil
}

func checkServerTokens(args []string) error {
	if !oneOf(args[0], "min", "minimal", "major", "minor", "prod", "productonly", "os", "full") {
		return errors.New("ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'")
	}
	return nil
}

func checkServerSignature(args []string) error {
	if !oneOf(args[0], "on", "off", "email") {
		return errors.New("ServerSignature: use one of: off | on | email")
	}
	return nil
}

// checkRecursionLimit is set_recursion_limit's check of its numbers (read
// as atoi reads them).
func checkRecursionLimit(args []string) error {
	for _, a := range args {
		if atoi(a) <= 0 {
			return errors.New("The recursion limit must be greater than zero.")
		}
	}
	return nil
}

func checkUseCanonicalName(args []string) error {
	if !oneOf(args[0], "on", "off", "dns") {
		return errors.New("parameter must be 'on', 'off', or 'dns'")
	}
	return nil
}

func checkTraceEnable(args []string) error {
	if !oneOf(args[0], "on", "off", "extended") {
		return errors.New("TraceEnable must be one of 'on', 'off', or 'extended'")
	}
	return nil
}

// checkFileETag follows Apache's set_etag_bits: known keywords only, and
// None and All never with '+' or '-'.
func checkFileETag(args []string) error {
	for _, a := range args {
		word, signed := a, false
		if a != "" && (a[0] == '+' || a[0] == '-') {
			word, signed = a[1:], true
		}
		switch {
		case oneOf(word, "none", "all"):
			if signed {
				return fmt.Errorf("FileETag keyword '%s' cannot be used with '+' or '-'", word)
			}
		case !oneOf(word, "size", "mtime", "lmtime", "lastmodified", "inode", "digest"):
			return fmt.Errorf("Unknown keyword '%s' for FileETag directive", word)
		}
	}
	return nil
}

// checkLimit is Apache's check for LimitRequestLine, LimitRequestFieldsize
// and LimitRequestFields: atoi of the argument must not be negative.
func checkLimit(name, note string) func([]string) error {
	return func(args []string) error {
		if atoi(args[0]) < 0 {
			return fmt.Errorf("%s \"%s\" must be a non-negative integer%s", name, args[0], note)
		}
		return nil
	}
}

// checkLimitRequestBody follows apr_strtoff: decimal digits only, in range.
func checkLimitRequestBody(args []string) error {
	_, err := parseLimitRequestBody(args[0])
	return err
}

// parseLimitRequestBody reads LimitRequestBody's argument as Apache does
// (apr_strtoff in base 10: optional blanks and sign, digits, nothing after).
func parseLimitRequestBody(s string) (int64, error) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if t != "" && t[0] == '+' {
		t = t[1:]
	}
	if !cnum.Digits(t) {
		return 0, errors.New("LimitRequestBody requires a non-negative integer.")
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, errors.New("LimitRequestBody argument is not parsable.")
	}
	return n, nil
}

// options are the values of Options besides None and All.
var options = []string{"indexes", "includes", "includesnoexec", "followsymlinks", "symlinksifownermatch", "execcgi", "multiviews", "runscripts"}

func checkOptions(args []string) error {
	for i, a := range args {
		name, signed := a, false
		if a != "" && (a[0] == '+' || a[0] == '-') {
			name, signed = a[1:], true
		}
		if i > 0 {
			prev := args[i-1]
			if prevSigned := prev != "" && (prev[0] == '+' || prev[0] == '-'); prevSigned != signed {
				return errors.New("Either all Options must start with + or -, or no Option may.")
			}
		}
		switch {
		case oneOf(name, "none", "all"):
			if signed {
				n := "None"
				if strings.EqualFold(name, "all") {
					n = "All"
				}
				return fmt.Errorf("You may not use 'Options +%s' or 'Options -%s'.", n, n)
			}
		case !oneOf(name, options...):
			return errors.New("Illegal option " + name)
		}
	}
	return nil
}

func checkAllowOverride(args []string) error {
	for _, a := range args {
		name, value, hasValue := strings.Cut(a, "=")
		if !oneOf(name, "none", "all", "authconfig", "fileinfo", "indexes", "limit", "options", "nonfatal") {
			return errors.New("Illegal override option " + a)
		}
		if hasValue && strings.EqualFold(name, "options") {
			for _, o := range strings.Split(value, ",") {
				if !oneOf(o, options...) && !strings.EqualFold(o, "all") && !strings.EqualFold(o, "none") {
					return errors.New("Illegal option " + o)
				}
			}
		}
	}
	return nil
}

func checkRequire(args []string) error {
	if len(args) == 0 {
		return errors.New("Unknown Authz provider: ")
	}
	return nil
}

func checkAuthMerging(args []string) error {
	if !oneOf(args[0], "off", "and", "or") {
		return errors.New("AuthMerging must be one of: Off | And | Or")
	}
	return nil
}

func checkOrder(args []string) error {
	if !oneOf(args[0], "allow,deny", "deny,allow", "mutual-failure") {
		return errors.New("unknown order")
	}
	return nil
}

func checkAllowDeny(args []string) error {
	if !strings.EqualFold(args[0], "from") {
		return errors.New("allow and deny must be followed by 'from'")
	}
	return nil
}

func checkSatisfy(args []string) error {
	if !oneOf(args[0], "all", "any") {
		return errors.New("Satisfy either 'any' or 'all'.")
	}
	return nil
}

const mutexMechanisms = "(Mutex mechanisms are: 'none', 'default', 'flock:/path/to/file', 'fcntl:/path/to/file', 'file:/path/to/file', 'pthread', 'sysvsem', 'posixsem', 'sem')"

// checkMutex checks the mechanism of a Mutex line. The mutex type names that
// may follow are registered by modules, so they are not checked.
func checkMutex(args []string) error {
	mech := args[0]
	if oneOf(mech, "none", "no") {
		if len(args) == 1 || oneOf("default", args[1:]...) {
			return errors.New("None is not allowed for mutex type default")
		}
		return nil
	}
	kind, _, hasDir := strings.Cut(mech, ":")
	switch {
	case oneOf(kind, "default", "flock", "fcntl", "file"):
	case oneOf(kind, "pthread", "sysvsem", "posixsem", "sem"):
		if hasDir {
			return errors.New("Invalid Mutex directory in argument " + mech)
		}
	default:
		return errors.New("Invalid Mutex argument " + mech + " " + mutexMechanisms)
	}
	return nil
}

// checkPathSection allows a second argument only after "~", as in
// <Directory ~ "regex">.
func checkPathSection(name string) func([]string) error {
	return func(args []string) error {
		if len(args) == 2 && args[0] != "~" {
			return errors.New("Multiple <" + name + "> arguments not (yet) supported.")
		}
		return nil
	}
}

func notInLimit(name string) func([]string) error {
	return func(enclosing []string) error {
		for _, e := range enclosing {
			// mod_authz_core's sections count as <Limit> for this check, as in Apache.
			if oneOf(e, "Limit", "LimitExcept", "RequireAll", "RequireAny", "RequireNone") {
				return errors.New("<" + name + "> cannot occur within <Limit> or <LimitExcept> section")
			}
		}
		return nil
	}
}

func filesWithin(name string) func([]string) error {
	limit := notInLimit(name)
	return func(enclosing []string) error {
		if err := limit(enclosing); err != nil {
			return err
		}
		for _, e := range enclosing {
			if oneOf(e, "Location", "LocationMatch") {
				return errors.New("<" + name + "> cannot occur within <" + e + "> section")
			}
		}
		return nil
	}
}

// oneOf reports whether s equals one of list, ignoring case.
func oneOf(s string, list ...string) bool {
	for _, l := range list {
		if strings.EqualFold(s, l) {
			return true
		}
	}
	return false
}

// checkRequestReadTimeout accepts mod_reqtimeout's "handshake=", "header="
// and "body=" arguments: a timeout or a range "N-M", then optionally
// ",MinRate=R".
func checkRequestReadTimeout(args []string) error {
	for _, a := range args {
		kind, spec, ok := strings.Cut(a, "=")
		switch strings.ToLower(kind) {
		case "handshake", "header", "body":
		default:
			return fmt.Errorf("RequestReadTimeout: unknown parameter '%s'", a)
		}
		if _, _, ok2 := parseReadTimeoutSpec(spec); !ok || !ok2 {
			return fmt.Errorf("RequestReadTimeout: invalid value '%s'", a)
		}
	}
	return nil
}

// parseReadTimeoutBody reads a "body=N[-M][,MinRate=R]" argument: the
// initial timeout and the minimum rate (0: none).
func parseReadTimeoutBody(arg string) (time.Duration, int, bool) {
	kind, spec, ok := strings.Cut(arg, "=")
	if !ok || !strings.EqualFold(kind, "body") {
		return 0, 0, false
	}
	secs, rate, ok := parseReadTimeoutSpec(spec)
	return time.Duration(secs) * time.Second, rate, ok
}

func parseReadTimeoutSpec(spec string) (secs, rate int, ok bool) {
	t, minRate, hasRate := strings.Cut(spec, ",")
	first, _, _ := strings.Cut(t, "-")
	secs, err := strconv.Atoi(first)
	if err != nil || secs < 0 {
		return 0, 0, false
	}
	if hasRate {
		k, v, ok := strings.Cut(minRate, "=")
		if !ok || !strings.EqualFold(k, "MinRate") {
			return 0, 0, false
		}
		if rate, err = strconv.Atoi(v); err != nil || rate < 0 {
			return 0, 0, false
		}
	}
	return secs, rate, true
}

// unsupported refuses a directive this server accepts in name only: what
// (the directive and its feature) is not supported.
func unsupported(what string) func(args []string) error {
	return func([]string) error {
		return errors.New(what + " is not supported by this server")
	}
}
