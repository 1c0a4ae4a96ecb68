# httpd-mpm example configuration, in HCL: the same server as httpd.conf.
#
#   mkdir -p logs && bin/httpd -d . -f examples/httpd.hcl -D FOREGROUND
#   bin/httpd -d . -f examples/httpd.hcl -t -D DUMP_CONFIG   prints what httpd.conf prints
#
# Directive names are Apache's. A list is one directive per value for
# directives that take one value (Listen = ["a", "b"]), the arguments of one
# directive otherwise (DirectoryIndex = ["index.html", "index.htm"]).
# ServerRoot is the repository (set with -d), so relative paths below are
# relative to it, exactly as in Apache.

# The MPM. Exactly one LoadModule block names it; to swap, edit this block
# (mod_mpm_prefork.so, mod_mpm_worker.so or mod_mpm_event.so) and restart.
LoadModule "mpm_event_module" { path = "modules/mod_mpm_event.so" }

# Modules built into httpd may be named too, as stock Apache configs do.
LoadModule "mime_module" { path = "modules/mod_mime.so" }
LoadModule "dir_module" { path = "modules/mod_dir.so" }

Define = ["PORT", "8080"]
Listen = "127.0.0.1:${PORT}"

ServerName     = "127.0.0.1"
DocumentRoot   = "examples/htdocs"
DirectoryIndex = "index.html"
TypesConfig    = "/etc/mime.types"
AddType        = ["text/plain", ".txt"]

ErrorLog = "/dev/stderr"
LogLevel = "notice"
PidFile  = "logs/httpd.pid"

KeepAlive            = true
KeepAliveTimeout     = 5
MaxKeepAliveRequests = 100
Timeout              = 60

# TRACE echoes a request back (TraceEnable On, Apache's default); refused
# here, as Debian's security.conf does.
TraceEnable = "Off"

IfModule "mpm_prefork_module" {
  StartServers = 5
}

IfModule "mpm_worker_module" {
  StartServers    = 2
  ThreadsPerChild = 25
}

IfModule "mpm_event_module" {
  StartServers    = 2
  ThreadsPerChild = 25
}

Directory "/" {
  AllowOverride = "None"
}
