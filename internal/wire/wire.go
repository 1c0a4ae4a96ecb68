// Package wire holds the names and numbers the host, the MPM SDK and an
// MPM's child processes must agree on: the API version, the plugin's name
// and the environment variables that tell a process what it is. It
// imports nothing, so that a child program (see mpm.WithChildProgram) links
// neither go-plugin nor gRPC; the handshake and the plugin set are in
// package rpcwire.
package wire

// APIVersion is the MPM API version this build speaks. A plugin lists the
// versions it speaks in Describe; the host refuses one without an overlap.
const APIVersion = "v1"

// Features are the parts of the configuration, added to API v1 after its
// start, that this SDK honours: its Describe lists them, and the host
// refuses a configuration that needs one the plugin does not list (a plugin
// built with an older SDK would ignore it and serve wrongly).
var Features = []string{FeatureVirtualHosts, FeatureOneProcess}

// The features (see Features).
const (
	FeatureVirtualHosts = "virtual-hosts" // Core.VirtualHosts: requests answered per <VirtualHost>
	FeatureOneProcess   = "one-process"   // Core.OneProcess: httpd -X serves with one process
)

// PluginName is the single plugin a module binary serves.
const PluginName = "mpm"

// CookieKey and CookieValue are go-plugin's magic cookie: a plugin binary
// run without it in its environment was not started by a host.
const (
	CookieKey   = "HTTPD_MPM_PLUGIN"
	CookieValue = "5b2b7f0e-httpd-mpm-module"
)

// ChildEnv is set in the environment of an MPM's own child processes (the
// plugin binary re-executed, or its child program), so that they run the
// child side instead of the plugin side.
const ChildEnv = "HTTPD_MPM_CHILD"

// EarlyChildEnv, set by the host in a plugin's environment when the plugin
// is to serve (not for a config check), lets an MPM whose children may
// start ahead of need (mpm.EarlyChildServer) start its first child before
// it is configured, so that the child's process start overlaps the
// handshake. Its value is the JSON of the mpm.Credential the children run
// as ({"Uid":33,"Gid":33,"Groups":[33]}), null to keep the plugin's user.
const EarlyChildEnv = "HTTPD_MPM_EARLY_CHILD"

// CredentialEnv, set by an MPM parent in the environment of a child it
// executes as itself (root) for a child that is to run as another user,
// holds that credential in EarlyChildEnv's JSON form: the child's first
// package initialisation (package mpm/internal/spawn) drops to it, all
// threads, before anything reads what the parent passed. A child executed
// as root and changing its own credential is not dumpable (the kernel's
// rule for a process whose effective ids change), as apache2's children,
// which fork as root and setuid; one executed as its user would be, from
// its execve until it made itself non-dumpable.
const CredentialEnv = "HTTPD_MPM_CHILD_CREDENTIAL"

// PinnedEnv, set by the host in a plugin's environment (to "1") when it
// checked the plugin file against LoadModuleChecksum, tells the plugin to
// run its children from that same file, not from a child program the
// checksum does not cover.
const PinnedEnv = "HTTPD_MPM_PINNED"

// OnePEnv is set (to "1") beside GOMAXPROCS=1 in the environment of a
// child the plugin starts when its own environment has no GOMAXPROCS: the
// child's runtime then starts on one P (a child started on every CPU's P
// keeps their threads and span caches: 0.4 MB more private memory per
// idle prefork child), and mpm.RunChild drops both variables before
// anything reads the environment, so the child sees the server's.
const OnePEnv = "HTTPD_MPM_ONE_P"

// PreconfigEnv, set by the host in a plugin's environment when the plugin
// is to serve, names the descriptor (a decimal number) of a pipe on which
// the host writes a proto Preconfig, or nothing, and then closes it: the
// configuration and listeners it would send with Configure and Run, which
// the plugin may take at once (see the message's comment). The plugin
// reads it to the end before it answers the handshake, and closes it.
const PreconfigEnv = "HTTPD_MPM_PRECONFIG"

// Roles are the variables above that tell a process what it is and
// whom it serves: a host drops them from the environment it inherited
// before it starts a plugin (go-plugin passes that environment on after
// the host's own settings, and the last of a name counts), and a plugin
// from what its children inherit.
var Roles = [...]string{ChildEnv, EarlyChildEnv, CredentialEnv, PinnedEnv, OnePEnv, PreconfigEnv}

