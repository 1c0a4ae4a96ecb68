// Package mpm is the public SDK for writing a Multi-Processing Module (MPM)
// for httpd-mpm: a plugin executable that the httpd host starts when the
// config says `LoadModule mpm_NAME_module modules/mod_mpm_NAME.so`. An MPM
// decides how connections are accepted and scheduled (processes, threads,
// goroutines, epoll); package http1 (import path
// github.com/httpd-mpm/httpd-mpm/mpm/http1, as every package named here is
// under mpm/) turns each connection's bytes into requests and responses,
// and NewHTTPServer configures it from the host's settings.
//
// A complete MPM is a type that implements [MPM] (and [ChildServer] if it
// runs child processes) and a main function that calls [Serve]:
//
//	func main() { mpm.Serve(&MyMPM{}) }
//
//	var _ mpm.MPM = (*MyMPM)(nil) // compile-time check
//
// Package mpmtest is the conformance suite every MPM should pass from its
// own `go test`. Two third-party MPMs in the repository, each a module of
// its own built only on this SDK, show the two ways: examples/mpm-minimal
// serves in the plugin process, a goroutine per connection (the shortest
// complete MPM, which cannot serve as User: see Privileges);
// examples/mpm-percore runs child processes as User with a scoreboard
// (server-status).
//
// # Stability
//
// This is SDK v1, speaking MPM API [APIVersion] "v1". Within v1 the
// exported API only grows: fields and optional interfaces may be added,
// nothing is removed or changes meaning. Public signatures name only
// types of the standard library, of the SDK's own packages (mpm/...) and
// go-hclog's Logger and Level ([Config.Log], [Child.Log],
// [LevelFromApache]); no protobuf, gRPC or go-plugin type appears in them
// (a test of this package checks). A breaking
// change of the protocol is a new API version ("v2", proto/mpm/v2) that a
// host and a plugin must both speak.
//
// # Lifecycle (the contract between host and plugin)
//
// The host drives the plugin through these steps, one at a time and in
// this order. Each step names what the plugin must do.
//
//  1. Handshake. The host executes the plugin file with the go-plugin
//     handshake cookie in its environment; [Serve] answers it. The channel
//     is gRPC over a Unix socket that the plugin makes in the directory
//     the host names in PLUGIN_UNIX_SOCKET_DIR: one made for this plugin,
//     which only the host's user can enter.
//     Run by a person (no cookie), [Serve] explains what the binary is on
//     stderr and exits 1. The go-plugin protocol version is the major API
//     version: 1 for v1.
//  2. Describe. [MPM.Describe] names the module ("mpm_event_module"), the
//     MPM ("event") and its directives. [Serve] adds the API versions the
//     SDK speaks; the host refuses a plugin with none in common, naming both
//     versions and the LoadModule line. It also adds the parts of the
//     configuration added to API v1 since its start that this SDK honours
//     (virtual hosts, -X): a plugin built with an older SDK does not list
//     them, and the host refuses a configuration that needs one (with
//     <VirtualHost> sections, or -X) rather than have the plugin ignore it.
//     An MPM that answers requests with its own engine instead of
//     [NewHTTPServer] must honour [Core.VirtualHosts] and [Core.OneProcess]
//     itself. Describe is the first call and
//     must have no side effects: it may be the only one, when the module
//     name is not the one LoadModule names or the config misuses one of
//     the MPM's directives (then the host ends the plugin process).
//     `httpd -t`, `-V` and `-L` call Describe and Configure and then end
//     the plugin process: no Run, no Stop.
//  3. Configure. [MPM.Configure] receives the host's core settings and every
//     directive of the MPM's table the config set, each with file and line
//     (the host has checked names, argument counts and placement already;
//     kinds and ranges are the plugin's to check). It returns
//     diagnostics; any [SeverityError] refuses the configuration, and the
//     host prints it at that file and line. [Decode] does the checking
//     against the directive table. Configure is called exactly once.
//  4. Run. [MPM.Run] receives the listening sockets the host bound (or got
//     from systemd), already checked to be listening. It starts serving and
//     returns once the MPM accepts connections: the host reports readiness
//     (sd_notify READY=1, the PidFile) only after that. An error from Run
//     refuses to start the server. ctx ends if the host goes away.
//     To serve (not for a check), the host also hands the plugin its
//     configuration at exec when the config passed every check but those
//     of the MPM's directives, which it learns only from Describe: [Serve]
//     then calls Configure and Run itself before it answers the handshake,
//     with the top-level directives that the MPM declares, if it declares
//     every one that is not the core's with an argument count in range
//     (else it waits for the host's Configure). The MPM's first children
//     start while the host connects; the host then checks the config
//     against the table as always (ending the plugin if that fails) and
//     acknowledges Configure and Run. For the MPM the order is the same,
//     but Describe may come while Run is still starting.
//  5. Watch. While the MPM runs, the host watches it: [Serve] calls
//     [MPM.Status] about once a second and streams the snapshot, which feeds
//     sd_notify STATUS= and the host's view of the server. Status must be
//     cheap and safe to call concurrently with Stop.
//  6. Stop. [MPM.Stop] ends serving. With graceful=true the MPM stops
//     accepting, lets every in-flight request finish, answers the next
//     request on a keep-alive connection with `Connection: close` and closes
//     a connection that stays idle for [http1.DrainIdle] from the stop (or
//     KeepAliveTimeout, if shorter: [http1.Server.StartDraining]); it never
//     resets a connection a client may be sending on. Stop returns when every child
//     process has exited (for an MPM that serves in its own process: every
//     connection it serves has closed), or when ctx ends: then (and with
//     graceful=false from the start) it stops at once, killing its children
//     (closing its connections). On a graceful
//     stop the host's GracefulShutdownTimeout is ctx's deadline (none on a
//     graceful restart). While a graceful Stop drains, the host may call
//     Stop again with graceful=false (a second SIGTERM during a graceful
//     stop, which apache2 turns into a hard stop): the MPM then ends its
//     children at once (SIGTERM, SIGKILL a few seconds later), and the
//     first Stop returns once they have exited; the host kills the
//     plugin's process group if that takes longer than 9 s. After Stop
//     returns, the host ends the plugin process; no further call comes.
//
// # Descriptors: who owns and closes what
//
//   - fd 0 is not the MPM's. fd 1 is go-plugin's handshake channel: the
//     plugin and its children never write to stdout (os.Stdout is
//     redirected after the handshake; anything written there is a bug the
//     conformance suite reports, and the host logs it as an error under
//     the plugin's pid). fd 2 is the log: log with the hclog.Logger in
//     [Config.Log] (JSON lines the host turns into ErrorLog entries at the
//     LogLevel the config sets); any other line there, or written to
//     os.Stderr, such as a panic's trace, is logged as an error too.
//   - fd [LifelineFD] (3) is the read end of the host's lifeline pipe. The SDK
//     owns it: it reads EOF when the host dies, and [Serve] then stops the
//     MPM at once and exits. The MPM never closes it.
//   - fds 4 and up are the listening sockets, in Listen order; Run names
//     them. From Run on they are the MPM's: it may duplicate them, pass
//     them to children ([StartChild]) and must close its copies when it
//     stops. It must never shut a socket down (shutdown(2)) or change its
//     listen backlog: the host keeps its own copies open across MPM restarts
//     and swaps, so that connections wait in the kernel's queue while one
//     MPM hands over to the next instead of being refused.
//   - After the listeners come the log descriptors the host opened for this
//     generation: the access logs ([AccessLog]) and the error logs
//     ([ErrorLog]), at the numbers Configure names. They are the process's
//     for its life: the MPM never closes them; [StartChild] passes them on,
//     and [NewHTTPServer] writes the requests' access lines and error lines
//     to them in the process that serves.
//   - A child started by [StartChild] gets the lifeline as fd 3 (on Linux an
//     open file description of its own, non-blocking, which the SDK waits on
//     through the runtime's poller), then the scoreboard if given, then its
//     listeners; it owns those copies. Its stdin and stdout are /dev/null
//     and its stderr is the plugin's log.
//     An early child ([EarlyChildServer]) has the same, except that the
//     scoreboard, listeners and logs arrive later, at whatever
//     numbers are free (fd 4 is the socket they come on until then).
//   - Every descriptor the plugin inherited is made close-on-exec before
//     any child starts (by package mpm/earlystart's init if the plugin
//     imports it, see [EarlyChildServer]; else first thing in [Serve]):
//     children get only what [StartChild] hands them.
//
// # Process lifetime
//
// The plugin dies with the host: the lifeline and a parent-death signal
// (SIGKILL) both see to it. Children started with [StartChild] get SIGUSR1
// when the plugin process dies (their Graceful channel closes: they finish
// in-flight requests while the host starts a new MPM on the same sockets)
// and exit at once when the host dies. The plugin ignores SIGINT, SIGHUP,
// SIGUSR1, SIGWINCH and SIGPIPE and drops SIGTERM (caught, so that its
// children start with SIGTERM's default action): the host owns signals and
// turns them into Stop calls.
//
// # ONE_PROCESS mode (httpd -X)
//
// `httpd -X` (or -D ONE_PROCESS, -D DEBUG) is Apache's debug mode: the
// server stays in the foreground and serves from one process. The host
// sets [Core.OneProcess] and expects the MPM to run a single serving
// process whatever its directives say, never to replace it, and to report
// in [Status].Pids that process while it runs and none once it has ended;
// the host then stops the MPM and exits with status 0. In this mode the
// host ignores SIGHUP and SIGUSR1 (Apache installs no restart handler
// there): there is no restart, so Configure and Run come once. SIGTERM,
// SIGINT and SIGWINCH still stop the MPM through Stop. The built-in MPMs
// run one child (a prefork child, or a worker or event child with all its
// threads), do not check it for hanging (it may sit in a debugger) and
// leave out their "resuming normal operations" and stop notices, as
// Apache's -X does. An MPM that ignores the field keeps running as
// configured: the host then exits only on a stop signal or once the MPM
// reports no pids.
//
// # Linked into the host
//
// The same MPM value can also run inside the server's own process, the
// form Apache calls a static MPM (`make MPM=NAME` links one of ours into
// httpd). [InProcess] then makes the calls the host would make over gRPC,
// in the same order and with the same contract, and [RunChild] answers
// the re-execution of the server binary by [StartChild]. An MPM needs no
// change for that form as long as it keeps its state in its value (no
// package-level state: after a graceful restart two instances run side by
// side for a while), installs no signal handler and does not exit the
// process in its parent side: it is not alone in that process.
//
// # A child program
//
// [StartChild] executes the plugin binary again, whose start-up is mostly
// go-plugin's, gRPC's and protobuf's package initialisation: work a child
// never uses. An MPM may ship a child program beside its plugin: a main
// that is just [ChildMain] with the same MPM,
//
//	func main() { mpm.ChildMain(&MyMPM{}) } // built with -tags mpmchild
//
// named in the plugin's main with [WithChildProgram]:
//
//	func main() { mpm.Serve(&MyMPM{}, mpm.WithChildProgram("mod_mpm_my.child")) }
//
// The build tag mpmchild leaves [Serve] and everything that needs go-plugin
// and gRPC out of package mpm; the MPM's code must not import them either
// (its child side never needs them). Children, early ones included, then
// run the child program, under the conditions [WithChildProgram] lists,
// and the plugin binary otherwise. The two files are one build: install
// and update them together.
//
// # Child health: the heartbeat
//
// A child started by [StartChild] with a scoreboard beats for its slot
// (scoreboard.Process.Beat) every [HeartbeatInterval], from a goroutine the
// SDK starts before ServeChild, while the child makes progress: while some
// worker of its slot (the first ThreadsPerChild records, set with
// scoreboard.Global.SetLimits) is not busy, or was touched within
// [HangTimeout]. A child built on [Child.HTTPServer] needs to do nothing
// more than it does for server-status: keep each worker's status and set
// each connection's http1.Conn.Tag to its worker record; the engine then
// touches the worker on every wait on the network. A child that keeps no
// worker records (ThreadsPerChild 0) beats while its process runs. So a
// stopped child (SIGSTOP), one starved of CPU and one whose workers are all
// stuck outside the network (in a handler, on a disk, in a deadlock) stop
// beating. What the worker records do not show, an MPM adds with
// [Child.WatchProgress]: the event MPM's loop stops the heartbeat when
// its current turn is older than HangTimeout (a deadlock, a read from a
// hung disk), even while every worker is idle. The parent's side is a
// policy: scoreboard.Process.SinceBeat over HangTimeout means hung. The built-in MPMs then send SIGTERM (with
// SIGCONT), SIGKILL 3 s later, and start a replacement.
//
// # Privileges
//
// Started as root (the host runs as root to bind ports and drop its
// children to User/Group), a plugin keeps only the capabilities an MPM
// parent needs before anything else runs (in the init of a package the SDK
// imports, before the packages of gRPC are initialised): CAP_SETUID and CAP_SETGID, to
// start children as User and Group ([ChildSpec.Credential]), and CAP_KILL,
// to signal them. The host starts it with only those in its bounding set,
// so that it has no others from exec on; started with more, it drops the
// others from the bounding set of its thread and executes itself again: the
// kernel then derives the one thread of the new image, and every thread the
// Go runtime starts later, from that set, whether or not the binary uses
// cgo. The listening sockets and the log descriptors are the host's, opened
// as root and inherited, so nothing else is needed. A child inherits the
// bounding set; one started with a Credential is executed as the parent
// (root, with the parent's three) and drops to the Credential first thing,
// in the initialisation of a package the SDK imports (all threads; before
// it reads its spec or a descriptor it was given), as apache2's children
// setuid after their fork. Go initialises that package right after os, so
// before nearly all others, but not necessarily before every package of a
// third-party MPM's child program: one that does not import os, or whose
// import path sorts before the SDK's and that imports only packages
// initialised before it, runs its init as root (in a root-owned binary: an
// MPM author's own code, not reachable by the user). After the drop it has no
// capabilities at all and, its ids changed, is not dumpable, so that no
// process of its user may reach its memory or descriptors at any moment of
// its start (executed as the user, it would be dumpable from its execve).
// It exits rather than go on as root when it cannot. One without a
// Credential (no User) keeps the parent's three. An early child
// ([EarlyChildServer]) is no exception: it drops to the credential the
// host resolved, like any other child.
// An MPM that needs more (binding its own privileged port, say) cannot have
// it: the host binds every Listen. Linked into the host ([InProcess]), the
// MPM's parent side is the host itself, which keeps its privileges.
//
// So the plugin process is still uid 0: an MPM that answered requests in it
// would read the documents as root, whatever User says. [NewHTTPServer]
// refuses to build a server in a root process when User and Group name
// another user (Core.Credential): serve from children started with
// ChildSpec.Credential set to [Core.ChildCredential]. An MPM that serves
// in its own process (no children) does so only where httpd is not root or
// no User is set. It cannot drop to the credential itself in Run: Run may
// come before the handshake (see Lifecycle), when go-plugin may not have
// made its socket yet, in a directory only root may enter.
//
// # Concurrency
//
// The host calls Describe, Configure, Run and Stop one at a time, in that
// order, but that Describe may come during a Run that [Serve] started from
// the configuration handed over at exec (see Lifecycle). Status may be
// called at any time after Run, concurrently with Stop.
package mpm
