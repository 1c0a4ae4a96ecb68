package main

import "testing"

func TestDefaultMPM(t *testing.T) {
	for goos, want := range map[string]string{
		"linux": "event", "freebsd": "event", "darwin": "event", "netbsd": "event", "openbsd": "event", "dragonfly": "event",
		"solaris": "worker", "illumos": "worker", "aix": "worker", "windows": "worker",
		"js": "prefork", "wasip1": "prefork",
	} {
		if got := defaultMPM(goos); got != want {
			t.Errorf("defaultMPM(%q) = %q, want %q", goos, got, want)
		}
	}
}
