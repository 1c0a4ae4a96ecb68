package mpm

// ProfileEnv names a directory in the environment of an MPM's children
// (they inherit the host's): a child of a binary built with the tag
// mpmprofile then writes a CPU profile (pprof) of its ServeChild to
// DIR/MPM-PID.pprof when ServeChild returns, that is when it drains and
// exits (a graceful stop or restart), not when it is killed. Other builds
// ignore it. `make profile` uses it (internal/profile).
const ProfileEnv = "HTTPD_MPM_CPUPROFILE"