// ChildProgram is the file name of the built-in MPM mpm's child program
// (see mpm.WithChildProgram): beside its plugin in modules/, and beside
// httpd when the MPM is linked in. The Makefile builds it under that name.
func ChildProgram(mpm string) string { return "mod_mpm_" + mpm + ".child" }

// ChildProgramOf is the file name of the child program of the plugin file
// named plugin by ChildProgram's convention: mod_mpm_X.child for
// mod_mpm_X.so, "" for a name of another form.
func ChildProgramOf(plugin string) string {
	const prefix, suffix = "mod_mpm_", ".so"
	if len(plugin) <= len(prefix)+len(suffix) || plugin[:len(prefix)] != prefix || plugin[len(plugin)-len(suffix):] != suffix {
		return ""
	}
	return ChildProgram(plugin[len(prefix) : len(plugin)-len(suffix)])
}

// BuildTags are the build tags of the host and the plugins, the
// Makefile's GOTAGS, for the programs that tests and tools build:
// grpcnotrace leaves gRPC's optional request tracing (golang.org/x/net/trace,
// off by default, with the HTTP handlers it registers at init) out.
const BuildTags = "grpcnotrace"

// NoticeField marks an MPM's log line (an hclog field set to true) as an
// Apache notice, which the host writes whatever the LogLevel, as Apache
// writes APLOG_NOTICE; a plain hclog info line is Apache's info level.
const NoticeField = "apache_notice"

// Fields of an MPM's log line about one request (see static.Handler.LogError),
// which the host writes as apache2's ap_log_rerror does:
//
//	[time] [authz_core:error] [pid 1234] (13)Permission denied: [client 127.0.0.1:54321] AH...: message, referer: http://example.com/
//
// The line's hclog level is the Apache level (Error, Warn, or Info for info)
// and its message the Apache message. Values are written as they come: the
// MPM escapes the message and the referer as apache2 escapes error log items
// (control characters, bytes above 0x7e and the backslash as \n, \xhh, \\).
// A line of a virtual host's request carries VhostField, by which the host
// writes it to that virtual host's own ErrorLog when it has one. An MPM that
// got the error logs' descriptors (mpm.ErrorLog) writes these lines itself,
// in the process that served the request (internal/errline); the fields are
// its fallback without them, and what an MPM built on an older SDK sends.
const (
	// ModuleField is the Apache module the line is from ("authz_core",
	// "autoindex", "core"); it replaces the logger's name.
	ModuleField = "apache_module"
	// ClientField is the client's address as apache2 prints it:
	// "127.0.0.1:54321", "::1:54321".
	ClientField = "apache_client"
	// RefererField is the request's Referer, when it has one.
	RefererField = "apache_referer"
	// ErrnoField is the number of the system error apache2 prints before the
	// client, as "(13)Permission denied: ".
	ErrnoField = "apache_errno"
	// VhostField is the virtual host that served the request: its index in
	// mpm.Core.VirtualHosts plus one (the <VirtualHost> sections in config
	// order). A line of the main server's request has none.
	VhostField = "apache_vhost"
)

// LogLevelNames are Apache's LogLevel names from emerg (0) to debug (7); trace1
// to trace8 follow as 8 to 15.
var LogLevelNames = [...]string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"}

// LogLevelName is the Apache name of level n (ParseLogLevel's numbers):
// "emerg" for 0, "trace1" for 8.
func LogLevelName(n int) string {
	if n < len(LogLevelNames) {
		return LogLevelNames[max(n, 0)]
	}
	t := n - len(LogLevelNames) + 1
	if t < 10 {
		return "trace" + string(rune('0'+t))
	}
	return "trace" + string(rune('0'+t/10%10)) + string(rune('0'+t%10))
}

// ParseLogLevel is the number of an Apache LogLevel name (lowercase: emerg 0,
// debug 7, trace1-8 8 to 15), false for a name Apache does not know. The host's
// error log and an MPM's request-error lines read LogLevel with it.
func ParseLogLevel(s string) (int, bool) {
	for i, n := range LogLevelNames {
		if s == n {
			return i, true
		}
	}
	if len(s) == 6 && s[:5] == "trace" && s[5] >= '1' && s[5] <= '8' {
		return len(LogLevelNames) + int(s[5]-'1'), true
	}
	return 0, false
}
