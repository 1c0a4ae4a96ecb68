// Package mpm is the public SDK for writing a Multi-Processing Module (MPM)
// for httpd-mpm: a plugin executable that the httpd host starts when the
// config says `LoadModule mpm_NAME_module modules/mod_mpm_NAME.so`.
//
// # Lifecycle (the contract between host and plugin)
//
//  1. Handshake. The host executes the plugin file with go-plugin's
//     handshake in its environment; [Serve] answers it. Run by a person, the
//     binary explains what it is and exits 1. A plugin never writes to
//     stdout: that is the handshake channel. It logs with the hclog.Logger
//     it is given, which writes JSON lines to stderr; the host turns them
//     into ErrorLog lines.
//  2. Describe. [MPM.Describe] names the module ("mpm_event_module"), the
//     MPM ("event") and lists its directives. It is called before anything
//     else, may be called by `httpd -t`, `-V` or `-L` without a Run, and
//     must have no side effects.
//  3. Configure. [MPM.Configure] receives the host's core settings and every
//     directive the config gave the MPM, each with file and line. It
//     returns diagnostics; any [SeverityError] refuses the configuration.
//     Configure is called exactly once, before Run.
//  4. Run. [MPM.Run] receives the listening sockets the host bound (or got
//     from systemd). The files are the MPM's from then on: it may pass them
//     to child processes and must close them when it stops. Run returns
//     once the MPM accepts connections (readiness); the host reports
//     readiness only after that. The MPM must never close or shut down the
//     sockets in a way that affects other processes (no shutdown(2)): the
//     host keeps its own copies open so that a restart refuses nothing.
//  5. Status. While running, the host polls [MPM.Status] about once a
//     second (scoreboard counts for server-status and sd_notify).
//  6. Stop. [MPM.Stop] with graceful=true stops accepting, lets in-flight
//     requests finish, answers the next request on a keep-alive connection
//     with `Connection: close`, and returns when every child has exited or
//     ctx ends (then it must stop at once). graceful=false stops at once.
//     After Stop returns the host ends the process.
//
// If the host dies, the plugin dies too: the host passes a lifeline pipe as
// fd 3 and sets a parent-death signal; [Serve] handles both. Children
// started with [StartChild] are tied to the plugin the same way.
//
// # Concurrency
//
// The host calls Describe, Configure, Run and Stop one at a time, in that
// order. Status may be called concurrently with Stop.
package mpm
