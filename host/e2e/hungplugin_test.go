package e2e_test

import (
	"syscall"
	"testing"
	"time"
)

// Review10 sketches: a plugin that never answers Stop (here: stopped with
// SIGSTOP, as a plugin wedged in its Stop would be) must not keep the host
// from stopping, nor keep an old generation serving after a restart.
// apache2 kills straggling children at 9 s and gives up waiting at 10 s
// (ap_reclaim_child_processes). Both tests fail today.

// TestStopEndsWithAHungPlugin: SIGTERM must end httpd even if the plugin
// never answers Stop.
func TestStopEndsWithAHungPlugin(t *testing.T) {
	in := start(t, newSite(t, "event", "mpm_event_module", ""))
	plugin := in.pluginPid()
	must(t, syscall.Kill(plugin, syscall.SIGSTOP))
	t.Cleanup(func() { syscall.Kill(plugin, syscall.SIGCONT) })
	in.signal(syscall.SIGTERM)
	in.wait() // fails the test if httpd has not exited after 30 s
	if alive(plugin) {
		t.Errorf("plugin %d outlived the host", plugin)
	}
}

// TestRestartRetiresAHungPlugin: after a restart (SIGHUP), an old plugin
// that never answers Stop must still be ended, not left serving the old
// configuration on the shared sockets.
func TestRestartRetiresAHungPlugin(t *testing.T) {
	in := start(t, newSite(t, "event", "mpm_event_module", ""))
	old := in.pluginPid()
	oldKids := children(old)
	must(t, syscall.Kill(old, syscall.SIGSTOP))
	t.Cleanup(func() { syscall.Kill(old, syscall.SIGCONT) })
	in.signal(syscall.SIGHUP)
	if !eventually(30*time.Second, func() bool { return !alive(old) }) {
		t.Errorf("old plugin %d still alive 30 s after SIGHUP", old)
	}
	for _, k := range oldKids {
		if !eventually(30*time.Second, func() bool { return !alive(k) }) {
			t.Errorf("old child %d still alive (holding the listening socket) 30 s after SIGHUP", k)
		}
	}
}
